"""Deterministic synthetic demo exports for a Groningen-like region (``data/raw``).

Run ``python -m pipeline.demo [--raw-dir DIR] [--scale N]``. It writes ``partners.csv`` and, for
every quarter 2019Q1..2021Q4, a full snapshot per partner (docs/exports.md layout)::

    <RAW>/partners.csv
    <RAW>/<PERIOD>/<partner_id>/<dataset>_<PERIOD>.csv|xlsx
    <RAW>/DEMO_MANIFEST.json          every generated file -> sha256, written last

and replaces only the files its previous run listed in the manifest (nothing else in ``<RAW>``
is touched). The same code, seed and scale give byte-identical files: seeded ``random.Random``
streams, no clock, no set or directory order, and XLSX written by :mod:`pipeline.demo.files`
with fixed zip timestamps.

The region (``--scale 1``, the committed set): 6 contracting authorities, 20 contractors, 2
training institutes, 2 job centres and 1 sheltered employer; about 120 contracts, 2,000
realisation lines, 1,500 trajectories and 90 planned tenders. ``--scale N`` gives N times the
rows and about sqrt(N) times the partners (extra ids numbered: ``aannemer-021``,
``opdrachtgever-007``, ``opleider-003``, ...), with the same quirks.

**Fake BSNs.** Every candidate BSN is nine digits, *starts with 99* and passes the eleven-test
(``9*d1 + 8*d2 + ... + 2*d8 - d9`` divisible by 11): ``"99"`` + six digits from a fixed
permutation + the check digit (:class:`pipeline.demo.model.BsnPool`). The ``99`` prefix is a
convention of this demo, chosen to look reserved rather than real (it is no official
reservation); the one deliberately broken BSN (see below) also starts with 99. The data hold no
names and no birth dates. KvK numbers are synthetic too: eight digits starting with 9.

**Snapshots.** Each delivery holds what the partner knew on the peildatum: contracts awarded by
then, lines started by then, trajectories registered by then with their status as of then (a
trajectory finishing later shows ``gestart``), placement dates only once they have happened,
tenders not yet published. A contractor without lines yet delivers nothing.

**Quirks** (spread over partners, :mod:`pipeline.demo.render`): ``;``, ``,`` and tab CSV;
Windows-1252 (``€``, ``ë``, ``–``, "Coöperatie") and UTF-8 with BOM; XLSX with 1-3 title rows, an
explanation sheet before the data sheet, date cells, text dates, bare serial numbers, BSN typed
as a number, boolean cells; Dutch numbers (``1.234.567,89``, ``€ 12.500,00``, ``5%``, ``5,0``)
and plain ones; ``dd-mm-jjjj``, ``d-m-jjjj``, ``dd/mm/jjjj`` and ISO dates; header variants
(``Opdracht ID``, `` OPDRACHT-ID ``, aliases such as ``Opdrachtnummer``); ``ja/nee``, ``j/n``,
``WAAR/ONWAAR``, ``x``/empty; empty trailing rows; a trailing delimiter; an unknown extra
column; a quoted description with a comma, quotes and a line break; planned end dates after the
peildatum.

**Late partners** (:data:`LATE_PARTNERS`): contractor ``eemsbouw`` and training institute
``alfa-college`` deliver nothing for 2021Q3 (their 2021Q2 delivery is carried forward) and do
deliver for 2021Q4.

**Mapped partner** (:data:`MAPPED_PARTNER`): contractor ``bouwbedrijf-noord`` writes ``inzet``
with its own headings and codes; ``pipeline/config/mappings/bouwbedrijf-noord.yaml`` translates
them and is also what this generator writes from.

**Planted problems** (:data:`PLANTED_PROBLEMS`, 2021Q3, Excel row numbers as a person sees them):
ten rows that break a rule of their own dataset (rejected; in that export only), and four
problems that are part of the partner's records and repeat in every snapshot holding the row
(three findings, one warning). After changing the generator, regenerate and copy the problems it
prints into :data:`PLANTED_PROBLEMS`; ``tests/test_demo.py`` checks both.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import yaml

from pipeline.core.paths import CONFIG_DIR, DEMO_RAW_DIR
from pipeline.core.periods import parse_period, periods_between
from pipeline.demo.partners import Partner
from pipeline.demo.planted import TYPO_PARTNERS, Plant, plant_rows, plant_world
from pipeline.demo.render import Rendered, invert_mapping, render, style_for
from pipeline.demo.snapshots import Snapshotter
from pipeline.demo.world import build_world
from pipeline.ingest.pristine import MANIFEST_NAME

DEMO_SEED = 20211231
FIRST_PERIOD, LAST_PERIOD = "2019Q1", "2021Q4"
PERIODS = tuple(p.code for p in periods_between(parse_period(FIRST_PERIOD), parse_period(LAST_PERIOD)))
MAPPED_PARTNER = "bouwbedrijf-noord"
MAPPING_FILE = CONFIG_DIR / "mappings" / f"{MAPPED_PARTNER}.yaml"
LATE_PARTNERS = ("eemsbouw", "alfa-college")
LATE_PERIOD = "2021Q3"
PLANT_PERIOD = "2021Q3"

# Generated at --scale 1 and checked by tests/test_demo.py. `row` is the Excel row (CSV: one row
# per record, header = row 1); `column` the standard column, `header` as written in the file,
# `value` as written (empty = left empty); severity: reject (row rejected), finding (row kept,
# reported), warning (row kept, unusual).
PLANTED_PROBLEMS: list[dict] = [
    {
        "period": "2021Q3",
        "partner_id": "cooperatie-bouwgroep-ommeland",
        "dataset": "inzet",
        "file": "2021Q3/cooperatie-bouwgroep-ommeland/inzet_2021Q3.csv",
        "row": 31,
        "column": "uren_per_week",
        "header": "Uren pw",
        "value": "70",
        "severity": "reject",
        "rule": "uren_te_hoog",
        "problem": "uren_per_week 70 is above 60",
    },
    {
        "period": "2021Q3",
        "partner_id": "dollard-installatietechniek",
        "dataset": "inzet",
        "file": "2021Q3/dollard-installatietechniek/inzet_2021Q3.csv",
        "row": 32,
        "column": "regel_id",
        "header": "Regel ID",
        "value": "DI-00030",
        "severity": "reject",
        "rule": "regel_id_dubbel",
        "problem": "regel_id DI-00030 appears twice in the file (row copied)",
        "duplicate_of_row": 31,
    },
    {
        "period": "2021Q3",
        "partner_id": "gemeente-eemsdelta",
        "dataset": "opdrachten",
        "file": "2021Q3/gemeente-eemsdelta/opdrachten_2021Q3.csv",
        "row": 19,
        "column": "opdrachtwaarde",
        "header": "Opdrachtwaarde",
        "value": "-4.113.000,00",
        "severity": "reject",
        "rule": "opdrachtwaarde_niet_positief",
        "problem": "opdrachtwaarde is negative",
    },
    {
        "period": "2021Q3",
        "partner_id": "gemeente-groningen",
        "dataset": "opdrachten",
        "file": "2021Q3/gemeente-groningen/opdrachten_2021Q3.xlsx",
        "row": 38,
        "column": "einddatum",
        "header": "Einddatum",
        "value": "2020-11-11",
        "severity": "reject",
        "rule": "einddatum_voor_startdatum",
        "problem": "einddatum lies before startdatum (year mistyped)",
    },
    {
        "period": "2021Q3",
        "partner_id": "hunze-techniek",
        "dataset": "inzet",
        "file": "2021Q3/hunze-techniek/inzet_2021Q3.xlsx",
        "row": 10,
        "column": "bouwblok",
        "header": "Bouwblok",
        "value": "detachering",
        "severity": "reject",
        "rule": "bouwblok_onbekend",
        "problem": "bouwblok 'detachering' is not on the rate card",
    },
    {
        "period": "2021Q3",
        "partner_id": "noorderpoort",
        "dataset": "trajecten",
        "file": "2021Q3/noorderpoort/trajecten_2021Q3.xlsx",
        "row": 203,
        "column": "einddatum",
        "header": "Einddatum",
        "value": "",
        "severity": "reject",
        "rule": "einddatum_ontbreekt",
        "problem": "status afgerond without einddatum",
    },
    {
        "period": "2021Q3",
        "partner_id": "provincie-groningen",
        "dataset": "opdrachten",
        "file": "2021Q3/provincie-groningen/opdrachten_2021Q3.xlsx",
        "row": 23,
        "column": "sr_percentage",
        "header": "SR percentage",
        "value": "150",
        "severity": "reject",
        "rule": "sr_percentage_buiten_bereik",
        "problem": "sr_percentage 150 is above 100",
    },
    {
        "period": "2021Q3",
        "partner_id": "reitdiep-renovatie",
        "dataset": "inzet",
        "file": "2021Q3/reitdiep-renovatie/inzet_2021Q3.csv",
        "row": 78,
        "column": "bedrag",
        "header": "BEDRAG",
        "value": "1.234",
        "severity": "reject",
        "rule": "getal_dubbelzinnig",
        "problem": "bedrag 1.234 is ambiguous: no other value in the column shows the decimal separator",
    },
    {
        "period": "2021Q3",
        "partner_id": "wadden-infra",
        "dataset": "inzet",
        "file": "2021Q3/wadden-infra/inzet_2021Q3.csv",
        "row": 12,
        "column": "kandidaat_bsn",
        "header": "kandidaat_bsn",
        "value": "998295785",
        "severity": "reject",
        "rule": "bsn_elfproef",
        "problem": "kandidaat_bsn fails the eleven-test (last digit mistyped)",
    },
    {
        "period": "2021Q3",
        "partner_id": "werkplein-groningen",
        "dataset": "trajecten",
        "file": "2021Q3/werkplein-groningen/trajecten_2021Q3.csv",
        "row": 173,
        "column": "startdatum",
        "header": "Startdatum",
        "value": "31-02-2021",
        "severity": "reject",
        "rule": "datum_bestaat_niet",
        "problem": "startdatum 31-02-2021 does not exist",
    },
    {
        "period": "2021Q3",
        "partner_id": "damsterdiep-bouw",
        "dataset": "inzet",
        "file": "2021Q3/damsterdiep-bouw/inzet_2021Q3.csv",
        "row": 153,
        "column": "kandidaat_bsn",
        "header": "BSN",
        "value": "996786107",
        "severity": "finding",
        "rule": "dubbeltelling",
        "problem": "same candidate as WA-00057 (related_*) on another contract, overlapping days",
        "related_partner_id": "westerkwartier-aannemers",
        "related_file": "2021Q3/westerkwartier-aannemers/inzet_2021Q3.csv",
        "related_row": 58,
    },
    {
        "period": "2021Q3",
        "partner_id": "gemeente-groningen",
        "dataset": "opdrachten",
        "file": "2021Q3/gemeente-groningen/opdrachten_2021Q3.xlsx",
        "row": 19,
        "column": "sr_verplichting",
        "header": "SR verplichting",
        "value": "26660",
        "severity": "finding",
        "rule": "verplichting_wijkt_af",
        "problem": "sr_verplichting is EUR 2,500 above opdrachtwaarde x sr_percentage / 100",
    },
    {
        "period": "2021Q3",
        "partner_id": "gemeente-het-hogeland",
        "dataset": "opdrachten",
        "file": "2021Q3/gemeente-het-hogeland/opdrachten_2021Q3.csv",
        "row": 11,
        "column": "sr_percentage",
        "header": "SR-PERCENTAGE",
        "value": "12",
        "severity": "warning",
        "rule": "sr_percentage_ongebruikelijk",
        "problem": "sr_percentage 12 is above 10: unusual",
    },
    {
        "period": "2021Q3",
        "partner_id": "lauwers-elektrotechniek",
        "dataset": "inzet",
        "file": "2021Q3/lauwers-elektrotechniek/inzet_2021Q3.xlsx",
        "row": 43,
        "column": "opdracht_id",
        "header": "Opdracht ID",
        "value": "GR-2019-010",
        "severity": "finding",
        "rule": "opdracht_onbekend",
        "problem": "opdracht_id GR-2019-010 does not exist at gemeente-groningen (row kept, counts 0)",
    },
]


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "WAAR" if value else "ONWAAR"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _locate(plant: Plant, rows: list[dict], rendered: Rendered, path: str) -> dict:
    key = {"inzet": "regel_id", "opdrachten": "opdracht_id"}.get(plant.dataset, "")
    index = next(
        i for i, r in enumerate(rows) if (r is plant.row if plant.row is not None else r.get(key) == plant.key)
    )
    found = {
        "period": PLANT_PERIOD,
        "partner_id": plant.partner_id,
        "dataset": plant.dataset,
        "file": path,
        "row": rendered.rows[index],
        "column": plant.column,
        "header": rendered.headers[plant.column].strip(),
        "value": _as_text(rendered.cells[index][plant.column]),
        "severity": plant.severity,
        "rule": plant.rule,
        "problem": plant.problem,
    }
    if plant.duplicate_of is not None:
        found["duplicate_of_row"] = rendered.rows[next(i for i, r in enumerate(rows) if r is plant.duplicate_of)]
    return found


def _partners_csv(partners: list[Partner]) -> bytes:
    """The register as the analyst keeps it (docs/exports.md: partners.csv), UTF-8."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["partner_id", "naam", "rol", "kvk"])
    writer.writerows([p.partner_id, p.naam, p.rol, p.kvk] for p in partners)
    return out.getvalue().encode("utf-8")


def build_files(scale: int = 1, seed: int = DEMO_SEED) -> tuple[dict[str, bytes], list[dict]]:
    """All demo files (posix path relative to the raw folder -> bytes) and the planted problems."""
    world = build_world(seed, scale)
    mapping = invert_mapping(yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8")))
    positions: dict[str, int] = {}
    styles = {}
    for p in world.partners:
        positions[p.rol] = positions.get(p.rol, -1) + 1
        styles[p.partner_id] = style_for(p, positions[p.rol], mapping if p.partner_id == MAPPED_PARTNER else None)
    persistent = plant_world(world, {MAPPED_PARTNER, *LATE_PARTNERS, *TYPO_PARTNERS})
    snapshotter = Snapshotter(world, {pid for pid, s in styles.items() if s.toont_plannen})
    files = {"partners.csv": _partners_csv(world.partners)}
    located: dict[int, dict] = {}
    related: dict[int, dict] = {}
    partners = {p.partner_id: p for p in world.partners}
    for period in PERIODS:
        peildatum = parse_period(period).peildatum
        snapshot = snapshotter.cut(peildatum)
        plants = plant_rows(snapshot, world, peildatum) + persistent if period == PLANT_PERIOD else []
        created = dt.datetime.combine(peildatum + dt.timedelta(days=12), dt.time(9, 0))
        for (pid, dataset), rows in sorted(snapshot.items()):
            if pid in LATE_PARTNERS and period == LATE_PERIOD:
                continue
            rendered = render(partners[pid], styles[pid], dataset, period, rows, created)
            path = f"{period}/{pid}/{dataset}_{period}.{rendered.ext}"
            files[path] = rendered.data
            for i, plant in enumerate(plants):
                if (plant.partner_id, plant.dataset) == (pid, dataset):
                    located[i] = _locate(plant, rows, rendered, path)
                other = plant.related
                if other is not None and (other.partner_id, other.dataset) == (pid, dataset):
                    found = _locate(other, rows, rendered, path)
                    related[i] = {f"related_{k}": found[k] for k in ("partner_id", "file", "row")}
    for i, other in related.items():
        located[i].update(other)
    planted = sorted(located.values(), key=lambda d: (d["severity"] != "reject", d["file"], d["row"]))
    return files, planted


def _remove_previous(raw_dir: Path) -> None:
    """Delete the files the previous generation listed in its manifest, and nothing else."""
    manifest = raw_dir / MANIFEST_NAME
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    root = raw_dir.resolve()
    for rel in sorted(listed) if isinstance(listed, dict) else []:
        path = (raw_dir / rel).resolve()
        if root in path.parents and path.is_file():
            path.unlink()
            for parent in path.parents:  # prune folders this left empty
                if parent == root or any(parent.iterdir()):
                    break
                parent.rmdir()
    manifest.unlink()


def generate(raw_dir: Path = DEMO_RAW_DIR, scale: int = 1, seed: int = DEMO_SEED) -> list[dict]:
    """Write the demo exports into ``raw_dir`` and return the planted problems."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    files, planted = build_files(scale, seed)
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous(raw_dir)
    for rel, data in sorted(files.items()):
        path = raw_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    digests = {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}
    (raw_dir / MANIFEST_NAME).write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return planted


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m pipeline.demo.generate [--raw-dir DIR] [--scale N]``."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.demo.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=DEMO_RAW_DIR, help="target folder (default: data/raw)")
    parser.add_argument("--scale", type=int, default=1, help="N times the rows, about sqrt(N) times the partners")
    parser.add_argument(
        "--print-planted",
        action="store_true",
        help="also print the planted problems as JSON (to update PLANTED_PROBLEMS)",
    )
    args = parser.parse_args(argv)
    planted = generate(args.raw_dir, args.scale)
    listed = json.loads((Path(args.raw_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    size = sum((Path(args.raw_dir) / rel).stat().st_size for rel in listed)
    print(
        f"demo: {len(listed)} bestanden + manifest in {args.raw_dir} ({size / 1e6:.1f} MB), "
        f"{len(planted)} geplante problemen in {PLANT_PERIOD}"
    )
    for p in planted:
        print(f"  {p['severity']:8} {p['file']} rij {p['row']} {p['column']}: {p['problem']}")
    if args.print_planted:
        print(json.dumps(planted, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
