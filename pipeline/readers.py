"""Read one partner export as it is: CSV or XLSX by content, to raw values plus Excel row numbers.

exports.md ("File formats that must be accepted") is the contract: CSV with `;`, `,` or tab,
UTF-8 (with or without BOM), Windows-1252 or Excel's UTF-16 "Unicode text"; quoted fields with
embedded delimiters and newlines; XLSX with title rows above the header, date cells and
formulas. Values are not typed here (that is :mod:`pipeline.parse`); a file that cannot be read
at all raises :class:`UnreadableFileError`, which ingest records as ``onleesbaar``.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import pandas as pd

from pipeline.errors import PipelineError
from pipeline.mappings import normalise_header

if TYPE_CHECKING:  # openpyxl is imported lazily (only XLSX needs it)
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

HEADER_SEARCH_ROWS = 20  # the header may sit below title rows, but not far below
MIN_KNOWN_HEADINGS = 2  # a row with at least this many known headings is the header
DELIMITERS = (";", "\t", ",")  # in order of preference when equally good
# Delimiters people pick in an export dialog that the standard does not accept: recognised only
# to say so, instead of "no header found" for a file whose header is plainly there.
OTHER_DELIMITERS = ("|", ":", "!", "^", "~", "/", "\\")
MAX_NOTED_COLUMNS = 10  # unknown columns named in the one note per file; the rest are counted
_TOTAL_PATTERN = r"(?:totaal|totalen|total|totals) *:?"  # on stripped, lower-cased cells
_TOTAL_RE = re.compile(r"\s*(?:totaal|totalen|total|totals)\s*:?\s*", re.IGNORECASE)
_EXCEL_ERROR_RE = r"#(?:N/A|NB|VALUE!|WAARDE!|REF!|VERW!|DIV/0!|DEEL/0!|NUM!|GETAL!|NAME\?|NAAM\?|NULL!|LEEG!)"
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")

# Rule id -> (Dutch, English) for rows rejected while reading (not typing).
READ_PROBLEMS: dict[str, tuple[str, str]] = {
    "totaalregel": (
        "totaalregel: een optelling hoort niet in de export; laat deze regel weg",
        "totals row: a sum does not belong in the export; leave this row out",
    ),
    "formule_zonder_waarde": (
        "formule zonder berekende waarde: open het bestand in Excel, sla het op en lever opnieuw",
        "formula without value: open the file in Excel, save it and deliver it again",
    ),
    "excel_fout": (
        "Excel-foutwaarde (zoals #N/B of #WAARDE!) in plaats van een waarde",
        "Excel error value (like #N/A or #VALUE!) instead of a value",
    ),
    "ander_scheidingsteken": (
        "regel gebruikt een ander scheidingsteken dan de kopregel; de waarden zijn niet aan kolommen "
        "toe te wijzen: gebruik in het hele bestand hetzelfde scheidingsteken",
        "row uses another delimiter than the header; the values cannot be assigned to columns: use "
        "one delimiter throughout the file",
    ),
    "te_veel_velden": (
        "regel heeft meer velden dan de kopregel (scheidingsteken in een waarde zonder "
        "aanhalingstekens?); de waarden zijn niet aan kolommen toe te wijzen",
        "row has more fields than the header (a delimiter inside an unquoted value?); the values "
        "cannot be assigned to columns",
    ),
}


class UnreadableFileError(PipelineError):
    """A file that cannot be read at all (exports.md: "reported as such"); status ``onleesbaar``."""


@dataclass(frozen=True)
class TableSpec:
    """What to look for in a file: comparable heading -> column, required and key columns."""

    headings: Mapping[str, str]
    required: tuple[str, ...]
    key: tuple[str, ...] = ()
    sheet: str = ""


@dataclass(frozen=True)
class RawTable:
    """One file's records: standard columns (raw values, ``None`` when empty) plus ``bron_rij``.

    ``problems`` lists rows rejected while reading (``bron_rij, kolom, waarde, regel``);
    ``notes`` are ``(soort, nl, en)`` remarks for meldingen.csv.
    """

    data: pd.DataFrame
    problems: pd.DataFrame
    rijen_leeg: int
    notes: tuple[tuple[str, str, str], ...] = ()


@dataclass
class _Grid:
    rows: list[Sequence[object]]
    lines: list[int]
    strict_width: bool  # CSV: fields beyond the header shift values, so the row is rejected
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column) without value
    widths: list[int] = field(default_factory=list)  # CSV: fields per record as written
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    # cheap whole-file hints, so the per-cell checks for Excel errors and totals rows run only
    # on the few files that could have them
    has_hash: bool = True
    has_total: bool = True


def read_table(raw: bytes, spec: TableSpec, suffix: str = "") -> RawTable:
    """Read a CSV or XLSX file (decided by content, not by name) into a :class:`RawTable`.

    Args:
        raw: the file's bytes (the caller opened it read-only).
        spec: the headings to recognise and the columns that must be there.
        suffix: the file's extension, only to note a mismatch with its content.

    Raises:
        UnreadableFileError: not CSV/XLSX, empty, no header found or a required column missing.
    """
    kind = detect_format(raw)
    grid = _read_xlsx(raw, spec) if kind == "xlsx" else _read_csv(decode_text(raw), spec)
    expected = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv", ".tsv": "csv"}
    if suffix and expected.get(suffix.lower()) != kind:
        grid.notes.append((
            "formaat",
            f"bestand met extensie {suffix} bevat {kind.upper()}; gelezen als {kind.upper()}",
            f"file with extension {suffix} contains {kind.upper()}; read as {kind.upper()}",
        ))
    return _table_from_grid(grid, spec)


def detect_format(raw: bytes) -> str:
    """``"xlsx"`` or ``"csv"`` from the first bytes; anything else is unreadable.

    >>> detect_format(b"PK\\x03\\x04..."), detect_format(b"a;b\\n1;2\\n")
    ('xlsx', 'csv')
    """
    if not raw.strip():
        raise UnreadableFileError("het bestand is leeg", "the file is empty")
    if raw.startswith(b"PK\x03\x04"):
        return "xlsx"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFileError(
            "oud Excel-formaat (.xls) of met wachtwoord beveiligd: sla op als .xlsx of CSV",
            "old Excel format (.xls) or password-protected: save as .xlsx or CSV",
        )
    if raw.startswith(b"%PDF"):
        raise UnreadableFileError("dit is een PDF, geen CSV of XLSX", "this is a PDF, not CSV or XLSX")
    return "csv"


def decode_text(raw: bytes) -> str:
    """Decode CSV bytes: BOM (UTF-8, UTF-16), BOM-less UTF-16, UTF-8, else Windows-1252.

    >>> decode_text("€ ë".encode("cp1252")), decode_text(codecs.BOM_UTF8 + "é".encode())
    ('€ ë', 'é')
    """
    if raw.startswith(codecs.BOM_UTF8):
        return _decode(raw[3:], "utf-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel "Unicode text"
        return _decode(raw, "utf-16")
    sample = raw[:4000]
    if sample.count(0) > len(sample) // 4:  # UTF-16 without BOM: every other byte is zero
        return _decode(raw, "utf-16-le" if sample[1::2].count(0) > sample[::2].count(0) else "utf-16-be")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode(raw, "cp1252")  # exports.md: Windows-1252 (ë, é, € must survive)
    if "\x00" in text:
        raise UnreadableFileError("binair bestand, geen CSV of XLSX", "binary file, not CSV or XLSX")
    return text


def _decode(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise UnreadableFileError(
            "tekenset niet herkend (verwacht UTF-8, UTF-16 of Windows-1252)",
            "character encoding not recognised (expected UTF-8, UTF-16 or Windows-1252)",
        ) from None


def _read_csv(text: str, spec: TableSpec) -> _Grid:
    # exports.md: delimiter detected. csv.Sniffer guesses badly on short Dutch exports, so
    # choose the delimiter under which some early row reads as the best header we know.
    best, best_score = DELIMITERS[0], 0
    for delimiter in DELIMITERS:
        head = itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), HEADER_SEARCH_ROWS)
        score = max((_known_count(r, spec.headings) for r in head), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    if best_score < MIN_KNOWN_HEADINGS:
        _refuse_other_delimiter(text, spec)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=best)
    rows, lines, previous = [], [], 0
    try:
        for record in reader:  # one step per record: the physical line where it starts is kept
            rows.append(record)
            lines.append(previous + 1)
            previous = reader.line_num
    except csv.Error:  # e.g. a quote never closed swallowed the rest of the file into one field
        raise UnreadableFileError(
            f"CSV niet te lezen vanaf regel {previous + 1} (aanhalingsteken niet gesloten?)",
            f"CSV cannot be read from line {previous + 1} (a quote left open?)",
        ) from None
    if rows and _quote_left_open(text, rows[-1], lines[-1], best):
        # the lenient reader puts everything after an opening quote that is never closed into one
        # field: the rows below it would vanish into a text value, so the file is not read
        raise UnreadableFileError(
            f"aanhalingsteken in regel {lines[-1]} wordt nooit gesloten: de rest van het bestand zou in "
            "één waarde belanden; sluit het aanhalingsteken of haal het weg",
            f"a quote on line {lines[-1]} is never closed: the rest of the file would end up in one "
            "value; close the quote or remove it",
        )
    has_total = re.search("tota", text, re.IGNORECASE) is not None
    return _Grid(rows, lines, strict_width=True, has_hash="#" in text, has_total=has_total,
                 widths=[len(r) for r in rows])


def _refuse_other_delimiter(text: str, spec: TableSpec) -> None:
    """Raise when an early line is the header split by a delimiter the standard does not accept."""
    for line in itertools.islice(io.StringIO(text, newline=""), HEADER_SEARCH_ROWS):
        for delimiter in OTHER_DELIMITERS:
            if delimiter in line and _known_count(line.split(delimiter), spec.headings) >= MIN_KNOWN_HEADINGS:
                raise UnreadableFileError(
                    f"scheidingsteken '{delimiter}' wordt niet herkend: lever met puntkomma (;), komma (,) of tab",
                    f"delimiter '{delimiter}' is not accepted: deliver with semicolon (;), comma (,) or tab",
                )


def _quote_left_open(text: str, last: list[str], start_line: int, delimiter: str) -> bool:
    """Whether the last record only ended because the file did: a quote opened and never closed."""
    if not any("\n" in value or "\r" in value for value in last):
        return False  # an open quote runs to the end of the file, so it holds a line break
    tail = "".join(itertools.islice(io.StringIO(text, newline=""), start_line - 1, None))
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _read_xlsx(raw: bytes, spec: TableSpec) -> _Grid:
    import openpyxl  # heavy import, only needed for XLSX

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            try:
                several = len(book.worksheets) > 1
                sheet = _choose_sheet(book, spec.sheet)
                sheet.reset_dimensions()  # the stored dimension may be wrong: read every row
                rows = [tuple(_cell_value(c) for c in row) for row in sheet.iter_rows(min_row=1)]
            finally:
                book.close()
            formulas = _formula_cells(raw, sheet.title, rows)
    except UnreadableFileError:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged or foreign zip files
        raise UnreadableFileError(
            "geen leesbaar Excel-bestand (beschadigd of geen .xlsx): open het in Excel en sla het "
            "opnieuw op als .xlsx",
            f"not a readable Excel file (damaged or not .xlsx; {type(exc).__name__}): open it in Excel "
            "and save it again as .xlsx",
        ) from None
    texts = [v for row in rows for v in row if isinstance(v, str)]
    grid = _Grid(rows, list(range(1, len(rows) + 1)), strict_width=False, formulas=formulas,
                 has_hash=any(v.startswith("#") for v in texts),
                 has_total=any("tota" in v.casefold() for v in texts))
    if several:  # say which sheet of several was read
        grid.notes.append(("werkblad", f"werkblad '{sheet.title}' gelezen", f"worksheet '{sheet.title}' read"))
    return grid


def _choose_sheet(book: Workbook, wanted: str) -> Worksheet:
    # exports.md: "the first sheet, or the sheet whose name matches the dataset"
    sheets = list(book.worksheets)
    if not sheets:
        raise UnreadableFileError("het Excel-bestand heeft geen werkblad", "the Excel file has no worksheet")
    if wanted:
        for test in (lambda n: n == wanted, lambda n: n.startswith(wanted)):
            matches = [s for s in sheets if test(normalise_header(s.title))]
            if matches:
                return matches[0]
    visible = [s for s in sheets if getattr(s, "sheet_state", "visible") == "visible"]
    return (visible or sheets)[0]


def _cell_value(cell: Cell) -> object:
    value = cell.value
    if isinstance(value, str):
        value = value.strip()
        return value or None
    fmt = getattr(cell, "number_format", None) or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
        return round(value * 100, 9)  # a 5% cell holds 0.05; the standard's percentages are 0-100
    return value


def _formula_cells(raw: bytes, title: str, rows: list[tuple]) -> set[tuple[int, int]]:
    """(row, column) of formula cells without a cached value: empty in ``rows`` but a formula."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(_FORMULA_TAG.search(archive.read(n)) for n in names):
            return set()  # no formulas anywhere: skip the second pass
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    try:
        sheet = book[title]
        sheet.reset_dimensions()
        found = set()
        for r, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            for c, value in enumerate(row):
                is_formula = (isinstance(value, str) and value.startswith("=")) or "Formula" in type(value).__name__
                cached = rows[r - 1][c] if r <= len(rows) and c < len(rows[r - 1]) else None
                if is_formula and cached is None:
                    found.add((r, c))
        return found
    finally:
        book.close()


def _known_count(row: Sequence[object], headings: Mapping[str, str]) -> int:
    return len({headings[h] for h in map(normalise_header, row) if h in headings})


def _table_from_grid(grid: _Grid, spec: TableSpec) -> RawTable:
    scores = [_known_count(r, spec.headings) for r in grid.rows[:HEADER_SEARCH_ROWS]]
    if not scores or max(scores) < MIN_KNOWN_HEADINGS:
        raise UnreadableFileError(
            f"geen kopregel gevonden: geen rij in de eerste {HEADER_SEARCH_ROWS} met bekende kolomnamen",
            f"no header found: no row among the first {HEADER_SEARCH_ROWS} with known column names",
        )
    h = scores.index(max(scores))  # exports.md: header row found by the known column names
    header = [normalise_header(c) for c in grid.rows[h]]
    while header and not header[-1] and not grid.strict_width:
        header.pop()
    frame = pd.DataFrame(grid.rows[h + 1 :], dtype=object)
    frame.index = pd.Index(grid.lines[h + 1 :], name="bron_rij")
    if grid.strict_width:  # CSV: every cell is a string; Arrow strips whole columns at once
        frame = frame.astype("string[pyarrow]").apply(lambda col: col.str.replace("\r\n", "\n").str.strip())
        frame = frame.mask(frame == "")
    empty = frame.isna().all(axis=1) if frame.shape[1] else pd.Series(True, index=frame.index)
    frame = frame[~empty]
    notes, columns, ignored = list(grid.notes), {}, []
    for i, heading in enumerate(grid.rows[h][: len(header)] if header else []):
        name = spec.headings.get(header[i])
        has_data = i < frame.shape[1] and bool(frame[i].notna().any())
        if name is None:
            if header[i] or has_data:
                ignored.append(str(heading).strip() if header[i] else f"(kolom {i + 1} zonder kop)")
            continue
        if name in columns.values():
            first = next(k for k, v in columns.items() if v == name) + 1
            raise UnreadableFileError(f"kolom {name} staat er twee keer in (kolom {first} en {i + 1})",
                                      f"column {name} appears twice (columns {first} and {i + 1})")
        columns[i] = name
    if ignored:
        notes.append(_ignored_note(ignored))
    missing = [c for c in spec.required if c not in columns.values()]
    if missing:
        raise UnreadableFileError(
            f"verplichte kolom ontbreekt: {', '.join(missing)}", f"required column missing: {', '.join(missing)}"
        )
    extra = [c for c in frame.columns if c >= len(header)]
    if extra and not grid.strict_width and frame[extra].notna().any().any():
        notes.append(("kolom_genegeerd", "kolom zonder kop rechts van de tabel genegeerd",
                      "column without heading right of the table ignored"))
    data = frame.reindex(columns=list(columns)).rename(columns=columns)
    problems = _row_problems(grid, frame, data, columns, spec, extra)
    return RawTable(data.reset_index(), problems, int(empty.sum()), tuple(notes))


def _ignored_note(labels: list[str]) -> tuple[str, str, str]:
    """One note per file for its unknown columns (a 300-column export gives one line, not 290)."""
    if len(labels) == 1:
        return ("kolom_genegeerd", f"onbekende kolom '{labels[0]}' genegeerd", f"unknown column '{labels[0]}' ignored")
    shown = ", ".join(f"'{label}'" for label in labels[:MAX_NOTED_COLUMNS])
    more = len(labels) - MAX_NOTED_COLUMNS
    return ("kolom_genegeerd",
            f"{len(labels)} onbekende kolommen genegeerd: {shown}" + (f" en {more} meer" if more > 0 else ""),
            f"{len(labels)} unknown columns ignored: {shown}" + (f" and {more} more" if more > 0 else ""))


def _row_problems(
    grid: _Grid, frame: pd.DataFrame, data: pd.DataFrame, columns: dict[int, str], spec: TableSpec,
    extra: list[int],
) -> pd.DataFrame:
    """Rows rejected while reading: ``bron_rij, kolom, waarde, regel`` (one line per problem)."""
    found: list[tuple[int, str, str, str]] = []
    if grid.strict_width and extra:
        overflow = frame[extra].notna().any(axis=1)
        found += [(row, "", "", "te_veel_velden") for row in frame.index[overflow]]
    if grid.strict_width and len(columns) > 1:
        # a row written with another delimiter than the header reads as one long first value
        width = dict(zip(grid.lines, grid.widths))
        first = frame[0] if 0 in frame.columns else pd.Series(dtype="string")
        other = first.str.contains("|".join(map(re.escape, DELIMITERS)), regex=True).fillna(False).astype(bool)
        found += [(row, "", "", "ander_scheidingsteken") for row in frame.index[other] if width.get(row) == 1]
    for name in data.columns if grid.has_hash else []:
        is_error = _strings(data[name]).str.fullmatch(_EXCEL_ERROR_RE).fillna(False).astype(bool)
        found += [(row, name, data.at[row, name], "excel_fout") for row in data.index[is_error]]
    found += [
        (row, columns[col], "", "formule_zonder_waarde")
        for row, col in sorted(grid.formulas)
        if col in columns and row in data.index
    ]
    # exports.md: a totals row is not data; it is rejected with a reason, never dropped silently
    looks_total = pd.Series(False, index=frame.index)
    for col in frame.columns if grid.has_total else []:  # a plain pattern on lower case keeps Arrow's vectorised regex
        looks_total |= _strings(frame[col]).str.lower().str.fullmatch(_TOTAL_PATTERN).fillna(False).astype(bool)
    keys = [k for k in spec.key if k in data.columns]
    for row in frame.index[looks_total]:
        cells = frame.loc[row].dropna()
        first_col, first = cells.index[0], cells.iloc[0]
        key_values = [data.at[row, k] for k in keys]
        key_empty = all(v is None or _TOTAL_RE.fullmatch(str(v)) for v in key_values)
        if isinstance(first, str) and _TOTAL_RE.fullmatch(first) and key_empty:
            found.append((row, columns.get(first_col, ""), first, "totaalregel"))
    problems = pd.DataFrame(found, columns=["bron_rij", "kolom", "waarde", "regel"], dtype=object)
    return problems.astype({"bron_rij": "int64"})


def _strings(values: pd.Series) -> pd.Series:
    """The string cells of a column as pandas strings; numbers, dates and empties become <NA>."""
    if isinstance(values.dtype, pd.StringDtype):
        return values
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    kept = np.array([u if isinstance(u, str) else None for u in uniques] + [None], dtype=object)
    return pd.Series(kept[codes], index=values.index, dtype="string")
