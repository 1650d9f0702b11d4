"""Stage 2: validate the typed tables against the reviewed suites; reject, record, conserve rows.

The rules of one dataset live once, as Great Expectations suites in
``pipeline/expectations/<dataset>.json`` (architecture.md, Stage 2). Each expectation carries in
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

import datetime as dt
import json
import logging
import os
import shutil
import unicodedata
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core import csvsafe
from pipeline.core.errors import PipelineError
from pipeline.core.paths import EXPECTATIONS_DIR
from pipeline.core.periods import parse_period
from pipeline.core.schema import DATASETS, dataset_spec
from pipeline.core.settings import Settings
from pipeline.core.settings import settings as region_settings
from pipeline.ingest.pseudonym import mask_line_values

REJECTION_COLUMNS = ("partner_id", "dataset", "bestand", "rij", "kolom", "waarde", "regel", "reden_nl", "reason_en")
FINDING_COLUMNS = REJECTION_COLUMNS + ("severity",)
SEVERITIES = ("reject", "warning", "info")
INDEX_COLUMNS = ["bron_bestand", "bron_rij"]
# Columns that hold a pseudonym or the eleven-test of a BSN: their value is never written out.
_MASKED_COLUMNS = {"kandidaat_id", "kandidaat_bsn", "kandidaat_bsn_elfproef"}
# sleutel.json: the key check value travels with the published clean data (provenance.py)
_COPIED_FILES = ("leveringen.csv", "meldingen.csv", "partners.parquet", "sleutel.json")
_EXAMPLES = 5


# ---------------------------------------------------------------------------------------------
# Suites: JSON -> parameters filled in -> gx.ExpectationSuite
# ---------------------------------------------------------------------------------------------


def load_suite_spec(dataset: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The reviewed suite of ``dataset`` as stored (parameters still as ``{"$param": ...}``)."""
    spec = json.loads((directory / f"{dataset}.json").read_text(encoding="utf-8"))
    for exp in spec["expectations"]:
        meta = exp.get("meta", {})
        missing = {"regel", "kolom", "severity", "reden_nl", "reason_en"} - meta.keys()
        if missing or meta.get("severity") not in SEVERITIES:
            raise PipelineError(
                f"suite {dataset}: expectation {exp.get('type')} mist meta {sorted(missing)}",
                f"suite {dataset}: expectation {exp.get('type')} lacks meta {sorted(missing)}",
            )
    return spec


def canonical_suite_text(spec: dict[str, Any]) -> str:
    """The one way a suite file is written (stable key order as given, 2-space indent, UTF-8)."""
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def rate_card_blocks(path: Path | None = None) -> dict[str, list[str]]:
    """Block-code sets of the rate card over all its versions (domain.md: bouwblokkenmethode).

    ``toeslag_50plus`` is a bonus, not a block a line can name, so it is left out of every set.

    >>> rate_card_blocks()["bouwblokken_factor"]
    ['scholing', 'sociale_inkoop']
    """
    from pipeline.indicators.ratecard import BONUS_BLOCK, load_rate_card

    card = load_rate_card(path)
    card = card[card["bouwblok"] != BONUS_BLOCK]
    codes = lambda mask: sorted(set(card.loc[mask, "bouwblok"]))  # noqa: E731
    return {
        "bouwblokken": codes(card["bouwblok"].notna()),
        "bouwblokken_persoon": codes(card["soort"] == "persoon"),
        "bouwblokken_factor": codes(card["eenheid"] == "factor"),
        "bouwblokken_jaar": codes(card["eenheid"] == "jaar"),
    }


def suite_parameters(peildatum: dt.date, config: Settings | None = None) -> dict[str, Any]:
    """Everything a suite's ``{"$param": name}`` may name, for one run."""
    config = config or region_settings()
    return {
        **rate_card_blocks(),
        "peildatum": pd.Timestamp(peildatum),
        "sr_percentage_unusual_above": config.warnings.sr_percentage_unusual_above,
        "min_uren_per_week": config.valuation.min_uren_per_week,
    }


def fill_parameters(value: Any, params: dict[str, Any]) -> Any:
    """Replace every ``{"$param": name}`` in a JSON structure by ``params[name]``."""
    if isinstance(value, dict):
        if set(value) == {"$param"}:
            if value["$param"] not in params:
                raise PipelineError(
                    f"onbekende suite-parameter {value['$param']!r}", f"unknown suite parameter {value['$param']!r}"
                )
            return params[value["$param"]]
        return {k: fill_parameters(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_parameters(v, params) for v in value]
    return value


def _import_gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx

    return gx


def _text_parameters(params: dict[str, Any], language: str) -> dict[str, str]:
    """Parameters as a partner reads them in a reason (dates Dutch-style in Dutch, ISO in English)."""
    out = {}
    for name, value in params.items():
        if isinstance(value, pd.Timestamp):
            out[name] = value.strftime("%d-%m-%Y") if language == "nl" else value.date().isoformat()
        elif not isinstance(value, list):
            out[name] = format_value(value, name)
    return out


def load_suite(dataset: str, params: dict[str, Any], directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The suite with this run's parameters filled in: ``{"$param": name}`` in ``kwargs`` and
    ``{name}`` in the reasons (``reden_nl``, ``reason_en``)."""
    spec = load_suite_spec(dataset, directory)
    texts = {"reden_nl": _text_parameters(params, "nl"), "reason_en": _text_parameters(params, "en")}
    for exp in spec["expectations"]:
        exp["kwargs"] = fill_parameters(exp["kwargs"], params)
        for key, values in texts.items():
            exp["meta"][key] = exp["meta"][key].format_map(values)
    return spec


def build_suite(dataset: str, params: dict[str, Any], directory: Path = EXPECTATIONS_DIR):
    """A ``gx.ExpectationSuite`` built from the stored JSON (``type`` + ``kwargs`` + ``meta``)."""
    _batch_definition()  # GX needs an active context to build a suite
    gx = _import_gx()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    spec = load_suite(dataset, params, directory)
    suite = gx.ExpectationSuite(name=spec["name"], meta={"dataset": dataset})
    for exp in spec["expectations"]:
        config = ExpectationConfiguration(type=exp["type"], kwargs=exp["kwargs"], meta=exp["meta"])
        suite.add_expectation(config.to_domain_obj())
    return suite


def add_derived_columns(dataset: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Helper columns some rules test (documented in the suite's ``meta.afgeleide_kolommen``).

    ``frame`` must be in file order (:func:`sort_rows`): the first occurrence of a key counts.

    >>> f = pd.DataFrame({"partner_id": ["a", "a", "a", "b"], "opdracht_id": ["X", "X", None, "X"],
    ...                   "gunningsdatum": pd.to_datetime(["2020-02-29", None, None, None])})
    >>> out = add_derived_columns("opdrachten", f)
    >>> out["gunningsdatum_min_1_jaar"].dt.strftime("%Y-%m-%d").tolist()
    ['2019-02-28', nan, nan, nan]
    >>> out["is_herhaling_opdracht_id"].tolist()
    [False, True, False, False]
    """
    out = frame.copy()
    key = list(dataset_spec(dataset).key)
    # exports.md: the id is unique within a delivery; a repeat (a copied row) is rejected, the
    # first occurrence is kept
    repeated = out.duplicated(["partner_id", *key], keep="first") & out[key].notna().all(axis=1)
    out["is_herhaling_" + "_".join(key)] = repeated
    if dataset == "opdrachten":
        # exports.md: startdatum >= gunningsdatum - 1 year (calendar year, as relativedelta does)
        out["gunningsdatum_min_1_jaar"] = out["gunningsdatum"] - pd.DateOffset(years=1)
    return out


def quiet_context():
    """An ephemeral GX context: analytics, data docs and progress bars off, nothing stored,
    nothing sent. Used by validation and by the analyst's Data Docs (pipeline/validate/datadocs.py)."""
    gx = _import_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


@lru_cache(maxsize=1)
def _batch_definition():
    """One GX context per process (GX is imported once)."""
    context = quiet_context()
    asset = context.data_sources.add_pandas("tabellen").add_dataframe_asset("tabel")
    return asset.add_batch_definition_whole_dataframe("hele_tabel")


# ---------------------------------------------------------------------------------------------
# One table
# ---------------------------------------------------------------------------------------------


@dataclass
class TableValidation:
    """The outcome of one dataset: kept rows, one line per failing row × rule, per-rule summary.

    ``findings`` are the warning/info lines of kept rows (what bevindingen.csv records);
    ``findings_on_rejected`` those of rejected rows (shown only by the pre-flight check, so a
    partner can fix everything at once).
    """

    clean: pd.DataFrame
    rejections: pd.DataFrame
    findings: pd.DataFrame
    summary: dict[str, Any]
    findings_on_rejected: pd.DataFrame


def format_value(value: Any, column: str) -> str:
    """A cell as written to afgekeurd/bevindingen: ISO dates, plain numbers, never a pseudonym.

    >>> [format_value(v, "x") for v in [pd.Timestamp("2021-09-30"), 150.0, 2.5, pd.NA, "a"]]
    ['2021-09-30', '150', '2.5', '', 'a']
    >>> format_value("3f9a...", "kandidaat_id")
    ''
    """
    if column in _MASKED_COLUMNS or value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat() if value == pd.Timestamp(value).normalize() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_EMPTY_DTYPES = {
    "text": "string",
    "bsn": "string",
    "date": "datetime64[ns]",
    "money": "float64",
    "number": "float64",
    "boolean": "boolean",
}


def _prepare(dataset: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame GX sees: every standard column present (NA when absent), derived columns added."""
    out = frame.reset_index(drop=True)
    for column, spec in dataset_spec(dataset).columns.items():
        name = "kandidaat_id" if spec.type == "bsn" else column
        if name not in out.columns:
            # pandas 3: a float64 column cannot be built from pd.NA; None is NaN there, NA elsewhere
            out[name] = pd.Series(None, index=out.index, dtype=_EMPTY_DTYPES[spec.type])
        if spec.type == "bsn" and "kandidaat_bsn_elfproef" not in out.columns:
            out["kandidaat_bsn_elfproef"] = pd.Series(pd.NA, index=out.index, dtype="boolean")
    keys = out[INDEX_COLUMNS]
    if keys.duplicated().any():
        dup = keys[keys.duplicated()].iloc[0]
        raise PipelineError(
            f"{dataset}: rij {dup['bron_rij']} van {dup['bron_bestand']} komt dubbel voor",
            f"{dataset}: row {dup['bron_rij']} of {dup['bron_bestand']} occurs twice",
        )
    return add_derived_columns(dataset, out)


def _run_gx(dataset: str, frame: pd.DataFrame, params: dict[str, Any]):
    definition = _batch_definition()  # first: a suite can only be built once a context exists
    suite = build_suite(dataset, params)
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = batch.validate(
            suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS}
        )
    return result.results


def validate_table(dataset: str, frame: pd.DataFrame, params: dict[str, Any]) -> TableValidation:
    """Validate one typed table; split it into kept rows, rejection lines and finding lines.

    Args:
        dataset: one of :data:`pipeline.core.schema.DATASETS`.
        frame: the typed table as ingest wrote it (architecture.md, Stage 1); missing values
            may be ``pd.NA``, ``NaN``, ``None`` or ``NaT``.
        params: :func:`suite_parameters` of the run.

    Returns:
        Kept rows (same columns, file order), one afgekeurd line per rejected row × failed
        rule, finding lines (warning/info) and the per-rule summary for validatie.json.
    """
    original = sort_rows(frame)
    prepared = _prepare(dataset, original)
    position = {(b, int(r)): i for i, (b, r) in enumerate(zip(prepared["bron_bestand"], prepared["bron_rij"]))}
    lines, rules = [], []
    for res in _run_gx(dataset, prepared, params):
        meta = dict(res.expectation_config.meta)
        info = res.exception_info or {}
        if info.get("raised_exception"):
            raise PipelineError(
                f"{dataset}: regel {meta['regel']} kon niet worden gecontroleerd",
                f"{dataset}: rule {meta['regel']} could not be evaluated: "
                f"{str(info.get('exception_message', '')).splitlines()[0][:200]}",
            )
        rows = sorted(
            {position[(u["bron_bestand"], int(u["bron_rij"]))] for u in res.result.get("unexpected_index_list") or []}
        )
        for i in rows:
            lines.append(
                {
                    "row": i,
                    "severity": meta["severity"],
                    "kolom": meta["kolom"],
                    "waarde": format_value(
                        prepared.at[i, meta["kolom"]] if meta["kolom"] in prepared.columns else None, meta["kolom"]
                    ),
                    "regel": meta["regel"],
                    "reden_nl": meta["reden_nl"],
                    "reason_en": meta["reason_en"],
                }
            )
        rules.append(
            {
                "regel": meta["regel"],
                "kolom": meta["kolom"],
                "severity": meta["severity"],
                "reden_nl": meta["reden_nl"],
                "reason_en": meta["reason_en"],
                "expectation": res.expectation_config.type,
                "geslaagd": bool(res.success),
                "rijen": len(rows),
                "voorbeelden": [
                    {"bestand": str(prepared.at[i, "bron_bestand"]), "rij": int(prepared.at[i, "bron_rij"])}
                    for i in rows[:_EXAMPLES]
                ],
            }
        )
    return _split(dataset, original, prepared, lines, sorted(rules, key=lambda r: r["regel"]))


def _split(
    dataset: str, original: pd.DataFrame, prepared: pd.DataFrame, lines: list[dict], rules: list[dict]
) -> TableValidation:
    marks = pd.DataFrame(lines, columns=["row", "severity", "kolom", "waarde", "regel", "reden_nl", "reason_en"])
    rejected_rows = set(marks.loc[marks["severity"] == "reject", "row"])
    kept = original.drop(index=sorted(rejected_rows)).reset_index(drop=True)
    # domain: findings are about kept rows; a rejected row's warnings would only add noise
    is_note = marks["severity"] != "reject"
    notes = marks[is_note & ~marks["row"].isin(rejected_rows)]
    summary = {
        "rijen": len(original),
        "rijen_schoon": len(kept),
        "rijen_afgekeurd": len(rejected_rows),
        "rijen_met_bevinding": int(notes["row"].nunique()),
        "expectations_evaluated": len(rules),
        "expectations_failed": sum(not r["geslaagd"] for r in rules),
        "expectations_failed_reject": sum(not r["geslaagd"] and r["severity"] == "reject" for r in rules),
        "regels": rules,
    }
    return TableValidation(
        clean=kept,
        rejections=_as_lines(dataset, prepared, marks[~is_note], False),
        findings=_as_lines(dataset, prepared, notes, True),
        summary=summary,
        findings_on_rejected=_as_lines(dataset, prepared, marks[is_note & marks["row"].isin(rejected_rows)], True),
    )


def _as_lines(dataset: str, prepared: pd.DataFrame, marks: pd.DataFrame, with_severity: bool) -> pd.DataFrame:
    rows = marks["row"].astype(int).tolist()
    out = pd.DataFrame(
        {
            "partner_id": prepared["partner_id"].iloc[rows].astype("string").to_numpy(),
            "dataset": dataset,
            "bestand": prepared["bron_bestand"].iloc[rows].astype("string").to_numpy(),
            "rij": pd.array(prepared["bron_rij"].iloc[rows].to_numpy(), dtype="Int64"),
            **{c: marks[c].to_numpy() for c in ("kolom", "waarde", "regel", "reden_nl", "reason_en")},
        }
    )
    if with_severity:
        out["severity"] = marks["severity"].to_numpy()
    # domain.md: no BSN in any output, also when a partner typed one into a number or id column
    return mask_line_values(out).reindex(columns=list(FINDING_COLUMNS if with_severity else REJECTION_COLUMNS))


def sort_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Table rows in file order: by ``bron_bestand`` then ``bron_rij`` (deterministic output)."""
    return frame.sort_values(INDEX_COLUMNS, kind="mergesort").reset_index(drop=True)


def sort_lines(frame: pd.DataFrame, columns: tuple[str, ...] = FINDING_COLUMNS) -> pd.DataFrame:
    """Rejection/finding lines in a fixed order, duplicates dropped, ``rij`` as nullable int, and
    every BSN in ``waarde`` masked (the last gate before afgekeurd.csv / bevindingen.csv)."""
    out = mask_line_values(frame.reindex(columns=list(columns)))
    out["rij"] = pd.to_numeric(out["rij"], errors="coerce").astype("Int64")
    for column in out.columns.drop("rij"):
        out[column] = out[column].astype("string").fillna("")
    keys = ["partner_id", "dataset", "bestand", "rij", "regel", "kolom", "waarde"]
    return out.drop_duplicates().sort_values(keys, kind="mergesort", na_position="first").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# The period
# ---------------------------------------------------------------------------------------------


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

    exports.md: raw rows = clean rows + rejected rows, for every file. ``rijen_afgekeurd`` counts
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
    (rows read = clean + rejected, exports.md: "the run says so") and every file that could not
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
        ingest_dir: ``data/clean/<P>/_ingest`` (architecture.md, Stage 1).
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

    afgekeurd = sort_lines(
        pd.concat(
            [read_lines(ingest_dir / "afgekeurd.csv", REJECTION_COLUMNS)] + [r.rejections for r in results.values()]
        ),
        REJECTION_COLUMNS,
    )
    bestanden = update_file_counts(
        csvsafe.read_csv(ingest_dir / "bestanden.csv", dtype=str, keep_default_na=False), tables, afgekeurd
    )
    bevindingen = sort_lines(
        pd.concat(
            [read_lines(ingest_dir / "bevindingen.csv", FINDING_COLUMNS)]
            + [r.findings for r in results.values()]
            + [across]
            + [cross.files_without_rows(bestanden)]
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
