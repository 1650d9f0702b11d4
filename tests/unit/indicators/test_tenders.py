"""Future tenders (docs/domain.md: "Future tenders (aanbestedingskalender)")."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline.indicators.ratecard import load_rate_card
from pipeline.indicators.tenders import TENDER_COLUMNS, future_tenders

CARD = load_rate_card()
PEIL = dt.date(2021, 9, 30)  # 2021Q3


def kalender(*rows: dict) -> pd.DataFrame:
    base = dict(
        partner_id="gem-a",
        aanbesteding_id="a",
        sector="bouw",
        geraamde_waarde=1_000_000.0,
        sr_percentage=5.0,
        verwachte_publicatie="2021-11-01",
    )
    df = pd.DataFrame([{**base, **r} for r in rows])
    df["verwachte_publicatie"] = pd.to_datetime(df["verwachte_publicatie"]).astype("datetime64[ns]")
    return df.astype({"partner_id": "string", "sector": "string"})


def test_value_and_person_years_per_quarter_and_sector():
    out = future_tenders(
        kalender(
            dict(verwachte_publicatie="2021-10-01"),  # 2021Q4: 50,000
            dict(verwachte_publicatie="2021-12-31", geraamde_waarde=2_000_000.0),  # 2021Q4: 100,000
            dict(verwachte_publicatie="2022-01-01", sector="infra"),  # 2022Q1 infra: 50,000
            dict(verwachte_publicatie="2021-09-30"),  # this quarter: left out
            dict(verwachte_publicatie="2021-02-01"),  # past: left out
        ),
        CARD,
        PEIL,
    )
    assert list(out.columns) == TENDER_COLUMNS
    assert out[["opdrachtgever", "kwartaal", "sector"]].values.tolist() == [
        ["gem-a", "2021Q4", "bouw"],
        ["gem-a", "2022Q1", "infra"],
    ]
    # 2021Q4 bouw: 1,000,000 × 5 % + 2,000,000 × 5 % = 150,000; pwet_lang (2021) 40,000 -> 3.75
    assert out.loc[0, "sr_waarde_eur"] == pytest.approx(150_000.0)
    assert out.loc[0, "persoonsjaren"] == pytest.approx(3.75)
    assert out.loc[0, "aanbestedingen"] == 2
    # 2022Q1 infra: 50,000 / 40,000 = 1.25
    assert out.loc[1, "persoonsjaren"] == pytest.approx(1.25)


def test_person_year_block_is_a_parameter():
    # pwet_kort 2021 edition: 35,000 -> 50,000 / 35,000
    out = future_tenders(kalender(dict()), CARD, PEIL, person_year_block="pwet_kort")
    assert out.loc[0, "persoonsjaren"] == pytest.approx(50_000 / 35_000)


def test_unknown_block_gives_empty_person_years():
    out = future_tenders(kalender(dict()), CARD, PEIL, person_year_block="bestaat_niet")
    assert out["persoonsjaren"].isna().all() and out.loc[0, "sr_waarde_eur"] == pytest.approx(50_000)


def test_empty_calendar():
    assert future_tenders(pd.DataFrame(), CARD, PEIL).empty
