"""Kernels started ahead of their work (pipeline/orchestrate/notebooks.py): a stage's kernel
imports while the stage before it runs, the page workers start while the stages run. A warm-up
binds no name and a failed one costs nothing but time; a failing page stops every worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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


def _niceness(pid: int) -> tuple[int, int | None]:
    """(the process's nice value, its session group's nice value where Linux has autogroup)."""
    group = Path(f"/proc/{pid}/autogroup")
    shown = int(group.read_text().split("nice")[1]) if group.exists() else None
    return os.getpriority(os.PRIO_PROCESS, pid), shown


def test_lower_priority_lowers_a_process_and_its_session_but_never_raises_them():
    # a process in a session of its own, as jupyter_client starts every kernel
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        before = _niceness(proc.pid)
        notebooks.lower_priority(proc.pid, 7)
        after = _niceness(proc.pid)
        assert after[0] == 7
        assert after[1] in (None, 7)  # without autogroup there is no session value to set
        notebooks.lower_priority(proc.pid, 3)  # asked for a higher priority: left as it is
        assert _niceness(proc.pid) == after
        assert before[0] == os.getpriority(os.PRIO_PROCESS, 0)  # it started at ours
    finally:
        proc.kill()
        proc.wait()
    notebooks.lower_priority(proc.pid, 7)  # a process that is gone: nothing to do, no error


def test_a_kernel_started_ahead_runs_at_its_lower_priority():
    warm = notebooks.WarmKernel(["json"], niceness=notebooks.AHEAD_NICENESS)
    km = warm.take()
    try:
        pid = km.provisioner.pid
        nice, group = _niceness(pid)
        assert nice == max(notebooks.AHEAD_NICENESS, os.getpriority(os.PRIO_PROCESS, 0))
        assert group in (None, notebooks.AHEAD_NICENESS)
    finally:
        warm.close()


def test_an_abandoned_warm_up_is_not_waited_for_and_leaves_no_kernel():
    # Great Expectations takes seconds to import: abandoning returns long before that, and the
    # kernel is shut down wherever its start got to
    warm = notebooks.WarmKernel(["great_expectations"])
    time.sleep(1.0)  # the kernel process is starting or importing
    started = time.monotonic()
    warm.abandon()
    assert time.monotonic() - started < 5.0
    assert not warm._thread.is_alive()
    assert warm._km is None or not warm._km.has_kernel
    assert not warm._ok
    assert not warm._folder.exists()


def test_abandoning_a_kernel_just_started_or_already_warm_raises_nothing_and_leaves_no_kernel():
    # only the warm-up's own thread touches its kernel manager: abandoning it while the kernel
    # has just started (jupyter_client raised "invalid state" when two threads shut it down)
    # or once it is warm stops it cleanly
    for moment in ("started", "warm"):
        warm = notebooks.WarmKernel(["json"])
        deadline = time.monotonic() + 60
        while not (warm._km is not None and warm._km.has_kernel) and time.monotonic() < deadline:
            time.sleep(0.01)
        if moment == "warm":
            warm._thread.join(timeout=60)
            assert warm._ok
        pid = warm._km.provisioner.pid
        warm.abandon()
        assert not warm._km.has_kernel and not warm._folder.exists(), moment
        time.sleep(0.5)
        with pytest.raises(ProcessLookupError):  # the kernel process is gone
            os.kill(pid, 0)


def test_lower_priority_leaves_the_callers_own_session_alone():
    # a page worker is in the run's session (the user's terminal): only its own nice value
    # changes, never the session's, which would slow everything else the user runs there
    own = Path("/proc/self/autogroup")
    before = own.read_text() if own.exists() else None
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        notebooks.lower_priority(proc.pid, 9)
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) == 9
        assert (own.read_text() if own.exists() else None) == before
    finally:
        proc.kill()
        proc.wait()


def _write_stage(folder: Path, name: str, *cells: str) -> None:
    """``folder/<name>.ipynb``: a parameters cell (``period``), then ``cells``: code, or markdown
    when a text starts with ``#``."""
    import nbformat

    body = [nbformat.v4.new_markdown_cell(c) if c.startswith("#") else nbformat.v4.new_code_cell(c) for c in cells]
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell('period = "2000Q1"', metadata={"tags": ["parameters"]}), *body]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / f"{name}.ipynb")


def _stage_notebook(folder: Path, marker: Path) -> None:
    _write_stage(
        folder,
        "99_stap",
        "# Een stap",
        "print('periode', period)",
        "## Dan gaat het mis",
        "raise ValueError('kapot')",
        f"open({str(marker)!r}, 'w').write('na de fout')",
    )


@pytest.mark.parametrize("warm", [True, False], ids=["warm_kernel", "own_kernel"])
def test_a_stage_stops_at_its_failing_cell_and_leaves_the_notebook_for_audit(tmp_path, monkeypatch, warm):
    import nbformat

    marker = tmp_path / "na-de-fout.txt"
    _stage_notebook(tmp_path, marker)
    monkeypatch.setattr(notebooks, "NOTEBOOKS_DIR", tmp_path)
    kernel = notebooks.WarmKernel(["json"]) if warm else None
    out = tmp_path / "uit" / "99_stap.ipynb"
    with pytest.raises(notebooks.NotebookFailed) as failed:
        notebooks.run_stage("99_stap", {"period": "2021Q3"}, out, warm=kernel)
    # the cell as the notebook numbers it, In [4] (parameters, injected parameters, print,
    # raise), as papermill named it; it is the sixth cell, counting the two markdown cells
    assert (failed.value.notebook, failed.value.cell_index, failed.value.ename) == ("99_stap", 4, "ValueError")
    assert "cel 4" in str(failed.value) and "kapot" in str(failed.value)
    assert not marker.exists()  # the cells after the failing one did not run
    nb = nbformat.read(out, as_version=4)
    assert nb.metadata["papermill"]["parameters"] == {"period": "2021Q3"}
    assert "injected-parameters" in nb.cells[1].metadata["tags"] and 'period = "2021Q3"' in nb.cells[1].source
    assert nb.cells[3].outputs[0]["text"] == "periode 2021Q3\n"
    assert nb.cells[5].execution_count == 4 and nb.cells[5].outputs[-1]["output_type"] == "error"
    assert nb.cells[6].get("outputs") == [] and nb.cells[6].get("execution_count") is None
    if kernel is not None:
        assert kernel.kc is None and not kernel._km.has_kernel  # closed with its stage


def test_a_stage_runs_in_its_warm_kernel_through_the_warm_up_s_own_client(tmp_path, monkeypatch):
    _write_stage(tmp_path, "98_stap", "import sys, os; print(period, 'json' in sys.modules, os.getpid())")
    monkeypatch.setattr(notebooks, "NOTEBOOKS_DIR", tmp_path)
    kernel = notebooks.WarmKernel(["json"])
    kernel._thread.join()
    client, pid = kernel.kc, kernel._km.provisioner.pid
    assert client is not None and client.channels_running

    def no_second_client(*args, **kwargs):
        raise AssertionError("the stage connected a client of its own")

    monkeypatch.setattr(kernel._km, "client", no_second_client)
    done = notebooks.run_stage("98_stap", {"period": "2021Q3"}, tmp_path / "uit.ipynb", warm=kernel)
    # the warm kernel ran it (its imports are there, its process printed), and is closed after
    assert done.cells[2].outputs[0]["text"] == f"2021Q3 True {pid}\n"
    assert not client.channels_running and kernel.kc is None


def test_waiting_for_the_launch_returns_once_the_kernel_process_runs_and_when_it_cannot_start(monkeypatch):
    # the run waits for its first kernels' processes before it imports pandas for its checks
    # (the warm-up's thread barely runs during a large import, and the kernels started late)
    warm = notebooks.WarmKernel(["great_expectations"])
    try:
        warm.wait_launched(timeout=60)
        assert warm._km is not None and warm._km.has_kernel
        assert warm._thread.is_alive()  # Great Expectations' import is still to come
    finally:
        warm.close()
    monkeypatch.setattr(notebooks, "KERNEL", "bestaat-niet")
    broken = notebooks.WarmKernel(["json"])
    started = time.monotonic()
    broken.wait_launched(timeout=60)
    assert time.monotonic() - started < 30 and broken.take() is None


def test_page_workers_that_cannot_start_fail_the_render_and_close_cleanly(tmp_path, monkeypatch):
    # the workers start in a thread (the first start waits for the fork server's imports, and
    # the run goes on with its stage); a start that fails reaches the run when it renders
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")

    class NoStart:
        Queue = spawn.Queue

        class Process(spawn.Process):
            def start(self):
                raise OSError(24, "Too many open files")

    monkeypatch.setattr(notebooks, "_worker_context", lambda mp: NoStart)
    job = ("13_partner", {"period": "2021Q3", "partner_id": "x", "mappen": "gepubliceerd"}, "partners/x.html", "t")
    with pytest.raises(notebooks.NotebookFailed) as failed:
        with notebooks.PagePool(2) as pool:
            pool.render([job], tmp_path / "nb", tmp_path / "out", {})
    assert "Too many open files" in str(failed.value)
    assert all(proc.pid is None for proc in pool.procs)


def test_a_cell_asking_for_input_fails_at_once_in_a_warm_kernel(tmp_path, monkeypatch):
    # nobody answers: the stage fails with the kernel's own error instead of waiting for ever
    _write_stage(tmp_path, "97_stap", "input('naam? ')")
    monkeypatch.setattr(notebooks, "NOTEBOOKS_DIR", tmp_path)
    started = time.monotonic()
    with pytest.raises(notebooks.NotebookFailed) as failed:
        notebooks.run_stage(
            "97_stap", {"period": "2021Q3"}, tmp_path / "uit.ipynb", warm=notebooks.WarmKernel(["json"])
        )
    assert failed.value.ename == "StdinNotImplementedError"
    assert time.monotonic() - started < 60


_INTERRUPTED = """
import sys, nbformat
from pathlib import Path
from pipeline.orchestrate import notebooks
folder = Path(sys.argv[1])
nb = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_code_cell('period = "2000Q1"', metadata={"tags": ["parameters"]}),
    nbformat.v4.new_code_cell("print('begonnen', flush=True)"),
    nbformat.v4.new_code_cell("import time; time.sleep(60)"),
])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbformat.write(nb, folder / "96_stap.ipynb")
notebooks.NOTEBOOKS_DIR = folder
warm = notebooks.WarmKernel(["json"])
warm.wait_launched()
print("klaar om te starten", flush=True)
try:
    notebooks.run_stage("96_stap", {"period": "2021Q3"}, folder / "uit.ipynb", warm=warm)
except KeyboardInterrupt:
    print("onderbroken", flush=True)
    sys.exit(130)
"""


def test_ctrl_c_during_a_stage_interrupts_at_once_and_leaves_what_ran(tmp_path):
    # nbclient's own execute would catch the signal until the cell in progress is done (here:
    # a minute) and then shut the kernel down under the next cell; a stage stops at once
    import nbformat

    proc = subprocess.Popen(
        [sys.executable, "-c", _INTERRUPTED, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=notebooks.ROOT
    )
    try:
        assert proc.stdout.readline().strip() == "klaar om te starten"
        time.sleep(8)  # the warm-up and the first cells are done: the sleeping cell runs
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130 and "onderbroken" in out
    assert time.monotonic() - sent < 20  # not the minute the cell would sleep
    nb = nbformat.read(tmp_path / "uit.ipynb", as_version=4)
    assert nb.cells[2].outputs[0]["text"] == "begonnen\n"
