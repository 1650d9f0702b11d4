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

Two readers give the same rows (tests/unit/ingest/test_xlsx_calamine.py reads every XLSX of the
repository both ways). python-calamine (Rust) reads the cell values of an ordinary export many
times faster than openpyxl, but it has no limits of its own (two cells far apart make it allocate
the whole rectangle between them, which ends the process), and it shows neither number formats
nor formulas. So, after the zip checks above, :func:`_plan` reads the sheet's XML (whole: it is
under the size limit) and runs a few regular expressions over it: calamine reads the sheet only
when the rectangle up to its furthest cell reference is under the cell limit (openpyxl's count
can then not pass it either), and when nothing in use reads differently in the two (a ``%``
format, which openpyxl's route scales; a duration format or a date format only one of them calls
a date; a date cell before 1900 or of seven digits, past the year 4637; numbers written like ``1.0``, ``1E3`` or with more
than 15 digits; ISO date cells; escaped characters; the 1904 calendar; cells or rows without a
reference). Otherwise openpyxl reads it as before, and so it does whenever calamine fails: a
damaged file fails with the message it always had. On calamine's route the formula cells, the
error values (calamine gives them as empty) and each row's cell count come from the same XML.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
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
# The sheet XML as the calamine route reads it (see _plan). Tags never hold a raw "<", so a
# tag's end is the first ">" after it. Literal searches (bytes.count, ``in``) run at memory speed
# and decide the common case; the slower expressions run only on the sheets that need them.
_ROW_SPLIT = re.compile(rb"<row\b")
_ROW_HEAD = re.compile(rb"[^>]*?\sr=\"(\d+)\"")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')  # Excel writes the reference first
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})\d')
# elements of a sheet whose name starts with c but is not a cell: col(s), colBreaks, color,
# colorScale, conditionalFormatting, control(s), cfRule, cfvo, customSheetView(s), cellWatch(es)
_NOT_CELLS = (b"<co", b"<cf", b"<cu", b"<ce")
# what lies between a cell's tags (value, formula, inline text): never another cell's tag
_CONTENT = rb"(?:[^<]|<(?!/c>|c[\s>/]))*"
_OPEN_CELL = rb"<c\s[^>]*?\br=[\"']([A-Z]+)(\d+)[\"'][^>]*?"  # up to the end of the tag
_FORMULA_CELL = re.compile(_OPEN_CELL + rb"(?<!/)>(?:[^<]|<(?!/c>|c[\s>/]|f[\s>/]))*<f[\s>/]")
_ERROR_CELL = re.compile(rb"<c\s([^>]*\bt=[\"']e[\"'][^>]*?)(?<!/)>(" + _CONTENT + rb")</c>")
_ERROR_TYPE = re.compile(rb"<c\s[^>]*?\bt=[\"']e[\"']")
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_STYLE_REF = re.compile(rb' s="(\d+)"')
# a value that is not a plain integer or decimal: text, or a number written like 1.0 or 1E3
_NOT_PLAIN = re.compile(rb"<v>(?!-?\d{1,15}</v>|-?\d*\.\d*[1-9]</v>|</v>)")
# a value the two read differently: a number cell whose value is not a plain number (openpyxl
# refuses "1x" and "inf" and takes " 12" and "1_000" as Python does; calamine keeps text), a
# boolean other than 0 or 1, inline text in a cell not typed inlineStr (calamine reads it)
_BEFORE_VALUE = rb"[^>]*?(?<!/)>(?:[^<]|<(?!/c>|c[\s>/]|v>|is>))*"
_ODD_NUMBER = re.compile(
    rb"<c\s(?![^>]*?\bt=[\"'](?!n[\"']))" + _BEFORE_VALUE + rb"<v>(?![-+]?(?:\d+\.?\d*|\.\d+)</v>|</v>)"
)
_ODD_BOOLEAN = re.compile(rb"t=[\"']b[\"']" + _BEFORE_VALUE + rb"<v>(?![01]</v>|</v>)")
_ODD_INLINE = re.compile(rb"<c\s(?![^>]*?\bt=[\"']inlineStr[\"'])" + _BEFORE_VALUE + rb"<is>")
# what only openpyxl reads as before: a prefixed tag, ISO date cells, escaped characters
# (_x000D_), phonetic runs, attributes after another white space than a space or in single quotes
_PREFIXED = re.compile(rb":(?:c[\s>/]|row\b|v>|f[\s>/]|is>|sheetData\b)")
_OPENPYXL_ONLY = (b't="d"', b"<rPh", b"='")
_OTHER_SPACE = re.compile(rb"[\t\n\r][rst]=")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
# numbers openpyxl keeps as float or exact int and calamine cannot tell apart: 1.0, 1E3, 17 digits
_FLOAT_WRITTEN = re.compile(rb"<v>\s*[-+]?(?:\d+\.0*|\d*\.?\d*[eE][-+]?\d+|\d{16,})\s*</v>")
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

    python-calamine reads the cells where :func:`_plan` finds it reads them as openpyxl does and
    within the limits; otherwise, and whenever calamine fails, openpyxl reads the file.

    Raises:
        UnreadableFileError: not a workbook, damaged, over a limit, or no worksheet.
    """
    bounds = limits()
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = {i.filename: i for i in archive.infolist()}
            shared = check_archive(infos, bounds)
            plan = _plan(archive, infos, wanted, shared, bounds)
    except UnreadableFileError:
        raise
    except Exception:  # damaged: openpyxl below says so as it always has
        plan = None
    if plan is not None:
        sheet = _read_calamine(raw, plan)
        if sheet is not None:
            return sheet
    return read_sheet_openpyxl(raw, wanted)


def read_sheet_openpyxl(raw: bytes, wanted: str) -> Sheet:
    """:func:`read_sheet` through openpyxl only (streaming, with the cell limit as it reads)."""
    bounds = limits()
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = {i.filename: i for i in archive.infolist()}
        shared = check_archive(infos, bounds)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            book = _open_book(raw, data_only=True)
            try:
                sheet = _choose_sheet(book.worksheets, wanted)
                several = _several(book.worksheets, sheet.title)
                part = _check_sheet(infos, sheet.title, getattr(sheet, "_worksheet_path", ""), shared, bounds)
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


@dataclass(frozen=True)
class _Plan:
    """What the calamine route needs, all found in the workbook's XML before calamine runs."""

    title: str
    several: bool
    widths: list[int]  # per Excel row from row 1: the cells openpyxl gives that row (0 if none)
    formulas: list[tuple[int, int]]  # (row, column) of every formula cell
    errors: dict[tuple[int, int], str]  # (row, column) -> the error value as the XML has it


@dataclass
class _Listed:
    """A worksheet as the workbook lists it (the part of openpyxl's sheet :func:`_choose_sheet` reads)."""

    title: str
    sheet_state: str
    part: str


def _plan(
    archive: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    wanted: str,
    shared: int,
    bounds: IngestSettings,
) -> _Plan | None:
    """How calamine can read the workbook as openpyxl would, or None when only openpyxl can.

    Cheap: the workbook's sheet list, the styles and one pass of regular expressions over the
    sheet read (all under the size limits :func:`check_archive` and :func:`_check_sheet` keep).
    Raises the size limit's error for the sheet read, as openpyxl's route does.
    """
    # the sheet list as openpyxl's reader finds it (reader/excel.py, reader/workbook.py), without
    # the Workbook object it builds on the way
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.packaging.workbook import WorkbookPackage
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
        book_part = _find_workbook_part(manifest).PartName[1:]
        book = WorkbookPackage.from_tree(fromstring(archive.read(book_part)))
        if book.properties.date1904:
            return None  # the 1904 calendar
        relations = get_dependents(archive, get_rels_path(book_part)).to_dict()
        names = set(archive.namelist())
        found = [(sheet, relations[sheet.id]) for sheet in book.sheets if sheet.id]
        found = [(sheet, rel) for sheet, rel in found if rel.target in names]
        strings_type = manifest.find(SHARED_STRINGS)
        styles = [rel.target for rel in relations.values() if rel.Type.endswith("/styles")]
    if strings_type and strings_type.PartName != "/xl/sharedStrings.xml" or styles not in ([], ["xl/styles.xml"]):
        return None  # openpyxl reads strings and styles from where the calamine route checks them
    listed = [_Listed(sheet.name, sheet.state, rel.target) for sheet, rel in found if "chartsheet" not in rel.Type]
    if not listed or len({s.title for s in listed}) < len(listed):
        return None  # openpyxl says what is wrong; calamine finds sheets by name
    chosen = _choose_sheet(listed, wanted)
    part = _check_sheet(infos, chosen.title, chosen.part, shared, bounds)
    xml = archive.read(part)
    strings = archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in infos else b""
    if any(token in xml for token in _OPENPYXL_ONLY) or _PREFIXED.search(xml) or _OTHER_SPACE.search(xml):
        return None
    if _ESCAPE.search(xml):
        return None
    if _NOT_PLAIN.search(xml) and (_FLOAT_WRITTEN.search(xml) or _ODD_NUMBER.search(xml)):
        return None
    if b"<rPh" in strings or _ESCAPE.search(strings) or not _values_alike(xml):
        return None
    if not _well_formed(xml) or not _well_formed(strings):
        return None  # calamine reads on past what openpyxl refuses: openpyxl says it is damaged
    if "xl/styles.xml" not in infos or not _styles_alike(archive.read("xl/styles.xml"), xml):
        return None
    widths, last_col = _widths(xml)
    # the rectangle calamine builds up to the furthest cell stays under the cell limit (openpyxl's
    # count, a row's last column summed over the rows, is never more than that)
    if widths is None or len(widths) * last_col > bounds.xlsx_max_cells:
        return None  # openpyxl reads it streaming and refuses it where the limit is passed
    formulas = []
    if b"<f" in xml:
        formulas = [(int(r), _column(c) - 1) for c, r in _FORMULA_CELL.findall(xml)]
        if len(formulas) != sum(xml.count(b"<f" + end) for end in (b">", b" ", b"/")):
            return None
    errors = {}
    found_errors = _ERROR_CELL.findall(xml) if b't="e"' in xml else []
    if b't="e"' in xml and len(found_errors) != len(_ERROR_TYPE.findall(xml)):
        return None  # an error cell the expression misreads (say, one closed without a value)
    for attrs, content in found_errors:
        ref = re.search(rb'\br="([A-Z]+)(\d+)"', attrs)
        value = _VALUE.search(content)
        if ref is None:
            return None
        errors[(int(ref.group(2)), _column(ref.group(1)) - 1)] = value.group(1).decode() if value else ""
    return _Plan(chosen.title, _several(listed, chosen.title), widths, formulas, errors)


def _well_formed(xml: bytes) -> bool:
    """Whether ``xml`` parses (expat, no handlers: checking only, at C speed)."""
    from xml.parsers import expat

    if not xml:
        return True
    try:
        expat.ParserCreate().Parse(xml, True)
    except expat.ExpatError:
        return False
    return True


def _values_alike(xml: bytes) -> bool:
    """Whether no cell's value reads differently in the two (:data:`_ODD_NUMBER` and the like);
    the exact expressions run only where a cheap count shows they could find something."""
    if b't="b"' in xml and _ODD_BOOLEAN.search(xml):
        return False
    return not (b"<is>" in xml and _ODD_INLINE.search(xml))


def _widths(xml: bytes) -> tuple[list[int] | None, int]:
    """Per Excel row from row 1, the cells openpyxl gives it (its last cell's column, 0 without
    cells), and the furthest column. None when a cell or row could be placed apart by the two:
    no reference (or not first), rows out of order (openpyxl skips those), a cell whose reference
    names another row (openpyxl puts it in the row it sits in, calamine in the row it names),
    cells out of column order or two cells with one reference."""
    cells = xml.count(b"<c") - sum(xml.count(t) for t in _NOT_CELLS)
    chunks = _ROW_SPLIT.split(xml)
    if _CELL_REF.search(chunks[0]):
        return None, 0
    lasts: dict[int, bytes] = {}
    row, found = 0, 0
    for chunk in chunks[1:]:  # per row; the work per cell stays in C (findall, map, set)
        head = _ROW_HEAD.match(chunk)
        if head is None or int(head.group(1)) <= row:
            return None, 0
        row = int(head.group(1))
        refs = _CELL_REF.findall(chunk)
        found += len(refs)
        if refs and (set(map(itemgetter(1), refs)) != {head.group(1)} or len(set(refs)) < len(refs)):
            return None, 0
        lasts[row] = refs[-1][0] if refs else b""
    if found != cells:
        return None, 0
    widths = [0] * row
    for number, letters in lasts.items():
        widths[number - 1] = _column(letters) if letters else 0
    # calamine's rectangle reaches the furthest column of any cell, not only of a row's last one
    furthest = max((_column(letters) for letters in set(_CELL_COLUMN.findall(xml))), default=0)
    return widths, furthest


def _column(letters: bytes) -> int:
    """Excel's column number of ``b"A"`` (1) to ``b"XFD"`` (16384)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _styles_alike(styles: bytes, xml: bytes) -> bool:
    """Whether no cell of the sheet has a style that openpyxl and calamine read differently:
    a ``%`` format (openpyxl's route scales it), a duration format, or a date format only one of
    them sees as a date. Styles the sheet does not use do not matter."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
    from openpyxl.xml.functions import fromstring  # as openpyxl parses it (defusedxml when there)

    root = fromstring(styles)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    custom = {int(f.get("numFmtId", -1)): f.get("formatCode", "") for f in root.iter(f"{ns}numFmt")}
    cell_xfs = root.find(f"{ns}cellXfs")
    if cell_xfs is None:
        return False
    risky, dates = set(), set()
    for index, xf in enumerate(cell_xfs.findall(f"{ns}xf")):
        number = int(xf.get("numFmtId", 0))
        code = custom.get(number, BUILTIN_FORMATS.get(number, "General"))
        calamine_date = _calamine_date(code) if number in custom else 14 <= number <= 22 or 45 <= number <= 47
        if "%" in code or is_timedelta_format(code) or is_date_format(code) != calamine_date:
            risky.add(index)
        elif calamine_date:
            dates.add(index)
    used = {int(n) for n in set(_STYLE_REF.findall(xml))} | {0}
    if max(used) >= len(cell_xfs) or risky & used or 0 in dates:
        return False
    if not dates & used:
        return True
    # a date cell before 1900 or after 9999 reads differently (openpyxl: a day in 1899 or #VALUE!);
    # seven digits (past the year 4637) is near enough to the end to leave to openpyxl
    ids = b"|".join(str(i).encode() for i in sorted(dates & used))
    odd_date = rb"<c\s[^>]*?\ss=[\"'](?:" + ids + rb")[\"'][^>]*?(?<!/)>(?:[^<]|<(?!/c>|c[\s>/]|v>))*<v>\s*(?:-|\d{7})"
    return re.search(odd_date, xml) is None


def _calamine_date(code: str) -> bool:
    """calamine's test whether a custom number format is a date or time (its ``formats.rs``)."""
    escaped = quoted = ampm = hms = False
    brackets, previous = 0, " "
    for char in code:
        if escaped:
            escaped = False
        elif char in "_\\":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ";":
            return False  # the first section only
        elif char == "[":
            brackets += 1
        elif char == "]" and brackets == 1 and hms:
            return True
        elif char == "]":
            brackets = max(brackets - 1, 0)
        elif char in "aA" and not ampm and not brackets:
            ampm = True
        elif char in "pm/PM" and ampm and not brackets:
            return True
        elif char in "dmhysDMHYS" and not ampm and not brackets:
            return True
        elif not (hms and char.lower() == previous.lower()):
            hms = previous == "[" and char in "mhsMHS"
        previous = char
    return False


def _read_calamine(raw: bytes, plan: _Plan) -> Sheet | None:
    """The sheet through python-calamine, shaped as openpyxl's route gives it; None if it fails."""
    import python_calamine

    try:
        with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw)) as book:
            grid = book.get_sheet_by_name(plan.title).to_python(skip_empty_area=False)
    except Exception:  # calamine refuses what openpyxl may read: openpyxl decides
        return None
    rows = []
    for number, width in enumerate(plan.widths, start=1):
        values = grid[number - 1] if number <= len(grid) else []
        if any(v != "" for v in values[width:]):
            return None  # a value where openpyxl sees no cell: the two disagree, openpyxl decides
        # the common types inline (this loop runs once per cell), the rest through _calamine_value
        row = [
            (v.strip() or None)
            if type(v) is str
            else (int(v) if v.is_integer() else v)
            if type(v) is float
            else _calamine_value(v)
            for v in values[:width]
        ]
        rows.append(tuple(row + [None] * (width - len(row))))
    if any(v != "" for values in grid[len(plan.widths) :] for v in values):
        return None
    for (r, c), value in plan.errors.items():
        if r <= len(rows) and c < len(rows[r - 1]):
            cells = list(rows[r - 1])
            cells[c] = value.strip() or None
            rows[r - 1] = tuple(cells)
    formulas = {
        (r, c) for r, c in plan.formulas if r <= len(rows) and (c >= len(rows[r - 1]) or rows[r - 1][c] is None)
    }
    return Sheet(rows, plan.title, formulas, plan.several)


def _calamine_value(value: object) -> object:
    """A calamine cell as openpyxl's route gives it: text stripped (empty is None), a whole number
    as int (the XML wrote it without a point, see _FLOAT_WRITTEN), a date as a datetime."""
    if isinstance(value, str):
        return value.strip() or None
    if type(value) is float:
        return int(value) if value.is_integer() else value
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


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


def _check_sheet(infos: dict[str, zipfile.ZipInfo], title: str, part: str, shared: int, bounds: IngestSettings) -> str:
    """The zip part of the chosen worksheet, once the parts to read are known to fit the limit."""
    total = shared + (infos[part].file_size if part in infos else 0)
    limit = bounds.xlsx_max_uncompressed_mb * _MB
    if total > limit:
        raise UnreadableFileError(
            f"het Excel-bestand is te groot om te lezen: werkblad '{title}' en de onderdelen die erbij "
            f"horen pakken uit tot {total // _MB} MB (grens {limit // _MB:.0f} MB); lever de gegevens als CSV "
            "of in kleinere bestanden",
            f"the Excel file is too large to read: sheet '{title}' and the parts it needs unpack to "
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


def _choose_sheet(worksheets: list, wanted: str):  # openpyxl's worksheets, or _Listed ones
    # docs/exports.md, "XLSX rules": the sheet named after the dataset, else the first visible one
    sheets = list(worksheets)
    if not sheets:
        raise UnreadableFileError("het Excel-bestand heeft geen werkblad", "the Excel file has no worksheet")
    if wanted:
        for test in (lambda n: n == wanted, lambda n: n.startswith(wanted)):
            matches = [s for s in sheets if test(normalise_header(s.title))]
            if matches:
                return matches[0]
    visible = [s for s in sheets if getattr(s, "sheet_state", "visible") == "visible"]
    return (visible or sheets)[0]


def _several(worksheets: list, title: str) -> bool:
    """Whether to say which sheet was read: the workbook has other sheets, unless it is laid out
    as a delivery template (the sheet read first, then only :data:`TEMPLATE_SHEETS`).
    ``worksheets``: openpyxl's worksheets or the listed ones of the calamine route."""
    titles = [s.title for s in worksheets]
    if len(titles) < 2:
        return False
    return not (titles[0] == title and set(titles[1:]) <= TEMPLATE_SHEETS)


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
