"""Reporting periods: calendar quarters written ``YYYYQn`` (docs/domain.md)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.core.errors import PipelineError

_PERIOD_RE = re.compile(r"(\d{4})Q([1-4])")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar quarter.

    >>> p = parse_period("2021Q3")
    >>> p.start, p.peildatum
    (datetime.date(2021, 7, 1), datetime.date(2021, 9, 30))
    """

    year: int
    quarter: int

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def peildatum(self) -> dt.date:
        """The last day of the quarter (docs/domain.md: the reference date)."""
        nxt = self.next()
        return nxt.start - dt.timedelta(days=1)

    def next(self) -> "Period":
        return Period(self.year + (self.quarter == 4), self.quarter % 4 + 1)

    def previous(self) -> "Period":
        return Period(self.year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)

    def __str__(self) -> str:
        return self.code


def is_period(text: object) -> bool:
    """True when ``text`` is a valid ``YYYYQn`` period code.

    >>> [is_period(x) for x in ["2021Q3", "2021Q5", "21Q3", "2021-3", 2021]]
    [True, False, False, False, False]
    """
    return isinstance(text, str) and _PERIOD_RE.fullmatch(text) is not None


def parse_period(text: object) -> Period:
    """Parse ``YYYYQn``; anything else raises a :class:`PipelineError` with one clear line."""
    if not is_period(text):
        raise PipelineError(
            f"ongeldige periode {text!r}: gebruik JJJJKn, bijvoorbeeld 2021Q3 (kwartaal 1 t/m 4)",
            f"invalid period {text!r}: use YYYYQn, e.g. 2021Q3 (quarter 1 to 4)",
        )
    match = _PERIOD_RE.fullmatch(text)
    return Period(int(match.group(1)), int(match.group(2)))


def period_of(date: dt.date) -> Period:
    """The quarter a date falls in.

    >>> period_of(dt.date(2021, 9, 30)).code
    '2021Q3'
    """
    return Period(date.year, (date.month - 1) // 3 + 1)


def periods_between(first: Period, last: Period) -> list[Period]:
    """All quarters from ``first`` to ``last`` inclusive, in order."""
    out, p = [], first
    while p <= last:
        out.append(p)
        p = p.next()
    return out
