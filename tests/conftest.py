"""Shared fixtures: one real end-to-end build of a demo period, reused by the tests that read it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.paths import ROOT
from pipeline.orchestrate.provenance import sources_fingerprint

E2E_PERIOD = "2021Q3"
TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "fixtures"  # one small hand-written file per export quirk
CORPUS_DIR = TESTS_DIR / "corpus"  # hostile and broken deliveries


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration/ builds a period, runs notebooks in kernels or starts a
    browser: marked ``slow``, so ``make test-fast`` (``-m "not slow"``) leaves it out."""
    integration = TESTS_DIR / "integration"
    for item in items:
        if integration in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.slow)


#: A test pseudonymisation key of the minimum length the pipeline accepts (32 bytes; a real key is
#: random bytes, pipeline.ingest.pseudonym.MIN_KEY_BYTES). Shared so no test needs a short key of its own.
TEST_KEY = "test-sleutel-0123456789abcdefghij"
assert len(TEST_KEY.encode()) == 33


def report_env(out_root: Path, extra_env: dict | None = None) -> dict[str, str]:
    """The environment make gives a run, with its outputs under ``out_root`` (no key: demo data)."""
    env = dict(os.environ)
    env.update(
        {
            "SROI_CLEAN_DIR": str(out_root / "clean"),
            "SROI_REPORTS_DIR": str(out_root / "reports"),
            "GX_ANALYTICS_ENABLED": "false",
            "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
            "MPLBACKEND": "Agg",
        }
    )
    env.pop("SROI_PSEUDONYM_KEY", None)
    env.pop("SROI_PSEUDONYM_KEY_FILE", None)
    env.update(extra_env or {})
    return env


def report_command(period: str, raw_dir: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline.orchestrate.run", "report", "--period", period, "--raw-dir", str(raw_dir)]


def run_report(
    period: str, raw_dir: Path, out_root: Path, extra_env: dict | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """Run ``python -m pipeline.orchestrate.run report`` as make does, writing under ``out_root``."""
    return subprocess.run(
        report_command(period, raw_dir), cwd=cwd, env=report_env(out_root, extra_env), capture_output=True, text=True
    )


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Path:
    """The demo period built once from the committed demo data; returns the output root."""
    out = tmp_path_factory.mktemp("demo_build")
    proc = run_report(E2E_PERIOD, ROOT / "data" / "raw", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (out / "terminal.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    return out


SMALL_PERIOD = "2019Q2"  # the second demo quarter: small, and it has one earlier quarter


@pytest.fixture(scope="session")
def small_builds(tmp_path_factory) -> tuple[Path, Path]:
    """:data:`SMALL_PERIOD` built twice; returns the two output roots.

    A: from scratch, ``TZ=UTC``, ``LC_ALL=C.UTF-8``, hash seed 0, the repository's raw folder,
    the pages rendered by one process.
    B: as a rerun finds it (the earlier quarter's clean data already there, copied from A), in
    another time zone and locale, with a random hash seed, a wide terminal, another working
    directory, a copy of the raw folder at another path, and the pages dealt over three
    processes.
    """
    code = sources_fingerprint()
    a, b = tmp_path_factory.mktemp("build_a"), tmp_path_factory.mktemp("build_b")
    raw_copy = tmp_path_factory.mktemp("raw_elsewhere") / "aanleveringen"
    shutil.copytree(ROOT / "data" / "raw", raw_copy)
    proc = run_report(
        SMALL_PERIOD,
        ROOT / "data" / "raw",
        a,
        {"TZ": "UTC", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0", "SROI_PAGE_WORKERS": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (b / "clean").mkdir()
    for history in (a / "clean").iterdir():
        if history.name < SMALL_PERIOD and not history.name.startswith("."):
            shutil.copytree(history, b / "clean" / history.name)
    env = {"TZ": "America/New_York", "LC_ALL": "", "LANG": "en_US.UTF-8", "COLUMNS": "200", "SROI_PAGE_WORKERS": "3"}
    proc = subprocess.run(
        report_command(SMALL_PERIOD, raw_copy),
        cwd=tmp_path_factory.getbasetemp(),
        env={k: v for k, v in report_env(b, env).items() if k != "PYTHONHASHSEED"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (b / "terminal.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    skip_if_code_changed(code)
    return a, b


def skip_if_code_changed(fingerprint: str) -> None:
    """Two builds can only be compared when they ran the same code: in a work tree where someone
    edits the pipeline meanwhile, say so and skip rather than report a false difference."""
    if sources_fingerprint() != fingerprint:
        pytest.skip("de code is tijdens de test gewijzigd | the code changed while the builds ran")
