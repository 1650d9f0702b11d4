"""Read the one worksheet of an XLSX export that holds the data, with bounded memory.

docs/exports.md, "XLSX rules": the sheet named after the dataset, else the first. An XLSX file
is a zip of XML parts, and a 2 MB file can unpack to gigabytes (a "zip bomb", or an unused sheet
with a million formatted rows). So before anything is unpacked, the sizes the zip declares are
checked (:func:`check_archive`): no part may be compressed more than a real spreadsheet ever is,
and the parts actually read (the workbook, styles, shared strings and the one worksheet) must
stay under a total; Python's zip reader never yields more than a part's declared size, so the
declared sizes are a real bound. The worksheet is then streamed row by row (openpyxl read-only)
with a cell limit, the search for formulas reads only that worksheet in blocks, and other
worksheets are never unpacked. The limits are settings (``config/settings.yaml``: ``ingest``).
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from pipeline.core.errors import UnreadableFileError
from pipeline.core.settings import IngestSettings, settings
from pipeline.ingest.mappings import normalise_header
from pipeline.ingest.sniff import ZIP_KINDS, not_a_table

if TYPE_CHECKING:  # openpyxl is imported lazily (only XLSX needs it)
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_TAG_OVERLAP = 32  # bytes kept between blocks so a tag split by a block boundary is still found
_BLOCK = 1 << 20
RATIO_FROM_BYTES = 1 << 20  # the ratio is judged on parts over 1 MiB; tiny parts compress oddly
_MB = 1_000_000
#: The sheets the delivery templates hold after their data sheet (pipeline/ingest/templates.py):
#: explanation and rate card. A filled-in template is read without a note about other sheets.
TEMPLATE_SHEETS = frozenset({"Toelichting", "Bouwblokken"})


@dataclass(frozen=True)
class Sheet:
    """The rows of the worksheet read, its title, formula cells without value, and whether the
    workbook has other worksheets worth a note (:func:`_several`)."""

    rows: list[tuple]
    title: str
    formulas: set[tuple[int, int]]
    several: bool


@contextmanager
def _sheets_left_packed() -> Iterator[None]:
    """openpyxl's read-only workbook parses the start of *every* worksheet when it opens, to read
    its stored size, and that parse runs to the end of the sheet's data when the size is not
    there: an unused sheet that unpacks to gigabytes is then held in memory. The stored size is
    thrown away anyway (:func:`_rows` resets it), so while a workbook opens, its worksheets skip
    that step and no worksheet is unpacked until it is the one read (tested with a 2 GiB sheet)."""
    from openpyxl.reader import excel
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class _Unsized(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            pass

    excel.ReadOnlyWorksheet = _Unsized  # the name openpyxl's reader builds its sheets with
    try:
        yield
    finally:
        excel.ReadOnlyWorksheet = ReadOnlyWorksheet


def _open_book(raw: bytes, data_only: bool) -> Workbook:
    import openpyxl  # heavy import, only needed for XLSX

    with _sheets_left_packed():
        return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only, keep_links=False)


def limits() -> IngestSettings:
    """The reading limits (a function, so a test can lower them)."""
    return settings().ingest


def read_sheet(raw: bytes, wanted: str) -> Sheet:
    """Read the data worksheet of an XLSX file: the one named ``wanted``, else the first visible.

    Raises:
        UnreadableFileError: not a workbook, damaged, over a limit, or no worksheet.
    """
    bounds = limits()
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = {i.filename: i for i in archive.infolist()}
        shared = check_archive(infos, bounds)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            book = _open_book(raw, data_only=True)
            try:
                sheet = _choose_sheet(book, wanted)
                several = _several(book, sheet)
                part = _check_sheet(infos, sheet, shared, bounds)
                rows = _rows(sheet, bounds.xlsx_max_cells)
            finally:
                book.close()
            formulas = _formula_cells(raw, part, sheet.title, rows)
    except UnreadableFileError:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged or foreign zip files
        raise UnreadableFileError(
            "geen leesbaar Excel-bestand (beschadigd of geen .xlsx): open het in Excel en sla het opnieuw op als .xlsx",
            f"not a readable Excel file (damaged or not .xlsx; {type(exc).__name__}): open it in Excel "
            "and save it again as .xlsx",
        ) from None
    return Sheet(rows, sheet.title, formulas, several)


def check_archive(infos: dict[str, zipfile.ZipInfo], bounds: IngestSettings) -> int:
    """Refuse a zip that is not a workbook or would unpack too far; return the declared size of
    the parts openpyxl reads besides the worksheets (XML and relationship parts)."""
    if not any(name.startswith("xl/") for name in infos):  # every workbook part lives under xl/
        for part, nl, en in ZIP_KINDS:
            if part in infos:
                raise not_a_table(nl, en)
        raise UnreadableFileError(
            "geen leesbaar Excel-bestand (een zip-bestand zonder werkmap): sla het op als .xlsx of CSV",
            "not a readable Excel file (a zip file without a workbook): save it as .xlsx or CSV",
        )
    for info in infos.values():
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM_BYTES and ratio > bounds.xlsx_max_compression_ratio:
            raise UnreadableFileError(
                f"het Excel-bestand pakt verdacht ver uit (onderdeel {info.filename}: {info.file_size // _MB} MB, "
                f"{ratio:.0f} keer zo groot als ingepakt; een 'zip-bom' of een werkblad vol lege opgemaakte "
                "cellen): niet gelezen; verwijder overbodige werkbladen en sla opnieuw op, of lever als CSV",
                f"the Excel file unpacks suspiciously far (part {info.filename}: {info.file_size // _MB} MB, "
                f"{ratio:.0f} times its packed size; a 'zip bomb' or a sheet full of empty formatted cells): "
                "not read; remove unneeded sheets and save again, or deliver as CSV",
            )
    return sum(
        i.file_size
        for name, i in infos.items()
        if name.endswith((".xml", ".rels")) and not name.startswith("xl/worksheets/")
    )


def _check_sheet(infos: dict[str, zipfile.ZipInfo], sheet: Worksheet, shared: int, bounds: IngestSettings) -> str:
    """The zip part of the chosen worksheet, once the parts to read are known to fit the limit."""
    part = getattr(sheet, "_worksheet_path", "")
    total = shared + (infos[part].file_size if part in infos else 0)
    limit = bounds.xlsx_max_uncompressed_mb * _MB
    if total > limit:
        raise UnreadableFileError(
            f"het Excel-bestand is te groot om te lezen: werkblad '{sheet.title}' en de onderdelen die erbij "
            f"horen pakken uit tot {total // _MB} MB (grens {limit // _MB:.0f} MB); lever de gegevens als CSV "
            "of in kleinere bestanden",
            f"the Excel file is too large to read: sheet '{sheet.title}' and the parts it needs unpack to "
            f"{total // _MB} MB (limit {limit // _MB:.0f} MB); deliver the data as CSV or in smaller files",
        )
    return part


def _rows(sheet: Worksheet, max_cells: int) -> list[tuple]:
    """The sheet's rows as values, refused once they hold more than ``max_cells`` cells."""
    sheet.reset_dimensions()  # the stored dimension may be wrong: read every row
    rows, cells = [], 0
    for row in sheet.iter_rows(min_row=1):
        cells += len(row)
        if cells > max_cells:
            raise UnreadableFileError(
                f"werkblad '{sheet.title}' heeft meer dan {max_cells:,} cellen (vanaf rij {len(rows) + 1}); "
                "verwijder lege opgemaakte rijen en kolommen, of lever als CSV".replace(",", "."),
                f"sheet '{sheet.title}' has more than {max_cells:,} cells (from row {len(rows) + 1}); remove empty "
                "formatted rows and columns, or deliver as CSV",
            )
        rows.append(tuple(_cell_value(c) for c in row))
    return rows


def _choose_sheet(book: Workbook, wanted: str) -> Worksheet:
    # docs/exports.md, "XLSX rules": the sheet named after the dataset, else the first visible one
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


def _several(book: Workbook, sheet: Worksheet) -> bool:
    """Whether to say which sheet was read: the workbook has other sheets, unless it is laid out
    as a delivery template (the sheet read first, then only :data:`TEMPLATE_SHEETS`)."""
    titles = [s.title for s in book.worksheets]
    if len(titles) < 2:
        return False
    return not (titles[0] == sheet.title and set(titles[1:]) <= TEMPLATE_SHEETS)


def _cell_value(cell: Cell) -> object:
    value = cell.value
    if isinstance(value, str):
        value = value.strip()
        return value or None
    fmt = getattr(cell, "number_format", None) or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
        return round(value * 100, 9)  # a 5% cell holds 0.05; the standard's percentages are 0-100
    return value


def has_formula(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether one worksheet part holds a formula, read in blocks (never whole in memory)."""
    tail = b""
    with archive.open(part) as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            if _FORMULA_TAG.search(tail + block):
                return True
            tail = block[-_TAG_OVERLAP:]
    return False


def _formula_cells(raw: bytes, part: str, title: str, rows: list[tuple]) -> set[tuple[int, int]]:
    """(row, column) of formula cells without a cached value: empty in ``rows`` but a formula."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        if not rows or part not in archive.namelist() or not has_formula(archive, part):
            return set()  # no formulas in the sheet read: skip the second pass
    book = _open_book(raw, data_only=False)
    try:
        sheet = book[title]
        sheet.reset_dimensions()
        found = set()
        for r, row in enumerate(sheet.iter_rows(min_row=1, max_row=len(rows), values_only=True), start=1):
            for c, value in enumerate(row):
                is_formula = (isinstance(value, str) and value.startswith("=")) or "Formula" in type(value).__name__
                cached = rows[r - 1][c] if c < len(rows[r - 1]) else None
                if is_formula and cached is None:
                    found.add((r, c))
        return found
    finally:
        book.close()
