"""Execute the pipeline's notebooks: papermill for the stages, one shared kernel for many pages.

Executed notebooks are normalised so a rebuild gives the same bytes: papermill's random cell
ids, timestamps and durations are replaced or removed (issue: reproducibility).
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import nbformat

from pipeline.core.paths import NOTEBOOKS_DIR, ROOT

KERNEL = "python3"


class NotebookFailed(Exception):
    """A cell of a pipeline notebook raised: names the notebook, the cell and the error."""

    def __init__(self, notebook: str, cell_index: int | None, ename: str, evalue: str):
        self.notebook, self.cell_index, self.ename, self.evalue = notebook, cell_index, ename, evalue
        # an OS error inside the kernel (disk full while writing) keeps its number for the message
        number = re.match(r"\[Errno (\d+)\]", evalue or "")
        self.os_errno = int(number.group(1)) if number else None
        where = f"cel {cell_index}" if cell_index is not None else "onbekende cel"
        super().__init__(f"{notebook} ({where}): {ename}: {evalue}")

    def __reduce__(self):  # crosses from a page worker process to the run intact
        return (NotebookFailed, (self.notebook, self.cell_index, self.ename, self.evalue))


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what differs between two executions of the same notebook on the same inputs."""
    nb = copy.deepcopy(nb)
    pm = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables", "version"):
        pm.pop(key, None)
    nb.metadata.pop("widgets", None)
    count = 0
    for index, cell in enumerate(nb.cells):
        # a warm kernel's counter runs on over every page it rendered: number each notebook's
        # executed cells from 1, so a page does not depend on which pages shared its kernel
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell["execution_count"] = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
        cell.metadata.pop("execution", None)
        cpm = cell.metadata.get("papermill")
        if cpm is not None:
            cell.metadata["papermill"] = {k: v for k, v in cpm.items() if k in ("exception", "status")}
        # papermill gives the injected parameters cell a random id
        digest = hashlib.sha256(f"{index}:{cell.cell_type}:{cell.source}".encode()).hexdigest()
        cell["id"] = digest[:12]
    return nb


@contextmanager
def _kernel_manager() -> Iterator[Any]:
    """A kernel manager on IPC sockets in a private folder, shut down (and the folder removed)
    on exit.

    Left to itself jupyter_client names the sockets ``kernel-ipc-<n>`` relative to the working
    directory, so two runs at once (other periods, the tests) would connect to each other's
    kernels ("Invalid Signature", "kernel didn't respond"). IPC rather than TCP: local only, and
    no "running over TCP" warning on the user's terminal.
    """
    from jupyter_client.manager import KernelManager

    _remove_dead_socket_folders()
    sockets = Path(tempfile.mkdtemp(prefix=f"sroi-kernel-{os.getpid()}-"))
    km = KernelManager(kernel_name=KERNEL, transport="ipc", ip=str(sockets / "ipc"))
    try:
        yield km
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)


def _remove_dead_socket_folders() -> None:
    """Socket folders of runs that were killed (SIGKILL leaves no chance to clean up)."""
    for folder in Path(tempfile.gettempdir()).glob("sroi-kernel-*-*"):
        pid = folder.name.split("-")[2]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _first_error(nb: nbformat.NotebookNode) -> tuple[int | None, str, str]:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index, output.get("ename", "Error"), output.get("evalue", "")
    return None, "Error", "onbekende fout"


def run_stage(name: str, params: dict[str, Any], out_path: Path) -> nbformat.NotebookNode:
    """Run ``notebooks/<name>.ipynb`` with papermill; raise :class:`NotebookFailed` on error.

    The executed notebook is written (normalised) to ``out_path`` either way, for audit.
    """
    import papermill as pm

    out_path.parent.mkdir(parents=True, exist_ok=True)
    with _kernel_manager() as km:
        try:
            pm.execute_notebook(
                str(NOTEBOOKS_DIR / f"{name}.ipynb"),
                str(out_path),
                parameters=params,
                kernel_name=KERNEL,
                progress_bar=False,
                cwd=str(ROOT),
                log_output=False,
                km=km,
            )
        except pm.PapermillExecutionError as exc:
            nb = normalise(nbformat.read(out_path, as_version=4))
            nbformat.write(nb, out_path)
            raise NotebookFailed(name, exc.exec_count, exc.ename, exc.evalue) from None
    nb = normalise(nbformat.read(out_path, as_version=4))
    nbformat.write(nb, out_path)
    return nb


def run_many(jobs: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[tuple[str, dict, nbformat.NotebookNode]]:
    """Execute notebooks for many parameter sets in ONE kernel (the pages of a period).

    Starting a kernel and importing the pipeline costs seconds; a page costs a fraction of that
    once the kernel is warm, so a region with hundreds of partners stays fast while each page's
    narrative still lives in its notebook. Yields (notebook name, params, executed notebook).
    """
    from nbclient import NotebookClient
    from papermill.parameterize import parameterize_notebook

    sources: dict[str, nbformat.NotebookNode] = {}
    with _kernel_manager() as km:
        km.start_kernel(cwd=str(ROOT))
        client = None
        for name, params in jobs:
            if name not in sources:
                sources[name] = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
                for cell in sources[name].cells:  # papermill expects every cell to carry tags
                    cell.metadata.setdefault("tags", [])
                sources[name].metadata.setdefault("papermill", {})
            nb = parameterize_notebook(copy.deepcopy(sources[name]), params, report_mode=False)
            if client is None:
                client = NotebookClient(
                    nb,
                    km=km,
                    kernel_name=KERNEL,
                    allow_errors=True,
                    timeout=600,
                    resources={"metadata": {"path": str(ROOT)}},
                )
            client.nb = nb
            client.execute(cleanup_kc=False)
            index, ename, evalue = _first_error(nb)
            if index is not None:
                raise NotebookFailed(f"{name} {params}", index, ename, evalue)
            yield name, params, normalise(nb)


# ---------------------------------------------------------------- pages on every core


def page_workers(jobs: int) -> int:
    """How many processes render the pages: ``render.workers`` in settings.yaml, or the
    environment's ``SROI_PAGE_WORKERS``; 0 (the default) = the cores this process may use (its
    affinity mask), never more than there are pages."""
    from pipeline.core.settings import settings

    forced = os.environ.get("SROI_PAGE_WORKERS", "").strip()
    wanted = int(forced) if forced.isdigit() else settings().render.workers
    if wanted <= 0:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(wanted, jobs))


def _page_worker(
    slice_: list[tuple[int, str, dict, str, str]], nb_dir: str, reports_build: str, footer: dict, done, lock
) -> list[tuple[int, str, dict, str]]:
    """One worker: its pages in one warm kernel, each executed, saved and rendered; returns
    ``(job index, notebook, params, output)`` in its own order."""
    from pipeline.report.render import render_notebook

    out = []
    titles = {i: (page, title) for i, _, _, page, title in slice_}
    jobs = [(name, params) for _, name, params, _, _ in slice_]
    for (i, name, params, page, title), (_, _, nb) in zip(slice_, run_many(jobs)):
        stem = page.removesuffix(".html").replace("/", "_")
        nbformat.write(nb, Path(nb_dir) / "pages" / f"{stem}.ipynb")
        render_notebook(nb, Path(reports_build) / page, title=titles[i][1], footer=footer)
        with lock:
            done.value += 1
        out.append((i, name, params, page))
    return out


def render_pages(
    jobs: list[tuple[str, dict, str, str]],
    nb_dir: Path,
    reports_build: Path,
    footer: dict,
    progress=None,
) -> list[tuple[str, dict, str]]:
    """Execute and render every page ``(notebook, params, output, title)``, on
    :func:`page_workers` processes each with one warm kernel. Pages are dealt round-robin, so
    the first, heavier pages (regio, kwaliteit) land on different workers; the result is in the
    order of ``jobs`` and every page's bytes are the same whatever the number of workers.

    ``progress(done, total)`` is called now and then from this process.
    """
    import multiprocessing
    import time
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

    (nb_dir / "pages").mkdir(parents=True, exist_ok=True)
    indexed = [(i, name, params, page, title) for i, (name, params, page, title) in enumerate(jobs)]
    n = page_workers(len(jobs))
    slices = [indexed[k::n] for k in range(n)]
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that ran kernels
    manager = ctx.Manager()
    done, lock = manager.Value("i", 0), manager.Lock()
    results: list[tuple[int, str, dict, str]] = []
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
            futures = [
                pool.submit(_page_worker, sl, str(nb_dir), str(reports_build), dict(footer), done, lock)
                for sl in slices
                if sl
            ]
            reported = 0
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=1.0, return_when=FIRST_EXCEPTION)
                for f in finished:
                    results.extend(f.result())  # re-raises a worker's NotebookFailed here
                if progress is not None and done.value != reported:
                    reported = done.value
                    progress(reported, len(jobs))
                if not finished:
                    time.sleep(0)
    finally:
        manager.shutdown()
    return [(name, params, page) for _, name, params, page in sorted(results, key=lambda r: r[0])]
