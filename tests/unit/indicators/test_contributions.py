"""Who contributes what (docs/reports.md: regio page, "Who contributes what")."""

from __future__ import annotations

import pandas as pd

from pipeline.indicators.contributions import CONTRIBUTION_COLUMNS, contributions

PARTNERS = pd.DataFrame(
    {
        "partner_id": ["gem-a", "bouw-a", "opl-a", "wp-b"],
        "naam": ["Gemeente A", "Bouw A", "Opleider A", "Werkplein B"],
        "rol": ["opdrachtgever", "opdrachtnemer", "opleider", "werkplein"],
        "kvk": [None, "12345678", None, None],
    }
).astype("string")
CONTRACTS = pd.DataFrame(
    {
        "opdrachtgever": ["gem-a", "gem-a", "gem-c"],
        "opdracht_id": ["1", "2", "3"],
        "opdrachtnemer": ["bouw-a", "", "bouw-a"],
        "verplichting_eur": [100.0, 50.0, 10.0],
        "gerealiseerd_eur": [40.0, 5.0, 1.0],
    }
)
STAGES = pd.DataFrame(
    {
        "opleider": ["opl-a", "opl-a", "opl-a", "wp-b"],
        "kandidaat_id": ["k1", "k1", "k2", "k1"],
        "geplaatst": [True, True, False, True],
        "duurzaam": [True, False, False, False],
    }
)
LEVERINGEN = pd.DataFrame(
    {
        "partner_id": ["gem-a", "gem-a", "bouw-a", "opl-a", "wp-b"],
        "status": ["geleverd", "ontbreekt", "overgenomen", "geleverd", "ontbreekt"],
        "levering_periode": ["2021Q3", None, "2021Q2", "2021Q3", None],
    }
)


def test_contribution_per_partner_and_role():
    out = contributions(PARTNERS, CONTRACTS, STAGES, LEVERINGEN).set_index("partner_id")
    assert list(out.reset_index().columns) == CONTRIBUTION_COLUMNS
    # authority: its two contracts 100 + 50, realised 40 + 5
    assert out.loc["gem-a", ["opdrachten", "verplichting_eur", "gerealiseerd_eur"]].tolist() == [2, 150.0, 45.0]
    # contractor: contracts 1 (gem-a) and 3 (gem-c): 100 + 10, realised 40 + 1
    assert out.loc["bouw-a", ["opdrachten", "verplichting_eur", "gerealiseerd_eur"]].tolist() == [2, 110.0, 41.0]
    # institute: 3 trajectories; placed candidates distinct {k1} -> 1; durable {k1} -> 1
    assert out.loc["opl-a", ["trajecten", "plaatsingen", "duurzaam", "opdrachten"]].tolist() == [3, 1, 1, 0]
    assert out.loc["wp-b", ["trajecten", "plaatsingen"]].tolist() == [1, 1]
    assert out["geleverd"].to_dict() == {"bouw-a": False, "gem-a": True, "opl-a": True, "wp-b": False}
    assert out.loc["bouw-a", "levering_periode"] == "2021Q2"
    assert out.loc["wp-b", "levering_periode"] == ""
