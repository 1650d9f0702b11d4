"""`make report` is a file target: it runs again only when something the period depends on changed.

The pipeline itself is replaced by `true` (PY=true), so these tests check make's decisions only:
whether the run would start ('pipeline.orchestrate.run report' in the output of `make -n`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from pipeline.core.paths import ROOT

PERIOD = "2019Q2"
LATER = time.time() + 86_400  # the fake publication is dated tomorrow: newer than any real file


def _raw(root: Path) -> Path:
    for name in (
        "partners.csv",
        "2019Q1/bouwbedrijf-noord/inzet_2019Q1.csv",
        "2019Q2/bouwbedrijf-noord/inzet 2019Q2.csv",  # a space, as partners name files
        "2019Q3/bouwbedrijf-noord/inzet_2019Q3.csv",
    ):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n", encoding="utf-8")
    return root


def make(reports: Path, raw: Path, *args: str) -> subprocess.CompletedProcess:
    # -o .venv/.installed: never (re)build the environment from here
    env = {**os.environ, "SROI_REPORTS_DIR": str(reports)}
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-o",
            ".venv/.installed",
            *args,
            "report",
            f"PERIOD={PERIOD}",
            f"RAW_DIR={raw}",
            "PY=true",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def would_run(reports: Path, raw: Path, *args: str) -> bool:
    proc = make(reports, raw, "-n", *args)
    assert proc.returncode == 0, proc.stderr
    return "pipeline.orchestrate.run report" in proc.stdout


@pytest.fixture()
def published(tmp_path) -> tuple[Path, Path]:
    """A raw folder and a publication made from it (by a run of make, pipeline stubbed)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    raw, reports = _raw(tmp_path / "raw"), tmp_path / "reports"
    proc = make(reports, raw)
    assert proc.returncode == 0 and "inputs of 2019Q2: new or changed" in proc.stdout, proc.stdout + proc.stderr
    manifest = reports / PERIOD / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{}\n", encoding="utf-8")
    os.utime(manifest, (LATER, LATER))
    return raw, reports


def test_unchanged_rerun_does_nothing_quickly_and_writes_nothing(published):
    raw, reports = published
    stamp = reports / f".{PERIOD}.inputs"
    before = {p: p.stat().st_mtime_ns for p in reports.rglob("*")}
    started = time.monotonic()
    proc = make(reports, raw)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0 and "is up to date" in proc.stdout and "pipeline" not in proc.stdout
    assert elapsed < 1.0
    assert {p: p.stat().st_mtime_ns for p in reports.rglob("*")} == before
    assert stamp.read_text(encoding="utf-8").startswith(f"RAW_DIR={raw}")


@pytest.mark.parametrize(
    "name, runs",
    [
        pytest.param("2019Q1/bouwbedrijf-noord/inzet_2019Q1.csv", True, id="earlier_quarter"),
        pytest.param("2019Q2/bouwbedrijf-noord/inzet 2019Q2.csv", True, id="the_quarter_itself"),
        pytest.param("partners.csv", True, id="partner_register"),
        pytest.param("2019Q3/bouwbedrijf-noord/inzet_2019Q3.csv", False, id="later_quarter"),
    ],
)
def test_a_changed_export_runs_again(published, name, runs):
    raw, reports = published
    os.utime(raw / name, (LATER + 60, LATER + 60))
    assert would_run(reports, raw) is runs


def test_an_added_or_removed_export_runs_again_whatever_its_date(published):
    raw, reports = published
    added = raw / "2019Q2" / "werkplein-groningen" / "trajecten_2019Q2.csv"
    added.parent.mkdir()
    added.write_text("x\n", encoding="utf-8")
    os.utime(added, (0, 0))  # copied with its old date kept
    assert would_run(reports, raw)
    added.unlink()
    added.parent.rmdir()
    assert not would_run(reports, raw)
    (raw / "2019Q1" / "bouwbedrijf-noord" / "inzet_2019Q1.csv").unlink()
    assert would_run(reports, raw)


def test_another_raw_folder_runs_again(published, tmp_path):
    raw, reports = published
    other = tmp_path / "elders"
    shutil.copytree(raw, other)
    for path in other.rglob("*"):
        os.utime(path, (0, 0))
    assert would_run(reports, other)


@pytest.mark.parametrize(
    "name, runs",
    [
        ("pipeline/orchestrate/run.py", True),
        ("pipeline/report/pages/regio.py", True),
        ("pipeline/config/settings.yaml", True),
        ("pipeline/expectations/inzet.json", True),
        ("pipeline/templates/sroi/index.html.j2", True),
        ("notebooks/11_regio.ipynb", True),
        ("requirements.lock", True),
        ("README.md", False),
    ],
)
def test_code_config_notebooks_and_lock_are_dependencies(published, name, runs):
    raw, reports = published
    assert (ROOT / name).is_file()
    # -W: as if the file had just been changed (nothing in the work tree is touched)
    assert would_run(reports, raw, "-W", name) is runs
