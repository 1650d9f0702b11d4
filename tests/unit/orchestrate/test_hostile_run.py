"""Publishing survives other filesystems and full disks (issue: security and reliability, round 2).

The stages are replaced by a stub that writes one file into each build folder, so these tests
check only how a run publishes and fails: fast, no kernel.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from pipeline.core.periods import parse_period
from pipeline.orchestrate import publish, run
from tests.conftest import TEST_KEY

PERIOD = "2019Q2"


@pytest.fixture()
def roots(tmp_path, monkeypatch) -> tuple[Path, Path, Path]:
    """``(clean root, reports root, raw)`` with a previous publication of PERIOD in both roots."""
    clean, reports, raw = tmp_path / "lokaal" / "clean", tmp_path / "share" / "reports", tmp_path / "raw"
    monkeypatch.setenv("SROI_CLEAN_DIR", str(clean))
    monkeypatch.setenv("SROI_REPORTS_DIR", str(reports))
    monkeypatch.setenv("SROI_PSEUDONYM_KEY", TEST_KEY)
    for folder in (clean / PERIOD, reports / PERIOD):
        folder.mkdir(parents=True)
        (folder / "vorige.txt").write_text("vorige publicatie\n", encoding="utf-8")
    raw.mkdir()
    (raw / "partners.csv").write_text("partner_id,naam,rol,kvk\n", encoding="utf-8")
    for name in ("SROI_BUILD_PERIOD", "SROI_BUILD_CLEAN_DIR", "SROI_BUILD_REPORTS_DIR", "SROI_RAW_DIR"):
        monkeypatch.delenv(name, raising=False)

    def build_all(period, raw_dir, clean_build, reports_build, say, version=None, ahead=None):
        (clean_build / "nieuw.txt").write_text("nieuw\n", encoding="utf-8")
        (reports_build / "nieuw.txt").write_text("nieuw\n", encoding="utf-8")
        (reports_build / "manifest.json").write_text("{}\n", encoding="utf-8")
        return {}

    monkeypatch.setattr(publish, "build_all", build_all)
    return clean, reports, raw


def _two_devices(monkeypatch, tmp_path: Path, fail_for: str | None = None) -> None:
    """``Path.rename`` as on a machine where ``lokaal/`` and ``share/`` are two filesystems: a
    rename between them fails with EXDEV (``fail_for``: publishing a build into that filesystem
    fails too, as when the share drops away mid-publication)."""
    real = Path.rename

    def device(path: Path) -> str:
        return Path(path).resolve().relative_to(tmp_path).parts[0]

    def rename(self, target):
        publishing = f".build-{PERIOD}" in str(self) and Path(target).name == PERIOD
        if device(self) != device(target) or (publishing and device(target) == fail_for):
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(self))
        return real(self, target)

    monkeypatch.setattr(Path, "rename", rename)


def _contents(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_reports_on_another_filesystem_than_the_clean_data_publishes(roots, monkeypatch, tmp_path):
    clean, reports, raw = roots
    _two_devices(monkeypatch, tmp_path)
    run.build_period(parse_period(PERIOD), raw)
    assert _contents(clean / PERIOD) == {"nieuw.txt", "herkomst.json"}
    assert _contents(reports / PERIOD) == {"nieuw.txt", "manifest.json"}
    assert not [
        p
        for root in (clean, reports)
        for p in root.iterdir()
        if p.name.startswith(".") and not p.name.endswith(".lock")
    ]


@pytest.mark.parametrize("failing", ["lokaal", "share"])
def test_a_failed_publication_keeps_the_previous_one_whole(roots, monkeypatch, tmp_path, failing):
    clean, reports, raw = roots
    _two_devices(monkeypatch, tmp_path, fail_for=failing)
    with pytest.raises(OSError):
        run.build_period(parse_period(PERIOD), raw)
    # both halves of the previous publication are in place, nothing half-new beside them
    assert _contents(clean / PERIOD) == {"vorige.txt"}
    assert _contents(reports / PERIOD) == {"vorige.txt"}
    leftovers = [p.name for root in (clean, reports) for p in root.iterdir() if p.name.startswith((".old", ".build"))]
    assert leftovers == []


def test_a_full_disk_says_so_in_dutch_and_english_and_leaves_no_build(roots, monkeypatch, capsys):
    clean, reports, raw = roots

    def full(period, raw_dir, clean_build, reports_build, say, version=None, ahead=None):
        (reports_build / "half.html").write_text("x" * 1000, encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish, "build_all", full)
    monkeypatch.setattr("pipeline.ingest.stage.preflight", lambda period, raw_dir: None)
    monkeypatch.setattr(run, "LOG_DIR", raw.parent / "logs")
    code = run.main(["report", "--period", PERIOD, "--raw-dir", str(raw)])
    err = capsys.readouterr().err
    assert code == 1
    assert (
        "FOUT: niets gepubliceerd: schijf vol; maak ruimte vrij" in err and "ERROR: nothing published: disk full" in err
    )
    assert "OSError" not in err and "Traceback" not in err
    assert not [p for root in (clean, reports) for p in root.iterdir() if p.name.startswith(".build")]
    assert _contents(reports / PERIOD) == {"vorige.txt"}


def test_a_notebook_that_hit_a_full_disk_says_disk_full():
    from pipeline.core.errors import os_error_line
    from pipeline.orchestrate.notebooks import NotebookFailed

    exc = NotebookFailed("02_validate", 4, "OSError", "[Errno 28] No space left on device: '/x'")
    assert exc.os_errno == errno.ENOSPC
    assert "schijf vol" in os_error_line(OSError(exc.os_errno, exc.evalue), "a", "b")
    assert NotebookFailed("01_clean", 1, "ValueError", "bad").os_errno is None
