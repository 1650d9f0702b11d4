"""Rate card: validation of the versioned configuration and picking the version at award."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from pipeline.core.errors import PipelineError
from pipeline.indicators.ratecard import (
    BONUS_BLOCK,
    card_version_on,
    load_rate_card,
    rate_on,
    rates_for_contracts,
    validate_rate_card,
)

HEADER = "bouwblok,omschrijving,soort,waarde_eur,eenheid,max_maanden,geldig_vanaf,geldig_tot\n"
GOOD = HEADER + (
    "pwet_kort,Participatiewet kort,persoon,30000,jaar,24,2016-01-01,2020-12-31\n"
    "pwet_kort,Participatiewet kort,persoon,35000,jaar,24,2021-01-01,\n"
    "scholing,Opleidingskosten,geld,1,factor,,2016-01-01,\n"
)


def card_from(text: str) -> pd.DataFrame:
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return validate_rate_card(raw, source="test.csv")


def test_default_card_loads_with_the_spec_values():
    card = load_rate_card()
    # spec/bouwblokken.csv: 12 blocks (incl. the bonus) in two editions
    assert len(card) == 24
    assert set(card["tariefversie"]) == {"2016-01-01", "2021-01-01"}
    assert BONUS_BLOCK in set(card["bouwblok"])
    assert card["geldig_vanaf"].dtype == "datetime64[ns]"
    bbl = card[card["bouwblok"] == "bbl"]
    assert bbl["max_maanden"].tolist() == [36, 36]
    assert card.loc[card["bouwblok"] == "banenafspraak", "max_maanden"].isna().all()


def test_typed_and_sorted():
    card = card_from(GOOD)
    assert card["bouwblok"].tolist() == ["pwet_kort", "pwet_kort", "scholing"]
    assert card["waarde_eur"].tolist() == [30000.0, 35000.0, 1.0]
    assert pd.isna(card.loc[1, "geldig_tot"])  # empty = open-ended


@pytest.mark.parametrize(
    "row, column",
    [
        pytest.param("x,y,persoon,100,week,,2016-01-01,", "eenheid", id="unknown_unit_week"),
        pytest.param("x,y,mens,100,jaar,,2016-01-01,", "soort", id="unknown_soort"),
        pytest.param("x,y,persoon,-1,jaar,,2016-01-01,", "waarde_eur", id="negative_value"),
        pytest.param("x,y,persoon,abc,jaar,,2016-01-01,", "waarde_eur", id="value_not_a_number"),
        pytest.param("x,y,persoon,100,jaar,0,2016-01-01,", "max_maanden", id="max_maanden_zero"),
        pytest.param("x,y,persoon,100,jaar,,01-01-2016,", "geldig_vanaf", id="date_not_iso"),
        pytest.param("x,y,persoon,100,jaar,,2021-01-01,2020-12-31", "geldig_tot", id="vanaf_after_tot"),
        pytest.param("X Y,y,persoon,100,jaar,,2016-01-01,", "bouwblok", id="block_code_not_lowercase"),
    ],
)
def test_invalid_row_rejected_with_dutch_and_english_line(row, column):
    with pytest.raises(PipelineError) as err:
        card_from(HEADER + row + "\n")
    # header is line 1, the bad row line 2
    assert "regel 2" in err.value.nl and f"kolom {column}" in err.value.nl
    assert "line 2" in err.value.en and f"column {column}" in err.value.en


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(
            ["a,x,persoon,1,jaar,,2016-01-01,2021-01-01", "a,x,persoon,2,jaar,,2021-01-01,"], id="one_shared_day"
        ),
        pytest.param(
            ["a,x,persoon,1,jaar,,2016-01-01,", "a,x,persoon,2,jaar,,2021-01-01,"],
            id="open_ended_version_followed_by_another",
        ),
        pytest.param(
            ["a,x,persoon,1,jaar,,2016-01-01,2022-12-31", "a,x,persoon,2,jaar,,2018-01-01,2019-12-31"],
            id="version_inside_another",
        ),
    ],
)
def test_overlapping_versions_rejected(rows):
    with pytest.raises(PipelineError) as err:
        card_from(HEADER + "\n".join(rows) + "\n")
    assert "overlappen" in err.value.nl and "overlap" in err.value.en


def test_adjacent_versions_and_other_blocks_do_not_overlap():
    card = card_from(
        HEADER + "a,x,persoon,1,jaar,,2016-01-01,2020-12-31\n"
        "a,x,persoon,2,jaar,,2021-01-01,\nb,x,persoon,1,jaar,,2016-01-01,\n"
    )
    assert len(card) == 3


def test_missing_column_rejected():
    with pytest.raises(PipelineError) as err:
        card_from("bouwblok,omschrijving,soort,waarde_eur,eenheid,geldig_vanaf,geldig_tot\n")
    assert "max_maanden" in err.value.nl


def test_unreadable_file_rejected(tmp_path):
    with pytest.raises(PipelineError):
        load_rate_card(tmp_path / "bestaat_niet.csv")


@pytest.mark.parametrize(
    "gunning, expected_rate, expected_version",
    [
        pytest.param("2020-12-31", 30000.0, "2016-01-01", id="awarded_2020_12_31_old_rate"),
        pytest.param("2021-01-01", 35000.0, "2021-01-01", id="awarded_2021_01_01_new_rate"),
        pytest.param("2015-12-31", None, None, id="awarded_before_any_version"),
    ],
)
def test_rates_for_contracts_picks_version_valid_on_award_date(gunning, expected_rate, expected_version):
    card = card_from(GOOD)
    g = pd.Series(pd.to_datetime([gunning]), index=pd.Index(["C1"], name="opdracht_id"))
    rates = rates_for_contracts(card, g)
    pwet = rates[rates["bouwblok"] == "pwet_kort"]
    if expected_rate is None:
        assert pwet.empty
    else:
        assert pwet["waarde_eur"].tolist() == [expected_rate]
        assert pwet["tariefversie"].tolist() == [expected_version]
        assert pwet["opdracht_id"].tolist() == ["C1"]


def test_rates_for_contracts_one_row_per_contract_and_block():
    card = card_from(GOOD)
    g = pd.Series(
        pd.to_datetime(["2019-05-01", "2022-05-01"]),
        index=pd.MultiIndex.from_tuples([("gem", "A"), ("gem", "B")], names=["opdrachtgever", "opdracht_id"]),
    )
    rates = rates_for_contracts(card, g)
    # each contract: one pwet_kort version + the open-ended scholing version
    assert sorted(zip(rates["opdracht_id"], rates["bouwblok"], rates["waarde_eur"])) == [
        ("A", "pwet_kort", 30000.0),
        ("A", "scholing", 1.0),
        ("B", "pwet_kort", 35000.0),
        ("B", "scholing", 1.0),
    ]


def test_card_version_and_rate_on():
    card = card_from(GOOD)
    dates = pd.Series(pd.to_datetime(["2020-06-30", "2021-06-30"]), index=[10, 20])
    # on 2020-06-30 the valid versions start 2016-01-01; on 2021-06-30 the latest is 2021-01-01
    assert card_version_on(card, dates).to_dict() == {10: "2016-01-01", 20: "2021-01-01"}
    assert rate_on(card, "pwet_kort", pd.Timestamp("2020-12-31").date()) == 30000.0
    assert rate_on(card, "onbekend", pd.Timestamp("2020-12-31").date()) is None
