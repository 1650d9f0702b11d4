"""Every path the pipeline uses, defined once (cookiecutter-data-science's config.py).

Paths resolve from the repository root, never from the working directory, so papermill,
JupyterLab and pytest all agree. ``SROI_RAW_DIR`` points the raw folder elsewhere
(``make report RAW_DIR=...`` sets it); ``SROI_CLEAN_DIR`` and ``SROI_REPORTS_DIR`` do the same for
outputs (used by ``make verify`` and the tests), ``SROI_LAB_DIR`` the analyst's scratch folder.
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
_SEEDED: dict[str, bool] = {}


def build_folders(period: str) -> tuple[Path, Path]:
    """Where a run builds ``(clean, reports)`` of ``period``: inside the root it publishes to
    (``<root>/.build-<P>/``), so publishing is a rename on one device even when the reports
    live on a mounted share and the clean data on a local disk."""
    return clean_root() / f".build-{period}" / "clean", reports_root() / f".build-{period}" / "reports"


def lab_root() -> Path:
    """``build/lab``: where notebooks run by hand write (never published)."""
    return _env_path("SROI_LAB_DIR", ROOT / "build" / "lab")


def lab_folders(period: str) -> tuple[Path, Path]:
    """The analyst's scratch ``(clean, reports)`` of ``period`` (``build/`` is never published)."""
    return lab_root() / period / "clean", lab_root() / period / "reports"


def seed_lab(period: str) -> bool:
    """Give the scratch folder of ``period`` a copy of the published clean data, when it has none
    yet, so a later stage opened by hand (02, 03) starts from what was published without running
    the stages before it. A copy, never a link: the scratch folder may be changed at will.

    Returns whether the published data was copied.
    """
    import shutil

    clean, _ = lab_folders(period)
    published = clean_root() / period
    if (clean.is_dir() and any(clean.iterdir())) or not published.is_dir():
        return False
    clean.parent.mkdir(parents=True, exist_ok=True)
    tmp = clean.with_name(clean.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(published, tmp, symlinks=False)
    if clean.exists():
        clean.rmdir()
    tmp.rename(clean)
    return True


def hand_over(period: str, mappen: str, writes: bool = False, reads_clean: bool = False) -> tuple[Path, Path]:
    """Take a notebook's ``mappen`` parameter: from now on this process reads and writes
    ``period``'s clean data and reports in those folders; returns ``(clean, reports)``.

    A notebook that ``writes`` (a stage) may not be pointed at the publication: only a run
    publishes, by a rename, once every stage and page succeeded. A stage that ``reads_clean``
    (02, 03) and runs in ``lab`` starts from a copy of the published clean data when its scratch
    folder is still empty (:func:`seed_lab`).

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
    _SEEDED[period] = mappen == "lab" and reads_clean and seed_lab(period)
    return folders


def where(period: str, mappen: str) -> str:
    """The first thing a notebook says: where it reads and writes (Dutch, for the analyst).

    >>> where("2021Q3", "run")
    'schrijft naar de bouwmap van deze run; alleen make report publiceert'
    """
    if mappen == "lab":
        try:
            shown = lab_root().relative_to(ROOT).as_posix()
        except ValueError:
            shown = str(lab_root())
        text = f"schrijft naar {shown}/{period}/, nooit naar de publicatie; alleen make report publiceert"
        if _SEEDED.get(period):
            text += f" (beginpunt: een kopie van de gepubliceerde schone data van {period})"
        return text
    if mappen == "run":
        return "schrijft naar de bouwmap van deze run; alleen make report publiceert"
    return "leest de publicatie en schrijft niets"


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
