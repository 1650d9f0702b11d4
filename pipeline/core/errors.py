"""Errors the user may see: always one clear line, Dutch and English, never a traceback."""

from __future__ import annotations

import errno


class PipelineError(Exception):
    """A run-level error: the run stops, nothing is published.

    Args:
        nl: the message in Dutch (the partners' language).
        en: the same message in English.
    """

    def __init__(self, nl: str, en: str):
        super().__init__(f"{nl} / {en}")
        self.nl = nl
        self.en = en

    def __reduce__(self):  # crosses from a reading process to the stage intact
        return (type(self), (self.nl, self.en))

    def one_line(self) -> str:
        """The message as printed on the terminal: ``FOUT: <nl> | ERROR: <en>``."""
        return f"FOUT: {self.nl} | ERROR: {self.en}"


class UnreadableFileError(PipelineError):
    """A file that cannot be read at all (docs/exports.md: "reported as such"); status ``onleesbaar``."""


def os_error_line(exc: OSError, what_nl: str, what_en: str) -> str:
    """One Dutch and English line for an operating-system error that says what to do.

    >>> os_error_line(OSError(errno.ENOSPC, "No space left"), "niets gepubliceerd", "nothing published")
    'FOUT: niets gepubliceerd: schijf vol; maak ruimte vrij en draai opnieuw | ERROR: nothing published: disk full; free some space and run again'
    """
    nl, en = _OS_ERRORS.get(exc.errno, (None, None))
    if nl is None:
        name = errno.errorcode.get(exc.errno, str(exc.errno))
        nl, en = f"systeemfout {name}; zie logs/ of vraag de beheerder", f"system error {name}; see logs/ or ask IT"
    return f"FOUT: {what_nl}: {nl} | ERROR: {what_en}: {en}"


_READ_ONLY = (
    "geen schrijfrechten (alleen-lezen); kies een map waarin u mag schrijven of vraag rechten",
    "no permission to write (read-only); choose a folder you can write to or ask for access",
)
_DISK_FULL = ("schijf vol; maak ruimte vrij en draai opnieuw", "disk full; free some space and run again")
_OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.EACCES: _READ_ONLY,
    errno.EPERM: _READ_ONLY,
    errno.EROFS: _READ_ONLY,
    errno.ENOSPC: _DISK_FULL,
    errno.EDQUOT: _DISK_FULL,
    errno.EXDEV: (
        "verplaatsen naar een andere schijf lukt niet; zet data/clean en reports op dezelfde schijf",
        "cannot move to another disk; keep data/clean and reports on one filesystem",
    ),
    errno.ENOTDIR: ("een deel van het pad is een bestand, geen map", "part of the path is a file, not a folder"),
    errno.ENAMETOOLONG: ("pad of bestandsnaam te lang; kies een kortere map", "path or file name too long"),
    errno.EIO: (
        "lees- of schrijffout van de schijf; controleer de schijf of netwerkmap",
        "disk read or write error; check the disk or network share",
    ),
}
