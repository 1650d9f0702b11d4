"""Make's view of the raw folder: one digest, so no delivered file name ever reaches make or a shell.

``make report`` must rerun when an export of the quarter or an earlier one, or ``partners.csv``,
changes, is added or is removed. Listing the raw files as make prerequisites puts names chosen by
partners into make's syntax (a ``;`` starts a recipe, a ``:`` a rule): a file called
``inzet.csv;touch<TAB>x;#`` would run ``touch x``. Instead make asks this script, with every
argument quoted, whether the raw inputs changed since the stamp ``<REPORTS>/.<P>.inputs`` was
written, and makes the stamp a prerequisite of the publication.

The digest covers the path of the raw folder and, for every entry a run of the period may read
(the files at the top of the raw folder and everything under period folders ``<= P``), its name,
type, size and modification time, read with ``lstat``: nothing is opened, so a link or a named
pipe cannot block or redirect this step (pipeline.ingest.deliveries decides what is a delivery).

Run with the system Python, standard library only (it runs before the environment exists):

    python -I -S pipeline/orchestrate/make_inputs.py status <RAW_DIR> <PERIOD> <REPORTS_ROOT>
        prints "OK same" or "OK changed"; or one "FOUT: … | ERROR: …" line
    python -I -S pipeline/orchestrate/make_inputs.py write <RAW_DIR> <PERIOD> <REPORTS_ROOT>
        writes the stamp (exit 2 with one Dutch and English line when it cannot)
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: pipeline.core.errors is standard library only

from pipeline.core.errors import PipelineError, os_error_line  # noqa: E402
from pipeline.core.paths import check_apart, clean_root  # noqa: E402
from pipeline.ingest.rawfs import run_entries  # noqa: E402

PERIOD_RE = re.compile(r"[0-9]{4}Q[1-4]")


class Refused(Exception):
    """A problem the user must fix; ``str()`` is the one line printed."""


def _resolve(path: str) -> Path:
    p = Path(path)
    return (p if p.is_absolute() else ROOT / p).resolve()


def _entries(raw: Path, period: str) -> list[tuple[str, int, int, int]]:
    """``(relative name, file type, size, mtime_ns)`` of every entry a run may read
    (:func:`pipeline.ingest.rawfs.run_entries`), by ``lstat``: nothing is opened or followed."""
    out = []
    for path, _ in run_entries(raw, period):
        st = os.lstat(path)
        out.append((path.relative_to(raw).as_posix(), stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns))
    return sorted(out)


def digest(raw: Path, period: str) -> str:
    """sha256 over the raw folder's path and :func:`_entries` (names written with ``repr``, so any
    character, tab and newline included, is unambiguous)."""
    h = hashlib.sha256(repr(str(raw)).encode("utf-8", "surrogateescape"))
    if raw.is_dir():
        for entry in _entries(raw, period):
            h.update(b"\n" + repr(entry).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def stamp_text(raw: Path, period: str) -> str:
    return f"RAW_DIR={raw}\n{digest(raw, period)}\n"


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] not in ("status", "write"):
        print(
            "gebruik | usage: pipeline/orchestrate/make_inputs.py status|write RAW_DIR PERIOD REPORTS_ROOT",
            file=sys.stderr,
        )
        return 2
    command, raw_arg, period, reports_arg = argv
    try:
        if not PERIOD_RE.fullmatch(period):
            raise Refused(f"FOUT: ongeldige periode {period!r} | ERROR: invalid period {period!r}")
        raw, reports = _resolve(raw_arg), _resolve(reports_arg)
        try:
            check_apart(raw, [("data/clean", clean_root()), ("reports", reports)])
        except PipelineError as exc:
            raise Refused(exc.one_line()) from None
        stamp = reports / f".{period}.inputs"
        text = stamp_text(raw, period)
        if command == "status":
            try:
                same = stamp.read_text(encoding="utf-8", errors="surrogateescape") == text
            except OSError:
                same = False
            print("OK same" if same else "OK changed")
            return 0
        try:
            reports.mkdir(parents=True, exist_ok=True)
            scratch = stamp.with_name(f"{stamp.name}.{os.getpid()}")
            scratch.write_text(text, encoding="utf-8", errors="surrogateescape")
            os.replace(scratch, stamp)
        except OSError as exc:
            raise Refused(
                os_error_line(
                    exc,
                    f"kan niet schrijven in de uitvoermap {reports_arg}",
                    f"cannot write to the output folder {reports_arg}",
                )
            ) from None
        return 0
    except Refused as exc:
        print(str(exc), file=sys.stdout if command == "status" else sys.stderr)
        return 2
    except OSError as exc:
        print(
            os_error_line(exc, "de ruwe map kan niet gelezen worden", "the raw folder cannot be read"),
            file=sys.stdout if command == "status" else sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
