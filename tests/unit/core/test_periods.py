import datetime as dt

import pytest

from pipeline.core.errors import PipelineError
from pipeline.core.periods import Period, parse_period, period_of, periods_between


@pytest.mark.parametrize(
    "code, start, peildatum",
    [
        pytest.param("2021Q3", dt.date(2021, 7, 1), dt.date(2021, 9, 30), id="q3"),
        pytest.param("2020Q1", dt.date(2020, 1, 1), dt.date(2020, 3, 31), id="q1_leap_year"),
        pytest.param("2021Q4", dt.date(2021, 10, 1), dt.date(2021, 12, 31), id="q4_year_end"),
    ],
)
def test_period_bounds(code, start, peildatum):
    p = parse_period(code)
    assert (p.start, p.peildatum) == (start, peildatum)


@pytest.mark.parametrize("bad", ["2021Q5", "21Q3", "2021-3", "2021q3", " 2021Q3", "2021Q0", 2021, None])
def test_bad_periods_are_refused_with_a_clear_message(bad):
    with pytest.raises(PipelineError) as info:
        parse_period(bad)
    assert "JJJJKn" in info.value.nl and "YYYYQn" in info.value.en


def test_neighbours_and_ranges():
    assert parse_period("2021Q1").previous() == Period(2020, 4)
    assert parse_period("2020Q4").next() == Period(2021, 1)
    assert [p.code for p in periods_between(Period(2020, 4), Period(2021, 2))] == ["2020Q4", "2021Q1", "2021Q2"]
    assert period_of(dt.date(2021, 10, 1)).code == "2021Q4"
