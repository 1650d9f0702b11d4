"""The deliberate mistakes in the demo exports (documented in ``pipeline.demo.generate.PLANTED_PROBLEMS``).

Two kinds, as real partners make them:

- **in the records** (:func:`plant_world`): a property of a contract or line that every snapshot
  repeats: an unusual percentage (warning), a stated obligation that does not match (finding), a
  line on a contract number that does not exist (finding), one candidate on two contracts at
  once (double count, finding);
- **in one export** (:func:`plant_rows`): typing errors in the 2021Q3 deliveries only (the
  partner fixed them after the data-quality report); each breaks a rule of its own dataset, so
  the row is rejected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from pipeline.demo.model import World
from pipeline.demo.render import Raw
from pipeline.demo.snapshots import Snapshot

# partners whose 2021Q3 export carries a typing error (plant_rows); the problems in the records
# (plant_world) are put elsewhere so every planted problem stands alone
TYPO_PARTNERS = (
    "wadden-infra",
    "cooperatie-bouwgroep-ommeland",
    "hunze-techniek",
    "reitdiep-renovatie",
    "dollard-installatietechniek",
    "gemeente-eemsdelta",
    "provincie-groningen",
    "gemeente-groningen",
    "werkplein-groningen",
    "noorderpoort",
)
JAAR_BLOKKEN = ("pwet_kort", "pwet_lang", "banenafspraak", "wia", "ww_kort", "ww_lang", "nug", "bbl")


@dataclass
class Plant:
    """One planted problem, before its file and Excel row are known."""

    partner_id: str
    dataset: str
    column: str
    severity: str  # reject | finding | warning
    rule: str
    problem: str
    key: str = ""  # in the records: the row's opdracht_id / regel_id
    row: dict | None = None  # in one export: the planted row of the snapshot
    duplicate_of: dict | None = None
    related: "Plant | None" = None


def _middle(rows: list, what: str) -> object:
    if not rows:
        raise RuntimeError(f"demo: no row to plant {what} in")
    return rows[len(rows) // 2]


def plant_world(world: World, avoid: set[str]) -> list[Plant]:
    """Problems that are part of the partner's records, hence in every snapshot with the row."""
    plants = []
    hh = [o for o in world.opdrachten if o.opdrachtgever == "gemeente-het-hogeland" and o.gunningsdatum.year == 2020]
    o = _middle(hh, "sr 12")
    o.sr_percentage, o.sr_verplichting = 12.0, round(o.opdrachtwaarde * 0.12, 2)
    plants.append(
        Plant(
            o.opdrachtgever,
            "opdrachten",
            "sr_percentage",
            "warning",
            "sr_percentage_ongebruikelijk",
            "sr_percentage 12 is above 10: unusual",
            key=o.opdracht_id,
        )
    )
    gr = [o for o in world.opdrachten if o.opdrachtgever == "gemeente-groningen" and o.gunningsdatum.year == 2019]
    o = gr[1]
    o.sr_verplichting = round(o.sr_verplichting + 2_500, 2)
    plants.append(
        Plant(
            o.opdrachtgever,
            "opdrachten",
            "sr_verplichting",
            "finding",
            "verplichting_wijkt_af",
            "sr_verplichting is EUR 2,500 above opdrachtwaarde x sr_percentage / 100",
            key=o.opdracht_id,
        )
    )
    plants.append(_unknown_contract(world))
    plants.append(_double_count(world, avoid | {plants[-1].partner_id}))
    return plants


def _unknown_contract(world: World) -> Plant:
    """A contractor types a contract number with its last two characters swapped."""
    known = {(o.opdrachtgever, o.opdracht_id) for o in world.opdrachten}
    lines = [
        r
        for r in world.regels
        if r.opdrachtnemer == "lauwers-elektrotechniek" and dt.date(2021, 1, 1) <= r.startdatum <= dt.date(2021, 6, 30)
    ]
    r = _middle(lines[:1], "unknown contract")
    typo = r.opdracht_id[:-2] + r.opdracht_id[-1] + r.opdracht_id[-2]
    while (r.opdrachtgever, typo) in known or typo == r.opdracht_id:
        typo += "0"
    r.opdracht_id = typo
    return Plant(
        r.opdrachtnemer,
        "inzet",
        "opdracht_id",
        "finding",
        "opdracht_onbekend",
        f"opdracht_id {typo} does not exist at {r.opdrachtgever} (row kept, counts 0)",
        key=r.regel_id,
    )


def _double_count(world: World, avoid: set[str]) -> Plant:
    """Two contractors report the same candidate over overlapping days (docs/domain.md: double count)."""
    candidates = [
        r
        for r in world.regels
        if r.bouwblok in JAAR_BLOKKEN
        and r.einddatum is None
        and r.opdrachtnemer not in avoid
        and dt.date(2021, 1, 1) <= r.startdatum <= dt.date(2021, 6, 30)
    ]
    first = _middle(candidates[:1], "double count")
    second = next(r for r in candidates if r.opdrachtnemer != first.opdrachtnemer)
    second.kandidaat_bsn = first.kandidaat_bsn
    related = Plant(first.opdrachtnemer, "inzet", "kandidaat_bsn", "finding", "dubbeltelling", "", key=first.regel_id)
    return Plant(
        second.opdrachtnemer,
        "inzet",
        "kandidaat_bsn",
        "finding",
        "dubbeltelling",
        f"same candidate as {first.regel_id} (related_*) on another contract, overlapping days",
        key=second.regel_id,
        related=related,
    )


def _line_counts(world: World, peildatum: dt.date) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for r in world.regels:
        if r.startdatum <= peildatum:
            counts[(r.opdrachtgever, r.opdracht_id)] = counts.get((r.opdrachtgever, r.opdracht_id), 0) + 1
    return counts


def plant_rows(snapshot: Snapshot, world: World, peildatum: dt.date) -> list[Plant]:
    """Typing errors in this period's exports; every one breaks a rule of its own dataset."""
    counts = _line_counts(world, peildatum)
    plants: list[Plant] = []

    def rows(pid: str, dataset: str) -> list[dict]:
        return snapshot[(pid, dataset)]

    def plant(
        pid: str,
        dataset: str,
        candidates: list[dict],
        column: str,
        rule: str,
        problem: str,
        change: Callable[[dict], object],
    ) -> dict:
        row = _middle(candidates, rule)
        row[column] = change(row)
        plants.append(Plant(pid, dataset, column, "reject", rule, problem, row=row))
        return row

    def plant_contract(pid: str, column: str, rule: str, problem: str, change: Callable[[dict], object]) -> dict:
        # a rejected contract leaves its lines pointing nowhere: take one with the fewest lines
        contracts = rows(pid, "opdrachten")
        fewest = min(counts.get((pid, r["opdracht_id"]), 0) for r in contracts)
        row = plant(
            pid,
            "opdrachten",
            [r for r in contracts if counts.get((pid, r["opdracht_id"]), 0) == fewest],
            column,
            rule,
            problem,
            change,
        )
        if fewest:
            plants[-1].problem += f"; its {fewest} inzet line(s) then refer to a rejected contract"
        return row

    plant(
        "wadden-infra",
        "inzet",
        [r for r in rows("wadden-infra", "inzet") if r["kandidaat_bsn"]],
        "kandidaat_bsn",
        "bsn_elfproef",
        "kandidaat_bsn fails the eleven-test (last digit mistyped)",
        lambda r: r["kandidaat_bsn"][:8] + str((int(r["kandidaat_bsn"][8]) + 1) % 10),
    )
    coop = "cooperatie-bouwgroep-ommeland"
    plant(
        coop,
        "inzet",
        [r for r in rows(coop, "inzet") if r["bouwblok"] in JAAR_BLOKKEN],
        "uren_per_week",
        "uren_te_hoog",
        "uren_per_week 70 is above 60",
        lambda r: 70.0,
    )
    plant(
        "hunze-techniek",
        "inzet",
        [r for r in rows("hunze-techniek", "inzet") if r["kandidaat_bsn"]],
        "bouwblok",
        "bouwblok_onbekend",
        "bouwblok 'detachering' is not on the rate card",
        lambda r: Raw("detachering"),
    )
    reitdiep = rows("reitdiep-renovatie", "inzet")
    plant(
        "reitdiep-renovatie",
        "inzet",
        [r for r in reitdiep if r["bedrag"] is not None],
        "bedrag",
        "getal_dubbelzinnig",
        "bedrag 1.234 is ambiguous: no other value in the column shows the decimal separator",
        lambda r: Raw("1.234"),
    )
    dollard = rows("dollard-installatietechniek", "inzet")
    original = _middle(dollard, "duplicate")
    copy = dict(original)
    dollard.insert(dollard.index(original) + 1, copy)
    plants.append(
        Plant(
            "dollard-installatietechniek",
            "inzet",
            "regel_id",
            "reject",
            "regel_id_dubbel",
            f"regel_id {copy['regel_id']} appears twice in the file (row copied)",
            row=copy,
            duplicate_of=original,
        )
    )
    plant_contract(
        "gemeente-eemsdelta",
        "opdrachtwaarde",
        "opdrachtwaarde_niet_positief",
        "opdrachtwaarde is negative",
        lambda r: -r["opdrachtwaarde"],
    )
    row = plant_contract(
        "provincie-groningen",
        "sr_percentage",
        "sr_percentage_buiten_bereik",
        "sr_percentage 150 is above 100",
        lambda r: 150.0,
    )
    row["sr_verplichting"] = None  # left empty, so the percentage is the row's only problem
    plant_contract(
        "gemeente-groningen",
        "einddatum",
        "einddatum_voor_startdatum",
        "einddatum lies before startdatum (year mistyped)",
        lambda r: _year_before(r["startdatum"], r["einddatum"]),
    )
    trajecten = rows("werkplein-groningen", "trajecten")
    february = [r for r in trajecten if r["startdatum"] and r["startdatum"].strftime("%Y-%m") == "2021-02"]
    plant(
        "werkplein-groningen",
        "trajecten",
        february or [r for r in trajecten if r["startdatum"]],
        "startdatum",
        "datum_bestaat_niet",
        "startdatum 31-02-2021 does not exist",
        lambda r: Raw("31-02-2021"),
    )
    plant(
        "noorderpoort",
        "trajecten",
        [r for r in rows("noorderpoort", "trajecten") if r["status"] == "afgerond"],
        "einddatum",
        "einddatum_ontbreekt",
        "status afgerond without einddatum",
        lambda r: None,
    )
    return plants


def _year_before(start: dt.date, end: dt.date) -> dt.date:
    """The end date typed with the start's previous year: before the start."""
    return dt.date(start.year - 1, end.month, min(end.day, 28) if end.month == 2 else end.day)
