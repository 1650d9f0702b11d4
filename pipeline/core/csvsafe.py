"""CSV outputs that are safe to open in Excel: text from partner exports never runs as a formula.

Every CSV the pipeline writes (``data/clean/<P>/*.csv``, ``reports/<P>/data/*.csv``) goes through
:func:`write_csv`. A CSV holds no types: Excel evaluates a cell that starts with ``=``, ``+``,
``-`` or ``@`` (and treats a leading tab or carriage return the same way), so an export holding
``=HYPERLINK("http://...","klik")`` would become a live link, and ``+cmd|'/C calc'!A0`` worse
(OWASP, "CSV Injection"). Such a text cell is written with a single quote in front, the OWASP
advice; Excel then shows it as text.

- **Numbers stay numbers.** Only text cells are touched: float and integer columns are written
  as they are, and a text cell that is a plain number (``-500``, ``+31``, ``-1,5``) is not a
  formula and stays as it is. ``-2+3`` is a formula and is neutralised.
- **Reversible.** A text cell that already starts with a quote followed by a trigger (``'=x``)
  gets a second quote, so :func:`restore` gives back exactly what was written; ``'t Zandt``
  is untouched. Whoever reads these CSVs back to show the text (pages, downloads) reads them
  with :func:`read_csv`.
- **Deterministic**: the same frame gives the same bytes (UTF-8, ``,``, ``\\n``, no index).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

#: What makes Excel (or LibreOffice) read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)*")


def neutralise(value: Any) -> Any:
    """A text value as it may stand in a CSV cell; anything that is not text is returned as is.

    >>> [neutralise(v) for v in ['=HYPERLINK("x")', "+cmd", "-2+3", "@SUM(A1)", "-500", "'=x", "'t Zandt", 1.5]]
    ['\\'=HYPERLINK("x")', "'+cmd", "'-2+3", "'@SUM(A1)", '-500', "''=x", "'t Zandt", 1.5]
    """
    if not isinstance(value, str) or not value:
        return value
    if _is_formula(value) or (value.startswith(QUOTE) and _is_formula(value[1:])):
        return QUOTE + value
    return value


def restore(value: Any) -> Any:
    """The original text of a neutralised cell (the inverse of :func:`neutralise`).

    >>> [restore(neutralise(v)) for v in ["=1+1", "'=x", "'t Zandt", "-500"]]
    ['=1+1', "'=x", "'t Zandt", '-500']
    """
    if isinstance(value, str) and value.startswith(QUOTE) and neutralise(value[1:]) == value:
        return value[1:]
    return value


def _is_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text)


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if pd.api.types.is_object_dtype(frame[c].dtype) or pd.api.types.is_string_dtype(frame[c].dtype)
    ]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised; number, boolean and date columns untouched."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(neutralise, na_action="ignore").astype(out[column].dtype)
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell restored to the text as delivered."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(restore, na_action="ignore").astype(out[column].dtype)
    return out


def write_csv(frame: pd.DataFrame, path: Path, **to_csv: Any) -> None:
    """Write ``frame`` as the pipeline writes every CSV: neutralised, UTF-8, ``,``, ``\\n``, no index."""
    options = {"index": False, "encoding": "utf-8", "lineterminator": "\n", **to_csv}
    neutralise_frame(frame).to_csv(path, **options)


def read_csv(path: Path, **read_csv_options: Any) -> pd.DataFrame:
    """Read a CSV written by :func:`write_csv` back into the text as delivered."""
    return restore_frame(pd.read_csv(path, **read_csv_options))
