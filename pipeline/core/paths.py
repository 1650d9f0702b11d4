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


#: The ``mappen`` parameter of a notebook: which folders it reads and writes for its period.
#: ``run``: the run's build folders (make report); ``lab``: a scratch folder ``build/lab/<P>/`` for
#: the analyst in JupyterLab, so a notebook run by hand never changes a publication;
#: ``gepubliceerd``: the published folders, for the page notebooks (they only read).
FOLDER_CHOICES = ("run", "lab", "gepubliceerd")
_HANDED_OVER: dict[str, tuple[Path, Path]] = {}


def build_folders(period: str) -> tuple[Path, Path]:
    """Where a run builds ``(clean, reports)`` of ``period``: inside the root it publishes to
    (``<root>/.build-<P>/``), so publishing is a rename on one device even when the reports
    live on a mounted share and the clean data on a local disk."""
    return clean_root() / f".build-{period}" / "clean", reports_root() / f".build-{period}" / "reports"


def lab_folders(period: str) -> tuple[Path, Path]:
    """The analyst's scratch ``(clean, reports)`` of ``period`` (``build/`` is never published)."""
    return ROOT / "build" / "lab" / period / "clean", ROOT / "build" / "lab" / period / "reports"


def hand_over(period: str, mappen: str, writes: bool = False) -> tuple[Path, Path]:
    """Take a notebook's ``mappen`` parameter: from now on this process reads and writes
    ``period``'s clean data and reports in those folders; returns ``(clean, reports)``.

    A notebook that ``writes`` (a stage) may not be pointed at the publication: only a run
    publishes, by a rename, once every stage and page succeeded.

    >>> hand_over("2021Q3", "lab")[0].relative_to(ROOT).as_posix()
    'build/lab/2021Q3/clean'
    """
    from pipeline.core.errors import PipelineError

    if mappen not in FOLDER_CHOICES or (writes and mappen == "gepubliceerd"):
        allowed = [c for c in FOLDER_CHOICES if not (writes and c == "gepubliceerd")]
        raise PipelineError(
            f"parameter mappen={mappen!r}: kies uit {', '.join(allowed)}",
            f"parameter mappen={mappen!r}: choose one of {', '.join(allowed)}",
        )
    folders = {"run": build_folders, "lab": lab_folders}.get(mappen, lambda q: (clean_root() / q, reports_root() / q))(
        period
    )
    _HANDED_OVER[period] = folders
    return folders


def clean_dir(period: str) -> Path:
    """``data/clean/<PERIOD>``: canonical tables, rejected rows, findings."""
    return _HANDED_OVER[period][0] if period in _HANDED_OVER else clean_root() / period


def ingest_dir(period: str) -> Path:
    """``data/clean/<PERIOD>/_ingest``: typed tables before validation."""
    return clean_dir(period) / "_ingest"


def reports_dir(period: str) -> Path:
    """``reports/<PERIOD>``: pages, data downloads, manifest, executed notebooks."""
    return _HANDED_OVER[period][1] if period in _HANDED_OVER else reports_root() / period


def report_data_dir(period: str) -> Path:
    """``reports/<PERIOD>/data``: machine-readable tables written by the compute step."""
    return reports_dir(period) / "data"


def check_apart(raw_dir: Path, outputs: list[tuple[str, Path]] | None = None) -> None:
    """The output folders and the raw folder must not contain one another: a build inside the raw
    folder writes there, and raw data inside an output folder is deleted by the next publication
    or ``make clean`` (docs/exports.md: the raw folder is never written, moved or deleted).

    Raises:
        PipelineError: naming the output folder (default: ``data/clean`` and ``reports``).
    """
    from pipeline.core.errors import PipelineError

    raw = Path(raw_dir).resolve()
    for name, out in outputs or [("data/clean", clean_root()), ("reports", reports_root())]:
        out = Path(out).resolve()
        if out == raw or raw in out.parents:
            raise PipelineError(
                f"uitvoermap {name} ligt in de ruwe map ({out.name}); kies een map erbuiten",
                f"output folder {name} lies inside the raw folder ({out.name}); choose one outside",
            )
        if out in raw.parents:
            raise PipelineError(
                f"de ruwe map ligt in uitvoermap {name}, die bij elke run en make clean wordt "
                "vervangen; zet de aanleveringen erbuiten",
                f"the raw folder lies inside output folder {name}, which every run and make clean "
                "replaces; keep the deliveries outside it",
            )
