"""Great Expectations' own Data Docs for one period, for the analyst: ``make datadocs PERIOD=2021Q3``.

The published quality report is ``reports/<P>/kwaliteit.html``; Data Docs are an extra view for
the analyst who wants to see every expectation of the suites with its observed values. They are
built into ``build/datadocs/<P>/`` (outside ``reports/``, ignored by git), so they never sit
among the published partner material and no partner page links them.

The suites are the reviewed ones of the validate step (:func:`pipeline.validate.stage.load_suite`,
with :func:`pipeline.validate.stage.suite_parameters` of the period and the same derived helper
columns), run in an ephemeral GX context whose only file-backed part is the Data Docs site.
By default the clean tables (``data/clean/<P>``) are documented: every ``reject`` rule passes
there by construction and the warnings show what was kept with a finding. ``--stage ingest``
documents the typed tables before validation (``data/clean/<P>/_ingest``), where the rejected
rows still fail their rules. Examples are named by file and Excel row; the pseudonymised
candidate columns are left out of the docs' example values.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import warnings
from pathlib import Path

import pandas as pd

from pipeline.core.errors import PipelineError
from pipeline.core.paths import ROOT, clean_dir, ingest_dir
from pipeline.core.periods import parse_period
from pipeline.core.schema import DATASETS
from pipeline.validate.suites import _MASKED_COLUMNS, _import_gx, load_suite, quiet_context, suite_parameters
from pipeline.validate.table import INDEX_COLUMNS, _prepare

SITE = "sroi_analist"
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 10,
    "unexpected_index_column_names": INDEX_COLUMNS,
}


def default_out_dir(period: str, stage: str = "clean") -> Path:
    """``build/datadocs/<P>`` (``<P>_ingest`` for the typed tables): analyst material, never
    under ``reports/``."""
    code = parse_period(period).code
    return ROOT / "build" / "datadocs" / (code if stage == "clean" else f"{code}_{stage}")


def _context(out_dir: Path):
    gx = _import_gx()
    context = quiet_context()
    context.add_data_docs_site(
        SITE,
        {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return gx, context


def _suite(gx, context, dataset: str, params: dict):
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    spec = load_suite(dataset, params)
    suite = gx.ExpectationSuite(name=dataset, meta={"dataset": dataset})
    for exp in spec["expectations"]:
        suite.add_expectation(
            ExpectationConfiguration(type=exp["type"], kwargs=exp["kwargs"], meta=exp["meta"]).to_domain_obj()
        )
    return context.suites.add(suite)


def _frame(dataset: str, path: Path) -> pd.DataFrame:
    """The table as the validate step shows it to GX; pseudonyms blanked (never example values)."""
    frame = _prepare(dataset, pd.read_parquet(path))
    for column in _MASKED_COLUMNS & set(frame.columns) - {"kandidaat_bsn_elfproef"}:
        # keep "is it filled in" (a rule may test that), drop the value itself
        frame[column] = frame[column].where(frame[column].isna(), "gepseudonimiseerd")
    return frame


def build_datadocs(period: str, out_dir: Path | None = None, stage: str = "clean") -> Path:
    """Validate the period's tables against the suites and build Data Docs; return index.html."""
    p = parse_period(period)
    source = clean_dir(p.code) if stage == "clean" else ingest_dir(p.code)
    tables = {d: source / f"{d}.parquet" for d in DATASETS if (source / f"{d}.parquet").is_file()}
    if not tables:
        raise PipelineError(
            f"geen tabellen in {source.relative_to(ROOT) if source.is_relative_to(ROOT) else source}: "
            f"draai eerst make report PERIOD={p.code}",
            f"no tables for {p.code}: run make report PERIOD={p.code} first",
        )
    out_dir = (out_dir or default_out_dir(p.code, stage)).resolve()
    for part in ("validations", "expectations"):  # a rebuild shows this run only
        shutil.rmtree(out_dir / part, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    gx, context = _context(out_dir)
    from great_expectations.core.run_identifier import RunIdentifier

    params = suite_parameters(p.peildatum)
    source_gx = context.data_sources.add_pandas(f"{stage}_{p.code}")
    for dataset, path in tables.items():
        batch = source_gx.add_dataframe_asset(dataset).add_batch_definition_whole_dataframe("hele_tabel")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{dataset}_{p.code}", data=batch, suite=_suite(gx, context, dataset, params))
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            definition.run(
                batch_parameters={"dataframe": _frame(dataset, path)},
                result_format=RESULT_FORMAT,
                run_id=RunIdentifier(run_name=f"{stage}-{p.code}"),
            )
    context.build_data_docs(site_names=[SITE])
    index = out_dir / "index.html"
    if not index.is_file():
        raise PipelineError("Data Docs zijn niet geschreven", f"Data Docs were not written to {out_dir}")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build Great Expectations Data Docs for one period (analyst only).")
    parser.add_argument("--period", required=True)
    parser.add_argument("--out", type=Path, default=None, help="default: build/datadocs/<PERIOD>")
    parser.add_argument(
        "--stage",
        choices=("clean", "ingest"),
        default="clean",
        help="clean tables (default) or the typed tables before validation",
    )
    args = parser.parse_args(argv)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    try:
        index = build_datadocs(args.period, args.out, args.stage)
    except PipelineError as err:
        print(err.one_line(), file=sys.stderr)
        return 1
    print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
