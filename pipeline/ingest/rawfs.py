"""Look at the raw folder without trusting it: only regular files are deliveries.

docs/exports.md: a delivery is a file the partner put under ``<RAW>/<P>/<partner_id>/``. A symbolic
link (to ``/etc/passwd``, to a CSV elsewhere, to another partner's folder), a named pipe, a
socket or a device is not such a file: following or opening it would read data from outside the
raw folder, publish its checksum, or (a named pipe) wait forever. So every question here is asked
with ``lstat`` (links are never followed), and a file is opened only with ``O_NOFOLLOW`` and
``O_NONBLOCK`` and read only when ``fstat`` says it is regular (so a file swapped for a link or a
pipe after the listing is refused too, and never blocks).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from pathlib import Path

from pipeline.core.errors import PipelineError

# lstat kind -> (Dutch, English) description for the note on an entry that is not read
KINDS: dict[str, tuple[str, str]] = {
    "symlink": ("symbolische koppeling", "symbolic link"),
    "dir": ("map", "folder"),
    "fifo": ("named pipe", "named pipe"),
    "socket": ("socket", "socket"),
    "device": ("apparaatbestand", "device file"),
    "other": ("onbekend soort bestand", "unknown kind of file"),
}


class NotRegularFileError(PipelineError):
    """A path that is not a regular file (link, pipe, socket, device): never read."""

    def __init__(self, kind: str):
        nl, en = KINDS.get(kind, KINDS["other"])
        super().__init__(f"geen gewoon bestand ({nl})", f"not a regular file ({en})")
        self.kind = kind


def kind_of(path: Path) -> str:
    """``file``, ``dir``, ``symlink``, ``fifo``, ``socket``, ``device`` or ``other``, by ``lstat``.

    A link is reported as ``symlink`` whatever it points at (a folder, a file, nothing).
    """
    return _kind(os.lstat(path).st_mode)


def _kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISREG, "file"),
        (stat.S_ISDIR, "dir"),
        (stat.S_ISLNK, "symlink"),
        (stat.S_ISFIFO, "fifo"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "device"),
        (stat.S_ISBLK, "device"),
    ):
        if test(mode):
            return kind
    return "other"


def entries(folder: Path) -> list[tuple[Path, str]]:
    """The entries of a real folder (not a link) with their :func:`kind_of`, sorted by name."""
    return [(p, kind_of(p)) for p in sorted(folder.iterdir())]


def walk(folder: Path) -> list[tuple[Path, str]]:
    """Every entry below ``folder`` that is not a real folder, with its kind; links to folders
    are listed (as ``symlink``), never entered."""
    found: list[tuple[Path, str]] = []
    for path, kind in entries(folder):
        if kind == "dir":
            found += walk(path)
        else:
            found.append((path, kind))
    return found


def run_entries(raw: Path, period: str) -> list[tuple[Path, str]]:
    """Every entry a run of ``period`` may read, with its kind: the entries at the top of ``raw``
    and everything below its period folders ``<= period`` (docs/exports.md layout), links not followed.

    Standard library only: make's digest of the raw folder (``pipeline.orchestrate.make_inputs``)
    and the pipeline's own fingerprint (``pipeline.orchestrate.provenance``) share this rule.
    """
    if not raw.is_dir():
        return []
    found = []
    for entry, kind in entries(raw):
        if kind == "dir" and re.fullmatch(r"[0-9]{4}Q[1-4]", entry.name) and entry.name <= period:
            found += walk(entry)
        elif kind != "dir":
            found.append((entry, kind))
    return found


def _open_regular(path: Path) -> int:
    """A read-only descriptor of ``path`` if it is a regular file; else :class:`NotRegularFileError`."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)  # O_NONBLOCK: opening a named pipe returns at once
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW on a link
            raise NotRegularFileError("symlink") from None
        if exc.errno == errno.ENXIO:  # a socket (or a pipe without a writer on some systems)
            raise NotRegularFileError(kind_of(path)) from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotRegularFileError(_kind(mode))
    return fd


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file; a link, pipe, socket or device raises :class:`NotRegularFileError`."""
    with os.fdopen(_open_regular(path), "rb") as handle:
        return handle.read()


def sha256_regular(path: Path) -> str:
    """sha256 of a regular file, read in blocks; anything else raises :class:`NotRegularFileError`."""
    digest = hashlib.sha256()
    with os.fdopen(_open_regular(path), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
