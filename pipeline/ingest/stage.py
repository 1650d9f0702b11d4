"""Stage 1, ingest: the partners' real exports as they are, typed and pseudonymised, nothing lost.

``run_ingest(period, raw_dir, out_dir)`` implements docs/architecture.md ("Stage 1: ingest"):
it checks the partner register and finds every file under ``<RAW>/<P>/``, falling back to a
partner's latest earlier delivery when it sent nothing for P (:mod:`pipeline.ingest.deliveries`),
reads each export (:mod:`pipeline.ingest.readers`) with the partner's mapping (:mod:`pipeline.ingest.mappings`),
types each dataset in one pass (:mod:`pipeline.ingest.typecast`, :mod:`pipeline.ingest.parse`), replaces
the BSN by a keyed pseudonym (:mod:`pipeline.ingest.pseudonym`) and writes the canonical tables plus
``afgekeurd.csv``, ``bestanden.csv``, ``leveringen.csv``, ``meldingen.csv`` and ``kolommen.csv`` (per
file read, each standard column and its header as the partner wrote it, so later stages can name
a column the way the partner's own file does).

Row conservation (docs/exports.md: "raw rows = clean rows + rejected rows, for every file") is
checked for every readable file; a break is a bug and stops the run.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.core import csvsafe
from pipeline.core.errors import PipelineError
from pipeline.core.paths import check_apart
from pipeline.core.periods import parse_period
from pipeline.core.schema import DATASETS, PROVENANCE_COLUMNS, dataset_spec
from pipeline.ingest.deliveries import FoundFile, discover, read_partners
from pipeline.ingest.mappings import DatasetMapping, PartnerMapping, load_mappings
from pipeline.ingest.pseudonym import key_check, load_key
from pipeline.ingest.rawfs import NotRegularFileError, read_regular, sha256_regular
from pipeline.ingest.readers import RawTable, UnreadableFileError
from pipeline.ingest.typecast import (
    AFGEKEURD_COLUMNS,
    BEVINDINGEN_COLUMNS,
    KOLOMMEN_COLUMNS,
    header_lines,
    read_export,
    type_columns,
    type_exports,
)
from pipeline.orchestrate.provenance import write_key_check

BESTANDEN_COLUMNS = [
    "bestand",
    "partner_id",
    "dataset",
    "levering_periode",
    "sha256",
    "status",
    "reden_nl",
    "reason_en",
    "rijen_gelezen",
    "rijen_leeg",
    "rijen_schoon",
    "rijen_afgekeurd",
]
LEVERINGEN_COLUMNS = ["partner_id", "rol", "dataset", "status", "levering_periode", "bestanden"]
MELDINGEN_COLUMNS = ["partner_id", "bestand", "soort", "melding_nl", "message_en"]


@dataclass(frozen=True)
class IngestResult:
    """What ingest wrote into ``out_dir`` (the same tables, in memory)."""

    period: str
    out_dir: Path
    tables: dict[str, pd.DataFrame]
    partners: pd.DataFrame
    afgekeurd: pd.DataFrame
    bestanden: pd.DataFrame
    leveringen: pd.DataFrame
    meldingen: pd.DataFrame
    #: BSNs found and masked in text columns (a warning per row x column; validation adds them to
    #: bevindingen.csv)
    bevindingen: pd.DataFrame | None = None
    #: :func:`pipeline.ingest.pseudonym.key_check` of the key used: written as sleutel.json, so a later
    #: run can tell whether this quarter's pseudonyms were made with its key
    sleutelcontrole: str = ""
    #: kolommen.csv: ``bestand, dataset, kolom, kolom_bestand`` for every file read
    kolommen: pd.DataFrame | None = None


def run_ingest(
    period: str, raw_dir: Path, out_dir: Path, *, mappings_dir: Path | None = None, workers: int | None = None
) -> IngestResult:
    """Read every delivery for ``period`` under ``raw_dir`` and write the ingest tables to ``out_dir``.

    Args:
        period: ``YYYYQn``.
        raw_dir: the read-only raw folder (``partners.csv``, ``<P>/<partner_id>/...``).
        out_dir: ``data/clean/<P>/_ingest/``; created if needed, must lie outside ``raw_dir``.
        mappings_dir: partner mapping files (default: the package's ``config/mappings``).
        workers: processes that read and type the files, a dataset each (:func:`read_workers`
            decides when None; the history's quarters, already read two at a time, pass 1).

    Raises:
        PipelineError: partners.csv missing or malformed, no deliveries at all for the period,
            no pseudonymisation key for non-demo data, a bad mapping file.
    """
    p = parse_period(period)
    raw_dir, out_dir = Path(raw_dir).resolve(), Path(out_dir).resolve()
    if out_dir == raw_dir or raw_dir in out_dir.parents:  # docs/exports.md: data/raw is read-only
        raise PipelineError(
            "uitvoermap ligt in de ruwe map; kies een andere map",
            "output folder lies inside the raw folder; choose another folder",
        )
    partners = read_partners(raw_dir)
    found, notes = discover(raw_dir, p, partners)  # nothing to read says more than a missing key
    key = load_key(raw_dir)
    mappings = load_mappings(mappings_dir) if mappings_dir else load_mappings()
    tables, afgekeurd, bestanden, file_notes, bevindingen, kolommen = _read_all(found, mappings, key, workers)
    result = IngestResult(
        period=p.code,
        out_dir=out_dir,
        tables=tables,
        partners=partners,
        afgekeurd=afgekeurd,
        bestanden=bestanden,
        leveringen=_leveringen(partners, bestanden, found, p.code),
        meldingen=_frame(
            [dict(zip(MELDINGEN_COLUMNS, n)) for n in notes + file_notes],
            MELDINGEN_COLUMNS,
            ["bestand", "partner_id", "soort", "melding_nl"],
        ),
        bevindingen=bevindingen,
        sleutelcontrole=key_check(key),
        kolommen=kolommen,
    )
    _write(result)
    return result


def preflight(period: str, raw_dir: Path) -> None:
    """The run-level checks, done before any stage starts: the driver stops with one clear line
    at once instead of after a stage has run (the kernels it started beside it are stopped
    without waiting for their warm-up).

    Checks what :func:`run_ingest` and the later stages would refuse: the period, partners.csv,
    at least one delivery for the period, the pseudonymisation key for these data, the partner
    mappings and the rate card. Reads nothing but the register and file names (and, for the
    demo key, the demo manifest's checksums); writes nothing.

    Raises:
        PipelineError: the first run-level problem found.
    """
    from pipeline.indicators.ratecard import load_rate_card

    p = parse_period(period)
    raw_dir = Path(raw_dir)
    check_apart(raw_dir)
    discover(raw_dir, p, read_partners(raw_dir))
    load_key(raw_dir)
    load_mappings()
    load_rate_card()


# a delivery this large is read by more than one process (below it, starting them costs more
# than it saves): the files of a quarter at 10x the demo region and up
PARALLEL_MIN_FILES = 64
PARALLEL_MIN_BYTES = 4_000_000


def read_workers(files: int, size: int) -> int:
    """Processes to read and type ``files`` exports of ``size`` bytes: 1 for a small delivery,
    else one per core this process may use, at most 2 (the stages leave one core to the page
    workers' start).

    >>> read_workers(35, 500_000), read_workers(368, 32_000_000) in (1, 2)
    (1, True)
    """
    if files < PARALLEL_MIN_FILES or size < PARALLEL_MIN_BYTES:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(2, cores))


def _read_one(job: tuple[bytes, FoundFile, object]) -> RawTable | UnreadableFileError:
    raw, f, mapping = job
    try:
        return read_export(raw, f, mapping)
    except UnreadableFileError as exc:
        return exc


_Typed = tuple[pd.DataFrame, pd.DataFrame, list, list, pd.DataFrame]


def _read_and_type(
    dataset: str, jobs: list[tuple[bytes, FoundFile, object]], key: bytes
) -> tuple[list[UnreadableFileError | tuple], pd.DataFrame, _Typed]:
    """One dataset's exports read and typed together: ``(per file its reason for being unreadable
    or its reading notes, the headers as delivered, what type_exports gives)``. A unit of work
    for one process: the raw rows stay where they were read; only the typed tables go back."""
    tables = [_read_one(job) for job in jobs]
    read = [(f, t) for (_, f, _), t in zip(jobs, tables) if not isinstance(t, UnreadableFileError)]
    outcomes = [t if isinstance(t, UnreadableFileError) else t.notes for t in tables]
    return outcomes, header_lines(dataset, read), type_exports(dataset, read, key)


def _per_dataset(units: dict[str, list[tuple[bytes, FoundFile, object]]], key: bytes, workers: int) -> dict:
    """:func:`_read_and_type` for every dataset: in this process, or spread over ``workers``
    processes, the largest dataset first. The results are the same either way (each dataset is
    read and typed whole, in file order, by one process)."""
    if workers <= 1:
        return {d: _read_and_type(d, jobs, key) for d, jobs in units.items()}
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    largest_first = sorted(units, key=lambda d: -sum(len(raw) for raw, _, _ in units[d]))
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {d: pool.submit(_read_and_type, d, units[d], key) for d in largest_first}
        return {d: futures[d].result() for d in units}


def _read_all(
    found: list[FoundFile], mappings: dict[str, PartnerMapping], key: bytes, workers: int | None = None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame, list[tuple[str, ...]], pd.DataFrame, pd.DataFrame]:
    """Read every found file, then type each dataset at once:
    ``(tables, afgekeurd, bestanden, notes, bevindingen, kolommen)``."""
    files, notes = [], []
    jobs: list[tuple[int, tuple[bytes, FoundFile, object]]] = []  # (row in files, what to read)
    for f in found:
        files.append(
            {
                "bestand": f.rel,
                "partner_id": f.partner_id,
                "dataset": f.dataset,
                "levering_periode": f.levering_periode,
                "sha256": "",
                "status": "onbekend" if f.unknown else "gelezen",
                "reden_nl": f.reden_nl,
                "reason_en": f.reason_en,
            }
        )
        if not f.regular:
            continue  # a link, pipe, socket or device: never opened, so no checksum either
        try:  # opened read-only, never through a link, never blocking; raw files are never written
            raw = b"" if f.unknown else read_regular(f.path)
            files[-1]["sha256"] = sha256_regular(f.path) if f.unknown else hashlib.sha256(raw).hexdigest()
        except NotRegularFileError as exc:  # swapped for a link or pipe after it was listed
            files[-1].update(status="onbekend", reden_nl=exc.nl, reason_en=exc.en)
            continue
        if f.unknown:
            continue
        mapping = mappings[f.partner_id].for_dataset(f.dataset) if f.partner_id in mappings else None
        jobs.append((len(files) - 1, (raw, f, mapping)))
    if workers is None:
        workers = read_workers(len(jobs), sum(len(raw) for _, (raw, _, _) in jobs))
    rows: dict[str, list[int]] = {d: [] for d in DATASETS}  # per dataset its files' rows, in file order
    units: dict[str, list[tuple[bytes, FoundFile, object]]] = {d: [] for d in DATASETS}
    for row, job in jobs:
        rows[job[1].dataset].append(row)
        units[job[1].dataset].append(job)
    done = _per_dataset(units, key, workers)
    outcome = {row: out for d in DATASETS for row, out in zip(rows[d], done[d][0])}
    for row, (_, f, _) in jobs:  # the reading notes in file order, as the files were found
        if isinstance(outcome[row], UnreadableFileError):
            files[row].update(status="onleesbaar", reden_nl=outcome[row].nl, reason_en=outcome[row].en)
            continue
        notes += [(f.partner_id, f.rel, soort, nl, en) for soort, nl, en in outcome[row]]
    tables, rejected, masked, headers = (
        {},
        [pd.DataFrame(columns=AFGEKEURD_COLUMNS)],
        [pd.DataFrame(columns=BEVINDINGEN_COLUMNS)],
        [pd.DataFrame(columns=KOLOMMEN_COLUMNS)],
    )
    for dataset in DATASETS:
        outcomes, delivered_headers, (clean, rejects, counts, typing_notes, found_bsn) = done[dataset]
        headers.append(delivered_headers)
        masked.append(found_bsn)
        read = [
            (row, job[1])
            for row, job, out in zip(rows[dataset], units[dataset], outcomes)
            if not isinstance(out, UnreadableFileError)
        ]
        for (row, f), count, mine in zip(read, counts, typing_notes):
            files[row].update(count)
            notes += [(f.partner_id, f.rel, soort, nl, en) for soort, nl, en in mine]
        tables[dataset] = _combine(dataset, clean)
        rejected.append(rejects)
    bestanden = _frame(files, BESTANDEN_COLUMNS, ["bestand"])
    bestanden = bestanden.astype({c: "Int64" for c in BESTANDEN_COLUMNS if c.startswith("rijen_")})
    afgekeurd = _frame(pd.concat(rejected, ignore_index=True), AFGEKEURD_COLUMNS, ["bestand", "rij", "kolom", "regel"])
    bevindingen = _frame(
        pd.concat(masked, ignore_index=True), BEVINDINGEN_COLUMNS, ["bestand", "rij", "kolom", "regel"]
    )
    kolommen = _frame(pd.concat(headers, ignore_index=True), KOLOMMEN_COLUMNS, ["bestand", "kolom"])
    return tables, afgekeurd, bestanden, notes, bevindingen, kolommen


def ingest_file(
    raw: bytes, f: FoundFile, mapping: DatasetMapping | None, key: bytes
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], tuple[tuple[str, str, str], ...]]:
    """Read and type one export on its own: ``(clean rows, afgekeurd lines, counts, notes)``.

    Raises:
        UnreadableFileError: the file cannot be read at all.
    """
    return ingest_table(read_export(raw, f, mapping), f, key)


def ingest_table(
    table: RawTable, f: FoundFile, key: bytes
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], tuple[tuple[str, str, str], ...]]:
    """Type one export already read (:func:`pipeline.ingest.typecast.read_export`): as :func:`ingest_file`."""
    clean, rejects, counts, notes, _ = type_exports(f.dataset, [(f, table)], key)  # values masked in `clean`
    return clean, rejects, counts[0], table.notes + tuple(notes[0])


def output_columns(dataset: str) -> list[str]:
    """The canonical table's fixed column order: the standard's columns, BSN replaced, provenance."""
    columns: list[str] = []
    for name, col in dataset_spec(dataset).columns.items():
        columns += ["kandidaat_id", "kandidaat_bsn_elfproef"] if col.type == "bsn" else [name]
    return columns + list(PROVENANCE_COLUMNS)


def _combine(dataset: str, clean: pd.DataFrame) -> pd.DataFrame:
    """The canonical table: fixed columns and dtypes, rows sorted by file and Excel row."""
    columns = output_columns(dataset)
    empty, _ = type_columns(pd.DataFrame({"bron_rij": pd.Series(dtype="int64")}), dataset, b"")
    for name in ("partner_id", "bron_bestand", "levering_periode"):
        empty[name] = pd.Series(dtype="string")
    table = clean.reindex(columns=columns).astype(empty[columns].dtypes.to_dict())
    return table.sort_values(["bron_bestand", "bron_rij"], kind="stable").reset_index(drop=True)


def _frame(rows: list[dict] | pd.DataFrame, columns: list[str], order: list[str]) -> pd.DataFrame:
    """A CSV output table: text columns as strings, ``rij`` as int, sorted for stable output."""
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.astype({c: "int64" if c == "rij" else "string" for c in columns if not c.startswith("rijen_")})
    return frame.sort_values(order, kind="stable", na_position="first").reset_index(drop=True)


def _leveringen(partners: pd.DataFrame, bestanden: pd.DataFrame, found: list[FoundFile], period: str) -> pd.DataFrame:
    used = {f.partner_id: f.levering_periode for f in found if not f.unknown}
    # per (partner, dataset) the statuses of its files, in one pass (not a scan per partner)
    statuses: dict[tuple[object, object], list[object]] = {}
    for pid, dataset, status in zip(bestanden["partner_id"], bestanden["dataset"], bestanden["status"]):
        if status != "onbekend":
            statuses.setdefault((pid, dataset), []).append(status)
    rows = []
    for partner in partners.itertuples():
        for dataset in DATASETS:
            if partner.rol not in dataset_spec(dataset).delivered_by:
                continue
            mine = statuses.get((partner.partner_id, dataset), [])
            if not mine:
                status = "ontbreekt"
            elif all(s == "onleesbaar" for s in mine):
                status = "onleesbaar"  # docs/exports.md: no silent fallback to an earlier delivery
            else:
                status = "geleverd" if used.get(partner.partner_id) == period else "overgenomen"
            rows.append(
                {
                    "partner_id": partner.partner_id,
                    "rol": partner.rol,
                    "dataset": dataset,
                    "status": status,
                    "levering_periode": used.get(partner.partner_id, pd.NA),
                    "bestanden": len(mine),
                }
            )
    frame = pd.DataFrame(rows, columns=LEVERINGEN_COLUMNS)
    frame = frame.astype({c: "string" for c in LEVERINGEN_COLUMNS[:-1]} | {"bestanden": "int64"})
    return frame.sort_values(["partner_id", "dataset"]).reset_index(drop=True)


def _write(result: IngestResult) -> None:
    out = result.out_dir
    out.mkdir(parents=True, exist_ok=True)
    for dataset, table in result.tables.items():
        table.to_parquet(out / f"{dataset}.parquet", engine="pyarrow", index=False)
    result.partners.to_parquet(out / "partners.parquet", engine="pyarrow", index=False)
    for name in ("afgekeurd", "bestanden", "leveringen", "meldingen"):
        csvsafe.write_csv(getattr(result, name), out / f"{name}.csv")  # text from exports: no formulas
    if result.kolommen is not None:
        csvsafe.write_csv(result.kolommen, out / "kolommen.csv")  # headers as delivered
    if result.bevindingen is not None:
        csvsafe.write_csv(result.bevindingen, out / "bevindingen.csv")
    if result.sleutelcontrole:
        write_key_check(out, result.sleutelcontrole)
