"""Dutch display formats (docs/reports.md: ``€ 1.234.567``, ``12,5%``, ``30 september 2021``).

Expected strings are written by hand. ``NB`` is the no-break space U+00A0 that Babel/CLDR puts
after the euro sign (formatting.py's docstring explains the choice).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.report import formatting as fmt

NB = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        pytest.param(1234567, 0, f"€{NB}1.234.567", id="spec_example"),
        pytest.param(1234.56, 2, f"€{NB}1.234,56", id="two_decimals"),
        pytest.param(1234567, 2, f"€{NB}1.234.567,00", id="two_decimals_whole"),
        pytest.param(0, 0, f"€{NB}0", id="zero"),
        pytest.param(2.5, 0, f"€{NB}3", id="half_rounds_up_not_to_even"),
        pytest.param(1234.5, 0, f"€{NB}1.235", id="half_up_1234_5"),
        pytest.param(-1234.4, 0, f"€{NB}-1.234", id="negative_cldr_nl_pattern"),
        pytest.param(-0.4, 0, f"€{NB}0", id="no_negative_zero"),
        pytest.param(np.float64(999999.5), 0, f"€{NB}1.000.000", id="numpy_float_carries"),
        pytest.param(np.int64(12), 0, f"€{NB}12", id="numpy_int"),
    ],
)
def test_format_eur(value, decimals, expected):
    assert fmt.format_eur(value, decimals=decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.nan])
def test_missing_values_show_an_en_dash(missing):
    assert fmt.format_eur(missing) == "–"
    assert fmt.format_int(missing) == "–"
    assert fmt.format_pct(missing) == "–"
    assert fmt.format_fte(missing) == "–"


def test_suppressed_display_strings_pass_through():
    # disclosure.py hands '<5' and '×' to the same formatters
    assert [fmt.format_int("<5"), fmt.format_eur("×"), fmt.format_pct("<5")] == ["<5", "×", "<5"]


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        pytest.param(12.5, 1, "12,5%", id="spec_example"),
        pytest.param(12.25, 1, "12,3%", id="half_up"),
        pytest.param(0, 1, "0,0%", id="zero"),
        pytest.param(100, 0, "100%", id="no_decimals"),
        pytest.param(1234.5, 1, "1.234,5%", id="grouping"),
        pytest.param(-3.04, 1, "-3,0%", id="negative"),
    ],
)
def test_format_pct_input_is_a_percentage(value, decimals, expected):
    assert fmt.format_pct(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1234, "1.234"), (1234567, "1.234.567"), (0, "0"), (5.0, "5"), (-1234, "-1.234")],
)
def test_format_int(value, expected):
    assert fmt.format_int(value) == expected


def test_format_fte_one_decimal():
    # 12.25 → 12,3 (half up); 1234.5 → 1.234,5
    assert [fmt.format_fte(12.25), fmt.format_fte(0.5), fmt.format_fte(1234.5)] == ["12,3", "0,5", "1.234,5"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(dt.date(2021, 9, 30), "30 september 2021", id="spec_example"),
        pytest.param(dt.datetime(2021, 3, 1, 14, 5), "1 maart 2021", id="datetime"),
        pytest.param(pd.Timestamp("2022-07-04"), "4 juli 2022", id="timestamp"),
        pytest.param(np.datetime64("2021-12-31"), "31 december 2021", id="numpy"),
        pytest.param("2021-01-01", "1 januari 2021", id="iso_string"),
        pytest.param(pd.NaT, "–", id="nat"),
    ],
)
def test_format_date(value, expected):
    assert fmt.format_date(value) == expected


def test_format_quarter():
    assert fmt.format_quarter("2021Q3") == "K3 2021"
    assert fmt.format_quarter("onbekend") == "onbekend"


def test_every_status_has_word_colour_symbol_and_hatch():
    codes = {"voldaan", "niet_voldaan", "nog_niet_gestart", "op_schema", "achterstand", "risico"}
    assert set(fmt.STATUS_LABELS) == codes == set(fmt.STATUS_ORDER)
    assert set(fmt.STATUS_COLOURS) == set(fmt.STATUS_SYMBOLS) == set(fmt.STATUS_HATCHES) == codes
    assert fmt.STATUS_LABELS["niet_voldaan"] == "Niet voldaan"
    assert fmt.STATUS_LABELS["nog_niet_gestart"] == "Nog niet gestart"
    # distinct colours and symbols, colours from Okabe–Ito (or the neutral grey)
    assert len(set(fmt.STATUS_COLOURS.values())) == 6
    assert len(set(fmt.STATUS_SYMBOLS.values())) == 6
    allowed = set(fmt.OKABE_ITO.values()) | {fmt.GRIJS}
    assert set(fmt.STATUS_COLOURS.values()) <= allowed


def _parse_dutch(text: str) -> Decimal:
    """A tiny reverse of the format, for the round-trip property only."""
    number = text.replace("€", "").replace(NB, "").replace(".", "").replace(",", ".")
    return Decimal(number)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_int_round_trips(n):
    text = fmt.format_int(n)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*", text)
    assert _parse_dutch(text) == n


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_format_eur_two_decimals_round_trips(amount):
    assert _parse_dutch(fmt.format_eur(amount, decimals=2)) == amount


def test_infinite_percentage_shows_an_en_dash():
    # realisatie_pct of a contract with obligation 0: x / 0 × 100 = inf
    assert fmt.format_pct(float("inf")) == "–"
    assert fmt.format_pct(float("-inf")) == "–"


def test_a_value_formatted_again_gives_the_same_text_as_the_first_time():
    """The formats keep what Babel wrote for a value; a value seen before, in another type or
    with another sign of zero, must still give the text written by hand."""
    first = [fmt.format_eur(1234.5), fmt.format_pct(12.25), fmt.format_number(-0.4), fmt.format_eur(0.4)]
    again = [fmt.format_eur(np.float64(1234.5)), fmt.format_pct(12.25), fmt.format_number(0.4), fmt.format_eur(-0.4)]
    # 1234,5 rounds half away from zero to 1.235; 12,25 to 12,3; ±0,4 to 0 without a minus sign
    assert first == again == [f"€{NB}1.235", "12,3%", "0", f"€{NB}0"]
    # the same rounded value with other decimals is another text: 1.234,50 / 12,25%
    assert fmt.format_eur(1234.5, 2) == f"€{NB}1.234,50"
    assert fmt.format_pct(12.25, 2) == "12,25%"
