"""Supply and demand per sector, on a small period worked out by hand (peildatum 30-09-2021)."""

import datetime as dt

import pandas as pd
import pytest

from pipeline.indicators import supply_demand as sd

PEIL = dt.date(2021, 9, 30)
RATE = 40_000.0  # pwet_lang from 2021: one person-year


def opdrachten():
    return pd.DataFrame(
        {
            "opdracht_id": ["A", "B", "C", "D", "E"],
            "sector": ["bouw", "bouw", "bouw", "infra", "techniek"],
            "opdrachtgever": ["gem-a", "gem-b", "gem-a", "gem-a", "gem-b"],
            "status": ["risico", "op_schema", "voldaan", "niet_voldaan", "nog_niet_gestart"],
            "nog_te_realiseren_eur": [80_000.0, 40_000.0, 0.0, 20_000.0, 10_000.0],
            "achterstand_eur": [30_000.0, 0.0, 0.0, 20_000.0, 0.0],
        }
    )


def kalender():
    return pd.DataFrame(
        {
            "sector": ["bouw", "bouw", "infra"],
            "verwachte_publicatie": pd.to_datetime(["2021-11-15", "2022-01-31", "2021-08-01"]),
            "verwachte_start": pd.to_datetime(["2022-03-01", None, "2022-01-01"]),
            "geraamde_waarde": [1_000_000.0, 2_000_000.0, 500_000.0],
            "sr_percentage": [5.0, 4.0, 5.0],
        }
    )


def stages():
    rows = [  # kandidaat, sector, opleider, gestart, afgerond, uitgevallen, geplaatst
        ("k1", "bouw", "opl-a", True, False, False, False),  # in training
        ("k1", "bouw", "opl-b", True, False, False, False),  # the same person at a second institute
        ("k2", "bouw", "opl-a", True, True, False, False),  # completed, not placed
        ("k3", "bouw", "opl-a", True, True, False, True),  # placed: no longer supply
        ("k4", "bouw", "opl-b", True, False, True, False),  # dropped out
        ("k5", "bouw", "opl-b", True, False, False, False),  # in training
        ("k6", "infra", "opl-a", False, False, False, False),  # registered only
    ]
    cols = ["kandidaat_id", "sector", "opleider", "gestart", "afgerond", "uitgevallen", "geplaatst"]
    return pd.DataFrame(rows, columns=cols)


def test_open_contracts_need_what_they_still_have_to_realise():
    got = sd.contract_demand(opdrachten(), RATE)
    # C is fulfilled and D ended short: neither needs people any more
    assert got[["sector", "opdrachtgever", "opdrachten"]].values.tolist() == [
        ["bouw", "gem-a", 1],
        ["bouw", "gem-b", 1],
        ["techniek", "gem-b", 1],
    ]
    # 80,000 / 40,000 = 2.0; 40,000 / 40,000 = 1.0; 10,000 / 40,000 = 0.25
    assert got["persoonsjaren"].tolist() == [2.0, 1.0, 0.25]
    assert got["achterstand_eur"].tolist() == [30_000.0, 0.0, 0.0]


def test_tenders_count_in_the_quarter_their_work_starts():
    got = sd.tender_demand(kalender(), RATE, PEIL, lead_months=6)
    # T1: published 2021Q4 (after 2021Q3), start 2022-03-01 -> 2022Q1, 1,000,000 × 5% = 50,000 -> 1.25
    # T2: published 31-01-2022, no start: + 6 months = 31-07-2022 -> 2022Q3, 2,000,000 × 4% = 80,000 -> 2.0
    # T3: published in 2021Q3 itself: not ahead
    assert got.values.tolist() == [["bouw", "2022Q1", 1, 50_000.0, 1.25], ["bouw", "2022Q3", 1, 80_000.0, 2.0]]


def test_supply_counts_each_candidate_once_per_group():
    got = sd.supply(stages())
    assert got.values.tolist() == [
        ["bouw", "opl-a", 1, 1, 2],  # k1 in training, k2 completed (k3 placed)
        ["bouw", "opl-b", 2, 0, 2],  # k1 and k5 in training (k4 dropped out)
    ]
    per = sd.supply_per_sector(stages())
    # k1 at two institutes counts once in the sector: k1, k5 in training, k2 completed
    assert per.values.tolist() == [["bouw", 2, 1, 3], ["infra", 0, 0, 0]]


def test_per_sector_pairs_demand_and_supply():
    card = pd.DataFrame(
        {
            "bouwblok": ["pwet_lang"],
            "waarde_eur": [RATE],
            "geldig_vanaf": pd.to_datetime(["2021-01-01"]),
            "geldig_tot": pd.to_datetime([None]),
        }
    )
    got = sd.per_sector(opdrachten(), kalender(), stages(), card, PEIL, "pwet_lang", 6).set_index("sector")
    assert list(got.index) == ["bouw", "infra", "techniek"]
    # bouw: contracts 2.0 + 1.0 = 3.0; tenders 1.25 + 2.0 = 3.25; together 6.25 person-years
    assert got.loc["bouw", "vraag_opdrachten_persoonsjaren"] == pytest.approx(3.0)
    assert got.loc["bouw", "vraag_aanbestedingen_persoonsjaren"] == pytest.approx(3.25)
    assert got.loc["bouw", "vraag_persoonsjaren"] == pytest.approx(6.25)
    assert got.loc["bouw", ["in_opleiding", "afgerond_niet_geplaatst", "kandidaten"]].tolist() == [2, 1, 3]
    assert got.loc["techniek", "vraag_persoonsjaren"] == pytest.approx(0.25)
    assert got.loc["infra", "vraag_persoonsjaren"] == 0.0 and got.loc["infra", "kandidaten"] == 0
