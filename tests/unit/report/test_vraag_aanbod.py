"""The supply-and-demand section: suppression of the person counts and one sentence per sector."""

import pandas as pd
import pytest

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


def _chart_table():
    return pd.DataFrame(
        {
            "sector": ["bouw", "techniek", "Totaal"],
            "vraag_opdrachten_persoonsjaren": [30.0, 0.0, 30.0],
            "vraag_aanbestedingen_persoonsjaren": [10.0, 5.0, 15.0],
            "vraag_persoonsjaren": [40.0, 5.0, 45.0],
            "in_opleiding": [12, "<5", 15],
            "afgerond_niet_geplaatst": [8, "×", 9],
            "kandidaten": [20, 4, 24],
        }
    )


def test_the_chart_puts_each_sectors_bars_and_labels_where_worked_out_by_hand():
    import re

    chart = va.chart(_chart_table())
    # two panels: 48 (legend, first title) + 34 (axis) + 2 × 28 + 22,5 between = 160,5 pt high
    assert 'height="160.5pt"' in chart.svg
    # x: 0 to 1,35 × the largest bar (40) = 54; ticks at matplotlib's MaxNLocator steps (1; 1,5;
    # 2; 2,5; 3; 4; 5; 6; 8; 10 times a power of ten), at most five steps: 54 / 5 = 10,8, so 15
    # (0, 15, 30, 45; 60 is past the axis' end);
    # left margin: "Aanbod" at 9,5 pt (7807 / 2048 × 9,5 = 36,22) + 3,5 tick + 3,5 pad + 6 = 49,22;
    # right: half of "45" (2606 / 2048 × 9,5 / 2 = 6,04) + 4 = 10,04; the plot is
    # 467,72 - 49,22 - 10,04 = 408,46 wide, so 30 ends at 49,22 + 30 / 54 × 408,46 = 276,14
    # and the tick 15 stands at 49,22 + 15 / 54 × 408,46 = 162,68
    texts = dict((t, (float(x), float(y))) for x, y, t in re.findall(r'x="([\d.]+)" y="([\d.]+)">([^<]+)<', chart.svg))
    assert texts["15"][0] == pytest.approx(162.68, abs=0.02)
    assert [t for t in ("0", "15", "30", "45", "60") if t in texts] == ["0", "15", "30", "45"]
    # the first panel is 48 … 76 pt, its y limits -0,6 … 1,6: Vraag (1) is 76 - 1,6 / 2,2 × 28
    # = 55,64 from the top, its bar 0,6 high from 51,82 to 59,45
    assert "M 49.22 59.45 L 276.14 59.45 L 276.14 51.82 L 49.22 51.82 z" in chart.svg
    # a suppressed count draws nothing and is written as it is shown in the table
    assert texts["4 kandidaten"][0] == pytest.approx(49.22 + 0.4 / 54 * 408.46, abs=0.02)
    # the label centred on its bar's row: 55,64 + 0,26 × 8 = 57,71 for the demand label,
    # just past the bar: 40 + 1% of 40 = 40,4 → 49,22 + 40,4 / 54 × 408,46 = 354,80
    assert texts["≈ 40 persoonsjaren"] == pytest.approx((354.80, 57.71), abs=0.02)
    # the titles 6 pt above their panels (48 and 48 + 28 + 22,5 = 98,5), hatched supply and tenders
    assert texts["Bouw"] == pytest.approx((49.22, 42.0)) and texts["Techniek"] == pytest.approx((49.22, 92.5))
    assert chart.svg.count("<pattern ") == 3
    assert chart.alt.startswith("Vraag en aanbod per sector: bouw: vraag ≈ 40 persoonsjaren, aanbod 20 kandidaten; ")
