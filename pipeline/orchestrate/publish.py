"""Build every output of one period into a build folder (called by ``pipeline.orchestrate.run``).

Stages run as parameterised notebooks (papermill injects the parameters; a kernel each, as an
analyst would run them, started and given its imports while the stage before it runs); the
pages of the period run in warm kernels, one per core (``notebooks.PagePool``), and are
converted to HTML by nbconvert.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import time
from pathlib import Path
from typing import Callable

import pandas as pd

from pipeline.core.periods import Period
from pipeline.orchestrate import manifest
from pipeline.orchestrate.history import ensure_history
from pipeline.orchestrate.notebooks import AHEAD_NICENESS, STAGE_WARMUP, PagePool, WarmKernel, close_all, run_stage
from pipeline.report.downloads import write_downloads
from pipeline.report.formatting import format_quarter

STAGES = ("01_clean", "02_validate", "03_compute")
AFTER_STAGES = ("pipeline.report.render",)
PAGES = (
    ("10_index", "index.html", "Social return {period} — overzicht"),
    ("11_regio", "regio.html", "Social return {period} — regionaal overzicht"),
    ("12_kwaliteit", "kwaliteit.html", "Social return {period} — datakwaliteit"),
    ("14_werkwijze", "werkwijze.html", "Social return — regionale werkwijze ({period})"),
)
PARTNER_PAGE = "13_partner"


def _history(period: Period, raw_dir: Path, code: str, say: Callable[[str], None]) -> float:
    """Earlier quarters' clean data up to date: those no longer made from the current code and
    raw files removed and, with those missing, built again; returns the seconds it took."""
    from pipeline.core.paths import clean_root, reports_root
    from pipeline.orchestrate import provenance

    started = time.monotonic()
    stale = provenance.drop_stale_history(period.code, raw_dir, clean_root(), reports_root(), code)
    if stale:
        say(
            f"schone data van eerdere kwartalen opnieuw opbouwen (code of aanleveringen gewijzigd): "
            f"{', '.join(stale)} | rebuilding stale clean data of earlier quarters"
        )
    built = ensure_history(period.code)
    if built:
        say(f"gebouwd: {', '.join(built)} | built")
    return time.monotonic() - started


class _Beside:
    """``func(*args)`` in a thread beside the caller; :meth:`result` waits for it and returns its
    value or raises its error, in the caller."""

    def __init__(self, func, *args):
        self._value, self._error = None, None
        self._thread = threading.Thread(target=self._run, args=(func, args), daemon=True)
        self._thread.start()

    def _run(self, func, args) -> None:
        try:
            self._value = func(*args)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller
            self._error = exc

    def join(self) -> None:
        self._thread.join()

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _import(modules: tuple[str, ...]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - imported again where it is used, and fails there
            return


def page_jobs(period: str, partners: pd.DataFrame) -> list[tuple[str, dict, str, str]]:
    """(notebook, parameters, output path relative to reports/<P>, title) for every page."""
    # titles say the quarter in words (K3 2021), like the rest of the pages; the code stays in params
    shown = format_quarter(period)
    jobs = [(nb, {"period": period, "mappen": "run"}, out, title.format(period=shown)) for nb, out, title in PAGES]
    for row in partners.sort_values("partner_id").itertuples():
        jobs.append(
            (
                PARTNER_PAGE,
                {"period": period, "partner_id": row.partner_id, "mappen": "run"},
                f"partners/{row.partner_id}.html",
                f"Social return {shown} — {row.naam}",
            )
        )
    return jobs


def footer(period: Period, inputs: list[dict], version: dict | None = None) -> dict[str, str]:
    """The footer every page ends with (docs/reports.md); ``version``: the run's code version."""
    from pipeline.report.formatting import format_date

    version = version or manifest.code_version()
    return {
        "periode": period.code,
        "peildatum": format_date(period.peildatum),
        "code_versie": version["label"],
        "invoer_vingerafdruk": manifest.input_fingerprint(inputs),
        "gemaakt_door": "Gemaakt met de social-return-monitor (reproduceerbare rapportage)",
    }


def build_all(
    period: Period,
    raw_dir: Path,
    clean_build: Path,
    reports_build: Path,
    say: Callable[[str], None],
    version: dict | None = None,
    ahead: dict[str, WarmKernel] | None = None,
) -> dict[str, float]:
    """Run stages, render pages, write the Excel downloads and the manifest; return seconds per step.
    ``period`` is parsed once, by the caller; the notebooks get its code as their parameter.
    ``version``: :func:`manifest.code_version` taken once at the start of the run. ``ahead``: kernels
    the caller started for the first stages (stage name → kernel); used here, and closed by the
    caller too, which is harmless once used."""

    version = version or manifest.code_version()
    timings: dict[str, float] = {}
    nb_dir = reports_build / "notebooks"
    code = period.code
    # the notebooks' hand-over: their period and which folders they use ("run": this run's build
    # folders, core.paths.build_folders), as papermill parameters
    params = {"period": code, "mappen": "run"}
    # the DAG, in one place: earlier quarters' clean data (for the trend and the comparison with
    # the previous delivery: needed from 02_validate on, so made while 01_clean reads this
    # quarter's raw files), then this quarter's stages, then its pages
    say(f"eerdere kwartalen inlezen en valideren voor trend en vergelijking ({code}) | earlier quarters")
    history = _Beside(_history, period, raw_dir, version["bronnen_sha256"], say)
    # kernels start ahead of their stage and import its code: the first two while the run starts
    # (``ahead``: Great Expectations' import takes longer than the first stage), the third while
    # the stage before it runs; the page workers start their kernels once the first stage is done
    with contextlib.ExitStack() as stack:
        pool: PagePool | None = None
        kernels: dict[str, WarmKernel] = dict(ahead or {})
        try:
            for k, stage in enumerate(STAGES):
                if k == 1:
                    timings["history"] = history.result()
                say(f"{stage} ({code})")
                started = time.monotonic()
                current = kernels.pop(stage, None)
                # the next stage's kernel, its process started before anything else is begun
                following = STAGES[k + 1] if k + 1 < len(STAGES) else None
                if following and following not in kernels:
                    kernels[following] = WarmKernel(STAGE_WARMUP[following], niceness=AHEAD_NICENESS)
                    kernels[following].wait_launched()
                if k == 1:
                    pool = stack.enter_context(PagePool())
                    # what this process needs once the stages are done (the pages' footer, the
                    # Excel downloads), imported while it only waits for the stages' kernels
                    threading.Thread(target=_import, args=(AFTER_STAGES,), daemon=True).start()
                run_stage(stage, params, nb_dir / f"{stage}.ipynb", warm=current)
                timings[stage] = time.monotonic() - started
        finally:
            try:
                close_all(kernels.values())
            finally:
                history.join()  # a failed stage leaves no earlier quarter half rebuilt behind it
        assert pool is not None

        inputs = manifest.input_files(clean_build)
        page_footer = footer(period, inputs, version)
        partners = pd.read_parquet(clean_build / "partners.parquet")
        jobs = page_jobs(code, partners)
        say(f"pagina's renderen: {len(jobs)} ({code}), {min(pool.size, len(jobs))} tegelijk | rendering pages")
        started = time.monotonic()
        step = max(1, min(10, len(jobs) // 4))  # a line every few pages: about four, at most ten apart
        shown = [0]

        def progress(done: int, total: int) -> None:
            if done == total or done - shown[0] >= step:
                shown[0] = done
                say(f"pagina's {done}/{total} klaar | pages done")

        def downloads() -> None:  # in this process, while the workers render
            say(f"Excel-downloads schrijven ({code})")
            begun = time.monotonic()
            write_downloads(code, reports_build, partners)
            timings["downloads"] = time.monotonic() - begun

        rendered = pool.render(jobs, nb_dir, reports_build, page_footer, progress, meanwhile=downloads)
    page_params = [{"notebook": f"{name}.ipynb", "parameters": p, "pagina": out} for name, p, out in rendered]
    timings["render"] = time.monotonic() - started  # the pages and, beside them, the downloads
    manifest.write_manifest(
        period,
        raw_dir,
        clean_build,
        reports_build,
        inputs,
        stage_params=[{"notebook": f"{s}.ipynb", "parameters": params} for s in STAGES],
        page_params=page_params,
        timings=timings,
        code=version,
    )
    return timings
