"""The demo region's records (the "truth" the exports are cut from) and small drawing helpers.

No periods, formats or quirks here: :mod:`pipeline.demo.world` and :mod:`pipeline.demo.kandidaten`
draw the records, :mod:`pipeline.demo.snapshots` cuts them into quarters.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from pipeline.demo.partners import Partner

HORIZON = dt.date(2021, 12, 31)  # the last peildatum of the demo: nothing starts after it


class BsnPool:
    """Deterministic stream of distinct fake BSNs (rule: see :mod:`pipeline.demo.generate`).

    Nine digits, starting with ``99``, passing the eleven-test; the six digits after ``99`` run
    through a fixed permutation so consecutive candidates do not get consecutive numbers.

    First number by hand: body 99271828, 9*9 + 8*9 + 7*2 + 6*7 + 5*1 + 4*8 + 3*2 + 2*8 = 268,
    268 mod 11 = 4, so the check digit is 4.

    >>> pool = BsnPool()
    >>> numbers = [pool.next() for _ in range(3)]
    >>> numbers[0]
    '992718284'
    >>> from stdnum.nl import bsn
    >>> all(bsn.is_valid(n) and n.startswith("99") for n in numbers)
    True
    """

    def __init__(self) -> None:
        self._i = 0

    def next(self) -> str:
        while True:
            body = "99" + f"{(self._i * 618_033 + 271_828) % 1_000_000:06d}"
            self._i += 1
            check = sum(int(c) * w for c, w in zip(body, range(9, 1, -1))) % 11
            if check < 10:  # eleven-test: sum(d_i * w_i) - d9 must be divisible by 11
                return body + str(check)


@dataclass
class Opdracht:
    """A contract with a social-return clause, as its authority records it."""

    opdrachtgever: str
    opdracht_id: str
    omschrijving: str
    soort: str
    sector: str
    opdrachtnemer: str
    opdrachtnemer_kvk: str
    opdrachtnemer_naam: str
    gunningsdatum: dt.date
    startdatum: dt.date
    einddatum: dt.date
    opdrachtwaarde: float
    sr_percentage: float
    sr_verplichting: float  # as the authority states it (docs/domain.md: must match within EUR 1)


@dataclass
class Inzetregel:
    """A realisation line, as the contractor records it (its true start and end)."""

    opdrachtnemer: str
    opdrachtgever: str
    opdracht_id: str
    bouwblok: str
    startdatum: dt.date
    einddatum: dt.date | None  # the actual (or planned) end; None = open-ended
    uren_per_week: float | None
    vijftig_plus: bool
    bedrag: float | None
    omschrijving: str
    kandidaat_bsn: str = ""
    regel_id: str = ""


@dataclass
class Traject:
    """One candidate's trajectory with its whole future (snapshots show only the past)."""

    partner_id: str
    kandidaat_bsn: str
    woongemeente: str
    doelgroep: str
    opleiding: str
    sector: str
    aanmelddatum: dt.date
    startdatum: dt.date | None
    geplande_einddatum: dt.date | None
    einddatum: dt.date | None
    uitkomst: str | None  # afgerond | uitgevallen | None (running, or never started)
    certificaat: bool | None
    plaatsing_datum: dt.date | None = None
    plaatsing_werkgever_kvk: str = ""
    plaatsing_uren_per_week: float | None = None
    plaatsing_einddatum: dt.date | None = None
    traject_id: str = ""


@dataclass
class Aanbesteding:
    """A planned tender on an authority's calendar."""

    opdrachtgever: str
    aanbesteding_id: str
    omschrijving: str
    soort: str
    sector: str
    zichtbaar_vanaf: dt.date  # first snapshot that lists it
    verwachte_publicatie: dt.date
    verwachte_start: dt.date | None
    geraamde_waarde: float
    sr_percentage: float


@dataclass
class World:
    """The whole demo region: register plus records."""

    partners: list[Partner]
    opdrachten: list[Opdracht]
    regels: list[Inzetregel]
    trajecten: list[Traject]
    aanbestedingen: list[Aanbesteding]

    def partner(self, partner_id: str) -> Partner:
        """The register row of ``partner_id``."""
        return next(p for p in self.partners if p.partner_id == partner_id)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months with the day clamped to the month's end (docs/domain.md).

    >>> add_months(dt.date(2021, 1, 31), 1)
    datetime.date(2021, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    nxt = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return dt.date(year, month + 1, min(day.day, (nxt - dt.timedelta(days=1)).day))


def between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A uniformly drawn day from ``first`` to ``last`` inclusive."""
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def pick(rng: random.Random, table: dict) -> object:
    """A key of ``table`` drawn with its value as weight."""
    return rng.choices(list(table), weights=list(table.values()))[0]
