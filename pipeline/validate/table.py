"""Validate one typed table against its suite: rows rejected or flagged, reasons by Excel row.

**Derived helper columns** (listed in the suite's ``meta.afgeleide_kolommen``) are computed
before validation and dropped afterwards: ``gunningsdatum_min_1_jaar`` for "startdatum >=
gunningsdatum - 1 year", and ``is_herhaling_<id>`` for "unique within the delivery" (a repeated
id is rejected, its first occurrence kept: a copied row loses nothing).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core.errors import PipelineError
from pipeline.core.paths import EXPECTATIONS_DIR
from pipeline.core.schema import dataset_spec
from pipeline.ingest.pseudonym import mask_line_values
from pipeline.ingest.typecast import AFGEKEURD_COLUMNS
from pipeline.validate.suites import _batch_definition, build_suite, format_value

# the columns of afgekeurd.csv (and, with severity, bevindingen.csv): pipeline.ingest.typecast's
REJECTION_COLUMNS = tuple(AFGEKEURD_COLUMNS)
FINDING_COLUMNS = REJECTION_COLUMNS + ("severity",)
INDEX_COLUMNS = ["bron_bestand", "bron_rij"]
# Columns that hold a pseudonym or the eleven-test of a BSN: their value is never written out.
_EXAMPLES = 5


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
    # docs/exports.md: the id is unique within a delivery; a repeat (a copied row) is rejected, the
    # first occurrence is kept
    repeated = out.duplicated(["partner_id", *key], keep="first") & out[key].notna().all(axis=1)
    out["is_herhaling_" + "_".join(key)] = repeated
    if dataset == "opdrachten":
        # docs/exports.md: startdatum >= gunningsdatum - 1 year (calendar year, as relativedelta does)
        out["gunningsdatum_min_1_jaar"] = out["gunningsdatum"] - pd.DateOffset(years=1)
    return out


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


def _run_gx(dataset: str, frame: pd.DataFrame, params: dict[str, Any], directory: Path = EXPECTATIONS_DIR):
    """The suite's results in its order, every failing rule with its rows.

    Two passes: every rule on pass/fail only (``BOOLEAN_ONLY``), then the rules that failed, or
    that may pass with some rows off (``mostly``), with the rows that break them (``COMPLETE``).
    The rows of a rule that passes outright are none; listing them costs GX more than the check
    itself (2.7 s against 1.1 s for the demo quarter's 70 rules).
    """
    definition = _batch_definition()  # first: a suite can only be built once a context exists
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = batch.validate(build_suite(dataset, params, directory), result_format="BOOLEAN_ONLY").results
        again = {
            r.expectation_config.meta["regel"]
            for r in results
            if not r.success or r.expectation_config.kwargs.get("mostly") is not None
        }
        if again:
            detailed = batch.validate(
                build_suite(dataset, params, directory, rules=again),
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS},
            ).results
            by_rule = {r.expectation_config.meta["regel"]: r for r in detailed}
            results = [
                by_rule[r.expectation_config.meta["regel"]] if r.expectation_config.meta["regel"] in again else r
                for r in results
            ]
    return results


def validate_table(dataset: str, frame: pd.DataFrame, params: dict[str, Any]) -> TableValidation:
    """Validate one typed table; split it into kept rows, rejection lines and finding lines.

    Args:
        dataset: one of :data:`pipeline.core.schema.DATASETS`.
        frame: the typed table as ingest wrote it (docs/architecture.md, Stage 1); missing values
            may be ``pd.NA``, ``NaN``, ``None`` or ``NaT``.
        params: :func:`suite_parameters` of the run.

    Returns:
        Kept rows (same columns, file order), one afgekeurd line per rejected row × failed
        rule, finding lines (warning/info) and the per-rule summary for validatie.json.
    """
    original = sort_rows(frame)
    prepared = _prepare(dataset, original)
    # (file, Excel row) -> position, from the columns as Python lists (iterating the Arrow column
    # itself costs a call per row)
    files = prepared["bron_bestand"].to_numpy(dtype=object, na_value=None).tolist()
    excel_rows = prepared["bron_rij"].astype("int64").to_numpy().tolist()
    position = {key: i for i, key in enumerate(zip(files, excel_rows))}
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
            "kolom_bestand": "",  # the file's own header: filled in by the stage (kolommen.csv)
        }
    )
    if with_severity:
        out["severity"] = marks["severity"].to_numpy()
    # docs/domain.md: no BSN in any output, also when a partner typed one into a number or id column
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
