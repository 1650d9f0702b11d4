"""Read one partner export as it is: CSV or XLSX by content, to raw values plus Excel row numbers.

docs/exports.md ("File formats") is the contract: CSV with `;`, `,` or tab,
UTF-8 (with or without BOM), Windows-1252 or Excel's UTF-16 "Unicode text"; quoted fields with
embedded delimiters and newlines; XLSX with title rows above the header, date cells and
formulas. Values are not typed here (that is :mod:`pipeline.ingest.parse`); a file that cannot be read
at all raises :class:`UnreadableFileError`, which ingest records as ``onleesbaar``.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from pipeline.core.errors import UnreadableFileError
from pipeline.ingest.mappings import normalise_header
from pipeline.ingest.sniff import decode_csv, decode_text, detect_format
from pipeline.ingest.xlsx_reader import read_sheet

__all__ = [
    "READ_PROBLEMS",
    "RawTable",
    "TableSpec",
    "UnreadableFileError",
    "decode_text",
    "detect_format",
    "read_table",
]

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
    ``notes`` are ``(soort, nl, en)`` remarks for meldingen.csv; ``headers`` maps each standard
    column read to its header as the partner wrote it (surrounding whitespace stripped), so a
    finding can name the column the way the partner's own file does.
    """

    data: pd.DataFrame
    problems: pd.DataFrame
    rijen_leeg: int
    notes: tuple[tuple[str, str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class _Grid:
    rows: list[Sequence[object]]
    lines: list[int]  # the Excel row of each record (docs/exports.md, "Row numbering")
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
    if kind == "xlsx":
        grid = _read_xlsx(raw, spec)
    else:
        text, encoding_notes = decode_csv(raw)
        grid = _read_csv(text, spec)
        grid.notes.extend(encoding_notes)
    expected = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv", ".tsv": "csv"}
    if suffix and expected.get(suffix.lower()) != kind:
        grid.notes.append(
            (
                "formaat",
                f"bestand met extensie {suffix} bevat {kind.upper()}; gelezen als {kind.upper()}",
                f"file with extension {suffix} contains {kind.upper()}; read as {kind.upper()}",
            )
        )
    return _table_from_grid(grid, spec)


def _read_csv(text: str, spec: TableSpec) -> _Grid:
    # docs/exports.md: delimiter detected. csv.Sniffer guesses badly on short Dutch exports, so
    # choose the delimiter under which some early row reads as the best header we know.
    best, best_score = DELIMITERS[0], 0
    for delimiter in DELIMITERS:
        score = max((_known_count(r, spec.headings) for r in _head_rows(text, delimiter)), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    if best_score < MIN_KNOWN_HEADINGS:
        _refuse_other_delimiter(text, spec)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=best)
    rows: list[list[str]] = []
    previous, start = 0, 1  # physical lines: where the last record ended, where it started
    try:
        for record in reader:
            rows.append(record)
            start = previous + 1
            previous = reader.line_num
    except csv.Error as exc:  # never past this handler: one bad file must not stop the run
        raise _csv_unreadable(exc, previous + 1) from None
    # docs/exports.md ("Row numbers"): rows are numbered as Excel shows the file. Excel shows one
    # row per record, so a line break inside a quoted cell does not start a new row, and a blank
    # line is a row of its own (csv yields it as an empty record). The record's position is its
    # Excel row; the physical line is kept only for the messages about the text itself below.
    lines = list(range(1, len(rows) + 1))
    if rows and _quote_left_open(text, rows[-1], start, best):
        # the lenient reader puts everything after an opening quote that is never closed into one
        # field: the rows below it would vanish into a text value, so the file is not read (the
        # message names the line in a text editor: in Excel the file looks broken from there on)
        raise UnreadableFileError(
            f"aanhalingsteken in regel {start} wordt nooit gesloten: de rest van het bestand zou in "
            "één waarde belanden; sluit het aanhalingsteken of haal het weg",
            f"a quote on line {start} is never closed: the rest of the file would end up in one "
            "value; close the quote or remove it",
        )
    has_total = re.search("tota", text, re.IGNORECASE) is not None
    return _Grid(
        rows, lines, strict_width=True, has_hash="#" in text, has_total=has_total, widths=[len(r) for r in rows]
    )


def _head_rows(text: str, delimiter: str) -> list[list[str]]:
    """The first :data:`HEADER_SEARCH_ROWS` records under ``delimiter``, up to the first one the
    csv module refuses: under a wrong delimiter a wide export is one field per line, which may be
    over the field limit; that only means this delimiter is not the one (the body is read later,
    where a refusal does make the file unreadable)."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in itertools.islice(reader, HEADER_SEARCH_ROWS):
            rows.append(record)
    except csv.Error:
        pass
    return rows


def _csv_unreadable(exc: csv.Error, line: int) -> UnreadableFileError:
    """A csv module refusal as a partner reads it, with the line where the record starts."""
    if "field larger than field limit" in str(exc):
        # csv's limit (128 kB per value) is kept: no real cell is that long, and a value that
        # runs on that far is nearly always a stray quote that swallowed the rows after it
        limit = csv.field_size_limit() // 1024
        return UnreadableFileError(
            f'veld langer dan {limit} kB in regel {line}: waarschijnlijk een los aanhalingsteken (") dat de '
            "regels erna in één waarde opneemt; haal het weg of sluit het",
            f'field longer than {limit} kB on line {line}: probably a stray quote (") that takes the lines '
            "after it into one value; remove or close it",
        )
    return UnreadableFileError(
        f"CSV niet te lezen vanaf regel {line} (aanhalingsteken niet gesloten?)",
        f"CSV cannot be read from line {line} (a quote left open?)",
    )


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
    sheet = read_sheet(raw, spec.sheet)  # bounded: pipeline/ingest/xlsx_reader.py
    rows = sheet.rows
    # every text cell in one string, each after a NUL (no cell holds one: XML cannot): "starts
    # with #" and "holds tota" are then two searches in C instead of a call per cell
    texts = "\0" + "\0".join(v for row in rows for v in row if isinstance(v, str))
    grid = _Grid(
        rows,
        list(range(1, len(rows) + 1)),
        strict_width=False,
        formulas=sheet.formulas,
        has_hash="\0#" in texts,
        has_total="tota" in texts.casefold(),
    )
    if sheet.several:  # say which sheet of several was read
        grid.notes.append(("werkblad", f"werkblad '{sheet.title}' gelezen", f"worksheet '{sheet.title}' read"))
    return grid


def _known_count(row: Sequence[object], headings: Mapping[str, str]) -> int:
    return len({headings[h] for h in map(normalise_header, row) if h in headings})


def _table_from_grid(grid: _Grid, spec: TableSpec) -> RawTable:
    scores = [_known_count(r, spec.headings) for r in grid.rows[:HEADER_SEARCH_ROWS]]
    if not scores or max(scores) < MIN_KNOWN_HEADINGS:
        raise UnreadableFileError(
            f"geen kopregel gevonden: geen rij in de eerste {HEADER_SEARCH_ROWS} met bekende kolomnamen",
            f"no header found: no row among the first {HEADER_SEARCH_ROWS} with known column names",
        )
    h = scores.index(max(scores))  # docs/exports.md: header row found by the known column names
    header = [normalise_header(c) for c in grid.rows[h]]
    while header and not header[-1] and not grid.strict_width:
        header.pop()
    index = pd.Index(grid.lines[h + 1 :], name="bron_rij")
    if grid.strict_width:  # CSV: every cell is a string
        frame = _text_frame(grid.rows[h + 1 :], index)
    else:
        frame = pd.DataFrame(grid.rows[h + 1 :], dtype=object)
        frame.index = index
    empty = frame.isna().all(axis=1) if frame.shape[1] else pd.Series(True, index=frame.index)
    frame = frame[~empty]
    present = frame.notna().any(axis=0)  # per column: holds a value in some row
    notes, columns, ignored, headers = list(grid.notes), {}, [], {}
    for i, heading in enumerate(grid.rows[h][: len(header)] if header else []):
        name = spec.headings.get(header[i])
        has_data = i < frame.shape[1] and bool(present[i])
        if name is None:
            if header[i] or has_data:
                ignored.append(str(heading).strip() if header[i] else f"(kolom {i + 1} zonder kop)")
            continue
        if name in columns.values():
            first = next(k for k, v in columns.items() if v == name) + 1
            raise UnreadableFileError(
                f"kolom {name} staat er twee keer in (kolom {first} en {i + 1})",
                f"column {name} appears twice (columns {first} and {i + 1})",
            )
        columns[i] = name
        headers[name] = str(heading).strip()  # a known heading: never a cell value, so never a BSN
    if ignored:
        notes.append(_ignored_note(ignored))
    missing = [c for c in spec.required if c not in columns.values()]
    if missing:
        raise UnreadableFileError(
            f"verplichte kolom ontbreekt: {', '.join(missing)}", f"required column missing: {', '.join(missing)}"
        )
    extra = [c for c in frame.columns if c >= len(header)]
    if extra and not grid.strict_width and frame[extra].notna().any().any():
        notes.append(
            (
                "kolom_genegeerd",
                "kolom zonder kop rechts van de tabel genegeerd",
                "column without heading right of the table ignored",
            )
        )
    data = frame.reindex(columns=list(columns)).rename(columns=columns)
    problems = _row_problems(grid, frame, data, columns, spec, extra)
    return RawTable(data.reset_index(), problems, int(empty.sum()), tuple(notes), headers)


def _text_frame(rows: list[Sequence[str]], index: pd.Index) -> pd.DataFrame:
    """CSV records as columns of Arrow strings (a short record's missing fields empty), each
    value with its line breaks as ``\\n`` and without surrounding whitespace, an empty value
    missing. Built column by column in Arrow: the same as building an object frame and
    stripping it through pandas, at a fraction of the cost on a large delivery.

    >>> f = _text_frame([[" a ", "x\\r\\ny"], ["", " "], ["b"]], pd.Index([2, 3, 4]))
    >>> f[0].tolist(), f[1].tolist(), str(f[1].dtype), f.index.tolist()
    (['a', <NA>, 'b'], ['x\\ny', <NA>, <NA>], 'string', [2, 3, 4])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {}
    for j, cells in enumerate(itertools.zip_longest(*rows)):  # the columns, a short record's gaps None
        values = pa.array(cells, type=pa.large_string())
        values = pc.utf8_trim_whitespace(pc.replace_substring(values, "\r\n", "\n"))
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.large_string()), values)
        columns[j] = pd.arrays.ArrowStringArray(pa.chunked_array([values]), dtype=pd.StringDtype("pyarrow"))
    return pd.DataFrame(columns, index=index) if columns else pd.DataFrame(index=index)


def _ignored_note(labels: list[str]) -> tuple[str, str, str]:
    """One note per file for its unknown columns (a 300-column export gives one line, not 290)."""
    if len(labels) == 1:
        return ("kolom_genegeerd", f"onbekende kolom '{labels[0]}' genegeerd", f"unknown column '{labels[0]}' ignored")
    shown = ", ".join(f"'{label}'" for label in labels[:MAX_NOTED_COLUMNS])
    more = len(labels) - MAX_NOTED_COLUMNS
    return (
        "kolom_genegeerd",
        f"{len(labels)} onbekende kolommen genegeerd: {shown}" + (f" en {more} meer" if more > 0 else ""),
        f"{len(labels)} unknown columns ignored: {shown}" + (f" and {more} more" if more > 0 else ""),
    )


def _row_problems(
    grid: _Grid,
    frame: pd.DataFrame,
    data: pd.DataFrame,
    columns: dict[int, str],
    spec: TableSpec,
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
    # docs/exports.md: a totals row is not data; it is rejected with a reason, never dropped silently
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
    problems["bron_rij"] = problems["bron_rij"].astype("int64")
    return problems


def _strings(values: pd.Series) -> pd.Series:
    """The string cells of a column as pandas strings; numbers, dates and empties become <NA>."""
    if isinstance(values.dtype, pd.StringDtype):
        return values
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    kept = np.array([u if isinstance(u, str) else None for u in uniques] + [None], dtype=object)
    return pd.Series(kept[codes], index=values.index, dtype="string")
