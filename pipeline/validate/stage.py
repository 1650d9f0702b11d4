"""Stage 2: validate the typed tables against the reviewed suites; reject, record, conserve rows.

The rules of one dataset live once, as Great Expectations suites in
``pipeline/expectations/<dataset>.json`` (docs/architecture.md, Stage 2). Each expectation carries in
its ``meta`` a stable rule id (``regel``), the column to name (``kolom``), a Dutch and an English
reason and a ``severity``: ``reject`` moves the row to ``afgekeurd.csv``; ``warning`` and ``info``
keep the row and record a finding in ``bevindingen.csv``. Rules across datasets are findings
computed in :mod:`pipeline.validate.findings`.

Two things a JSON file cannot hold are filled in per run:

- **parameters** (``{"$param": "name"}`` anywhere in ``kwargs``, ``{name}`` in a reason text):
  the rate card's block codes (from ``config/bouwblokken.csv``), the settings thresholds and the
  period's ``peildatum`` (so "after the peildatum" is a plain expectation built per run);
- **derived helper columns** (listed in the suite's ``meta.afgeleide_kolommen``), computed
  before validation and dropped afterwards: ``gunningsdatum_min_1_jaar`` for
  "startdatum ≥ gunningsdatum − 1 year", and ``is_herhaling_<id>`` for "unique within the
  delivery" (a repeated id is rejected, its first occurrence kept: a copied row loses nothing;
  ``expect_compound_columns_to_be_unique`` would reject both copies).

The suites are built in memory from ``type`` + ``kwargs`` + ``meta`` (no GX ids or run ids
written anywhere) and validated in one ephemeral GX context per process, with analytics and
progress bars off.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core import csvsafe
from pipeline.core.errors import PipelineError
from pipeline.core.paths import EXPECTATIONS_DIR  # noqa: F401 - where the suites live, for callers
from pipeline.core.periods import parse_period
from pipeline.core.schema import DATASETS
from pipeline.core.settings import settings as region_settings
from pipeline.ingest.typecast import KOLOMMEN_COLUMNS, with_delivered_headers
from pipeline.validate.suites import (  # noqa: F401 - the stage's public names, one import for callers
    SEVERITIES,
    build_suite,
    canonical_suite_text,
    fill_parameters,
    format_value,
    load_suite,
    load_suite_spec,
    quiet_context,
    rate_card_blocks,
    suite_parameters,
)
from pipeline.validate.table import (  # noqa: F401
    FINDING_COLUMNS,
    INDEX_COLUMNS,
    REJECTION_COLUMNS,
    TableValidation,
    _as_lines,
    _batch_definition,
    add_derived_columns,
    sort_lines,
    sort_rows,
    validate_table,
)

# sleutel.json: the key check value travels with the published clean data (provenance.py);
# kolommen.csv: each file's headers as delivered, so a page can name a column as the partner wrote it
_COPIED_FILES = ("leveringen.csv", "meldingen.csv", "partners.parquet", "sleutel.json", "kolommen.csv")


@dataclass
class ValidationResult:
    """What :func:`run_validation` wrote, also returned for notebooks and the pre-flight check."""

    period: str
    out_dir: Path
    tables: dict[str, pd.DataFrame]
    afgekeurd: pd.DataFrame
    bevindingen: pd.DataFrame
    bestanden: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def rejected_rows(self) -> int:
        return int(self.afgekeurd[["bestand", "rij"]].drop_duplicates().shape[0])


def read_lines(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """An afgekeurd/bevindingen CSV (missing file = no lines), all text except ``rij``."""
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    return csvsafe.read_csv(path, dtype=str, keep_default_na=False).reindex(columns=list(columns))


def read_tables(directory: Path) -> dict[str, pd.DataFrame]:
    """The four dataset tables of a folder (absent file = absent key)."""
    return {d: pd.read_parquet(directory / f"{d}.parquet") for d in DATASETS if (directory / f"{d}.parquet").exists()}


def update_file_counts(
    bestanden: pd.DataFrame, tables: dict[str, pd.DataFrame], afgekeurd: pd.DataFrame
) -> pd.DataFrame:
    """Final ``rijen_schoon``/``rijen_afgekeurd`` per file; raises when a row went missing.

    docs/exports.md: raw rows = clean rows + rejected rows, for every file. ``rijen_afgekeurd`` counts
    distinct rows (a row failing three rules is one rejected row).
    """
    out = bestanden.copy()
    for column in ("rijen_gelezen", "rijen_leeg", "rijen_schoon", "rijen_afgekeurd"):
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    clean = pd.concat([t["bron_bestand"].astype("string") for t in tables.values()] or [pd.Series(dtype="string")])
    clean_counts = clean.value_counts()
    rejected = afgekeurd[afgekeurd["rij"].notna()][["bestand", "rij"]].drop_duplicates()["bestand"].value_counts()
    readable = out["status"] == "gelezen"
    files = out.loc[readable, "bestand"]
    out.loc[readable, "rijen_schoon"] = files.map(clean_counts).fillna(0).astype("Int64")
    out.loc[readable, "rijen_afgekeurd"] = files.map(rejected).fillna(0).astype("Int64")
    broken = out[readable & (out["rijen_gelezen"] != out["rijen_schoon"] + out["rijen_afgekeurd"])]
    if len(broken):
        row = broken.iloc[0]
        raise PipelineError(
            f"rijen kloppen niet voor {row['bestand']}: gelezen {row['rijen_gelezen']} ≠ schoon "
            f"{row['rijen_schoon']} + afgekeurd {row['rijen_afgekeurd']}",
            f"row count mismatch for {row['bestand']}: read {row['rijen_gelezen']} ≠ clean "
            f"{row['rijen_schoon']} + rejected {row['rijen_afgekeurd']}",
        )
    return out


def summary_lines(clean_dir: Path, limit: int = 10) -> list[str]:
    """What the run says on the terminal about the deliveries of a built period: the counts
    (rows read = clean + rejected, docs/exports.md: "the run says so") and every file that could not
    be read or was not recognised, up to ``limit`` of them, each with its Dutch reason."""
    files = csvsafe.read_csv(clean_dir / "bestanden.csv", dtype=str, keep_default_na=False)
    findings = read_lines(clean_dir / "bevindingen.csv", FINDING_COLUMNS)
    status = files["status"].value_counts()
    readable = files[files["status"] == "gelezen"]
    rows = {
        c: int(pd.to_numeric(readable[c], errors="coerce").fillna(0).sum())
        for c in ("rijen_gelezen", "rijen_schoon", "rijen_afgekeurd")
    }
    gelezen, onleesbaar, onbekend = (int(status.get(s, 0)) for s in ("gelezen", "onleesbaar", "onbekend"))
    lines = [
        f"leveringen: {len(files)} bestanden ({gelezen} gelezen, {onleesbaar} onleesbaar, {onbekend} onbekend); "
        f"{rows['rijen_gelezen']} rijen = {rows['rijen_schoon']} schoon + {rows['rijen_afgekeurd']} afgekeurd; "
        f"{len(findings)} bevindingen | deliveries: {len(files)} files ({gelezen} read, {onleesbaar} unreadable, "
        f"{onbekend} unknown); {rows['rijen_gelezen']} rows = {rows['rijen_schoon']} clean + "
        f"{rows['rijen_afgekeurd']} rejected; {len(findings)} findings"
    ]
    broken = files[files["status"] != "gelezen"]
    for row in broken.head(limit).itertuples():
        lines.append(f"  {row.status}: {row.bestand} — {row.reden_nl}")
    if len(broken) > limit:
        lines.append(f"  … en nog {len(broken) - limit} | and {len(broken) - limit} more")
    return [_printable(line) for line in lines]


def _printable(text: str) -> str:
    """A line safe for a terminal: control characters from file names (an escape sequence, a
    line break) are shown as ``?``."""
    return "".join("?" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def run_validation(
    period: str, ingest_dir: Path, out_dir: Path, previous_clean_dir: Path | None = None
) -> ValidationResult:
    """Validate the ingest outputs of ``period`` and write the clean period folder.

    Args:
        period: ``YYYYQn``; its last day is the peildatum of the date rules.
        ingest_dir: ``data/clean/<P>/_ingest`` (docs/architecture.md, Stage 1).
        out_dir: ``data/clean/<P>``: tables, afgekeurd, bevindingen, bestanden, validatie.json.
        previous_clean_dir: a folder with the previous period's tables (its ingest folder: the
            rows the partner delivered), for the shrinking-delivery check.
    """
    from pipeline.validate import findings as cross

    peildatum = parse_period(period).peildatum
    config = region_settings()
    params = suite_parameters(peildatum, config)
    results = {d: validate_table(d, pd.read_parquet(ingest_dir / f"{d}.parquet"), params) for d in DATASETS}
    tables = {d: r.clean for d, r in results.items()}
    partners = pd.read_parquet(ingest_dir / "partners.parquet")
    leveringen = csvsafe.read_csv(ingest_dir / "leveringen.csv", dtype=str, keep_default_na=False)
    previous = read_tables(previous_clean_dir) if previous_clean_dir and previous_clean_dir.is_dir() else None
    across = cross.all_findings(tables, partners, leveringen, previous, config)

    # docs/exports.md: a line names the column as the partner's file has it (kolom_bestand) next to
    # the standard's name (kolom); the headers come from ingest, per file
    kolommen = read_lines(ingest_dir / "kolommen.csv", tuple(KOLOMMEN_COLUMNS))
    afgekeurd = sort_lines(
        with_delivered_headers(
            pd.concat(
                [read_lines(ingest_dir / "afgekeurd.csv", REJECTION_COLUMNS)] + [r.rejections for r in results.values()]
            ),
            kolommen,
        ),
        REJECTION_COLUMNS,
    )
    bestanden = update_file_counts(
        csvsafe.read_csv(ingest_dir / "bestanden.csv", dtype=str, keep_default_na=False), tables, afgekeurd
    )
    bevindingen = sort_lines(
        with_delivered_headers(
            pd.concat(
                [read_lines(ingest_dir / "bevindingen.csv", FINDING_COLUMNS)]
                + [r.findings for r in results.values()]
                + [across]
                + [cross.files_without_rows(bestanden)]
            ),
            kolommen,
        )
    )
    summary = {
        "periode": period,
        "peildatum": peildatum.isoformat(),
        "datasets": {d: r.summary for d, r in results.items()},
        "bevindingen_per_regel": {k: int(v) for k, v in bevindingen["regel"].value_counts().sort_index().items()},
        "rijen_afgekeurd_totaal": int(afgekeurd[["bestand", "rij"]].drop_duplicates().shape[0]),
    }
    _write(out_dir, ingest_dir, tables, afgekeurd, bevindingen, bestanden, summary)
    return ValidationResult(period, out_dir, tables, afgekeurd, bevindingen, bestanden, summary)


def _write(
    out_dir: Path,
    ingest_dir: Path,
    tables: dict[str, pd.DataFrame],
    afgekeurd: pd.DataFrame,
    bevindingen: pd.DataFrame,
    bestanden: pd.DataFrame,
    summary: dict[str, Any],
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for dataset, table in tables.items():
        table.to_parquet(out_dir / f"{dataset}.parquet", index=False)
    for name, lines in (("afgekeurd", afgekeurd), ("bevindingen", bevindingen), ("bestanden", bestanden)):
        csvsafe.write_csv(lines, out_dir / f"{name}.csv")  # values from exports: never a live formula
    for name in _COPIED_FILES:
        if (ingest_dir / name).exists():
            shutil.copyfile(ingest_dir / name, out_dir / name)
    text = json.dumps(summary, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"
    (out_dir / "validatie.json").write_text(text, encoding="utf-8")


def summary_table(summary: dict[str, Any]) -> pd.DataFrame:
    """The validation summary per dataset (``validatie.json``) as a table for the notebook."""
    columns = [
        "rijen",
        "rijen_schoon",
        "rijen_afgekeurd",
        "rijen_met_bevinding",
        "expectations_evaluated",
        "expectations_failed",
    ]
    return pd.DataFrame.from_dict({d: summary["datasets"][d] for d in DATASETS}, orient="index")[columns]
