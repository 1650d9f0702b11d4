"""The Great Expectations suites: JSON in ``pipeline/expectations/`` -> parameters filled in -> a suite.

Two things a JSON file cannot hold are filled in per run: **parameters** (``{"$param": "name"}``
anywhere in ``kwargs``, ``{name}`` in a reason text: the rate card's block codes, the settings
thresholds and the period's ``peildatum``), and the one quiet, ephemeral GX context per process
(analytics and progress bars off) in which every table is validated (:mod:`pipeline.validate.table`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core.errors import PipelineError
from pipeline.core.paths import EXPECTATIONS_DIR
from pipeline.core.settings import Settings
from pipeline.core.settings import settings as region_settings

# ---------------------------------------------------------------------------------------------
# Suites: JSON -> parameters filled in -> gx.ExpectationSuite
# ---------------------------------------------------------------------------------------------

SEVERITIES = ("reject", "warning", "info")
_MASKED_COLUMNS = {"kandidaat_id", "kandidaat_bsn", "kandidaat_bsn_elfproef"}


def load_suite_spec(dataset: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The reviewed suite of ``dataset`` as stored (parameters still as ``{"$param": ...}``)."""
    spec = json.loads((directory / f"{dataset}.json").read_text(encoding="utf-8"))
    ids = [exp.get("meta", {}).get("regel") for exp in spec["expectations"]]
    if len(set(ids)) != len(ids):  # a rule's rows and reasons are found by its id
        twice = sorted({i for i in ids if ids.count(i) > 1}, key=str)
        raise PipelineError(
            f"suite {dataset}: regel-id komt meer dan eens voor: {twice}",
            f"suite {dataset}: rule id occurs more than once: {twice}",
        )
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
    """Block-code sets of the rate card over all its versions (docs/domain.md: bouwblokkenmethode).

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


def build_suite(
    dataset: str, params: dict[str, Any], directory: Path = EXPECTATIONS_DIR, rules: set[str] | None = None
):
    """A ``gx.ExpectationSuite`` built from the stored JSON (``type`` + ``kwargs`` + ``meta``);
    ``rules``: only the expectations with these rule ids (``meta.regel``), in the suite's order."""
    _batch_definition()  # GX needs an active context to build a suite
    gx = _import_gx()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    spec = load_suite(dataset, params, directory)
    suite = gx.ExpectationSuite(name=spec["name"], meta={"dataset": dataset})
    for exp in spec["expectations"]:
        if rules is not None and exp["meta"]["regel"] not in rules:
            continue
        config = ExpectationConfiguration(type=exp["type"], kwargs=exp["kwargs"], meta=exp["meta"])
        suite.add_expectation(config.to_domain_obj())
    return suite


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
