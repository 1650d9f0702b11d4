"""Byte-exact writers for the demo exports: CSV as Excel saves it, and a minimal XLSX.

The XLSX writer is our own small SpreadsheetML writer rather than openpyxl: its output depends
only on this code (not on a library version or the clock), every zip entry carries the fixed
timestamp :data:`ZIP_DATE_TIME`, and it is fast enough for ``--scale 10``. The files are plain
Excel 2007+ workbooks (shared strings, a date number format, boolean cells) that Excel, openpyxl
and pandas read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

ZIP_DATE_TIME = (2021, 1, 1, 0, 0, 0)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class Bold(str):
    """A text cell shown bold (titles, headers)."""


class Money(float):
    """A number cell with the format ``#,##0.00``."""


class Blank:
    """A formatted but empty cell: what Excel leaves behind in 'empty' trailing rows."""


BLANK = Blank()


def csv_bytes(
    header: list[str],
    rows: list[list[str]],
    *,
    delimiter: str,
    newline: str,
    encoding: str,
    trailing_rows: int = 0,
    trailing_delimiter: bool = False,
) -> tuple[bytes, list[int]]:
    """A CSV file and, per record, the row Excel shows it on (the header is row 1; a record is
    one row however many line breaks its quoted cells hold: docs/exports.md, "Row numbering").

    >>> data, lines = csv_bytes(["a", "b"], [["1", "x\\ny"], ["2", ""]], delimiter=";",
    ...                         newline="\\r\\n", encoding="utf-8")
    >>> data, lines
    (b'a;b\\r\\n1;"x\\ny"\\r\\n2;\\r\\n', [2, 3])
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    tail = [""] if trailing_delimiter else []
    writer.writerow(header + tail)
    line, starts = 2, []
    for row in rows:
        writer.writerow(row + tail)
        starts.append(line)
        line += 1
    for _ in range(trailing_rows):
        writer.writerow([""] * (len(header) + len(tail)))
    return out.getvalue().encode(encoding), starts


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _number(value: float) -> str:
    # Excel stores whole numbers without a decimal point
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class _SharedStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def add(self, text: str) -> int:
        self.count += 1
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in self.index)
        return f'{_XML}<sst xmlns="{_MAIN}" count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>'


def _cell_xml(ref: str, value: object, strings: _SharedStrings) -> str:
    if isinstance(value, Blank):
        return f'<c r="{ref}" s="4"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, Money):
        return f'<c r="{ref}" s="2"><v>{_number(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{_number(value)}</v></c>'
    style = ' s="3"' if isinstance(value, Bold) else ""
    return f'<c r="{ref}"{style} t="s"><v>{strings.add(str(value))}</v></c>'


def _sheet_xml(rows: list[list[object]], strings: _SharedStrings) -> str:
    parts, width = [], 1
    for r, row in enumerate(rows, start=1):
        cells = "".join(
            _cell_xml(f"{_column_letter(c)}{r}", v, strings) for c, v in enumerate(row) if v is not None and v != ""
        )
        width = max(width, len(row))
        parts.append(f'<row r="{r}">{cells}</row>' if cells else f'<row r="{r}"/>')
    ref = f"A1:{_column_letter(width - 1)}{max(1, len(rows))}"
    return (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="{ref}"/>'
        f"<sheetData>{''.join(parts)}</sheetData></worksheet>"
    )


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd\\-mm\\-yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Standaard" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def xlsx_bytes(sheets: list[tuple[str, list[list[object]]]], created: dt.datetime) -> bytes:
    """A workbook with the given sheets (name, rows of cell values), byte-identical per input.

    Cell values: ``None``/``""`` (no cell), ``str``, :class:`Bold`, ``int``/``float``,
    :class:`Money`, ``bool``, ``datetime.date`` (a date cell), :data:`BLANK`.
    """
    strings = _SharedStrings()
    sheet_xml = [_sheet_xml(rows, strings) for _, rows in sheets]
    n = len(sheets)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    entries = [
        (
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}"
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/></Types>',
        ),
        (
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
            'metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>",
        ),
        (
            "docProps/app.xml",
            f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Microsoft Excel</Application></Properties>",
        ),
        (
            "docProps/core.xml",
            f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/'
            'dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>demo</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>',
        ),
        (
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(
                f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, (name, _) in enumerate(sheets, start=1)
            )
            + "</sheets></workbook>",
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'{_XML}<Relationships xmlns="{_PKG}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        ),
        ("xl/styles.xml", _STYLES),
        *((f"xl/worksheets/sheet{i}.xml", xml) for i, xml in enumerate(sheet_xml, start=1)),
        ("xl/sharedStrings.xml", strings.xml()),
    ]
    return _zip(entries)


def _zip(entries: list[tuple[str, str]]) -> bytes:
    """Deflated zip with fixed timestamps and attributes (openpyxl would stamp 'now')."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # ZipInfo defaults to the platform: fix it
            info.external_attr = 0
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
