"""Accessible, escaped HTML tables for the report pages (no pandas Styler, no random ids).

Every piece of text that comes from data (partner names, descriptions, column names, the
caption) goes through ``html.escape``: an export holding ``<script>`` or ``=HYPERLINK(...)``
shows exactly that text. Tables have a ``<caption>``, ``<th scope="col">`` headers and the first
column as ``<th scope="row">``; number columns get class ``getal`` (right-aligned by the page
CSS). A status is shown as a coloured symbol *and* the Dutch word (docs/reports.md: colour-blind
readers). Cells hidden by :mod:`pipeline.disclosure.suppress` (a string in a number column) get class
``onderdrukt``.
"""

from __future__ import annotations

import datetime as dt
import html
import numbers
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from pipeline.report import formatting as fmt

_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|//)", re.I)
_HIDDEN = re.compile(r"^(<\d+|×)$")
_SHORT_DATE = re.compile(r"^\d{2}-\d{2}-\d{4}$")  # formatting.format_date_short: kept on one line


class Html(str):
    """An HTML fragment; a notebook cell ending with one displays it as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


def _ink_on(colour: str) -> str:
    """Black or white, whichever contrasts more with ``colour`` (WCAG relative luminance)."""
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"


def status_html(code: object) -> str:
    """A status as symbol chip + Dutch word; the word alone carries the meaning.

    >>> status_html("achterstand")
    '<span class="status status-achterstand"><span class="status-symbool" aria-hidden="true" style="background:#E69F00;color:#000000">▲</span> Achterstand</span>'
    """
    if fmt.is_missing(code):
        return fmt.NA_TEXT
    key = str(code)
    if not key:  # e.g. a totals row
        return ""
    if key not in fmt.STATUS_LABELS:
        return f'<span class="status status-onbekend">{html.escape(key)}</span>'
    colour = fmt.STATUS_COLOURS[key]
    return (
        f'<span class="status status-{key}"><span class="status-symbool" aria-hidden="true" '
        f'style="background:{colour};color:{_ink_on(colour)}">{fmt.STATUS_SYMBOLS[key]}</span> '
        f"{html.escape(fmt.STATUS_LABELS[key])}</span>"
    )


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _is_numeric_column(series: pd.Series) -> bool:
    """Numbers, possibly with suppression marks (``'<5'``, ``'×'``) or missing values."""
    if pd.api.types.is_bool_dtype(series):
        return False
    if pd.api.types.is_numeric_dtype(series):
        return True
    values = [v for v in series.tolist() if not fmt.is_missing(v)]
    return bool(values) and all(_is_number(v) or (isinstance(v, str) and _HIDDEN.match(v)) for v in values)


def _default_format(value: object) -> str:
    if fmt.is_missing(value):
        return fmt.NA_TEXT
    if isinstance(value, (bool, np.bool_)):
        return "ja" if value else "nee"
    if isinstance(value, (dt.date, np.datetime64)):
        return fmt.format_date(value)
    if _is_number(value):
        return fmt.format_int(value) if float(value).is_integer() else fmt.format_number(value, 2)
    return str(value)


def _safe_href(href: object) -> str | None:
    """Only relative links (the pages of the same period); no schemes, no ``//host``."""
    if fmt.is_missing(href) or not str(href).strip() or _SCHEME.match(str(href)):
        return None
    return str(href)


def html_table(
    df: pd.DataFrame,
    formats: Mapping[str, Callable[[object], str]] | None = None,
    caption: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    columns: Sequence[str] | None = None,
    status_columns: Sequence[str] = ("status",),
    numeric_columns: Sequence[str] | None = None,
    links: Mapping[str, str] | None = None,
    row_header: bool = True,
    total_label: str = "Totaal",
    note: str | None = None,
    subtitles: Mapping[str, str] | None = None,
) -> Html:
    """Render ``df`` as an escaped, accessible HTML table.

    Args:
        df: the display table (may hold suppression strings from :mod:`pipeline.disclosure.suppress`).
        formats: column → function giving the cell text (``formatting.format_eur`` ...); other
            columns: dates Dutch, numbers Dutch, ``–`` for missing.
        caption: the table's caption (shown above it).
        headers: column → header text (default: the column name).
        columns: which columns to show, in order (default: all).
        status_columns: columns holding status codes, shown as symbol + word.
        numeric_columns: columns to right-align (default: detected).
        links: column → column holding a *relative* href for that cell (other links dropped).
        row_header: the first shown column is the row header (``<th scope="row">``).
        total_label: a row whose first cell is this text gets class ``totaal``.
        note: a footnote under the table (e.g. the suppression legend).
        subtitles: column → column whose text is shown as a second, smaller line in that
            column's cell (a contract's description under its id: one column instead of two).

    >>> t = pd.DataFrame({"naam": ["<b>A</b>"], "n": ["<5"]})
    >>> print(html_table(t, caption="Test"))  # doctest: +NORMALIZE_WHITESPACE
    <table class="sroi"><caption>Test</caption>
    <thead><tr><th scope="col">naam</th><th scope="col" class="getal">n</th></tr></thead>
    <tbody>
    <tr><th scope="row">&lt;b&gt;A&lt;/b&gt;</th><td class="getal onderdrukt">&lt;5</td></tr>
    </tbody></table>
    """
    formats = dict(formats or {})
    headers = dict(headers or {})
    links = dict(links or {})
    subtitles = dict(subtitles or {})
    shown = list(columns) if columns is not None else list(df.columns)
    numeric = (
        set(numeric_columns)
        if numeric_columns is not None
        else {c for c in shown if c not in status_columns and _is_numeric_column(df[c])}
    )

    out = ['<table class="sroi">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append("\n<thead><tr>")
    for col in shown:
        cls = ' class="getal"' if col in numeric else ""
        out.append(f'<th scope="col"{cls}>{html.escape(str(headers.get(col, col)))}</th>')
    out.append("</tr></thead>\n<tbody>\n")
    # Column lists, not iterrows(): a row Series would turn ints into floats.
    needed = list(dict.fromkeys([*shown, *links.values(), *subtitles.values()]))
    cells = {c: df[c].tolist() for c in needed}
    for r in range(len(df)):
        row = {c: cells[c][r] for c in needed}
        first = row[shown[0]] if shown else None
        is_total = isinstance(first, str) and first.strip().lower() == total_label.lower()
        out.append('<tr class="totaal">' if is_total else "<tr>")
        for i, col in enumerate(shown):
            value = row[col]
            classes = []
            if col in status_columns:
                text = status_html(value)
            else:
                text = html.escape(formats.get(col, _default_format)(value))
                if col in links and (href := _safe_href(row[links[col]])):
                    text = f'<a href="{html.escape(href, quote=True)}">{text}</a>'
                sub = row[subtitles[col]] if col in subtitles else None
                if sub is not None and not fmt.is_missing(sub) and str(sub).strip():
                    text += f'<span class="sub">{html.escape(str(sub))}</span>'
            if _SHORT_DATE.match(text):
                classes.append("datum")
            if col in numeric:
                classes.append("getal")
                if isinstance(value, str) and _HIDDEN.match(value):
                    classes.append("onderdrukt")
            cls = f' class="{" ".join(classes)}"' if classes else ""
            tag = "th" if (row_header and i == 0) else "td"
            scope = ' scope="row"' if tag == "th" else ""
            out.append(f"<{tag}{scope}{cls}>{text}</{tag}>")
        out.append("</tr>\n")
    out.append("</tbody></table>")
    if note:
        out.append(f'\n<p class="noot">{html.escape(note)}</p>')
    return Html("".join(out))
