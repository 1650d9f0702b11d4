"""``make report PERIOD=...``: run the stages for one period and publish its reports atomically.

The stages run in a build folder (``reports/.build-<PERIOD>``); only when every stage and every
page succeeded does the build replace ``data/clean/<PERIOD>`` and ``reports/<PERIOD>`` (a rename
each), so a failed or interrupted run leaves the previous publication intact. A lock per period
keeps two runs for the same period from writing over each other; other periods run side by side.
What an interrupted run left behind (its build folder, a publication renamed aside) is cleared
or put back by the next run of the period. Earlier quarters' clean data whose ``herkomst.json``
no longer matches the code and raw files is rebuilt (``pipeline/orchestrate/provenance.py``), so a rerun gives
the same bytes as a build from scratch.
The user sees one clear line on failure; the traceback goes to ``logs/`` for the developer.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import shutil
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pipeline.core.errors import PipelineError
from pipeline.core.paths import ROOT, build_folders, clean_root, reports_root
from pipeline.core.periods import Period, parse_period

LOG_DIR = ROOT / "logs"
STAGES = ("01_clean", "02_validate", "03_compute")


def say(message: str) -> None:
    print(f">> {message}", flush=True)


@contextmanager
def period_lock(period: str) -> Iterator[None]:
    """Hold an exclusive lock for ``period``; a second run for it waits and says so."""
    root = reports_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{period}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"een andere run voor {period} is bezig; wachten… | another run for {period} is busy; waiting…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _swap_in(new: Path, target: Path) -> Path | None:
    """Rename ``new`` to ``target`` (a rename: readers never see a half-written folder); the
    folder it replaces is renamed aside and returned, to be deleted once everything is swapped.

    ``new`` is built beside ``target`` (same folder, so same device: a rename never crosses
    filesystems); should the rename still fail, the previous publication is put back before the
    error goes up, so a failed publication never leaves the period without one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".old-{target.name}-{os.getpid()}")
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except OSError:
        if old.exists() and not target.exists():
            old.rename(target)
        raise
    return old if old.exists() else None


def _publish(pairs: list[tuple[Path, Path]]) -> list[Path | None]:
    """Swap in every ``(new, target)``; when one fails, the ones already swapped are undone, so
    the clean data and the reports of a period always come from the same run."""
    done: list[tuple[Path, Path, Path | None]] = []
    try:
        for new, target in pairs:
            done.append((new, target, _swap_in(new, target)))
    except OSError:
        for new, target, old in reversed(done):
            target.rename(new)
            if old is not None:
                old.rename(target)
        raise
    return [old for _, _, old in done]


def _recover(period: str) -> None:
    """Clear what an interrupted run of ``period`` left behind (we hold its lock, so nothing
    else is writing these): its build folder, and folders renamed aside during a publication;
    a publication renamed aside whose successor never arrived is put back."""
    for folder in build_folders(period):
        shutil.rmtree(folder.parent, ignore_errors=True)
    for root in (clean_root(), reports_root()):
        leftovers = sorted(root.glob(f".old-{period}-*")) if root.is_dir() else []
        target = root / period
        if leftovers and not target.exists():
            leftovers.pop().rename(target)
        for folder in leftovers:
            shutil.rmtree(folder, ignore_errors=True)
    from pipeline.orchestrate.notebooks import process_alive

    # scratch folders of earlier quarters (.hist-<Q>-<pid>, ...) whose run no longer exists
    scratch = [f for kind in ("hist", "trend", "stale") for f in clean_root().glob(f".{kind}-*-*")]
    for folder in scratch:
        pid = folder.name.rsplit("-", 1)[-1]
        if folder.is_dir() and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def build_period(period: Period, raw_dir: Path, ahead: dict | None = None) -> dict:
    """Run every stage for ``period`` (parsed once, at the command line) into a build folder and
    publish it; return timings. ``ahead``: kernels of the first stages (``notebooks.WarmKernel``
    by stage name), started and closed by the caller."""
    from pipeline.orchestrate import manifest, provenance, publish

    name = period.code
    _recover(name)
    started = time.time()
    version = manifest.code_version()  # once: pages, manifest and stamps name the same code
    code = version["bronnen_sha256"]
    clean_build, reports_build = build_folders(name)
    try:
        clean_build.mkdir(parents=True)
        reports_build.mkdir(parents=True)
        os.environ.update(
            {
                "SROI_RAW_DIR": str(raw_dir),
            }
        )
        timings = publish.build_all(period, raw_dir, clean_build, reports_build, say, version=version, ahead=ahead)
        provenance.stamp_history(name, raw_dir, clean_root(), code)
        provenance.write_stamp(clean_build, provenance.stamp(name, raw_dir, code))
        # both renames first, the deleting after: the window in which the clean data and the
        # reports of the period come from different runs is two renames wide
        old = _publish([(clean_build, clean_root() / name), (reports_build, reports_root() / name)])
    finally:
        # a failed build is not left behind to fill the disk (its traceback is in logs/)
        for folder in (clean_build, reports_build):
            shutil.rmtree(folder.parent, ignore_errors=True)
    for folder in old:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    # the manifest is make's target: dated at the start, so an input or code file changed while
    # the run read it is newer and the next `make report` runs again
    os.utime(reports_root() / name / "manifest.json", (started, started))
    if provenance.sources_fingerprint() != code:
        say(
            "LET OP: de code is tijdens de run gewijzigd; draai opnieuw voor een reproduceerbare "
            "publicatie | WARNING: the code changed during the run; run again"
        )
    return timings


def _log_traceback(period: str) -> Path:
    LOG_DIR.mkdir(exist_ok=True)
    path = LOG_DIR / f"run-{period or 'onbekend'}.log"
    path.write_text(traceback.format_exc(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline.orchestrate.run")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report")
    rep.add_argument("--period", required=True)
    rep.add_argument("--raw-dir", default="data/raw")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.CRITICAL)  # zmq clean-up chatter
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    period = args.period  # as typed, for the messages until it is parsed
    try:
        parsed = parse_period(args.period)  # the one parse of this boundary: a Period from here on
        period = parsed.code
        raw_dir = Path(args.raw_dir)
        raw_dir = (raw_dir if raw_dir.is_absolute() else ROOT / raw_dir).resolve()
        if not raw_dir.is_dir():
            raise PipelineError(
                f"map met aanleveringen bestaat niet: {args.raw_dir}", f"raw data folder does not exist: {args.raw_dir}"
            )
        # the first stages' kernels start and import their code at once (Great Expectations' import
        # is the longest wait of a run), while this process checks the input and earlier quarters
        # and prepares the build; they read the raw folder from their environment
        os.environ["SROI_RAW_DIR"] = str(raw_dir)
        from pipeline.orchestrate.notebooks import STAGE_WARMUP, WarmKernel, close_all

        started = time.monotonic()
        ahead: dict = {}
        try:
            for stage in ("02_validate", "01_clean"):
                ahead[stage] = WarmKernel(STAGE_WARMUP[stage])
            try:
                for kernel in ahead.values():  # started before this process imports pandas
                    kernel.wait_launched()
                from pipeline.ingest.stage import preflight

                preflight(period, raw_dir)  # run-level errors in one line at once
            except BaseException:
                for kernel in ahead.values():  # stopped where their start got to, not waited for
                    try:
                        kernel.abandon()
                    except Exception:  # noqa: BLE001 - the check's own error is the one to show
                        pass
                ahead = {}
                raise
            with period_lock(period):
                timings = build_period(parsed, raw_dir, ahead)
        finally:
            close_all(ahead.values())  # nothing left to do for a kernel its stage used
        from pipeline.validate.stage import summary_lines

        for line in summary_lines(clean_root() / period):  # what was read, rejected, unreadable
            say(line)
        say(
            f"klaar in {time.monotonic() - started:.1f} s: reports/{period}/index.html | done "
            f"({', '.join(f'{k} {v:.1f} s' for k, v in timings.items())})"
        )
        return 0
    except PipelineError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    except OSError as exc:
        from pipeline.core.errors import os_error_line

        _log_traceback(period)
        print(os_error_line(exc, "niets gepubliceerd", "nothing published"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"FOUT: onderbroken; vorige publicatie van {period} is intact | "
            f"ERROR: interrupted; the previous publication of {period} is intact",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:  # noqa: BLE001 - the user never sees a traceback (issue: hardening)
        from pipeline.orchestrate.notebooks import NotebookFailed

        log = _log_traceback(period)
        if isinstance(exc, NotebookFailed) and exc.os_errno is not None:
            from pipeline.core.errors import os_error_line

            print(
                os_error_line(OSError(exc.os_errno, exc.evalue), "niets gepubliceerd", "nothing published"),
                file=sys.stderr,
            )
        elif isinstance(exc, NotebookFailed):
            print(
                f"FOUT: notebook {exc} — niets gepubliceerd | ERROR: notebook failed, nothing "
                f"published; details in {log.relative_to(ROOT)}",
                file=sys.stderr,
            )
        else:
            print(
                f"FOUT: onverwachte fout ({type(exc).__name__}) — niets gepubliceerd | ERROR: "
                f"unexpected error, nothing published; details in {log.relative_to(ROOT)}",
                file=sys.stderr,
            )
        return 1


if __name__ == "__main__":
    sys.exit(main())
