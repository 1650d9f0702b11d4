"""The two XLSX readers of pipeline/ingest/xlsx_reader.py give the same rows.

python-calamine reads the cells of an ordinary export; openpyxl reads what only it sees the same
way (``%`` formats, odd dates, numbers written like ``1.0``) and every file calamine fails on. A
difference between the two is a failing test here: every XLSX under tests/fixtures,
tests/corpus and data/raw is read both ways and must give identical typed rows (``1`` is not
``1.0``, a date is a datetime), the same title, formula cells and sheet count, or the same error.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.errors import UnreadableFileError
from pipeline.core.paths import ROOT
from pipeline.ingest import xlsx_reader
from pipeline.ingest.xlsx_reader import read_sheet, read_sheet_openpyxl
from tests.conftest import CORPUS_DIR, FIXTURES_DIR

ALL_XLSX = sorted(
    [*FIXTURES_DIR.rglob("*.xlsx"), *CORPUS_DIR.rglob("*.xlsx"), *(ROOT / "data" / "raw").rglob("*.xlsx")]
)


def _outcome(reader, raw: bytes, wanted: str) -> object:
    """The sheet read, with each value's type beside it, or the error's two messages."""
    try:
        sheet = reader(raw, wanted)
    except UnreadableFileError as exc:
        return ("onleesbaar", exc.nl, exc.en)
    typed = [tuple((type(v).__name__, v) for v in row) for row in sheet.rows]
    return (typed, sheet.title, sheet.formulas, sheet.several)


def _routed_to_calamine(raw: bytes, wanted: str) -> bool:
    bounds = xlsx_reader.limits()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        shared = xlsx_reader.check_archive(infos, bounds)
        return xlsx_reader._plan(archive, infos, wanted, shared, bounds) is not None


def _assert_same(raw: bytes, wanted: str) -> None:
    assert _outcome(read_sheet, raw, wanted) == _outcome(read_sheet_openpyxl, raw, wanted)


def test_there_are_files_to_compare():
    assert len(ALL_XLSX) > 100  # the demo's exports of every quarter and the fixtures


@pytest.mark.parametrize("path", ALL_XLSX, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_xlsx_reads_the_same_through_calamine_and_openpyxl(path: Path):
    _assert_same(path.read_bytes(), path.name.split("_")[0])


def test_the_demo_exports_go_through_calamine_without_openpyxl(monkeypatch):
    def no_openpyxl(*args, **kwargs):
        raise AssertionError("openpyxl opened the workbook")

    monkeypatch.setattr(xlsx_reader, "_open_book", no_openpyxl)
    demo = [p for p in ALL_XLSX if p.is_relative_to(ROOT / "data" / "raw")]
    assert demo
    for path in demo:
        assert read_sheet(path.read_bytes(), path.name.split("_")[0]).rows


# ---------------------------------------------------------------------------------------------
# Workbooks built here: every kind of cell, and each thing that sends a workbook to openpyxl
# ---------------------------------------------------------------------------------------------

FORMATS = [
    "General", "0", "0.00", "#,##0.00", "@", "d-m-yyyy", "dd\\-mm\\-yyyy", "yyyy-mm-dd", "dd/mm/yyyy hh:mm",
    "h:mm", "hh:mm:ss", "mm:ss", "mmm yy", "d-mmm", "m/d/yy h:mm", "yyyy", "AM/PM h", "[$-413]d mmmm yyyy;@",
    '"dag" 0', "0.00E+00", "[Red]0.00", "\\d0", "_(* #,##0_)", "[<=9999999]###-####;(###) ###-####",
]  # fmt: skip
NUMBERS = [0, 0.5, 1, 1.5, 59, 60, 61, 365.25, 44256, 44256.999999, 44256.5004, 123456, 0.1 + 0.2, 99999.123456789]


def _workbook(edit=None, cells=None) -> bytes:
    """An ``inzet`` sheet: every number in every format, text, booleans, a formula; ``cells``
    (reference -> (value, format)) added, ``edit`` applied to the sheet XML."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "inzet"
    for c, fmt in enumerate(FORMATS, start=1):
        sheet.cell(row=1, column=c, value=f"kolom {c}")
        for r, number in enumerate(NUMBERS, start=2):
            sheet.cell(row=r, column=c, value=number).number_format = fmt
    sheet["A30"] = "  lange tekst " * 3000
    sheet["B31"] = "regel\nregel  \t"
    sheet["C32"], sheet["D32"] = True, False
    sheet["A33"] = "=SUM(A2:A3)"  # openpyxl stores no cached value: a formula without value
    sheet["H34"] = "   "
    sheet["J36"].number_format = "@"  # a formatted cell without value: a row of ten cells
    for ref, (value, fmt) in (cells or {}).items():
        sheet[ref] = value
        if fmt:
            sheet[ref].number_format = fmt
    buffer = io.BytesIO()
    book.save(buffer)
    if edit is None:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def _add_row_35(cells: bytes):
    """An edit that writes row 35 (between rows 34 and 36) with ``cells`` as raw XML."""
    return lambda xml: xml.replace(b'<row r="36"', b'<row r="35">' + cells + b'</row><row r="36"', 1)


ERRORS_INLINE_AND_CACHED = _add_row_35(
    b'<c r="A35" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B35" s="0" t="e"><v>#N/A</v></c>'
    b'<c r="C35" t="inlineStr"><is><t xml:space="preserve"> inline  tekst </t></is></c>'
    b'<c r="D35" t="str"><v>1</v></c><c r="E35"><f>A1</f></c><c r="F35" t="str"><f>A1</f><v></v></c>'
    b'<c r="G35" t="e"><v>#WAARDE!</v></c><c r="H35"/>'
)


@pytest.mark.parametrize(
    "edit, cells",
    [
        pytest.param(None, None, id="numbers_dates_times_text_booleans_formula"),
        pytest.param(ERRORS_INLINE_AND_CACHED, None, id="errors_inline_strings_cached_formulas"),
        pytest.param(
            lambda xml: re.sub(rb'<c r="Z1" s="\d+"', b'<c r="Z1"', xml),
            {"Z1": ("tekst", "0%")},
            id="percent_format_in_the_styles_but_on_no_cell",
        ),
    ],
)
def test_cells_of_every_kind_read_the_same_through_calamine(edit, cells):
    raw = _workbook(edit, cells)
    assert _routed_to_calamine(raw, "inzet")
    _assert_same(raw, "inzet")
    sheet = read_sheet(raw, "inzet")
    assert (33, 0) in sheet.formulas  # the formula without value is still flagged
    assert sheet.rows[3][5] == dt.datetime(1900, 1, 1) and type(sheet.rows[3][0]) is int  # 1 is int


@pytest.mark.parametrize(
    "edit, cells",
    [
        pytest.param(None, {"Z2": (0.05, "0%")}, id="percent_cell_scaled"),
        pytest.param(None, {"Z2": (1.5, "[h]:mm:ss")}, id="duration"),
        pytest.param(None, {"Z2": (-1, "d-m-yyyy")}, id="date_before_1900"),
        pytest.param(None, {"Z2": (123456789, "d-m-yyyy")}, id="date_after_9999"),
        pytest.param(_add_row_35(b'<c r="A35"><v>1.0</v></c>'), None, id="whole_number_written_with_a_point"),
        pytest.param(_add_row_35(b'<c r="A35"><v>1E3</v></c>'), None, id="number_with_exponent"),
        pytest.param(_add_row_35(b'<c r="A35"><v>12345678901234567</v></c>'), None, id="seventeen_digits"),
        pytest.param(_add_row_35(b'<c r="A35" t="d"><v>2021-03-01T00:00:00</v></c>'), None, id="iso_date_cell"),
        pytest.param(_add_row_35(b'<c r="A35" t="inlineStr"><is><t>a_x000D_b</t></is></c>'), None, id="escape"),
        pytest.param(_add_row_35(b'<c t="s"><v>0</v></c>'), None, id="cell_without_reference"),
        pytest.param(lambda x: x.replace(b'<row r="36"', b"<row", 1), None, id="row_without_reference"),
        pytest.param(lambda x: x.replace(b'<row r="34"', b'<row r="2"', 1), None, id="rows_out_of_order"),
    ],
)
def test_what_only_openpyxl_reads_as_before_goes_to_openpyxl(edit, cells):
    raw = _workbook(edit, cells)
    assert not _routed_to_calamine(raw, "inzet")
    _assert_same(raw, "inzet")


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="A35"><v>1x</v></c>',
        b'<c r="A35"><v> 12 </v></c>',
        b'<c r="A35"><v>1_000</v></c>',
        b'<c r="A35"><v>inf</v></c>',
        b'<c r="A35"><v>0x1F</v></c>',
        b'<c r="A35"><is><t>tekst</t></is></c>',
        b'<c r="A35" s="5"><v>geen datum</v></c>',
        b'<c r="A35" t="b"><v>2</v></c>',
        b'<c r="A35" t="b"><v>x</v></c>',
        b'<c r="A35" t="s"><v>9999</v></c>',
        b'<c r="A35" t="s"><v>x</v></c>',
        b'<c r="A35" t="x"><v>1</v></c>',
        b'<c r="A35" t="e"><v>#ONBEKEND</v></c>',
        b'<c r="A35" t="str"><v>a&amp;b&#10;c</v></c>',
        b'<c r="A35" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c>',
        b'<c r="A35" t="inlineStr"></c>',
        b'<c r="A35"><v>+5</v></c>',
        b'<c r="A35"><v></v></c>',
        b"<c r='A35'><v>3</v></c>",
        b'<c r="A35"><v>1</v></c><c r="A35"><v>2</v></c>',
        b'<c r="A34"><v>1</v></c>',
    ],
)
def test_odd_and_broken_cell_values_read_the_same_or_fail_the_same(cell):
    _assert_same(_workbook(_add_row_35(cell)), "inzet")


def test_a_percent_cell_is_still_scaled():
    sheet = read_sheet(_workbook(None, {"Z2": (0.05, "0%")}), "inzet")
    assert sheet.rows[1][25] == 5


def test_a_workbook_calamine_fails_on_is_read_by_openpyxl(monkeypatch):
    import python_calamine

    raw = _workbook()

    def refuse(*args, **kwargs):
        raise python_calamine.CalamineError("refused")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)
    assert _outcome(read_sheet, raw, "inzet") == _outcome(read_sheet_openpyxl, raw, "inzet")


def test_the_plan_reads_the_sheet_openpyxl_reads_hidden_and_named():
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "verborgen"
    book.active.sheet_state = "hidden"
    book.active["A1"] = "niet dit"
    book.create_sheet("Blad2")["A1"] = "eerste zichtbare"
    book.create_sheet("inzet 2021")["A1"] = "op naam"
    buffer = io.BytesIO()
    book.save(buffer)
    raw = buffer.getvalue()
    for wanted, first in (("inzet", "op naam"), ("trajecten", "eerste zichtbare")):
        assert _routed_to_calamine(raw, wanted)
        _assert_same(raw, wanted)
        sheet = read_sheet(raw, wanted)
        assert sheet.rows[0][0] == first and sheet.several


# a sheet XML damaged in a few bytes: both readers read it alike or refuse it with one message
_SHEET_XML = zipfile.ZipFile(io.BytesIO(_workbook(ERRORS_INLINE_AND_CACHED))).read("xl/worksheets/sheet1.xml")


@given(
    st.lists(st.tuples(st.integers(0, len(_SHEET_XML) - 1), st.sampled_from(b'<>/"=rvcfstenb0129AZ .-x#')), max_size=4),
    st.integers(min_value=len(_SHEET_XML) // 2, max_value=len(_SHEET_XML)),
)
@settings(max_examples=60, deadline=None)
def test_a_damaged_sheet_reads_the_same_or_fails_the_same(flips, length):
    data = bytearray(_SHEET_XML[:length])
    for position, value in flips:
        if position < len(data):
            data[position] = value
    _assert_same(_workbook(lambda _: bytes(data)), "inzet")


def test_formula_cells_are_found_in_the_xml_as_openpyxl_finds_them():
    raw = _workbook(ERRORS_INLINE_AND_CACHED)
    # A33 has no value, E35 none, F35 an empty one; A35 holds its cached #DIV/0!
    assert read_sheet(raw, "inzet").formulas == {(33, 0), (35, 4), (35, 5)}
    assert re.search(rb"<f>", zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet1.xml"))
