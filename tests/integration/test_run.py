"""The run driver: a period is published all at once, one run per period at a time, and what an
interrupted run leaves behind is cleared by the next one (README: 'A period is published all at
once: a failed or interrupted run leaves the previous publication of that period as it was')."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from pathlib import Path

import psutil

from pipeline.core.paths import ROOT
from pipeline.orchestrate import run
from tests.conftest import report_command, report_env

PERIOD = "2019Q1"  # the first demo quarter: no earlier quarter to build


class Run:
    """``pipeline.orchestrate.run report`` in the background, its terminal lines collected as they come."""

    def __init__(self, out_root: Path):
        self.proc = subprocess.Popen(
            report_command(PERIOD, ROOT / "data" / "raw"),
            cwd=ROOT,
            env=report_env(out_root),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for_line(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.seen):
            assert time.monotonic() < deadline, f"no line with {text!r}: {self.seen}"
            try:
                self.seen.append(self.lines.get(timeout=0.2))
            except queue.Empty:
                assert self.proc.poll() is None or not self.lines.empty(), f"run ended: {self.seen}"

    def kill(self) -> None:
        """SIGKILL the run and everything it started (kernels, workers): no clean-up at all."""
        try:
            parent = psutil.Process(self.proc.pid)
            family = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        for process in family:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(family, timeout=15)

    def finish(self, timeout: float = 300) -> int:
        code = self.proc.wait(timeout=timeout)
        time.sleep(0.2)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code


def wait_for_file(path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.1)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_killed_run_leaves_publication_and_second_run_waits_then_cleans_up(tmp_path):
    reports, clean = tmp_path / "reports", tmp_path / "clean"
    # a previous publication of the period (a sentinel stands in for a real one)
    for folder in (reports / PERIOD, clean / PERIOD):
        folder.mkdir(parents=True)
        (folder / "VORIGE_PUBLICATIE.txt").write_text("vorige run\n", encoding="utf-8")
    before = {"reports": tree(reports / PERIOD), "clean": tree(clean / PERIOD)}
    build = reports / f".build-{PERIOD}"

    first = Run(tmp_path)
    second = None
    try:
        # the first run is in its first stage: its executed notebook is being written
        wait_for_file(build / "reports" / "notebooks" / "01_clean.ipynb")
        # a second run for the same period waits for the first and touches nothing meanwhile
        second = Run(tmp_path)
        second.wait_for_line(f"another run for {PERIOD} is busy; waiting")
        time.sleep(1)
        assert build.is_dir() and first.proc.poll() is None

        first.kill()
        # the publication is as it was; nothing half-written is in its place or beside it
        assert {"reports": tree(reports / PERIOD), "clean": tree(clean / PERIOD)} == before
        published = sorted(p.name for p in reports.iterdir() if not p.name.startswith("."))
        assert published == [PERIOD]

        # the waiting run takes over: it clears the killed run's build folder and publishes
        assert second.finish() == 0, "".join(second.seen)
    finally:
        for job in (first, second):
            if job is not None:
                job.kill()
    assert not build.exists()
    assert not [p.name for p in [*reports.iterdir(), *clean.iterdir()] if p.name.startswith((".build", ".old"))]
    assert (reports / PERIOD / "index.html").is_file() and (reports / PERIOD / "manifest.json").is_file()
    assert not (reports / PERIOD / "VORIGE_PUBLICATIE.txt").exists()
    assert (clean / PERIOD / "partners.parquet").is_file()
    assert not (clean / PERIOD / "VORIGE_PUBLICATIE.txt").exists()


def _roots(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.setenv("SROI_CLEAN_DIR", str(tmp_path / "clean"))
    monkeypatch.setenv("SROI_REPORTS_DIR", str(tmp_path / "reports"))
    (tmp_path / "clean").mkdir()
    (tmp_path / "reports").mkdir()
    return tmp_path / "clean", tmp_path / "reports"


def test_recover_puts_back_a_publication_renamed_aside(tmp_path, monkeypatch):
    # killed between 'rename the publication aside' and 'rename the new one in'
    clean, reports = _roots(tmp_path, monkeypatch)
    (reports / f".old-{PERIOD}-4242").mkdir()
    (reports / f".old-{PERIOD}-4242" / "index.html").write_text("vorige", encoding="utf-8")
    (reports / f".build-{PERIOD}" / "reports").mkdir(parents=True)
    run._recover(PERIOD)
    assert (reports / PERIOD / "index.html").read_text(encoding="utf-8") == "vorige"
    assert sorted(p.name for p in reports.iterdir()) == [PERIOD]


def test_recover_removes_leftovers_but_not_a_live_runs_scratch(tmp_path, monkeypatch):
    clean, reports = _roots(tmp_path, monkeypatch)
    dead = psutil.Popen(["true"])
    dead.wait()
    (clean / PERIOD).mkdir()
    for name in (
        f".old-{PERIOD}-{dead.pid}",
        f".hist-2018Q4-{dead.pid}",
        f".hist-2018Q4-{os.getpid()}",
        ".old-2019Q2-1",
    ):
        (clean / name).mkdir()
    run._recover(PERIOD)
    # another period's folder renamed aside is that period's to recover, not ours
    assert sorted(p.name for p in clean.iterdir()) == [".hist-2018Q4-" + str(os.getpid()), ".old-2019Q2-1", PERIOD]
