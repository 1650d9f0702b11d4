"""Executed notebooks: what differs between two executions is removed; kernels never share sockets."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pipeline.orchestrate import notebooks


def _executed(run: int) -> nbformat.NotebookNode:
    """The same notebook as two papermill executions leave it: only clocks and random ids differ."""
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Stap 1"),
            new_code_cell('period = "2021Q3"', metadata={"tags": ["parameters"]}),
            new_code_cell('period = "2019Q2"\n', metadata={"tags": ["injected-parameters"]}),
            new_code_cell(
                "print(period)", execution_count=3, outputs=[new_output("stream", name="stdout", text="2019Q2\n")]
            ),
        ]
    )
    nb.metadata["papermill"] = {
        "parameters": {"period": "2019Q2"},
        "default_parameters": {},
        "start_time": f"2021-10-0{run}T10:00:00",
        "end_time": f"2021-10-0{run}T10:00:09",
        "duration": 9.0 + run,
        "input_path": f"/tmp/run{run}/in.ipynb",
        "output_path": f"/tmp/run{run}/out.ipynb",
        "environment_variables": {},
        "version": "2.6.0",
        "exception": None,
    }
    nb.metadata["widgets"] = {"state": {"run": run}}
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"random-{run}-{index}"
        cell.metadata["execution"] = {"iopub.status.busy": f"2021-10-0{run}T10:00:0{index}Z"}
        cell.metadata["papermill"] = {
            "start_time": f"run {run}",
            "duration": 0.1 * run,
            "exception": False,
            "status": "completed",
        }
    return nb


def test_two_executions_normalise_to_the_same_notebook():
    a, b = notebooks.normalise(_executed(1)), notebooks.normalise(_executed(2))
    assert nbformat.writes(a) == nbformat.writes(b)
    assert a.metadata["papermill"] == {"parameters": {"period": "2019Q2"}, "default_parameters": {}, "exception": None}
    assert "widgets" not in a.metadata
    assert a.cells[3].outputs[0]["text"] == "2019Q2\n"  # outputs are what the audit is for
    assert all(c.metadata["papermill"] == {"exception": False, "status": "completed"} for c in a.cells)
    ids = [c["id"] for c in a.cells]
    assert len(set(ids)) == len(ids) and not any("random" in i for i in ids)
    nbformat.validate(a)


def test_normalise_leaves_the_executed_notebook_alone():
    nb = _executed(1)
    notebooks.normalise(nb)
    assert nb.cells[0]["id"] == "random-1-0" and "start_time" in nb.metadata["papermill"]


def test_each_kernel_gets_its_own_socket_folder():
    # jupyter_client's default is 'kernel-ipc' relative to the working directory: two runs at
    # once would bind the same sockets
    with notebooks._kernel_manager() as first, notebooks._kernel_manager() as second:
        folders = [Path(km.ip).parent for km in (first, second)]
        assert all(Path(km.ip).is_absolute() for km in (first, second))
        assert folders[0] != folders[1] and all(f.is_dir() for f in folders)
    assert not any(f.exists() for f in folders)


def test_socket_folders_of_killed_runs_are_removed(tmp_path, monkeypatch):
    import os
    import subprocess
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen(["true"])
    dead.wait()
    for name in (f"sroi-kernel-{dead.pid}-abc", f"sroi-kernel-{os.getpid()}-def", "ander-programma"):
        (tmp_path / name).mkdir()
    with notebooks._kernel_manager():
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ander-programma", f"sroi-kernel-{os.getpid()}-def"]


def test_page_workers_follow_the_cores_unless_forced(monkeypatch):
    import os

    from pipeline.orchestrate import notebooks

    monkeypatch.delenv("SROI_PAGE_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert notebooks.page_workers(35) == 4
    assert notebooks.page_workers(2) == 2  # never more processes than pages
    monkeypatch.setenv("SROI_PAGE_WORKERS", "1")
    assert notebooks.page_workers(35) == 1


def test_a_failing_page_crosses_processes_intact():
    import pickle

    from pipeline.orchestrate.notebooks import NotebookFailed

    exc = pickle.loads(pickle.dumps(NotebookFailed("13_partner {'partner_id': 'x'}", 4, "KeyError", "'naam'")))
    assert (exc.notebook, exc.cell_index, exc.ename, exc.evalue) == (
        "13_partner {'partner_id': 'x'}",
        4,
        "KeyError",
        "'naam'",
    )
    assert "cel 4" in str(exc)


def test_a_page_is_numbered_the_same_whichever_pages_shared_its_kernel():
    """In a warm kernel the execution counter runs on; normalised, each notebook counts from 1."""
    late, early = _executed(1), _executed(1)
    for offset, nb in ((56, late), (0, early)):
        n = 0
        for cell in nb.cells:
            if cell.cell_type == "code":
                n += 1
                cell.execution_count = n + offset
                cell.outputs = [
                    nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=n + offset)
                ]
    assert nbformat.writes(notebooks.normalise(late)) == nbformat.writes(notebooks.normalise(early))
    counts = [c.execution_count for c in notebooks.normalise(late).cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))


def test_every_kernel_is_closed_when_closing_one_is_interrupted():
    from pipeline.orchestrate.notebooks import close_all

    closed = []

    class Kernel:
        def __init__(self, name, fails=False):
            self.name, self.fails = name, fails

        def close(self):
            closed.append(self.name)
            if self.fails:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        close_all([Kernel("01_clean", fails=True), Kernel("02_validate")])
    assert closed == ["01_clean", "02_validate"]
