"""Clean data of earlier periods for the trend (issue: each period from its own deliveries).

When the trend of period P needs an earlier period Q that was never built, Q's deliveries are
ingested and validated into ``data/clean/<Q>`` (built in a scratch folder, then renamed), exactly
as Q's own run would do it. Q's reports are not built.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.paths import clean_root, raw_dir


def ensure_clean(period: str) -> Path | None:
    """Make ``data/clean/<period>`` if it is missing; None when the period has no deliveries."""
    from pipeline.ingest import run_ingest
    from pipeline.periods import parse_period
    from pipeline.validate import run_validation

    target = clean_root() / period
    if (target / "partners.parquet").exists():
        return target
    scratch = clean_root() / f".trend-{period}-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        run_ingest(period, raw_dir(), scratch / "_ingest")
        previous = clean_root() / parse_period(period).previous().code
        run_validation(period, scratch / "_ingest", scratch,
                       previous if (previous / "partners.parquet").exists() else None)
    except PipelineError:
        shutil.rmtree(scratch, ignore_errors=True)
        return None
    if (target / "partners.parquet").exists():  # another run made it meanwhile
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        shutil.rmtree(target, ignore_errors=True)
        scratch.rename(target)
    return target
