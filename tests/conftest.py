"""Shared fixtures: one real end-to-end build of a demo period, reused by the tests that read it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.paths import ROOT

E2E_PERIOD = "2021Q3"


def run_report(period: str, raw_dir: Path, out_root: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m pipeline.run report`` as make does, writing under ``out_root``."""
    env = dict(os.environ)
    env.update({
        "SROI_CLEAN_DIR": str(out_root / "clean"),
        "SROI_REPORTS_DIR": str(out_root / "reports"),
        "GX_ANALYTICS_ENABLED": "false",
        "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
        "MPLBACKEND": "Agg",
    })
    env.pop("SROI_PSEUDONYM_KEY", None)
    env.pop("SROI_PSEUDONYM_KEY_FILE", None)
    env.update(extra_env or {})
    return subprocess.run([sys.executable, "-m", "pipeline.run", "report", "--period", period,
                           "--raw-dir", str(raw_dir)], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Path:
    """The demo period built once from the committed demo data; returns the output root."""
    out = tmp_path_factory.mktemp("demo_build")
    proc = run_report(E2E_PERIOD, ROOT / "data" / "raw", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (out / "terminal.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    return out
