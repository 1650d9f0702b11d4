"""Valuation of realisation lines (docs/domain.md: building-blocks method).

Every expected value below is computed by hand from docs/domain.md and the default rate card
(spec/bouwblokken.csv), with the arithmetic in a comment. Day counts are inclusive.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from pipeline.core.settings import load_settings
from pipeline.indicators.ratecard import load_rate_card
from pipeline.indicators.valuation import REASONS, VALUED_COLUMNS, add_months, value_lines

CARD = load_rate_card()
SETTINGS = load_settings()
PEIL = dt.date(2021, 9, 30)  # 2021Q3

# Contract C1: awarded 2021 (rate card edition 2021-01-01: pwet_kort 35000, toeslag 7500),
# term 2021-02-01 .. 2022-12-31.
C1 = dict(
    partner_id="gem-a", opdracht_id="C1", gunningsdatum="2021-01-15", startdatum="2021-02-01", einddatum="2022-12-31"
)
# awarded 2017 (edition 2016-01-01: bbl 20000), long term
C_OLD = dict(C1, opdracht_id="C_OLD", gunningsdatum="2017-06-01", startdatum="2017-09-01")
# awarded 2019 (edition 2016: ww_kort 10000), term 2020-01-01 .. 2021-12-31
C_2019 = dict(C1, opdracht_id="C_2019", gunningsdatum="2019-12-01", startdatum="2020-01-01", einddatum="2021-12-31")
# awarded on the last day of the 2016 edition (pwet_kort 30000, toeslag 5000)
C_2020_12_31 = dict(C1, opdracht_id="C_2020", gunningsdatum="2020-12-31")
C_2021_01_01 = dict(C1, opdracht_id="C_2021", gunningsdatum="2021-01-01")
C_JAN = dict(C1, opdracht_id="C_JAN", gunningsdatum="2021-01-01", startdatum="2021-01-01")
C_SHORT = dict(C1, opdracht_id="C_SHORT", einddatum="2021-08-15")
C_ENDED = dict(C1, opdracht_id="C_ENDED", einddatum="2021-06-30")
C_NO_RATE = dict(C1, opdracht_id="C_NO_RATE", gunningsdatum="2015-06-01")


def contracts(*rows: dict) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    for col in ("gunningsdatum", "startdatum", "einddatum"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    return df.astype({"partner_id": "string", "opdracht_id": "string"})


def lines(*rows: dict) -> pd.DataFrame:
    base = dict(
        partner_id="bouw-a",
        opdrachtgever="gem-a",
        opdracht_id="C1",
        bouwblok="pwet_kort",
        kandidaat_id="k1",
        startdatum="2021-07-01",
        einddatum=None,
        uren_per_week=36.0,
        vijftig_plus=False,
        bedrag=None,
        bron_bestand="inzet.csv",
    )
    df = pd.DataFrame([{**base, "regel_id": f"r{i}", "bron_rij": i + 2, **r} for i, r in enumerate(rows)])
    for col in ("startdatum", "einddatum"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    text = ["partner_id", "regel_id", "opdrachtgever", "opdracht_id", "bouwblok", "kandidaat_id", "bron_bestand"]
    return df.astype(
        {**{c: "string" for c in text}, "vijftig_plus": "boolean", "uren_per_week": "float64", "bedrag": "float64"}
    )


def value_one(line: dict, contract: dict = C1, peil: dt.date = PEIL) -> pd.Series:
    out = value_lines(lines(line), contracts(contract), CARD, peil, SETTINGS)
    assert len(out) == 1
    return out.iloc[0]


@pytest.mark.parametrize(
    "line, contract, peil, dagen, waarde, toeslag",
    [
        # Mar 1-31 (31) + Apr (30) + May 1-30 (30) = 91 days; 35000 × 1 × 91 / 365
        pytest.param(
            dict(startdatum="2021-03-01", einddatum="2021-05-30"),
            C1,
            PEIL,
            91,
            35000 * 1 * 91 / 365,
            0.0,
            id="jaar_full_time_closed_line",
        ),
        # Apr (30) + May (31) + Jun (30) = 91 days; hours do not matter: 750 × 91 × 12 / 365
        pytest.param(
            dict(bouwblok="werkervaringsplaats", startdatum="2021-04-01", einddatum="2021-06-30", uren_per_week=8.0),
            C1,
            PEIL,
            91,
            750 * 91 * 12 / 365,
            0.0,
            id="maand_werkervaringsplaats",
        ),
        # factor: bedrag × waarde = 12500 × 1, counted once; no days
        pytest.param(
            dict(
                bouwblok="sociale_inkoop",
                kandidaat_id=None,
                uren_per_week=None,
                startdatum="2021-05-10",
                bedrag=12500.0,
            ),
            C1,
            PEIL,
            0,
            12500.0,
            0.0,
            id="factor_sociale_inkoop",
        ),
        # bbl (2016 edition: 20000, max 36 months) from 2017-09-01, open-ended, 40 h (fte 1):
        # cap = 2017-09-01 + 36 months − 1 day = 2020-08-31; days 2017-09-01..2020-08-31 =
        # 365 + 365 + 366 (2020 leap) = 1096; 20000 × 1 × 1096 / 365
        pytest.param(
            dict(bouwblok="bbl", opdracht_id="C_OLD", startdatum="2017-09-01", uren_per_week=40.0),
            C_OLD,
            PEIL,
            1096,
            20000 * 1096 / 365,
            0.0,
            id="bbl_capped_at_36_months",
        ),
        # ww_kort (2016: 10000, max 12 months) from 2020-02-29: + 12 months = 2021-02-28
        # (day clamped to month end), − 1 day = 2021-02-27; 2020-02-29..2021-02-27 = 365 days
        pytest.param(
            dict(bouwblok="ww_kort", opdracht_id="C_2019", startdatum="2020-02-29"),
            C_2019,
            PEIL,
            365,
            10000 * 365 / 365,
            0.0,
            id="ww_kort_12_months_from_29_feb_month_end_clamp",
        ),
        # ww_kort (2021: 15000) from 2021-01-31 on a contract from 2021-01-01: + 12 months =
        # 2022-01-31, − 1 = 2022-01-30; peildatum 2022-06-30; 2021-01-31..2022-01-30 = 365
        # days; 15000 × 365 / 365
        pytest.param(
            dict(bouwblok="ww_kort", opdracht_id="C_JAN", startdatum="2021-01-31"),
            C_JAN,
            dt.date(2022, 6, 30),
            365,
            15000.0,
            0.0,
            id="ww_kort_12_months_from_31_jan",
        ),
        # line 2021-01-15..2021-02-28 on a contract starting 2021-02-01: begin = 2021-02-01,
        # 28 days; 35000 × 28 / 365
        pytest.param(
            dict(startdatum="2021-01-15", einddatum="2021-02-28"),
            C1,
            PEIL,
            28,
            35000 * 28 / 365,
            0.0,
            id="line_starting_before_contract",
        ),
        # open-ended from 2021-07-01, 18 h: fte 0.5, eind = peildatum 2021-09-30:
        # Jul 31 + Aug 31 + Sep 30 = 92 days; 35000 × 0.5 × 92 / 365
        pytest.param(
            dict(uren_per_week=18.0), C1, PEIL, 92, 35000 * 0.5 * 92 / 365, 0.0, id="open_ended_line_to_peildatum"
        ),
        # contract ends 2021-08-15: Jul 31 + Aug 1-15 (15) = 46 days; 35000 × 46 / 365
        pytest.param(
            dict(opdracht_id="C_SHORT"), C_SHORT, PEIL, 46, 35000 * 46 / 365, 0.0, id="line_capped_by_contract_end"
        ),
        # 12 h counts: fte 12/36; 35000 × 12/36 × 92 / 365
        pytest.param(dict(uren_per_week=12.0), C1, PEIL, 92, 35000 * (12 / 36) * 92 / 365, 0.0, id="hours_12_counts"),
        # 35 h: fte 35/36; 35000 × 35/36 × 92 / 365
        pytest.param(
            dict(uren_per_week=35.0), C1, PEIL, 92, 35000 * (35 / 36) * 92 / 365, 0.0, id="hours_35_fte_35_36"
        ),
        # 36 h: fte 1; 35000 × 92 / 365 = 8821.92
        pytest.param(dict(uren_per_week=36.0), C1, PEIL, 92, 35000 * 92 / 365, 0.0, id="hours_36_fte_1"),
        # 40 h: fte min(40/36, 1) = 1: same as 36 h
        pytest.param(dict(uren_per_week=40.0), C1, PEIL, 92, 35000 * 92 / 365, 0.0, id="hours_40_fte_capped_at_1"),
        # 50+: bonus 7500 (2021 edition) × 1 × 92 / 365 = 1890.41 on top of 35000 × 92 / 365
        pytest.param(
            dict(vijftig_plus=True), C1, PEIL, 92, 35000 * 92 / 365, 7500 * 92 / 365, id="bonus_50plus_jaar_line"
        ),
        # 50+ at 18 h: both scaled by fte 0.5
        pytest.param(
            dict(vijftig_plus=True, uren_per_week=18.0),
            C1,
            PEIL,
            92,
            35000 * 0.5 * 92 / 365,
            7500 * 0.5 * 92 / 365,
            id="bonus_50plus_part_time",
        ),
        # contract awarded 2020-12-31: 2016 edition, pwet_kort 30000, bonus 5000
        pytest.param(
            dict(vijftig_plus=True, opdracht_id="C_2020"),
            C_2020_12_31,
            PEIL,
            92,
            30000 * 92 / 365,
            5000 * 92 / 365,
            id="bonus_old_edition_5000",
        ),
        # no bonus on maand lines: 750 × 92 × 12 / 365
        pytest.param(
            dict(vijftig_plus=True, bouwblok="werkervaringsplaats"),
            C1,
            PEIL,
            92,
            750 * 92 * 12 / 365,
            0.0,
            id="no_bonus_on_maand_line",
        ),
        # no bonus on factor lines: 2000 × 1
        pytest.param(
            dict(vijftig_plus=True, bouwblok="scholing", kandidaat_id=None, bedrag=2000.0),
            C1,
            PEIL,
            0,
            2000.0,
            0.0,
            id="no_bonus_on_factor_line",
        ),
    ],
)
def test_line_value(line, contract, peil, dagen, waarde, toeslag):
    row = value_one(line, contract, peil)
    assert bool(row["telt"]) and pd.isna(row["reden"])
    assert row["dagen"] == dagen
    assert row["waarde_eur"] == pytest.approx(waarde, rel=1e-12)
    assert row["toeslag_eur"] == pytest.approx(toeslag, rel=1e-12)
    assert row["totaal_eur"] == pytest.approx(waarde + toeslag, rel=1e-12)


def test_cap_end_date_is_reported():
    # ww_kort from 2020-02-29: last counted day 2021-02-27 (see the clamp case above)
    row = value_one(dict(bouwblok="ww_kort", opdracht_id="C_2019", startdatum="2020-02-29"), C_2019)
    assert row["begin_datum"] == pd.Timestamp("2020-02-29")
    assert row["eind_datum"] == pd.Timestamp("2021-02-27")


@pytest.mark.parametrize(
    "gunning_contract, rate, version",
    [
        pytest.param(C_2020_12_31, 30000, "2016-01-01", id="awarded_2020_12_31_pwet_kort_30000"),
        pytest.param(C_2021_01_01, 35000, "2021-01-01", id="awarded_2021_01_01_pwet_kort_35000"),
    ],
)
def test_rate_version_switch_on_award_date(gunning_contract, rate, version):
    # same line (2021-07-01 open, 36 h, 92 days), only the award date differs: rate × 92 / 365
    row = value_one(dict(opdracht_id=gunning_contract["opdracht_id"]), gunning_contract)
    assert row["tarief_eur"] == rate
    assert row["tariefversie"] == version
    assert row["waarde_eur"] == pytest.approx(rate * 92 / 365)


@pytest.mark.parametrize(
    "line, contract, reden",
    [
        pytest.param(dict(opdracht_id="C999"), C1, "onbekende_opdracht", id="unknown_contract_id"),
        pytest.param(dict(opdrachtgever="gem-x"), C1, "onbekende_opdracht", id="unknown_authority_same_id"),
        pytest.param(dict(bouwblok="toeslag_50plus"), C1, "toeslag_als_blok", id="bonus_named_as_block"),
        pytest.param(dict(bouwblok="stage_xyz"), C1, "onbekend_bouwblok", id="block_not_on_card"),
        pytest.param(dict(opdracht_id="C_NO_RATE"), C_NO_RATE, "geen_tarief", id="no_version_valid_at_award_2015"),
        pytest.param(dict(uren_per_week=11.0), C1, "te_weinig_uren", id="hours_11_counts_0"),
        pytest.param(dict(uren_per_week=None), C1, "uren_ontbreken", id="jaar_without_hours"),
        pytest.param(
            dict(bouwblok="scholing", kandidaat_id=None, bedrag=None),
            C1,
            "bedrag_ontbreekt",
            id="factor_without_amount",
        ),
        # C1 starts 2021-02-01
        pytest.param(
            dict(bouwblok="scholing", kandidaat_id=None, bedrag=100.0, startdatum="2021-01-31"),
            C1,
            "factor_buiten_looptijd",
            id="factor_before_contract_start",
        ),
        # C_ENDED ends 2021-06-30
        pytest.param(
            dict(bouwblok="scholing", kandidaat_id=None, bedrag=100.0, startdatum="2021-07-01", opdracht_id="C_ENDED"),
            C_ENDED,
            "factor_buiten_looptijd",
            id="factor_after_contract_end",
        ),
        # peildatum 2021-09-30
        pytest.param(
            dict(bouwblok="scholing", kandidaat_id=None, bedrag=100.0, startdatum="2021-10-01"),
            C1,
            "factor_buiten_looptijd",
            id="factor_after_peildatum",
        ),
        pytest.param(
            dict(startdatum="2021-01-01", einddatum="2021-01-31"),
            C1,
            "buiten_looptijd",
            id="jaar_line_ended_before_contract_start",
        ),
        pytest.param(dict(startdatum="2021-10-01"), C1, "buiten_looptijd", id="jaar_line_starting_after_peildatum"),
        pytest.param(
            dict(bouwblok="werkervaringsplaats", opdracht_id="C_ENDED", startdatum="2021-07-01"),
            C_ENDED,
            "buiten_looptijd",
            id="maand_line_after_contract_end",
        ),
    ],
)
def test_line_counts_zero_with_reason(line, contract, reden):
    row = value_one(line, contract)
    assert not row["telt"]
    assert row["reden"] == reden
    assert row["totaal_eur"] == 0 and row["waarde_eur"] == 0 and row["toeslag_eur"] == 0
    assert row["reden_nl"] and row["reason_en"] and row["reden_nl"] != row["reason_en"]


def test_hours_threshold_in_reason_text_comes_from_settings():
    row = value_one(dict(uren_per_week=11.0))
    assert row["reden_nl"] == "minder dan 12 uur per week: telt niet mee"


@pytest.mark.parametrize(
    "startdatum",
    [pytest.param("2021-02-01", id="factor_on_contract_start"), pytest.param("2021-09-30", id="factor_on_peildatum")],
)
def test_factor_line_boundaries_count(startdatum):
    # C.start <= L.start <= min(C.eind, peildatum) is inclusive on both sides: 500 × 1
    row = value_one(dict(bouwblok="scholing", kandidaat_id=None, bedrag=500.0, startdatum=startdatum))
    assert row["telt"] and row["totaal_eur"] == 500.0


def test_lines_never_dropped_and_keep_order():
    inzet = lines(dict(opdracht_id="C999"), dict(uren_per_week=11.0), dict(), dict(startdatum="2030-01-01"))
    out = value_lines(inzet, contracts(C1), CARD, PEIL, SETTINGS)
    assert list(out.columns) == VALUED_COLUMNS
    assert out["regel_id"].tolist() == ["r0", "r1", "r2", "r3"]
    assert out["telt"].tolist() == [False, False, True, False]


def test_same_candidate_on_two_contracts_counts_both():
    # docs/domain.md: a double count is a finding, both lines count: 2 × 35000 × 92 / 365
    inzet = lines(dict(), dict(opdracht_id="C_2021"))
    out = value_lines(inzet, contracts(C1, C_2021_01_01), CARD, PEIL, SETTINGS)
    assert out["totaal_eur"].sum() == pytest.approx(2 * 35000 * 92 / 365)


def test_empty_inputs():
    empty = lines(dict()).iloc[0:0]
    assert value_lines(empty, contracts(C1), CARD, PEIL, SETTINGS).empty
    out = value_lines(lines(dict()), contracts(C1).iloc[0:0], CARD, PEIL, SETTINGS)
    assert out["reden"].tolist() == ["onbekende_opdracht"]


@pytest.mark.parametrize(
    "start, months, expected",
    [
        pytest.param("2021-01-31", 1, "2021-02-28", id="31_jan_plus_1_month_feb_28"),
        pytest.param("2020-01-31", 1, "2020-02-29", id="31_jan_leap_year_feb_29"),
        pytest.param("2021-03-31", 1, "2021-04-30", id="31_mar_plus_1_month_30_apr"),
        pytest.param("2020-02-29", 12, "2021-02-28", id="29_feb_plus_12_months"),
        pytest.param("2017-09-01", 36, "2020-09-01", id="plain_36_months"),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    got = add_months(np.array([start], dtype="datetime64[D]"), np.array([months]))
    assert str(got[0]) == expected


@hyp_settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)), st.integers(0, 120))
def test_add_months_matches_relativedelta(start, months):
    got = add_months(np.array([start], dtype="datetime64[D]"), np.array([months]))
    assert got[0].astype(dt.date) == start + relativedelta(months=months)


_DATES = st.dates(dt.date(2015, 1, 1), dt.date(2023, 12, 31))


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@hyp_settings(max_examples=150, deadline=None)
@given(
    block=st.sampled_from(
        ["pwet_kort", "bbl", "ww_kort", "werkervaringsplaats", "scholing", "banenafspraak", "toeslag_50plus"]
    ),
    l_start=_DATES,
    l_days=st.one_of(st.none(), st.integers(0, 2000)),
    c_start=_DATES,
    c_days=st.integers(0, 2000),
    gunning_offset=st.integers(-400, 0),
    uren=st.one_of(st.none(), st.floats(0, 60)),
    bedrag=st.one_of(st.none(), st.floats(0, 1e6)),
    vijftig=st.booleans(),
    peil=_DATES,
)
def test_line_value_invariants(block, l_start, l_days, c_start, c_days, gunning_offset, uren, bedrag, vijftig, peil):
    l_end = None if l_days is None else (l_start + dt.timedelta(days=l_days)).isoformat()
    contract = dict(
        C1,
        startdatum=c_start.isoformat(),
        einddatum=(c_start + dt.timedelta(days=c_days)).isoformat(),
        gunningsdatum=(c_start + dt.timedelta(days=gunning_offset)).isoformat(),
    )
    row = value_one(
        dict(
            bouwblok=block,
            startdatum=l_start.isoformat(),
            einddatum=l_end,
            uren_per_week=uren,
            bedrag=bedrag,
            vijftig_plus=vijftig,
        ),
        contract,
        peil,
    )
    assert row["waarde_eur"] >= 0 and row["toeslag_eur"] >= 0
    assert row["totaal_eur"] == row["waarde_eur"] + row["toeslag_eur"]
    assert 0 <= row["dagen"] <= c_days + 1
    assert 0 <= row["fte"] <= 1
    assert row["telt"] == pd.isna(row["reden"])
    if not row["telt"]:
        assert row["totaal_eur"] == 0 and row["reden"] in REASONS
    if row["dagen"] > 0:
        # counted days lie within the line, the contract and up to the peildatum
        assert row["begin_datum"] >= pd.Timestamp(max(l_start, c_start))
        assert row["eind_datum"] <= pd.Timestamp(min(peil, c_start + dt.timedelta(days=c_days)))
