"""What a period's clean data was made from: fingerprints of the code and of the raw inputs.

A rebuild must give the same bytes as a build from scratch (issue: reproducibility). Period P's
report also reads the clean data of every earlier quarter Q (the trend, the previous-delivery
comparison), which ``data/clean/<Q>`` keeps between runs. That is only right while Q's clean data
was made from the current raw files and the current code. So every clean folder carries
``herkomst.json``:

    {"periode": "2021Q2", "code_sha256": "...", "invoer_sha256": "..."}

- ``code_sha256``: :func:`sources_fingerprint`, the files the Makefile's ``report`` target depends
  on: ``pipeline/**/*.py``, ``pipeline/config/**``, ``pipeline/expectations/**``,
  ``pipeline/templates/**``, ``notebooks/*.ipynb``, ``requirements.lock``.
- ``invoer_sha256``: :func:`inputs_fingerprint`, every raw file Q's run may read: the files at the
  top of the raw folder (``partners.csv``, ``DEMO_MANIFEST.json``) and every file under a period
  folder up to and including Q (earlier deliveries are carried forward). Paths are relative, so
  the same files in another folder give the same fingerprint.

Before a run, :func:`drop_stale_history` removes the clean folder of each earlier quarter whose
``herkomst.json`` is missing or differs, so it is rebuilt from the current inputs; after the run,
:func:`stamp_history` stamps what was built. The pseudonymisation key is deliberately *not* part of
the fingerprint (a plain hash of the key would let anyone test guesses). Instead each clean
folder holds ``sleutel.json`` with a keyed check value (:func:`pipeline.ingest.pseudonym.key_check`), and
:func:`check_history_key` refuses a run whose key differs from the one the earlier quarters were
made with: their pseudonyms would silently stop matching (use the earlier key, or ``make clean``).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pipeline.core.errors import PipelineError
from pipeline.core.paths import CONFIG_DIR, EXPECTATIONS_DIR, NOTEBOOKS_DIR, PACKAGE_DIR, ROOT, TEMPLATES_DIR
from pipeline.core.periods import is_period
from pipeline.ingest import rawfs

STAMP_FILE = "herkomst.json"
KEY_CHECK_FILE = "sleutel.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=4096)
def _cached_sha256(path: str, size: int, mtime_ns: int) -> str:
    return _sha256(Path(path))


def file_sha256(path: Path) -> str:
    """sha256 of a file, computed once per process while its size and mtime stay the same."""
    stat = path.stat()
    return _cached_sha256(str(path), stat.st_size, stat.st_mtime_ns)


def _listing_digest(root: Path, files: list[Path]) -> str:
    """One hash over (relative posix path, content hash) of ``files``, in a fixed order."""
    lines = sorted(f"{f.relative_to(root).as_posix()}\t{file_sha256(f)}" for f in files)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def source_files() -> list[Path]:
    """The code and configuration a build depends on (the Makefile lists the same)."""
    files = [p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts]
    for folder in (CONFIG_DIR, EXPECTATIONS_DIR, TEMPLATES_DIR):
        files += [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    files += list(NOTEBOOKS_DIR.glob("*.ipynb"))
    lock = ROOT / "requirements.lock"
    return sorted(set(files + ([lock] if lock.is_file() else [])))


def sources_fingerprint() -> str:
    """sha256 over the code, configuration, notebooks and lock: changes with any edit, committed
    or not (the git commit alone does not show what a dirty tree contained). A rate card given
    with ``SROI_RATE_CARD`` counts too."""
    from pipeline.indicators.ratecard import DEFAULT_RATE_CARD, rate_card_path

    digest = _listing_digest(ROOT, source_files())
    card = rate_card_path()
    if card.resolve() != DEFAULT_RATE_CARD.resolve() and card.is_file():
        digest = hashlib.sha256(f"{digest}\nrate_card\t{file_sha256(card)}".encode()).hexdigest()
    return digest


def raw_input_files(raw: Path, period: str) -> list[Path]:
    """The raw files a run of ``period`` may read: top-level files and period folders <= it.

    Only regular files, found without following links (:mod:`pipeline.ingest.rawfs`): a link to
    ``/etc/passwd`` or a named pipe in a partner folder is never opened or hashed (ingest does
    not read it either; a pipe would block the run).
    """
    return [p for p, kind in rawfs.run_entries(raw, period) if kind == "file"]


def inputs_fingerprint(raw: Path, period: str, listed: list[tuple[Path, str]] | None = None) -> str:
    """sha256 over the names (relative to ``raw``) and contents of :func:`raw_input_files`.

    An entry that is not a regular file counts by its name and kind only (it is never opened), so
    adding or removing a link still changes the fingerprint. ``listed``: the entries of a later
    period (``rawfs.run_entries``), listed once for several earlier quarters; this period's are
    taken from them.
    """
    entries = rawfs.run_entries(raw, period) if listed is None else _up_to(raw, period, listed)
    lines = sorted(
        f"{p.relative_to(raw).as_posix()}\t{_raw_sha256(p) if kind == 'file' else kind}" for p, kind in entries
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _up_to(raw: Path, period: str, listed: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """The entries of ``listed`` a run of ``period`` reads: those at the top of ``raw`` and those
    in period folders up to ``period`` (the rule of ``rawfs.run_entries``)."""
    kept = []
    for path, kind in listed:
        parts = path.relative_to(raw).parts
        if len(parts) == 1 or parts[0] <= period:
            kept.append((path, kind))
    return kept


def _raw_sha256(path: Path) -> str:
    """Like :func:`file_sha256` (cached by size and mtime), opened only as a regular file."""
    info = os.lstat(path)
    return _cached_raw_sha256(str(path), info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _cached_raw_sha256(path: str, size: int, mtime_ns: int) -> str:
    try:
        return rawfs.sha256_regular(Path(path))
    except rawfs.NotRegularFileError as exc:  # swapped after the listing: count its kind
        return exc.kind


def stamp(period: str, raw: Path, code: str, listed: list[tuple[Path, str]] | None = None) -> dict[str, str]:
    """What ``herkomst.json`` of ``period`` should say for code ``code`` (a
    :func:`sources_fingerprint`, taken once at the start of a run) and the raw files now
    (``listed``: as :func:`inputs_fingerprint`)."""
    return {"periode": period, "code_sha256": code, "invoer_sha256": inputs_fingerprint(raw, period, listed)}


def write_stamp(folder: Path, expected: dict[str, str]) -> None:
    (folder / STAMP_FILE).write_text(json.dumps(expected, sort_keys=True, indent=2) + "\n", encoding="utf-8")


def read_stamp(folder: Path) -> dict | None:
    try:
        return json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@contextmanager
def quiet_period_lock(reports_root: Path, period: str) -> Iterator[None]:
    """The same per-period lock as ``pipeline.orchestrate.run.period_lock``, without a message."""
    reports_root.mkdir(parents=True, exist_ok=True)
    with open(reports_root / f".{period}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _earlier_clean_folders(clean_root: Path, period: str) -> list[Path]:
    if not clean_root.is_dir():
        return []
    return sorted(d for d in clean_root.iterdir() if d.is_dir() and is_period(d.name) and d.name < period)


def drop_stale_history(period: str, raw: Path, clean_root: Path, reports_root: Path, code: str) -> list[str]:
    """Remove ``data/clean/<Q>`` for every Q before ``period`` whose ``herkomst.json`` is missing
    or no longer matches the code and raw files; return the quarters removed.

    Each removal holds Q's lock (the lock order is always later period first, so two runs never
    wait for each other in a circle), and the folder is renamed away before it is deleted, so a
    reader sees it either whole or not at all.
    """
    dropped = []
    listed = rawfs.run_entries(raw, period)  # once, not once per earlier quarter
    for folder in _earlier_clean_folders(clean_root, period):
        if read_stamp(folder) == stamp(folder.name, raw, code, listed):
            continue
        with quiet_period_lock(reports_root, folder.name):
            # looked at again under the lock, with the raw folder listed afresh: another run may
            # have rebuilt the quarter, or a delivery changed, since the listing above
            if not folder.is_dir() or read_stamp(folder) == stamp(folder.name, raw, code):
                continue
            gone = folder.with_name(f".stale-{folder.name}-{os.getpid()}")
            folder.rename(gone)
            shutil.rmtree(gone, ignore_errors=True)
            dropped.append(folder.name)
    return dropped


def stamp_history(period: str, raw: Path, clean_root: Path, code: str) -> None:
    """Stamp the clean folders of earlier quarters that this run built (those without a stamp:
    :func:`drop_stale_history` removed every unstamped one before the run)."""
    listed = rawfs.run_entries(raw, period)
    for folder in _earlier_clean_folders(clean_root, period):
        if read_stamp(folder) is None and (folder / "partners.parquet").is_file():
            write_stamp(folder, stamp(folder.name, raw, code, listed))


def write_key_check(folder: Path, check: str) -> None:
    """``sleutel.json``: the key check value (never the key), so a later run using this quarter
    as history can tell whether its pseudonyms were made with the same key."""
    text = json.dumps({"sleutelcontrole": check}, sort_keys=True, indent=2) + "\n"
    (folder / KEY_CHECK_FILE).write_text(text, encoding="utf-8")


def read_key_check(folder: Path) -> str | None:
    """The key check value of a clean folder (or of its ``_ingest`` folder); None when absent."""
    for path in (folder / KEY_CHECK_FILE, folder / "_ingest" / KEY_CHECK_FILE):
        try:
            value = json.loads(path.read_text(encoding="utf-8")).get("sleutelcontrole")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, str) and value:
            return value
    return None


def check_history_key(period: str, clean_root: Path, key: bytes) -> None:
    """Refuse to use earlier quarters' clean data made with another pseudonymisation key.

    docs/domain.md: pseudonyms link a candidate across quarters only under one key; after a key change
    the trend and the delivery comparison would silently mix unrelated pseudonyms. A folder
    without a check value was made by an older version, with a key that cannot be known.

    Raises:
        PipelineError: one line naming the quarter and the two ways out (never the key).
    """
    from pipeline.ingest.pseudonym import key_check

    expected = key_check(key)
    for folder in _earlier_clean_folders(clean_root, period):
        if not (folder / "partners.parquet").is_file() and not (folder / "_ingest" / "partners.parquet").is_file():
            continue
        if read_key_check(folder) != expected:
            raise PipelineError(
                f"de schone data van {folder.name} is met een andere pseudonimiseringssleutel gemaakt; gebruik de "
                "eerdere sleutel, of draai make clean en bouw alle kwartalen opnieuw met de nieuwe",
                f"the clean data of {folder.name} was made with another pseudonymisation key; use the earlier "
                "key, or run make clean and rebuild every quarter with the new one",
            )
