"""No suppressed count is recoverable by combining the tables of one page (docs/domain.md, "Privacy and
disclosure"; docs/reports.md: regio.html and partner pages, "same suppression").

The published cells of a page are written as linear constraints over the unknown true counts:
a shown number fixes its cell, ``<5`` bounds it to 1..4, ``×`` leaves it free (>= 0), a total row
is the sum of its body rows, and cells that show the same count in two tables (a partner's row
in the opleider breakdown and its contribution; a stage's total and the funnel) are one unknown.
``scipy.optimize.linprog`` then gives the smallest and largest value every suppressed cell can
take; an interval narrower than 1 means the page gives the count away.

The fixture is hand-made and small: an institute (40 candidates), a job centre (20) and a
sheltered employer cut to 3 candidates (the security review's case), one trajectory each.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from pipeline.report import formatting as fmt
from pipeline.report.pages import partner, regio
from pipeline.report.pages.common import STAGES
from tests.unit.report.test_pages import make_data

# stages:        aangemeld gestart afgerond uitgevallen certificaat geplaatst duurzaam
Z = [40, 30, 20, 8, 10, 12, 8]  # Opleider Z
W = [20, 15, 10, 5, 6, 8, 6]  # Werkplein W
S = [3, 3, 2, 0, 2, 3, 2]  # Sw-bedrijf S: 3 candidates, 3 placed, 2 durably
TOTAL = [z + w + s for z, w, s in zip(Z, W, S)]  # [63, 48, 32, 13, 18, 23, 16]
# Opleider Z by programme: Metselaar is small; both have 4 drop-outs, so the breakdown's total of
# uitgevallen (8 = 4 + 4) alone would give both away and is hidden: the funnel must hide it too
LASSER = [38, 28, 19, 4, 9, 11, 7]
METSELAAR = [2, 2, 1, 4, 1, 1, 1]


def _stages(partner_id: str, dimensie: str, waarde: str, counts: list[int]) -> dict:
    return {"partner_id": partner_id, "dimensie": dimensie, "waarde": waarde, **dict(zip(STAGES, counts))}


@pytest.fixture()
def data():
    partners = pd.DataFrame(
        {
            "partner_id": ["gemeente-a", "gemeente-b", "bouw-x", "bouw-y", "opleider-z", "werkplein-w", "sw-s"],
            "naam": [
                "Gemeente A",
                "Gemeente B",
                "Bouw X B.V.",
                "Bouw Y B.V.",
                "Opleider Z",
                "Werkplein W",
                "Sw-bedrijf S",
            ],
            "rol": [
                "opdrachtgever",
                "opdrachtgever",
                "opdrachtnemer",
                "opdrachtnemer",
                "opleider",
                "werkplein",
                "sw-bedrijf",
            ],
        }
    )
    stadia = pd.DataFrame(
        [
            _stages("regio", "totaal", "totaal", TOTAL),
            _stages("regio", "sector", "bouw", TOTAL),
            _stages("regio", "opleider", "opleider-z", Z),
            _stages("regio", "opleider", "werkplein-w", W),
            _stages("regio", "opleider", "sw-s", S),
            _stages("regio", "doelgroep", "ww", TOTAL),
            _stages("regio", "woongemeente", "Groningen", TOTAL),
            _stages("opleider-z", "totaal", "totaal", Z),
            _stages("opleider-z", "opleiding", "Lasser", LASSER),
            _stages("opleider-z", "opleiding", "Metselaar", METSELAAR),
            _stages("sw-s", "totaal", "totaal", S),
            _stages("sw-s", "opleiding", "Groenbeheer", S),
        ]
    )
    bijdragen = pd.DataFrame(
        {
            "partner_id": ["gemeente-a", "gemeente-b", "opleider-z", "werkplein-w", "sw-s"],
            "naam": ["Gemeente A", "Gemeente B", "Opleider Z", "Werkplein W", "Sw-bedrijf S"],
            "rol": ["opdrachtgever", "opdrachtgever", "opleider", "werkplein", "sw-bedrijf"],
            "geleverd": [True] * 5,
            "opdrachten": [2, 1, 0, 0, 0],
            "verplichting_eur": [50_000.0, 2_000.0, 0.0, 0.0, 0.0],
            "gerealiseerd_eur": [46_000.0, 0.0, 0.0, 0.0, 0.0],
            "trajecten": [0, 0, Z[0], W[0], S[0]],  # one trajectory per candidate
            "plaatsingen": [0, 0, Z[5], W[5], S[5]],
            "duurzaam": [0, 0, Z[6], W[6], S[6]],
            "levering_periode": ["2021Q3"] * 5,
        }
    )
    # social-return persons per authority: 30 + 3 = 33 = the headline (each on one authority's contracts)
    per_opdrachtgever = pd.DataFrame(
        {
            "opdrachtgever": ["gemeente-a", "gemeente-b"],
            "naam": ["Gemeente A", "Gemeente B"],
            "opdrachten": [2, 1],
            "verplichting_eur": [50_000.0, 2_000.0],
            "verwacht_eur": [48_000.0, 0.0],
            "gerealiseerd_eur": [46_000.0, 0.0],
            "realisatie_pct": [92.0, 0.0],
            "kandidaten": [30, 3],
        }
    )
    base = make_data()
    return make_data(
        partners=partners,
        stadia=stadia,
        bijdragen=bijdragen,
        per_opdrachtgever=per_opdrachtgever,
        regio={**base.regio, "kandidaten": 33},
        kpi={**base.kpi, "kandidaten": dict(zip(STAGES, TOTAL))},
    )


# ------------------------------------------------------------------ reading the published cells


def _tables(fragment: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every HTML table as (headers, body rows of cell texts)."""
    out = []
    for body in re.findall(r"<table.*?</table>", fragment, re.S):

        def cells(row):
            return [
                html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            ]

        head = re.search(r"<thead>(.*?)</thead>", body, re.S)
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1), re.S)
        out.append((cells(head.group(1)) if head else [], [cells(r) for r in rows]))
    return out


class Page:
    """The published cells of one page as linear constraints over the unknown true counts."""

    def __init__(self) -> None:
        self.names: dict[tuple, int] = {}
        self.equations: list[tuple[dict[int, float], float]] = []
        self.bounds: dict[int, tuple[float, float | None]] = {}
        self.suppressed: dict[tuple, str] = {}

    def var(self, key: tuple) -> int:
        if key not in self.names:
            self.names[key] = len(self.names)
            self.bounds[self.names[key]] = (0, None)  # counts are never negative
        return self.names[key]

    def publish(self, key: tuple, shown: object) -> None:
        i, text = self.var(key), str(shown)
        if text == "<5":
            self.bounds[i] = (max(self.bounds[i][0], 1), 4)
            self.suppressed[key] = text
        elif text == "×":
            self.suppressed[key] = text
        else:
            self.equations.append(({i: 1.0}, float(text.replace(".", ""))))

    def same(self, a: tuple, b: tuple) -> None:
        self.equations.append(({self.var(a): 1.0, self.var(b): -1.0}, 0.0))

    def total(self, parts: list[tuple], whole: tuple) -> None:
        coefficients = {self.var(p): 1.0 for p in parts}
        coefficients[self.var(whole)] = -1.0
        self.equations.append((coefficients, 0.0))

    def intervals(self) -> dict[tuple, tuple[float, float]]:
        """Smallest and largest feasible value of every suppressed cell."""
        n = len(self.names)
        a_eq = np.zeros((len(self.equations), n))
        b_eq = np.zeros(len(self.equations))
        for row, (coefficients, rhs) in enumerate(self.equations):
            for i, c in coefficients.items():
                a_eq[row, i] = c
            b_eq[row] = rhs
        bounds = [self.bounds[i] for i in range(n)]
        out = {}
        for key in self.suppressed:
            c = np.zeros(n)
            c[self.names[key]] = 1.0
            low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            assert low.status == 0 and high.status == 0, key  # the published page is consistent
            out[key] = (low.fun, -high.fun)
        return out


def _breakdown(page: Page, fragment: str, name: str, funnel: str) -> None:
    """A stage breakdown: each body row's cells, and its Totaal row = their sum = the funnel."""
    ((headers, rows),) = _tables(fragment)
    columns = {h.lower(): k for k, h in enumerate(headers)}
    body = [r for r in rows if r[0] != "Totaal"]
    total = next(r for r in rows if r[0] == "Totaal")
    for stage in STAGES:
        k = columns[stage]
        for row in body:
            page.publish((name, row[0], stage), row[k])
        page.publish((name, "Totaal", stage), total[k])
        page.total([(name, row[0], stage) for row in body], (name, "Totaal", stage))
        page.same((name, "Totaal", stage), (funnel, stage))  # one group per candidate in the fixture


def _assert_nothing_recoverable(page: Page) -> None:
    intervals = page.intervals()
    assert intervals, "the fixture must suppress something"
    narrow = {k: v for k, v in intervals.items() if v[1] - v[0] < 1 - 1e-9}
    assert not narrow, f"recoverable by differencing tables: {narrow}"


def regio_page(data) -> Page:
    page = Page()
    for stage, shown in regio.funnel_counts(data).items():
        page.publish(("funnel", stage), shown)
    for dim, caption in (("sector", "s"), ("opleider", "o"), ("doelgroep", "d"), ("woongemeente", "w")):
        _breakdown(page, regio.breakdown(data, dim, caption), dim, "funnel")
    # contributions: the same persons as the partner's row in the opleider breakdown
    *_, (headers, rows) = _tables(regio.contributions(data))
    k = {h: i for i, h in enumerate(headers)}
    for row in rows:
        for column, stage in (
            ("Trajecten", "aangemeld"),
            ("Plaatsingen", "geplaatst"),
            ("Duurzaam geplaatst", "duurzaam"),
        ):
            page.publish(("bijdragen", row[0], column), row[k[column]])
            page.same(("bijdragen", row[0], column), ("opleider", row[0], stage))
    # persons per authority, with the headline's "Personen bereikt" as their total
    ((headers, rows),) = _tables(regio.by_group_table(regio.per_authority(data), "opdrachtgever", "Per opdrachtgever"))
    k = headers.index("Personen")
    body = [r for r in rows if r[0] != "Totaal"]
    for row in body:
        page.publish(("per_opdrachtgever", row[0]), row[k])
    page.total([("per_opdrachtgever", row[0]) for row in body], ("personen_bereikt",))
    ((_, kerncijfers),) = _tables(regio.headline(data))
    page.publish(("personen_bereikt",), dict(kerncijfers)["Personen bereikt (verschillende kandidaten)"])
    return page


def test_regio_page_recovers_nothing_by_differencing_tables(data) -> None:
    page = regio_page(data)
    # the sheltered employer's 3 trajectories, 3 placements and 2 durable placements are hidden
    for column in ("Trajecten", "Plaatsingen", "Duurzaam geplaatst"):
        assert page.suppressed[("bijdragen", "Sw-bedrijf S", column)] == "<5"
    # before the fix: 63 - 40 - 20 (Werkplein W's trajectories, shown in the contributions table) = 3,
    # 23 - 12 - 8 = 3 placements and 16 - 8 - 6 = 2 durable placements came back exactly;
    # likewise 33 persons reached - 30 of Gemeente A = the 3 of Gemeente B
    _assert_nothing_recoverable(page)


def test_contribution_cells_hidden_with_the_breakdown_cells(data) -> None:
    *_, (headers, rows) = _tables(regio.contributions(data))
    shown = {r[0]: dict(zip(headers, r)) for r in rows}
    # the opleider breakdown hides Werkplein W's 20 aangemeld as the secondary cell next to S's 3
    # (the smallest other nonzero cell of that column): the contributions table must not print it
    assert shown["Werkplein W"]["Trajecten"] == "×"
    assert shown["Opleider Z"]["Trajecten"] == "40"


@pytest.mark.parametrize("partner_id", ["opleider-z", "sw-s"])
def test_partner_page_recovers_nothing_by_differencing_tables(data, partner_id: str) -> None:
    page = Page()
    for stage, shown in regio.funnel_counts(data, partner_id).items():
        page.publish(("funnel", stage), shown)
    _breakdown(page, partner.training_by_programme(data, partner_id), "opleiding", "funnel")
    # opleider-z: uitgevallen 4 + 4 = 8; with the funnel showing 8 both 4s came back
    _assert_nothing_recoverable(page)


def test_no_rate_from_a_count_hidden_by_the_linked_tables(data) -> None:
    # afronding = afgerond / (afgerond + uitgevallen) = 20 / 28 would give uitgevallen = 8 back
    text = str(partner.training_rates(data, "opleider-z"))
    assert f"Afronding {fmt.NA_TEXT}" in text


def test_this_quarters_durable_placements_are_persons_and_suppressed(data) -> None:
    # make_data: 3 durable placements in 2021Q3, a count of persons from 1 to 4
    assert "kwamen er &lt;5 bij" in str(regio.programme_pace(data))
