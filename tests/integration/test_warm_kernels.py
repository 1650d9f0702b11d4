"""Kernels started ahead of their work (pipeline/orchestrate/notebooks.py): a stage's kernel
imports while the stage before it runs, the page workers start while the stages run. A warm-up
binds no name and a failed one costs nothing but time; a failing page stops every worker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.orchestrate import notebooks


def _run(km, code: str) -> str:
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        out: list[str] = []

        def hook(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])

        kc.execute_interactive(code, timeout=60, output_hook=hook)
        return "".join(out)
    finally:
        kc.stop_channels()


def test_a_warm_kernel_has_imported_its_modules_and_bound_no_name():
    warm = notebooks.WarmKernel(["json", "pipeline.core.periods"])
    km = warm.take()
    try:
        assert km is not None and km.has_kernel
        shown = _run(
            km,
            "import sys; print(sorted(m for m in ('json', 'pipeline.core.periods') if m in sys.modules), 'json' in dir(), 'pipeline' in dir())",
        )
        # both modules loaded, and the notebook's namespace is as a fresh kernel's
        assert shown.strip() == "['json', 'pipeline.core.periods'] False False"
    finally:
        warm.close()
    assert not km.has_kernel


def test_a_pipeline_kernel_keeps_no_input_history():
    # a kernel of its own would commit every cell to IPython's SQLite history file
    warm = notebooks.WarmKernel(["json"])
    km = warm.take()
    try:
        shown = _run(km, "print(get_ipython().history_manager.enabled)")
        assert shown.strip() == "False"
    finally:
        warm.close()


def test_a_failed_warm_up_leaves_no_kernel_and_the_stage_starts_its_own():
    warm = notebooks.WarmKernel(["bestaat_niet_module"])
    assert warm.take() is None
    assert not warm._folder.exists()  # the socket folder is gone with the kernel


def test_a_failing_page_stops_every_worker(tmp_path, monkeypatch):
    # a page of a period that was never published: its first cell fails in the kernel
    monkeypatch.setenv("SROI_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("SROI_CLEAN_DIR", str(tmp_path / "clean"))
    job = ("13_partner", {"period": "2021Q3", "partner_id": "x", "mappen": "gepubliceerd"}, "partners/x.html", "t")
    started = time.monotonic()
    with pytest.raises(notebooks.NotebookFailed) as failed:
        with notebooks.PagePool(2) as pool:
            pool.render([job, job], tmp_path / "nb", tmp_path / "out", {})
    assert "13_partner" in str(failed.value)
    assert not any(p.is_alive() for p in pool.procs)
    assert time.monotonic() - started < 120  # no worker left waiting for work
    assert not (Path(tmp_path) / "out" / "partners" / "x.html").exists()
