"""Errors the user may see: always one clear line, Dutch and English, never a traceback."""

from __future__ import annotations


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

    def one_line(self) -> str:
        """The message as printed on the terminal: ``FOUT: <nl> | ERROR: <en>``."""
        return f"FOUT: {self.nl} | ERROR: {self.en}"


class UnreadableFileError(PipelineError):
    """A file that cannot be read at all (exports.md: "reported as such"); status ``onleesbaar``."""
