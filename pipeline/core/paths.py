"""Every path the pipeline uses, defined once (cookiecutter-data-science's config.py).

Paths resolve from the repository root, never from the working directory, so papermill,
JupyterLab and pytest all agree. ``SROI_RAW_DIR`` points the raw folder elsewhere
(``make report RAW_DIR=...`` sets it); ``SROI_CLEAN_DIR`` and ``SROI_REPORTS_DIR`` do the same for
outputs (used by ``make verify`` and the tests).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # pipeline/, not pipeline/core/
ROOT = PACKAGE_DIR.parent
CONFIG_DIR = PACKAGE_DIR / "config"
EXPECTATIONS_DIR = PACKAGE_DIR / "expectations"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
NOTEBOOKS_DIR = ROOT / "notebooks"
DEMO_RAW_DIR = ROOT / "data" / "raw"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    path = Path(value)
    return path if path.is_absolute() else (ROOT / path)


def raw_dir() -> Path:
    """The read-only folder with ``partners.csv`` and ``<PERIOD>/<partner_id>/`` deliveries."""
    return _env_path("SROI_RAW_DIR", DEMO_RAW_DIR).resolve()


def clean_root() -> Path:
    return _env_path("SROI_CLEAN_DIR", ROOT / "data" / "clean")


def reports_root() -> Path:
    return _env_path("SROI_REPORTS_DIR", ROOT / "reports")


def _build_override(period: str, name: str) -> Path | None:
    # pipeline/orchestrate/run.py builds a period in a scratch folder and publishes it with a rename; while
    # it runs, the period being built resolves there (earlier periods stay where they are).
    if os.environ.get("SROI_BUILD_PERIOD") == period and os.environ.get(name):
        return Path(os.environ[name])
    return None


def clean_dir(period: str) -> Path:
    """``data/clean/<PERIOD>``: canonical tables, rejected rows, findings."""
    return _build_override(period, "SROI_BUILD_CLEAN_DIR") or clean_root() / period


def ingest_dir(period: str) -> Path:
    """``data/clean/<PERIOD>/_ingest``: typed tables before validation."""
    return clean_dir(period) / "_ingest"


def reports_dir(period: str) -> Path:
    """``reports/<PERIOD>``: pages, data downloads, manifest, executed notebooks."""
    return _build_override(period, "SROI_BUILD_REPORTS_DIR") or reports_root() / period


def report_data_dir(period: str) -> Path:
    """``reports/<PERIOD>/data``: machine-readable tables written by the compute step."""
    return reports_dir(period) / "data"
