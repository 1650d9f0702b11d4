"""Execute the pipeline's notebooks: papermill injects their parameters, nbclient runs their cells;
a warm kernel per stage, one shared kernel for many pages.

Executed notebooks are normalised so a rebuild gives the same bytes: papermill's random cell
ids, timestamps and durations are replaced or removed (issue: reproducibility).
"""

from __future__ import annotations

import copy
import hashlib
import os
import queue
import re
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import nbformat

from pipeline.core.paths import NOTEBOOKS_DIR, ROOT

KERNEL = "python3"
# IPython's input history is kept in an SQLite file and committed after every cell: the pipeline's
# kernels run notebooks nobody scrolls back in, so they keep none (a page ran 15 ms faster)
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]


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


# what the kernels import before their first notebook: while an earlier stage runs, so the
# stage (or page) itself starts warm. Only imports: nothing is bound in the notebook's namespace
# and nothing is printed, so an executed notebook is the same with or without it.
STAGE_WARMUP = {  # the first stage starts while the run checks its input and earlier quarters
    # the XLSX readers too: a stage imports them at its first workbook, here it finds them loaded
    "01_clean": ("pipeline.ingest.stage", "openpyxl", "python_calamine"),
    "02_validate": (
        "pipeline.orchestrate.history",
        "pipeline.validate.stage",
        "pipeline.validate.findings",
        "pipeline.indicators.ratecard",
        "great_expectations",
    ),
    "03_compute": ("pipeline.orchestrate.history", "pipeline.indicators.stage"),
}
PAGE_WARMUP = (
    "pipeline.report.pages.common",
    "pipeline.report.pages.data",
    "pipeline.report.pages.index",
    "pipeline.report.pages.partner",
    "pipeline.report.pages.quality",
    "pipeline.report.pages.regio",
    "pipeline.report.pages.vraag_aanbod",
    "pipeline.report.pages.werkwijze",
    "matplotlib.backends.backend_svg",
)
# Kernels started ahead of their work would take CPU from the stage in progress: they run at a
# lower priority (:func:`lower_priority`), so the stage keeps its core and a warm-up takes what is
# left; the next stage's kernel before the page workers and their kernels. Among themselves the
# pages are equal, and on a machine with cores to spare it changes nothing.
AHEAD_NICENESS = 5
PAGE_NICENESS = 10


def lower_priority(pid: int, niceness: int) -> None:
    """Run process ``pid`` at ``niceness`` (never raises it: only a privileged user could).

    Its nice value, and, where Linux groups the processes of each session for scheduling
    (autogroup), its session's when that is not the caller's: jupyter_client starts every kernel
    in a session of its own, so only that weighs it against the other kernels, while the run's
    own session (the user's terminal) is never changed."""
    try:
        if os.getpriority(os.PRIO_PROCESS, pid) < niceness:
            os.setpriority(os.PRIO_PROCESS, pid, niceness)
    except (AttributeError, OSError):  # not on this platform, or the process is gone
        pass
    group = Path(f"/proc/{pid}/autogroup")
    try:
        if os.getsid(pid) == os.getsid(0):  # the caller's own session (its terminal, make): left alone
            return
        current = int(group.read_text().split("nice")[1])
        if current < niceness:
            group.write_text(f"{niceness}\n")
    except (OSError, IndexError, ValueError):  # no autogroup here
        pass


def _kernel_pid(km) -> int | None:
    return getattr(getattr(km, "provisioner", None), "pid", None)


def warmup_source(modules: Iterable[str]) -> str:
    """A cell that imports ``modules`` and binds no name in the kernel's namespace.

    >>> print(warmup_source(["a.b", "c"]))
    __import__("importlib").import_module("a.b"); __import__("importlib").import_module("c")
    """
    return "; ".join(f'__import__("importlib").import_module("{m}")' for m in modules)


class WarmKernel:
    """A kernel for a stage notebook, started and given its imports in a background thread
    while the previous stage runs. :meth:`take` hands the manager to :func:`run_stage` (with
    :attr:`kc`, the warm-up's connected client); ``None`` when the warm-up failed (the stage then
    starts a kernel of its own, as without warm-up)."""

    def __init__(self, modules: Iterable[str], niceness: int = 0):
        self._source = warmup_source(modules)
        self._niceness = niceness
        self._folder = Path(tempfile.mkdtemp(prefix=f"sroi-kernel-{os.getpid()}-"))
        self._km = None
        self.kc = None  # the warm-up's client, its channels open: the stage runs through it
        self._ok = False
        self._abandoned = threading.Event()
        self._launched = threading.Event()  # the kernel's process is started (or will not be)
        self._thread = threading.Thread(target=self._start, daemon=True)
        self._thread.start()

    def _start(self) -> None:
        from jupyter_client.manager import KernelManager

        km = None
        try:
            km = KernelManager(kernel_name=KERNEL, transport="ipc", ip=str(self._folder / "ipc"))
            self._km = km
            if self._abandoned.is_set():
                return
            km.start_kernel(cwd=str(ROOT), extra_arguments=KERNEL_ARGUMENTS)
            if self._niceness and (pid := _kernel_pid(km)) is not None:
                lower_priority(pid, self._niceness)
            self._launched.set()
            kc = km.client()
            kc.start_channels()
            try:
                self._ok = self._warm_up(km, kc)
            finally:
                if self._ok and not self._abandoned.is_set():
                    self.kc = kc  # connected and ready: the stage needs no new client
                else:
                    kc.stop_channels()
        except Exception:  # noqa: BLE001 - a failed warm-up only costs the time it would have saved
            self._ok = False
        finally:
            self._launched.set()
            # only this thread touches the kernel manager (jupyter_client is not thread-safe):
            # abandoned, it shuts its own kernel down here
            if self._abandoned.is_set():
                self._ok = False
                if self.kc is not None:  # kept just before the abandon
                    self.kc.stop_channels()
                    self.kc = None
                try:
                    if km is not None and km.has_kernel:
                        km.shutdown_kernel(now=True)
                finally:
                    shutil.rmtree(self._folder, ignore_errors=True)

    def _warm_up(self, km, kc) -> bool:
        """Wait for the kernel, run the imports; False when abandoned, dead or too slow. Every
        wait is short, so an abandoned warm-up stops within a fraction of a second."""
        deadline = time.monotonic() + 120
        while True:
            if self._abandoned.is_set():
                return False
            try:
                kc.wait_for_ready(timeout=0.5)
                break
            except RuntimeError:  # not ready yet, or the kernel died
                if not km.is_alive() or time.monotonic() > deadline:
                    return False
        sent = kc.execute(self._source, store_history=False)
        deadline = time.monotonic() + 300
        while not self._abandoned.is_set() and time.monotonic() < deadline:
            try:
                reply = kc.get_shell_msg(timeout=0.2)
            except queue.Empty:
                if not km.is_alive():
                    return False
                continue
            if reply["parent_header"].get("msg_id") == sent:
                return reply["content"]["status"] == "ok"
        return False

    def wait_launched(self, timeout: float = 10.0) -> None:
        """Wait until the kernel's process is started. Its thread needs the interpreter for
        that (importing jupyter_client, writing the connection file): while this process imports
        something large (pandas, for the run-level checks) the thread barely runs, and the
        kernel started a second later."""
        self._launched.wait(timeout)

    def take(self):
        """The warm kernel's manager (waits for the warm-up), or None."""
        self._thread.join()
        if self._ok:
            return self._km
        self.close()
        return None

    def abandon(self, wait: float = 5.0) -> None:
        """Stop without waiting for the warm-up (the run stops before its first stage): the
        warm-up's thread shuts its kernel down at its next short wait; this waits at most
        ``wait`` seconds for that. (Should the run exit first, a kernel whose parent is gone
        exits by itself, and its socket folder is removed by the next run.)"""
        self._abandoned.set()
        self._thread.join(timeout=wait)
        if not self._thread.is_alive():  # its thread is done: a kernel it left warm is closed here
            self.close()

    def close(self) -> None:
        self._thread.join()
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self._km is not None and self._km.has_kernel:
            self._km.shutdown_kernel(now=True)
        shutil.rmtree(self._folder, ignore_errors=True)


def close_all(kernels: Iterable[WarmKernel]) -> None:
    """Close every kernel, also when closing one of them is interrupted (the first error is
    raised once all were tried)."""
    error: BaseException | None = None
    for kernel in list(kernels):
        try:
            kernel.close()
        except BaseException as exc:  # noqa: BLE001 - the others are still closed
            error = error or exc
    if error is not None:
        raise error


def run_stage(
    name: str, params: dict[str, Any], out_path: Path, warm: WarmKernel | None = None
) -> nbformat.NotebookNode:
    """Run ``notebooks/<name>.ipynb`` with its parameters injected by papermill, cell by cell up
    to the first that fails; raise :class:`NotebookFailed` on that error.

    ``warm``: a :class:`WarmKernel` started for this stage (its kernel and its connected client
    are used, and shut down); without one, or when its warm-up failed, a kernel of its own.
    The executed notebook is written (normalised) to ``out_path`` as far as it ran, for audit:
    when the stage is done, when a cell failed, and when the run was interrupted or the kernel
    died (that error then goes up as it is).

    The cells run through nbclient, cell by cell as papermill runs them, without papermill's
    executor: that connects a new client and waits for the kernel (0.2 s), and writes the whole
    notebook to disk before and after every cell; here the stage's own client runs them and the
    notebook is written once.
    """
    out_path.parent.mkdir(parents=True, exist_ok=True)
    km = warm.take() if warm is not None else None
    kc = warm.kc if km is not None else None
    client: _Client | None = None
    try:
        with _kernel_manager() if km is None else _owned(km, warm) as km:
            if not km.has_kernel:
                km.start_kernel(cwd=str(ROOT), extra_arguments=KERNEL_ARGUMENTS)
            client = _Client(km, kc=kc, stop_on_error=True)
            client.run(name, params, check=False)
    finally:  # also when interrupted, or when the kernel died: what ran is written
        if client is not None and client.nb is not None:
            nb = normalise(client.nb)
            nbformat.write(nb, out_path)
    index, ename, evalue = _first_error(nb)
    if index is not None:
        # the cell as the notebook numbers it ("In [5]"), as papermill named it
        raise NotebookFailed(name, nb.cells[index].get("execution_count") or index, ename, evalue)
    return nb


@contextmanager
def _owned(km, warm: WarmKernel) -> Iterator[Any]:
    try:
        yield km
    finally:
        warm.close()


class _Client:
    """One kernel executing notebooks one after another: a stage's notebook, or the pages of a
    period (papermill injects the parameters, nbclient runs the cells)."""

    def __init__(self, km, warmup: str | None = None, kc=None, stop_on_error: bool = False):
        """``kc``: a client already connected to the kernel and ready (a :class:`WarmKernel`'s);
        ``stop_on_error``: the cells after a failing one are not run (a stage), instead of run
        and reported (a page: its error is raised all the same, and no page is published)."""
        from nbclient import NotebookClient

        self.sources: dict[str, nbformat.NotebookNode] = {}
        self.nb: nbformat.NotebookNode | None = None  # the notebook run last, as far as it ran
        first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(warmup or "")])
        self.client = NotebookClient(
            first,
            km=km,
            kernel_name=KERNEL,
            allow_errors=not stop_on_error,
            # a stage's cell takes as long as its data needs (papermill sets no limit either)
            timeout=None if stop_on_error else 600,
            resources={"metadata": {"path": str(ROOT)}},
        )
        if kc is not None:
            # as nbclient sets up a client of its own: a cell asking for input fails at once
            # instead of waiting for an answer nobody gives
            kc.allow_stdin = False
            self.client.kc = kc
        if warmup:
            self._execute()
            index, ename, evalue = _first_error(first)
            if index is not None:
                raise NotebookFailed("opwarmen", index, ename, evalue)

    def run(self, name: str, params: dict[str, Any], check: bool = True) -> nbformat.NotebookNode:
        """The notebook executed with ``params`` injected, normalised; ``check``: raise
        :class:`NotebookFailed` on the first error (else the executed notebook is returned as
        it is, errors and all)."""
        from nbclient.exceptions import CellExecutionError
        from papermill.parameterize import parameterize_notebook

        if name not in self.sources:
            self.sources[name] = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
            for cell in self.sources[name].cells:  # papermill expects every cell to carry tags
                cell.metadata.setdefault("tags", [])
            self.sources[name].metadata.setdefault("papermill", {})
        nb = parameterize_notebook(copy.deepcopy(self.sources[name]), params, report_mode=False)
        self.client.nb = nb
        self.nb = nb  # also when a cell fails or the run is interrupted: what ran, for audit
        try:
            self._execute()
        except CellExecutionError as exc:  # stop_on_error: the failing cell holds its error output
            if _first_error(nb)[0] is None:  # it does not: the error is reported all the same
                raise NotebookFailed(name, None, exc.ename or "Error", exc.evalue or str(exc)) from exc
        if not check:
            return nb
        index, ename, evalue = _first_error(nb)
        if index is not None:
            raise NotebookFailed(f"{name} {params}", index, ename, evalue)
        return normalise(nb)

    def _execute(self) -> None:
        """``NotebookClient.execute`` cell by cell, as papermill runs a notebook: nbclient's own
        ``execute`` sets asyncio signal handlers for the time it runs, so Ctrl-C in the run's
        process would wait for the cell in progress and then shut the kernel down under the
        next; here it interrupts at once, as before."""
        client = self.client
        client.reset_execution_trackers()
        with client.setup_kernel(cleanup_kc=False):
            info = client.wait_for_reply(client.kc.kernel_info())
            if info is not None:
                client.nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(client.nb.cells):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            client.set_widgets_metadata()


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


def _page_worker(inbox, outbox, environment: dict[str, str], cwd: str) -> None:
    """One worker process: a warm kernel (started and given the page code's imports at once, while
    the stages still run), then pages from ``inbox`` until ``None``: each executed, saved and
    rendered; ``(job index, None)`` or ``(job index, error)`` goes to ``outbox``.

    ``environment`` and ``cwd``: the run's, as the pool was made (a fork server started earlier
    holds the environment of its own start, and its forks with it)."""
    from pipeline.report.render import render_notebook

    os.environ.clear()
    os.environ.update(environment)
    os.chdir(cwd)
    try:
        lower_priority(os.getpid(), PAGE_NICENESS)
        with _kernel_manager() as km:
            km.start_kernel(cwd=str(ROOT), extra_arguments=KERNEL_ARGUMENTS)
            if (pid := _kernel_pid(km)) is not None:
                lower_priority(pid, PAGE_NICENESS)
            client = _Client(km, warmup_source(PAGE_WARMUP))
            outbox.put(("klaar", None))
            while (job := inbox.get()) is not None:
                i, name, params, page, title, nb_dir, reports_build, footer, legend = job
                try:
                    nb = client.run(name, params)
                    stem = page.removesuffix(".html").replace("/", "_")
                    nbformat.write(nb, Path(nb_dir) / "pages" / f"{stem}.ipynb")
                    render_notebook(nb, Path(reports_build) / page, title=title, footer=footer, legend=legend)
                except Exception as exc:  # noqa: BLE001 - reported to the run, which stops
                    outbox.put(
                        (
                            i,
                            exc
                            if isinstance(exc, NotebookFailed)
                            else NotebookFailed(page, None, type(exc).__name__, str(exc)),
                        )
                    )
                    return
                outbox.put((i, None))
    except Exception as exc:  # noqa: BLE001 - the kernel would not start
        outbox.put((-1, NotebookFailed("paginakernel", None, type(exc).__name__, str(exc))))


# what a page worker imports, once: a fork server (a clean process that never ran a kernel)
# imports it, and each worker is a fork of it, instead of importing it again itself
WORKER_PRELOAD = [
    "pipeline.orchestrate.notebooks",
    "pipeline.report.render",
    "jupyter_client.manager",
    "nbclient",
    "papermill.parameterize",
]


def _worker_context(multiprocessing):
    """The workers' start method: forked from a fork server that imported :data:`WORKER_PRELOAD`
    where the platform has one, else a fresh interpreter each (never a fork of this process: it
    runs kernels and threads)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(WORKER_PRELOAD)
    return ctx


class PagePool:
    """Processes that render the pages, one warm kernel each (:func:`page_workers` of them).

    Started before the stages, so the kernels start and import the page code on the core the
    stages leave free; :meth:`render` then hands out the pages one at a time to whichever worker
    is free (a queue: a heavy page does not hold up the pages dealt after it). Every page's bytes
    are the same whatever worker renders it or what it rendered before (tests/integration/
    test_reproducible.py builds with 1 and 3 workers).
    """

    def __init__(self, workers: int | None = None):
        import multiprocessing

        self.size = workers or page_workers(1 << 30)
        ctx = _worker_context(multiprocessing)
        self.inbox, self.outbox = ctx.Queue(), ctx.Queue()
        self.procs = [
            ctx.Process(target=_page_worker, args=(self.inbox, self.outbox, dict(os.environ), os.getcwd()), daemon=True)
            for _ in range(self.size)
        ]
        # started from a thread: the first start waits for the fork server to import the
        # workers' code (a second or more), and the run goes on with its stage meanwhile
        self._start_error: BaseException | None = None
        self._starting = threading.Thread(target=self._start_workers, daemon=True)
        self._starting.start()

    def _start_workers(self) -> None:
        try:
            for proc in self.procs:
                proc.start()
        except BaseException as exc:  # noqa: BLE001 - raised by render, in the run
            self._start_error = exc

    def render(
        self,
        jobs: list[tuple[str, dict, str, str]],
        nb_dir: Path,
        reports_build: Path,
        footer: dict,
        progress=None,
        meanwhile=None,
    ) -> list[tuple[str, dict, str]]:
        """Execute and render every page ``(notebook, params, output, title)``; the result is in
        the order of ``jobs``. ``progress(done, total)`` is called after pages are done;
        ``meanwhile()`` runs in this process once the pages are handed out."""
        from pipeline.disclosure.suppress import suppression_note_nl
        from pipeline.report.render import footer_metadata

        self._starting.join()
        if self._start_error is not None:
            error = self._start_error
            raise NotebookFailed("pagina's", None, type(error).__name__, str(error)) from error

        # the footer written out and the legend read here, so a worker converts its pages
        # without loading pandas and Babel (a second or so of every worker's start)
        shown, legend = footer_metadata(footer), suppression_note_nl()
        (nb_dir / "pages").mkdir(parents=True, exist_ok=True)
        for i, (name, params, page, title) in enumerate(jobs):
            self.inbox.put((i, name, params, page, title, str(nb_dir), str(reports_build), shown, legend))
        for _ in self.procs:
            self.inbox.put(None)
        if meanwhile is not None:
            meanwhile()
        done = 0
        while done < len(jobs):
            try:
                index, error = self.outbox.get(timeout=1.0)
            except queue.Empty:
                if not any(p.is_alive() for p in self.procs):
                    raise NotebookFailed("pagina's", None, "WorkerDied", "een paginaproces stopte onverwacht") from None
                continue
            if index == "klaar":
                continue
            if error is not None:
                raise error
            done += 1
            if progress is not None:
                progress(done, len(jobs))
        return [(name, params, page) for name, params, page, _ in jobs]

    def close(self) -> None:
        """Wait for the workers to stop (each shuts its kernel down); one still busy after
        30 s is terminated (its kernel follows: a kernel exits when its parent is gone)."""
        self._starting.join()
        started = [proc for proc in self.procs if proc.pid is not None]
        for proc in started:
            proc.join(timeout=30)
        for proc in started:
            if proc.is_alive():
                proc.terminate()
                proc.join()
        self.inbox.close()
        self.outbox.close()

    def __enter__(self) -> "PagePool":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:  # the run stops: no worker starts another page
            try:
                while True:
                    self.inbox.get_nowait()
            except queue.Empty:
                pass
            for _ in self.procs:
                self.inbox.put(None)
        self.close()
