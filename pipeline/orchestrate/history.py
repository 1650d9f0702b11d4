"""Clean data of earlier periods: for the trend and for the previous-delivery comparison.

The trend of period P shows every earlier quarter, each computed from that quarter's own
deliveries; the validation of P compares each delivery with the partner's previous one. Both
need the earlier quarters ingested (and, for the trend, validated) exactly as their own runs
would do it. :func:`ensure_history` builds what is missing, using both cores: the ingest of
every missing quarter, the largest first, and each quarter's validation as soon as its own
ingest and the previous quarter's are done (a validation needs only those two). Each quarter is
built in a scratch folder and renamed into ``data/clean/<Q>``; reports of earlier quarters are
not built.
"""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path

from pipeline.core.paths import clean_root, raw_dir
from pipeline.core.periods import Period, parse_period, periods_between

_PERIOD_DIR = re.compile(r"\d{4}Q[1-4]")


def _is_built(period: str) -> bool:
    return (clean_root() / period / "partners.parquet").exists()


def check_key(period: str) -> None:
    """Refuse when an earlier quarter's clean data was made with another key than this run's
    (:func:`pipeline.orchestrate.provenance.check_history_key`)."""
    from pipeline.ingest.pseudonym import load_key
    from pipeline.orchestrate.provenance import check_history_key

    check_history_key(period, clean_root(), load_key(raw_dir()))


def previous_ingest_dir(period: str) -> Path | None:
    """The ingest folder of the quarter before ``period`` (None when there is none).

    Raises:
        PipelineError: that quarter was pseudonymised with another key.
    """
    path = clean_root() / parse_period(period).previous().code / "_ingest"
    if (path / "partners.parquet").exists():
        check_key(period)
    return path if (path / "partners.parquet").exists() else None


def raw_periods(before: Period) -> list[str]:
    """Quarters before ``before`` from the first quarter with a delivery folder in the raw data."""
    found = sorted(p.name for p in raw_dir().iterdir() if p.is_dir() and _PERIOD_DIR.fullmatch(p.name))
    if not found:
        return []
    return [q.code for q in periods_between(parse_period(found[0]), before.previous())]


def _scratch(period: str) -> Path:
    return clean_root() / f".hist-{period}-{os.getpid()}"


def _ingest_one(job: tuple[str, str, str]) -> str | None:
    """Worker: ingest one quarter into its scratch folder; None when it has no deliveries."""
    from pipeline.core.errors import PipelineError
    from pipeline.ingest.stage import run_ingest

    period, raw, scratch = job
    try:
        run_ingest(period, Path(raw), Path(scratch) / "_ingest", workers=1)  # two quarters at a time already
    except PipelineError:
        shutil.rmtree(scratch, ignore_errors=True)
        return None
    return period


def _validate_one(job: tuple[str, str, str | None]) -> str:
    """Worker: validate one ingested quarter in its scratch folder."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from pipeline.validate.stage import run_validation

    period, scratch, previous = job
    run_validation(period, Path(scratch) / "_ingest", Path(scratch), Path(previous) if previous else None)
    return period


def _raw_size(folder: Path) -> int:
    """Bytes of the files under a raw quarter folder (links not followed; 0 when it is absent)."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def _schedule(pool, pending: set, reading: dict, order: list[str], size: dict, read: dict, validating: set) -> None:
    """Wait for the quarters being read; submit each one's validation once it and the quarter
    before it (when that one is being built too) are read; until nothing is left."""
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            result = future.result()  # an error in a worker stops the run here
            if future in reading:
                read[reading[future]] = result is not None
        for q in order:
            prev = parse_period(q).previous().code
            if q in validating or not read.get(q) or (prev in size and prev not in read):
                continue
            prev_dir = _scratch(prev) if read.get(prev) else clean_root() / prev
            previous = str(prev_dir / "_ingest") if (prev_dir / "_ingest").is_dir() else None
            pending.add(pool.submit(_validate_one, (q, str(_scratch(q)), previous)))
            validating.add(q)


def ensure_history(period: str, workers: int = 2) -> list[str]:
    """Build ``data/clean/<Q>`` for every quarter Q before ``period`` that misses it; return them.

    Raises:
        PipelineError: a quarter already built was pseudonymised with another key than this run's.
    """
    check_key(period)
    missing = [q for q in raw_periods(parse_period(period)) if not _is_built(q)]
    if not missing:
        return []
    raw = str(raw_dir())
    # the largest quarter first (the last one started is then a small one: no core waits long for
    # the other), and each quarter's validation as soon as it and the quarter before it are read
    size = {q: _raw_size(raw_dir() / q) for q in missing}
    order = sorted(missing, key=lambda q: (-size[q], q))
    read: dict[str, bool] = {}  # quarter -> whether it had deliveries
    validating: set[str] = set()
    ctx = get_context("spawn")  # never fork a notebook kernel
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        reading = {pool.submit(_ingest_one, (q, raw, str(_scratch(q)))): q for q in order}
        pending = set(reading)
        try:
            _schedule(pool, pending, reading, order, size, read, validating)
        except BaseException:
            pool.shutdown(cancel_futures=True)  # what has not started yet is not started
            raise
    ingested = [q for q in missing if read.get(q)]
    for q in ingested:
        if _is_built(q):  # another run made it meanwhile
            shutil.rmtree(_scratch(q), ignore_errors=True)
        else:
            shutil.rmtree(clean_root() / q, ignore_errors=True)
            _scratch(q).rename(clean_root() / q)
    return ingested


def ensure_clean(period: str) -> Path | None:
    """Hook for the trend: ``data/clean/<period>`` (built with its history if missing)."""
    if not _is_built(period):
        ensure_history(parse_period(period).next().code, workers=1)
    return clean_root() / period if _is_built(period) else None
