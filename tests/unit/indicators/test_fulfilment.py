"""Obligation, expected value, status per contract and the aggregates (docs/domain.md).

Expected values are computed by hand; the arithmetic is in the comments.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from pipeline.core.settings import load_settings
from pipeline.indicators.fulfilment import (
    CONTRACT_COLUMNS,
    STATUSES,
    aggregate_blocks,
    aggregate_contracts,
    elapsed_share,
    fulfilment,
    region_totals,
)
from pipeline.indicators.ratecard import load_rate_card
from pipeline.indicators.valuation import VALUED_COLUMNS, value_lines

CARD = load_rate_card()
SETTINGS = load_settings()
PEIL = dt.date(2021, 9, 30)
PARTNERS = pd.DataFrame(
    {
        "partner_id": ["gem-a", "gem-b", "bouw-a", "bouw-b"],
        "naam": ["Gemeente A", "Gemeente B", "Bouw A BV", "Bouw B BV"],
        "rol": ["opdrachtgever", "opdrachtgever", "opdrachtnemer", "opdrachtnemer"],
        "kvk": [None, "11111111", "12345678", "87654321"],
    }
).astype("string")

# Contract T: term 2021-01-01..2021-12-31 (365 days), value 365,000 at 10 %:
# verplichting = 365000 × 10 / 100 = 36,500; at 2021-09-30: (Sep 30 − Jan 1).days + 1 = 273,
# verstreken = 273/365, verwacht = 36500 × 273 / 365 = 27,300.
T = dict(
    partner_id="gem-a",
    opdracht_id="T",
    omschrijving="Renovatie",
    soort="werken",
    sector="bouw",
    opdrachtnemer_kvk="12345678",
    opdrachtnemer_naam="Bouw A",
    gunningsdatum="2020-12-31",
    startdatum="2021-01-01",
    einddatum="2021-12-31",
    opdrachtwaarde=365000.0,
    sr_percentage=10.0,
)


def opdrachten(*rows: dict) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    for col in ("gunningsdatum", "startdatum", "einddatum"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    text = ["partner_id", "opdracht_id", "omschrijving", "soort", "sector", "opdrachtnemer_kvk", "opdrachtnemer_naam"]
    return df.astype({c: "string" for c in text})


def valued(*rows: dict) -> pd.DataFrame:
    """Hand-made valued lines (the output shape of value_lines)."""
    base = dict(
        partner_id="bouw-a",
        regel_id="r",
        opdrachtgever="gem-a",
        opdracht_id="T",
        bouwblok="pwet_kort",
        kandidaat_id="k1",
        bron_bestand="inzet.csv",
        bron_rij=2,
        tariefversie="2016-01-01",
        soort="persoon",
        eenheid="jaar",
        tarief_eur=30000.0,
        begin_datum=pd.Timestamp("2021-07-01"),
        eind_datum=pd.Timestamp("2021-09-30"),
        dagen=92,
        fte=1.0,
        waarde_eur=0.0,
        toeslag_eur=0.0,
        totaal_eur=0.0,
        telt=True,
        reden=None,
        reden_nl=None,
        reason_en=None,
    )
    df = pd.DataFrame([{**base, **r} for r in rows], columns=VALUED_COLUMNS)
    df["totaal_eur"] = df["waarde_eur"] + df["toeslag_eur"]
    return df


def status_of(gerealiseerd: float, contract: dict = T, settings=SETTINGS) -> pd.Series:
    lines = valued(dict(waarde_eur=gerealiseerd)) if gerealiseerd else valued().iloc[0:0]
    out = fulfilment(opdrachten(contract), lines, PARTNERS, CARD, PEIL, settings)
    return out.iloc[0]


@pytest.mark.parametrize(
    "gerealiseerd, contract, status",
    [
        pytest.param(36500.0, T, "voldaan", id="exactly_obligation_voldaan"),
        pytest.param(40000.0, T, "voldaan", id="above_obligation_voldaan"),
        # verwacht = 27,300 (see T)
        pytest.param(27300.0, T, "op_schema", id="exactly_expected_op_schema"),
        pytest.param(30000.0, T, "op_schema", id="above_expected_op_schema"),
        # 0.75 × 27,300 = 20,475
        pytest.param(20475.0, T, "achterstand", id="exactly_075_expected_achterstand"),
        pytest.param(20474.99, T, "risico", id="just_below_075_expected_risico"),
        pytest.param(0.0, T, "risico", id="nothing_realised_risico"),
        # ended 2021-06-30 < peildatum, 36,499.99 < 36,500
        pytest.param(36499.99, dict(T, einddatum="2021-06-30"), "niet_voldaan", id="ended_short_niet_voldaan"),
        # first match wins: voldaan before niet_voldaan
        pytest.param(36500.0, dict(T, einddatum="2021-06-30"), "voldaan", id="ended_but_fulfilled_voldaan"),
        # ends on the peildatum: not ended; verwacht = verplichting = 36,500;
        # 36,499 >= 0.75 × 36,500 = 27,375 -> achterstand
        pytest.param(36499.0, dict(T, einddatum="2021-09-30"), "achterstand", id="ends_on_peildatum_not_ended"),
        pytest.param(
            0.0,
            dict(T, startdatum="2021-10-01", einddatum="2022-09-30"),
            "nog_niet_gestart",
            id="starts_after_peildatum_nog_niet_gestart",
        ),
        # starts on the peildatum: started; verwacht = 36,500 × 1/365 = 100 > 0 -> risico
        pytest.param(
            0.0, dict(T, startdatum="2021-09-30", einddatum="2022-09-29"), "risico", id="starts_on_peildatum_started"
        ),
    ],
)
def test_status(gerealiseerd, contract, status):
    assert status_of(gerealiseerd, contract)["status"] == status


def test_threshold_is_configuration():
    lenient = SETTINGS.model_copy(update={"status": SETTINGS.status.model_copy(update={"achterstand_drempel": 0.5})})
    # 0.5 × 27,300 = 13,650
    assert status_of(13650.0, settings=lenient)["status"] == "achterstand"
    assert status_of(13650.0)["status"] == "risico"


def test_contract_figures():
    row = status_of(20475.0)
    assert row["verplichting_eur"] == pytest.approx(36500.0)  # 365,000 × 10 / 100
    assert row["looptijd_dagen"] == 365
    assert row["verstreken"] == pytest.approx(273 / 365)
    assert row["verwacht_eur"] == pytest.approx(27300.0)  # 36,500 × 273 / 365
    assert row["gerealiseerd_eur"] == 20475.0
    assert row["realisatie_pct"] == pytest.approx(20475 / 36500 * 100)  # 56.10 %
    assert row["nog_te_realiseren_eur"] == pytest.approx(16025.0)  # 36,500 − 20,475
    assert row["achterstand_eur"] == pytest.approx(6825.0)  # 27,300 − 20,475
    assert row["opdrachtnemer"] == "bouw-a"
    assert row["opdrachtnemer_naam"] == "Bouw A BV"  # the register's name
    assert row["tariefversie"] == "2016-01-01"  # awarded 2020-12-31


def test_over_fulfilled_contract_has_nothing_left():
    row = status_of(40000.0)
    assert row["nog_te_realiseren_eur"] == 0 and row["achterstand_eur"] == 0
    assert row["realisatie_pct"] == pytest.approx(40000 / 36500 * 100)


def test_output_columns_start_with_outputs_md():
    out = fulfilment(opdrachten(T), valued().iloc[0:0], PARTNERS, CARD, PEIL, SETTINGS)
    assert list(out.columns) == CONTRACT_COLUMNS
    assert CONTRACT_COLUMNS[:9] == [
        "opdrachtgever",
        "opdracht_id",
        "opdrachtnemer",
        "verplichting_eur",
        "gerealiseerd_eur",
        "verwacht_eur",
        "realisatie_pct",
        "status",
        "kandidaten",
    ]


def test_unknown_contractor_kvk_leaves_opdrachtnemer_empty():
    # 11111111 is an opdrachtgever's KvK, not a contractor's; 99999999 is unknown
    out = fulfilment(
        opdrachten(dict(T, opdrachtnemer_kvk="99999999"), dict(T, opdracht_id="U", opdrachtnemer_kvk="11111111")),
        valued().iloc[0:0],
        PARTNERS,
        CARD,
        PEIL,
        SETTINGS,
    )
    assert out["opdrachtnemer"].tolist() == ["", ""]
    assert out["opdrachtnemer_naam"].tolist() == ["Bouw A", "Bouw A"]  # as the authority wrote


def test_verwacht_on_day_one_of_a_365_day_term():
    # peildatum = start: ((Jan 1 − Jan 1).days + 1) / 365 = 1/365; 36,500 / 365 = 100
    looptijd, share = elapsed_share(
        pd.Series(pd.to_datetime(["2021-01-01"])), pd.Series(pd.to_datetime(["2021-12-31"])), dt.date(2021, 1, 1)
    )
    assert looptijd[0] == 365 and share[0] == 1 / 365
    row = fulfilment(opdrachten(T), valued().iloc[0:0], PARTNERS, CARD, dt.date(2021, 1, 1), SETTINGS).iloc[0]
    assert row["verwacht_eur"] == pytest.approx(100.0)


@pytest.mark.parametrize(
    "start, eind, peil, share",
    [
        pytest.param("2021-01-01", "2021-06-30", "2021-09-30", 1.0, id="after_end_clamped_to_1"),
        pytest.param("2021-10-01", "2022-09-30", "2021-09-30", 0.0, id="before_start_is_0"),
        # (2021-09-30 − 2021-09-01).days + 1 = 30 of 30
        pytest.param("2021-09-01", "2021-09-30", "2021-09-30", 1.0, id="ends_on_peildatum"),
        # 2020 is a leap year: 366-day term, 60 days by Feb 29
        pytest.param("2020-01-01", "2020-12-31", "2020-02-29", 60 / 366, id="leap_year_term"),
    ],
)
def test_elapsed_share(start, eind, peil, share):
    _, got = elapsed_share(
        pd.Series(pd.to_datetime([start])), pd.Series(pd.to_datetime([eind])), dt.date.fromisoformat(peil)
    )
    assert got[0] == pytest.approx(share)


@hyp_settings(max_examples=200, deadline=None)
@given(
    st.dates(dt.date(2015, 1, 1), dt.date(2025, 12, 31)),
    st.integers(0, 3000),
    st.dates(dt.date(2015, 1, 1), dt.date(2025, 12, 31)),
)
def test_verstreken_between_0_and_1(start, days, peil):
    _, share = elapsed_share(
        pd.Series(pd.to_datetime([start])), pd.Series(pd.to_datetime([start + dt.timedelta(days=days)])), peil
    )
    assert 0.0 <= share[0] <= 1.0


def test_candidates_and_fte_at_peildatum_from_real_lines():
    inzet = pd.DataFrame(
        {
            "partner_id": "bouw-a",
            "opdrachtgever": "gem-a",
            "opdracht_id": "T",
            "regel_id": ["a", "b", "c", "d", "e", "f"],
            "bouwblok": ["pwet_kort", "pwet_kort", "werkervaringsplaats", "scholing", "pwet_kort", "pwet_kort"],
            "kandidaat_id": ["k1", "k1", "k2", None, "k3", "k4"],
            "startdatum": pd.to_datetime(
                ["2021-07-01", "2021-02-01", "2021-07-01", "2021-03-01", "2021-07-01", "2021-07-01"]
            ),
            "einddatum": pd.to_datetime([None, "2021-08-31", None, None, None, None]),
            "uren_per_week": [36.0, 18.0, 20.0, None, 11.0, 18.0],
            "bedrag": [None, None, None, 1000.0, None, None],
        }
    )
    lines = value_lines(inzet, opdrachten(T), CARD, PEIL, SETTINGS)
    row = fulfilment(opdrachten(T), lines, PARTNERS, CARD, PEIL, SETTINGS).iloc[0]
    # persons with a counting person block: k1 (twice), k2 (maand); not k3 (11 h), factor has none
    # k4 counts too -> {k1, k2, k4}
    assert row["kandidaten"] == 3
    # fte at 2021-09-30: active jaar lines k1 36 h (1.0) + k4 18 h (0.5); k1's 18 h line
    # ended 2021-08-31, k2 is a maand block, k3 does not count
    assert row["fte"] == pytest.approx(1.5)
    assert row["gerealiseerd_eur"] == pytest.approx(lines["totaal_eur"].sum())
    assert row["inzet_regels"] == 6


def _region():
    contracts = opdrachten(
        T,  # gem-a, bouw, bouw-a
        dict(T, opdracht_id="T2", sector="infra"),  # gem-a, infra, bouw-a
        dict(T, partner_id="gem-b", opdracht_id="T3", opdrachtnemer_kvk="00000000"),  # unknown
    )
    lines = valued(
        dict(opdracht_id="T", kandidaat_id="k1", waarde_eur=1000.0, toeslag_eur=200.0),
        dict(opdracht_id="T2", kandidaat_id="k1", waarde_eur=500.0, fte=0.5),
        dict(opdracht_id="T2", kandidaat_id="k2", waarde_eur=300.0, bouwblok="werkervaringsplaats", eenheid="maand"),
        dict(opdrachtgever="gem-b", opdracht_id="T3", kandidaat_id="k1", waarde_eur=100.0),
        dict(
            opdrachtgever="gem-b",
            opdracht_id="T3",
            kandidaat_id=None,
            waarde_eur=50.0,
            bouwblok="scholing",
            soort="geld",
            eenheid="factor",
            dagen=0,
            eind_datum=pd.NaT,
        ),
        dict(opdracht_id="T", kandidaat_id="k9", waarde_eur=0.0, telt=False, reden="te_weinig_uren"),
    )
    return fulfilment(contracts, lines, PARTNERS, CARD, PEIL, SETTINGS), lines


def test_aggregate_per_authority_counts_persons_once():
    contracts, lines = _region()
    per = aggregate_contracts(contracts, lines, "opdrachtgever").set_index("opdrachtgever")
    # gem-a: T (1000 + 200) + T2 (500 + 300) = 2000; 2 × 36,500 obligation
    assert per.loc["gem-a", "gerealiseerd_eur"] == pytest.approx(2000.0)
    assert per.loc["gem-a", "verplichting_eur"] == pytest.approx(73000.0)
    assert per.loc["gem-a", "verwacht_eur"] == pytest.approx(2 * 27300.0)
    assert per.loc["gem-a", "realisatie_pct"] == pytest.approx(2000 / 73000 * 100)
    assert per.loc["gem-a", "opdrachten"] == 2
    # k1 on T and T2 is one person; k2 on T2; k9 does not count -> 2
    assert per.loc["gem-a", "kandidaten"] == 2
    # fte: lines all end on the peildatum: T k1 1.0 + T2 k1 0.5 (k2 maand excluded)
    assert per.loc["gem-a", "fte"] == pytest.approx(1.5)
    # gem-b: T3 = 100 + 50; person k1 only (factor line has no person)
    assert per.loc["gem-b", "gerealiseerd_eur"] == pytest.approx(150.0)
    assert per.loc["gem-b", "kandidaten"] == 1


def test_aggregate_per_contractor_and_sector():
    contracts, lines = _region()
    nemer = aggregate_contracts(contracts, lines, "opdrachtnemer").set_index("opdrachtnemer")
    assert nemer.index.tolist() == ["", "bouw-a"]  # "" = unknown KvK
    assert nemer.loc["bouw-a", "kandidaten"] == 2 and nemer.loc["", "kandidaten"] == 1
    sector = aggregate_contracts(contracts, lines, "sector").set_index("sector")
    # bouw: T (1200) + T3 (150) = 1350; k1 on both -> 1 person
    assert sector.loc["bouw", "gerealiseerd_eur"] == pytest.approx(1350.0)
    assert sector.loc["bouw", "kandidaten"] == 1
    assert sector.loc["infra", "kandidaten"] == 2


def test_region_totals_persons_distinct_and_status_counts():
    contracts, lines = _region()
    totals = region_totals(contracts, lines)
    assert totals["gerealiseerd_eur"] == pytest.approx(2150.0)  # 1200 + 800 + 150
    assert totals["verplichting_eur"] == pytest.approx(3 * 36500.0)
    assert totals["kandidaten"] == 2  # k1, k2
    assert set(totals["opdrachten_per_status"]) == set(STATUSES)
    # each contract realised far below 0.75 × 27,300 -> risico
    assert totals["opdrachten_per_status"]["risico"] == 3
    assert sum(totals["opdrachten_per_status"].values()) == totals["opdrachten"] == 3


def test_block_mix_adds_up_to_region_total_with_bonus_row():
    contracts, lines = _region()
    blocks = aggregate_blocks(lines, CARD, PEIL).set_index("bouwblok")
    # pwet_kort: 1000 + 500 + 100 = 1600; bonus row 200; werkervaringsplaats 300; scholing 50
    assert blocks.loc["pwet_kort", "gerealiseerd_eur"] == pytest.approx(1600.0)
    assert blocks.loc["toeslag_50plus", "gerealiseerd_eur"] == pytest.approx(200.0)
    assert blocks.loc["werkervaringsplaats", "gerealiseerd_eur"] == pytest.approx(300.0)
    assert blocks.loc["scholing", "kandidaten"] == 0
    assert blocks["gerealiseerd_eur"].sum() == pytest.approx(2150.0)
    assert blocks["aandeel_pct"].sum() == pytest.approx(100.0)
    assert blocks.loc["pwet_kort", "kandidaten"] == 1 and blocks.loc["pwet_kort", "opdrachten"] == 3
    assert blocks.loc["bbl", "gerealiseerd_eur"] == 0  # every card block is listed


def test_fulfilment_without_netting_per_contract():
    # T's obligation is 36,500 (see T). Realised 20,475: filled 20,475, nothing beyond it.
    short = status_of(20475.0)
    assert short["ingevuld_eur"] == pytest.approx(20475.0)
    assert short["meer_dan_verplicht_eur"] == 0
    # Realised 40,000: filled 36,500 (the obligation), 40,000 − 36,500 = 3,500 beyond it.
    over = status_of(40000.0)
    assert over["ingevuld_eur"] == pytest.approx(36500.0)
    assert over["meer_dan_verplicht_eur"] == pytest.approx(3500.0)


def test_region_verdict_does_not_net_over_realisation():
    # Three contracts like T (obligation 36,500, expected 27,300 each):
    #   A realised 73,000 -> filled 36,500, over 36,500 (status voldaan)
    #   B realised      0 -> filled      0 (risico: 0 < 0.75 × 27,300)
    #   C realised 20,475 -> filled 20,475 (achterstand: exactly 0.75 × 27,300)
    # Netted the region would show (73,000 + 0 + 20,475) / 109,500 = 85.4 %; without netting
    # filled = 36,500 + 0 + 20,475 = 56,975 -> 56,975 / 109,500 = 52.03 % of the obligation and
    # 56,975 / 81,900 = 69.57 % of the expected (3 × 27,300 = 81,900).
    contracts = opdrachten(T, dict(T, opdracht_id="T2"), dict(T, opdracht_id="T3"))
    lines = valued(dict(waarde_eur=73000.0), dict(opdracht_id="T3", regel_id="r3", waarde_eur=20475.0))
    out = fulfilment(contracts, lines, PARTNERS, CARD, PEIL, SETTINGS)
    totals = region_totals(out, lines)
    assert totals["ingevuld_eur"] == pytest.approx(56975.0)
    assert totals["ingevuld_pct"] == pytest.approx(56975 / 109500 * 100)  # 52.03 %
    assert totals["ingevuld_vs_verwacht_pct"] == pytest.approx(56975 / 81900 * 100)  # 69.57 %
    assert totals["meer_dan_verplicht_eur"] == pytest.approx(36500.0)
    assert totals["opdrachten_meer_dan_verplicht"] == 1
    # B (risico) and C (achterstand) need attention; A (voldaan) does not
    assert totals["opdrachten_aandacht"] == 2
    assert totals["niet_voldaan_eur"] == 0  # none has ended
    # the netted figures keep their meaning: 93,475 realised
    assert totals["gerealiseerd_eur"] == pytest.approx(93475.0)


def test_shortfall_on_ended_contracts():
    # T ended 2021-06-30 with 30,000 of 36,500: niet voldaan, 36,500 − 30,000 = 6,500 short;
    # T2 runs on with nothing realised: risico, its 36,500 still to realise is not counted
    contracts = opdrachten(dict(T, einddatum="2021-06-30"), dict(T, opdracht_id="T2"))
    lines = valued(dict(waarde_eur=30000.0))
    totals = region_totals(fulfilment(contracts, lines, PARTNERS, CARD, PEIL, SETTINGS), lines)
    assert totals["niet_voldaan_eur"] == pytest.approx(6500.0)
    assert totals["nog_te_realiseren_eur"] == pytest.approx(6500.0 + 36500.0)
