"""Tests for pipeline/ingest/parse.py: every number, date and boolean form of docs/exports.md, by hand.

Expected values are written from the spec, not produced by the code. Hypothesis checks that
Dutch numbers and dates round-trip and that no input makes a parser raise.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.errors import PipelineError
from pipeline.ingest.parse import PROBLEMS, parse_boolean, parse_date, parse_dutch_number

NA = pd.NA


def one_number(text: object, *column: object) -> tuple[float, object]:
    """Parse ``text`` in a column with the other values ``column``; its (value, problem)."""
    values, problems = parse_dutch_number(pd.Series([text, *column], dtype=object))
    return values.iloc[0], problems.iloc[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("1.234.567,89", 1234567.89, id="dutch_thousands_and_decimal"),
        pytest.param("€ 1.234,50", 1234.50, id="euro_sign_with_space"),
        pytest.param("€1.234,50", 1234.50, id="euro_sign_without_space"),
        pytest.param("EUR 100", 100.0, id="eur_code"),
        pytest.param("5%", 5.0, id="percent_is_the_number_5"),
        pytest.param("4,5 %", 4.5, id="dutch_percent_with_space"),
        pytest.param("5,0", 5.0, id="dutch_decimal_comma"),
        pytest.param("1234567.89", 1234567.89, id="plain_decimal_point"),
        pytest.param("1,234,567.89", 1234567.89, id="english_thousands"),
        pytest.param("1.234.567", 1234567.0, id="two_dot_groups_are_thousands"),
        pytest.param("1,234,567", 1234567.0, id="two_comma_groups_are_thousands"),
        pytest.param("-1.234,50", -1234.50, id="minus_sign"),
        pytest.param("€ -12,5", -12.5, id="minus_after_euro"),
        pytest.param("\u22124,5", -4.5, id="unicode_minus"),
        pytest.param("+3", 3.0, id="plus_sign"),
        pytest.param("1 234,56", 1234.56, id="space_as_thousands"),
        pytest.param("0.234", 0.234, id="leading_zero_is_never_a_thousands_group"),
        pytest.param("0,5", 0.5, id="dutch_half"),
        pytest.param("12.5", 12.5, id="one_decimal_digit_is_a_decimal"),
        pytest.param("  32  ", 32.0, id="surrounding_spaces"),
        pytest.param(1234.5, 1234.5, id="xlsx_float_cell"),
        pytest.param(7, 7.0, id="xlsx_int_cell"),
    ],
)
def test_parse_dutch_number_accepts_the_standard_forms(text: object, expected: float) -> None:
    value, problem = one_number(text)
    assert value == pytest.approx(expected, abs=1e-9)
    assert problem is NA


@pytest.mark.parametrize(
    "text, problem",
    [
        pytest.param("1.234", "getal_dubbelzinnig", id="dot_thousands_or_decimal"),
        pytest.param("1,234", "getal_dubbelzinnig", id="comma_thousands_or_decimal"),
        pytest.param("12.345", "getal_dubbelzinnig", id="two_digit_lead"),
        pytest.param("abc", "getal_ongeldig", id="text"),
        pytest.param("1.2.3", "getal_ongeldig", id="dots_not_in_groups_of_three"),
        pytest.param("1e5", "getal_ongeldig", id="scientific_notation"),
        pytest.param("€ 5%", "getal_ongeldig", id="money_and_percent"),
        pytest.param(",5", "getal_ongeldig", id="no_digit_before_separator"),
        pytest.param(True, "getal_ongeldig", id="xlsx_boolean_cell"),
        pytest.param(dt.datetime(2021, 3, 1), "getal_ongeldig", id="xlsx_date_cell"),
    ],
)
def test_parse_dutch_number_rejects_with_a_reason(text: object, problem: str) -> None:
    value, found = one_number(text)
    assert math.isnan(value)
    assert found == problem
    assert problem in PROBLEMS


@pytest.mark.parametrize(
    "column, expected",
    [
        # docs/exports.md: "1.234" is decided by other evidence in the same column
        pytest.param(["12,5"], 1234.0, id="dutch_decimal_elsewhere_means_dot_is_thousands"),
        pytest.param(["1.234.567"], 1234.0, id="dutch_thousands_elsewhere"),
        pytest.param(["€ 1.250.000,00"], 1234.0, id="dutch_money_elsewhere"),
        pytest.param(["12.5"], 1.234, id="plain_decimal_elsewhere_means_dot_is_decimal"),
        pytest.param(["1,234,567"], 1.234, id="english_thousands_elsewhere"),
        pytest.param(["12"], None, id="integers_are_no_evidence"),
        pytest.param(["12,5", "12.5"], None, id="conflicting_evidence_stays_ambiguous"),
    ],
)
def test_ambiguous_number_is_decided_by_column_evidence(column: list[str], expected: float | None) -> None:
    value, problem = one_number("1.234", *column)
    if expected is None:
        assert problem == "getal_dubbelzinnig"
    else:
        assert value == pytest.approx(expected)
        assert problem is NA


def test_comma_form_follows_the_same_evidence() -> None:
    # 1,234 in a Dutch column is 1.234 (decimal comma); in a plain column 1234 (thousands)
    assert one_number("1,234", "5,0")[0] == pytest.approx(1.234)
    assert one_number("1,234", "5.25")[0] == pytest.approx(1234.0)


def test_empty_values_are_missing_without_a_problem() -> None:
    values, problems = parse_dutch_number(pd.Series(["", "  ", None, np.nan], dtype=object))
    assert values.isna().all()
    assert problems.isna().all()
    assert values.dtype == "float64"


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("01-03-2021", dt.date(2021, 3, 1), id="dd-mm-jjjj"),
        pytest.param("1-3-2021", dt.date(2021, 3, 1), id="d-m-jjjj"),
        pytest.param("01/03/2021", dt.date(2021, 3, 1), id="dd/mm/jjjj"),
        pytest.param("2021-03-01", dt.date(2021, 3, 1), id="jjjj-mm-dd"),
        pytest.param("2021-03-01 00:00:00", dt.date(2021, 3, 1), id="iso_with_midnight_time"),
        pytest.param("1-3-2021 13:45", dt.date(2021, 3, 1), id="time_part_dropped"),
        pytest.param("29-02-2020", dt.date(2020, 2, 29), id="leap_day"),
        pytest.param("44256", dt.date(2021, 3, 1), id="excel_serial_text"),  # 44197 = 2021-01-01, +59
        pytest.param(44561, dt.date(2021, 12, 31), id="excel_serial_number"),  # 44197 + 364
        pytest.param(dt.datetime(2021, 3, 1, 12, 5), dt.date(2021, 3, 1), id="xlsx_datetime_cell"),
        pytest.param(dt.date(2021, 3, 2), dt.date(2021, 3, 2), id="python_date"),
    ],
)
def test_parse_date_accepts_the_standard_forms(text: object, expected: dt.date) -> None:
    values, problems = parse_date(pd.Series([text], dtype=object))
    assert values.iloc[0] == pd.Timestamp(expected)
    assert problems.iloc[0] is NA
    assert values.dtype == "datetime64[ns]"


@pytest.mark.parametrize(
    "text, problem",
    [
        pytest.param("02/13/2021", "datum_maand_eerst", id="month_first_is_never_assumed"),
        pytest.param("12-31-2021", "datum_maand_eerst", id="month_first_with_dashes"),
        pytest.param("31-02-2021", "datum_bestaat_niet", id="february_31"),
        pytest.param("29-02-2021", "datum_bestaat_niet", id="no_leap_day_in_2021"),
        pytest.param("2021/13/02", "datum_ongeldig", id="slashes_year_first"),
        pytest.param("01-03-21", "datum_ongeldig", id="two_digit_year"),
        pytest.param("01.03.2021", "datum_ongeldig", id="dots"),
        pytest.param("1-3/2021", "datum_ongeldig", id="mixed_separators"),
        pytest.param("2021", "datum_ongeldig", id="a_year_is_not_a_serial"),
        pytest.param(2021, "datum_ongeldig", id="a_year_number_is_not_a_serial"),
        # right format, impossible year: its own reason, not "geen geldige datum; verwacht dd-mm-jjjj"
        pytest.param("0001-01-01", "datum_buiten_bereik", id="year_out_of_range"),
        pytest.param("31-12-9999", "datum_buiten_bereik", id="no_end_date_sentinel_where_not_an_open_end"),
        pytest.param("maart", "datum_ongeldig", id="text"),
    ],
)
def test_parse_date_rejects_with_a_reason(text: object, problem: str) -> None:
    values, problems = parse_date(pd.Series([text], dtype=object))
    assert pd.isna(values.iloc[0])
    assert problems.iloc[0] == problem


@pytest.mark.parametrize(
    "texts, expected",
    [
        pytest.param(["ja", "nee", "Ja", "NEE"], [True, False, True, False], id="ja_nee"),
        pytest.param(["j", "n", "J"], [True, False, True], id="j_n"),
        pytest.param(["waar", "onwaar", "WAAR"], [True, False, True], id="waar_onwaar"),
        pytest.param(["yes", "no", "true", "false", "TRUE"], [True, False, True, False, True], id="english"),
        pytest.param(["1", "0", 1, 0.0], [True, False, True, False], id="one_zero"),
        pytest.param([True, False], [True, False], id="xlsx_boolean_cells"),
        pytest.param(["x", "", "X", None], [True, False, True, False], id="x_column_empty_means_no"),
        pytest.param(["ja", "", None], [True, NA, NA], id="empty_is_missing_in_a_ja_nee_column"),
    ],
)
def test_parse_boolean(texts: list[object], expected: list[object]) -> None:
    values, problems = parse_boolean(pd.Series(texts, dtype=object))
    assert values.tolist() == expected
    assert problems.isna().all()
    assert values.dtype == "boolean"


@pytest.mark.parametrize("text", [pytest.param(t, id=str(t)) for t in ["misschien", "2", 2, "ja/nee", "nvt"]])
def test_parse_boolean_rejects_other_words(text: object) -> None:
    values, problems = parse_boolean(pd.Series([text], dtype=object))
    assert values.isna().all()
    assert problems.tolist() == ["boolean_ongeldig"]


def test_parsers_keep_the_index_and_map_distinct_values() -> None:
    series = pd.Series(["5,0", "5,0", "x"], index=[10, 11, 12], dtype="string")
    values, problems = parse_dutch_number(series)
    assert values.index.tolist() == [10, 11, 12]
    assert values.tolist()[:2] == [5.0, 5.0]
    assert problems.tolist() == [NA, NA, "getal_ongeldig"]


def dutch(amount: float) -> str:
    """Format like Dutch Excel: thousands with '.', decimal comma, two decimals."""
    plain = f"{abs(amount):,.2f}"  # 1,234,567.89
    swapped = plain.replace(",", "_").replace(".", ",").replace("_", ".")
    return ("-" if amount < 0 else "") + swapped


def dutch_text(amount: float, prefix: str) -> str:
    return (prefix + dutch(amount)) if amount >= 0 else ("-" + prefix + dutch(-amount))


# One column per example (one parser call for many values keeps the test fast); every value has
# a decimal comma, so the column is consistently Dutch.
@given(
    st.lists(
        st.tuples(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.sampled_from(["", "€ ", "€"])),
        min_size=1,
        max_size=40,
    )
)
@settings(max_examples=60, deadline=None)
def test_dutch_number_round_trips(column: list[tuple[float, str]]) -> None:
    texts = [dutch_text(amount, prefix) for amount, prefix in column]
    values, problems = parse_dutch_number(pd.Series(texts))
    assert problems.isna().all(), texts
    for (amount, _), value in zip(column, values):
        assert value == pytest.approx(round(amount, 2), abs=0.006)


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)),
            st.sampled_from(["%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"]),
        ),
        min_size=1,
        max_size=40,
    )
)
@settings(max_examples=60, deadline=None)
def test_dates_round_trip(column: list[tuple[dt.date, str]]) -> None:
    values, problems = parse_date(pd.Series([date.strftime(fmt) for date, fmt in column]))
    assert problems.isna().all()
    assert values.tolist() == [pd.Timestamp(date) for date, _ in column]


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.none(),
            st.integers(),
            st.floats(),
            st.booleans(),
            st.datetimes(min_value=dt.datetime(1, 1, 2)),
        ),
        max_size=30,
    )
)
@settings(max_examples=80, deadline=None)
def test_no_input_makes_a_parser_raise(values: list[object]) -> None:
    series = pd.Series(values, dtype=object)
    for parse in (parse_dutch_number, parse_date, parse_boolean):
        try:
            parsed, problems = parse(series)
        except PipelineError:
            continue
        assert len(parsed) == len(problems) == len(values)
        # every value is either typed, missing because empty, or has a rule id with a reason
        assert set(problems.dropna()) <= set(PROBLEMS)
