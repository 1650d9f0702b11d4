"""The supply-and-demand section: suppression of the person counts and one sentence per sector."""

import pandas as pd

from pipeline.report.pages import vraag_aanbod as va


def tables():
    per_sector = pd.DataFrame(
        {
            "sector": ["bouw", "infra", "techniek"],
            "vraag_opdrachten_persoonsjaren": [30.0, 2.0, 0.0],
            "achterstand_eur": [1.0, 0.0, 0.0],
            "vraag_aanbestedingen_persoonsjaren": [12.0, 0.0, 0.0],
            "in_opleiding": [35, 3, 0],
            "afgerond_niet_geplaatst": [8, 0, 0],
            "kandidaten": [43, 3, 0],
            "vraag_persoonsjaren": [42.0, 2.0, 0.0],
        }
    )
    opleiders = pd.DataFrame(
        {
            "sector": ["bouw", "bouw", "infra"],
            "opleider": ["opl-a", "opl-b", "opl-a"],
            "in_opleiding": [30, 5, 3],
            "afgerond_niet_geplaatst": [6, 2, 0],
            "kandidaten": [36, 7, 3],
        }
    )
    return va.Tables(per_sector, opleiders, pd.DataFrame())


def test_region_table_suppresses_small_counts_and_drops_empty_sectors():
    t = va.sector_table(tables()).set_index("sector")
    assert list(t.index) == ["bouw", "infra", "Totaal"]  # techniek needs nobody and has nobody
    # infra's 3 is hidden; bouw's 35 would give it away from the total 38: hidden too (×)
    assert t.loc["infra", "in_opleiding"] == "<5"
    assert t.loc["bouw", "in_opleiding"] == "×" and t.loc["Totaal", "in_opleiding"] == 38
    assert t.loc["Totaal", "vraag_persoonsjaren"] == 44.0  # 42 + 2 + 0


def test_partner_table_shows_its_own_candidates_only():
    t = va.sector_table(tables(), "opl-b").set_index("sector")
    # opl-b: bouw 5 in training, 2 completed; infra nothing of its own but still demand
    assert t.loc["bouw", "afgerond_niet_geplaatst"] == "<5"
    assert t.loc["infra", "kandidaten"] == 0 and t.loc["infra", "vraag_persoonsjaren"] == 2.0


def test_one_sentence_per_sector_in_plain_dutch():
    said = va.sentences(va.sector_table(tables()))
    assert said[0] == (
        "Bouw: vraag ≈ 42 persoonsjaren (30 in lopende opdrachten, 12 in komende aanbestedingen); "
        "een verborgen aantal kandidaten in opleiding en 8 afgerond zonder plaatsing."
    )
    assert said[1].startswith("Infrastructuur: vraag ≈ 2 persoonsjaren") and "<5 kandidaten in opleiding" in said[1]
    assert len(said) == 2
