"""The Excel downloads: Dutch headers and formats, only a partner's own contracts, text never a
formula, persons suppressed, byte-identical on every run (docs/reports.md, "Machine-readable downloads")."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.escape import unescape

from pipeline.report import downloads

HOSTILE = '=HYPERLINK("http://x","klik")'

PARTNERS = pd.DataFrame(
    {
        "partner_id": ["gemeente-a", "gemeente-b", "bouw-x", "bouw-y", "opleider-z"],
        "naam": ["Gemeente A", "Gemeente B", "Bouw X B.V.", "Bouw Y B.V.", "Opleider Z"],
        "rol": ["opdrachtgever", "opdrachtgever", "opdrachtnemer", "opdrachtnemer", "opleider"],
    }
)

# Three contracts as opdrachten.csv holds them (ISO dates, full-precision amounts).
CONTRACTS = pd.DataFrame(
    {
        "opdrachtgever": ["gemeente-a", "gemeente-a", "gemeente-b"],
        "opdracht_id": ["A-2", "A-1", "B-1"],
        "opdrachtnemer": ["bouw-x", "bouw-y", "bouw-x"],
        "verplichting_eur": [10_000.0, 40_000.0, 2_000.0],
        "gerealiseerd_eur": [5_000.0, 41_234.56, 0.0],
        "verwacht_eur": [8_000.0, 40_000.0, 0.0],
        "realisatie_pct": [50.0, 103.09, 0.0],
        "status": ["risico", "voldaan", "nog_niet_gestart"],
        "kandidaten": [3, 12, 0],
        "omschrijving": [HOSTILE, "+31 fout @x", "Nieuwbouw school"],
        "sector": ["bouw", "infra", "bouw"],
        "opdrachtnemer_naam": ["Bouw X B.V.", "Bouw Y B.V.", "Bouw X B.V."],
        "startdatum": ["2021-01-01", "2020-01-01", "2022-01-01"],
        "einddatum": ["2021-12-31", "2020-12-31", "2022-12-31"],
        "nog_te_realiseren_eur": [5_000.0, 0.0, 2_000.0],
        "achterstand_eur": [3_000.0, 0.0, 0.0],
        "fte": [0.5, 0.0, 0.0],
    }
)


@pytest.fixture()
def written(tmp_path):
    (tmp_path / "data").mkdir()
    CONTRACTS.to_csv(tmp_path / "data" / "opdrachten.csv", index=False)
    paths = downloads.write_downloads("2021Q3", tmp_path, PARTNERS)
    return tmp_path, paths


def _sheet(path):
    return openpyxl.load_workbook(path)["Opdrachten"]


def _column(ws, header):
    """The contracts' cells of one column (the totals row left out)."""
    headers = [c.value for c in ws[1]]
    return [row[headers.index(header)] for row in ws.iter_rows(min_row=2) if row[0].value != "Totaal"]


def test_files_written_for_the_region_and_partners_with_contracts(written):
    root, paths = written
    assert [p.relative_to(root).as_posix() for p in paths] == [
        "data/opdrachten.xlsx",
        "partners/bouw-x.xlsx",
        "partners/bouw-y.xlsx",
        "partners/gemeente-a.xlsx",
        "partners/gemeente-b.xlsx",
    ]
    assert not (root / "partners" / "opleider-z.xlsx").exists()  # no contracts, no workbook


def test_headers_are_dutch(written):
    root, _ = written
    ws = _sheet(root / "data" / "opdrachten.xlsx")
    assert [c.value for c in ws[1]] == [
        "Opdrachtgever",
        "Opdracht",
        "Omschrijving",
        "Opdrachtnemer",
        "Sector",
        "Status",
        "Startdatum",
        "Einddatum",
        "Verplichting",
        "Verwacht tot de peildatum",
        "Gerealiseerd",
        "Realisatie",
        "Nog te realiseren",
        "Nodig om op schema te komen",
        "Personen",
        "Personen (afgeschermd)",
        "Fte",
    ]
    assert openpyxl.load_workbook(root / "data" / "opdrachten.xlsx").sheetnames == ["Opdrachten", "Toelichting"]


def test_numbers_dates_and_status_are_real_values_with_excel_formats(written):
    root, _ = written
    ws = _sheet(root / "partners" / "gemeente-a.xlsx")
    # sorted as on the pages: A-1 before A-2
    assert [c.value for c in _column(ws, "Opdracht")] == ["A-1", "A-2"]
    money = _column(ws, "Gerealiseerd")[0]
    assert money.value == pytest.approx(41_234.56) and money.number_format == '"€" #,##0.00;"€" -#,##0.00'
    pct = _column(ws, "Realisatie")[1]
    assert pct.value == pytest.approx(0.5) and pct.number_format == "0.0%"  # 50.0 % stored as 0.5
    end = _column(ws, "Einddatum")[1]
    assert end.value == dt.datetime(2021, 12, 31) and end.number_format == "dd-mm-yyyy"
    assert [c.value for c in _column(ws, "Status")] == ["Voldaan", "Risico"]
    assert [c.value for c in _column(ws, "Opdrachtgever")] == ["Gemeente A", "Gemeente A"]


def test_each_partner_gets_only_its_own_contracts(written):
    root, _ = written
    ids = lambda name: sorted(c.value for c in _column(_sheet(root / "partners" / name), "Opdracht"))  # noqa: E731
    assert ids("gemeente-a.xlsx") == ["A-1", "A-2"]  # authority: the contracts it awarded
    assert ids("gemeente-b.xlsx") == ["B-1"]
    assert ids("bouw-x.xlsx") == ["A-2", "B-1"]  # contractor: across authorities
    assert ids("bouw-y.xlsx") == ["A-1"]
    assert ids("../data/opdrachten.xlsx") == ["A-1", "A-2", "B-1"]


def test_text_that_looks_like_a_formula_stays_text(written):
    root, _ = written
    path = root / "partners" / "bouw-x.xlsx"
    cells = {c.value: c for c in _column(_sheet(path), "Omschrijving")}
    hostile = cells[HOSTILE]
    assert hostile.data_type == "s" and hostile.quotePrefix  # shown and kept as text in Excel
    assert not cells["Nieuwbouw school"].quotePrefix
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()  # where XlsxWriter keeps the texts
    assert "<f>" not in sheet and "<f " not in sheet  # no formula element anywhere
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;klik&quot;)" in strings or '=HYPERLINK("http://x","klik")' in strings


def _text_back(text):
    """One contract's description written into a workbook and read back with openpyxl."""
    rows = downloads.contract_rows(CONTRACTS.iloc[:1].assign(omschrijving=[text]), PARTNERS)
    wb = openpyxl.load_workbook(io.BytesIO(downloads.workbook_bytes(rows, "2021Q3", "test")))
    return _column(wb["Opdrachten"], "Omschrijving")[0]


@pytest.mark.parametrize(
    "text",
    ["+31 fout", "-1+2", "@SUM(A1)", "\tx", "\rx", "=1+1"],
    ids=["plus", "minus", "at", "tab", "carriage_return", "equals"],
)
def test_every_formula_trigger_gets_the_quote_prefix(text):
    cell = _text_back(text)
    # a carriage return is stored as Excel's escape _x000D_ (a bare one would become a line feed in
    # XML); Excel reads it back as the carriage return, openpyxl leaves the escape as it is
    assert unescape(cell.value) == text and cell.data_type == "s" and cell.quotePrefix


def test_control_characters_xml_cannot_hold_are_dropped():
    assert _text_back("a\x00b\x1fc").value == "abc"
    # the same characters as openpyxl drops
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    assert downloads.ILLEGAL_CHARACTERS_RE.pattern == ILLEGAL_CHARACTERS_RE.pattern


def test_text_is_cut_at_excels_limit():
    assert _text_back("x" * 40_000).value == "x" * downloads.MAX_CELL_TEXT


def test_partner_texts_that_look_like_formulas_come_back_as_quoted_strings(tmp_path):
    hostile = CONTRACTS.assign(
        omschrijving=['=HYPERLINK("http://x")', "Nieuwbouw school", "+31 50 123"],
        opdrachtnemer_naam=["+31 50 123", "Bouw Y B.V.", '=HYPERLINK("http://x")'],
    )
    (tmp_path / "data").mkdir()
    hostile.to_csv(tmp_path / "data" / "opdrachten.csv", index=False)
    partners = PARTNERS.assign(naam=PARTNERS["naam"].where(PARTNERS["partner_id"] != "bouw-x", "@Bouw X"))
    downloads.write_downloads("2021Q3", tmp_path, partners)
    wb = openpyxl.load_workbook(tmp_path / "partners" / "bouw-x.xlsx")
    ws = wb["Opdrachten"]
    cells = _column(ws, "Omschrijving") + _column(ws, "Opdrachtnemer")
    assert sorted(c.value for c in cells) == sorted(['=HYPERLINK("http://x")', "+31 50 123"] * 2)
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    over = wb["Toelichting"]["B3"]  # the partner's own name
    assert over.value == "@Bouw X" and over.data_type == "s" and over.quotePrefix
    assert not _column(ws, "Opdrachtgever")[0].quotePrefix


def test_person_counts_are_suppressed_as_on_the_pages(written):
    root, _ = written
    ws = _sheet(root / "data" / "opdrachten.xlsx")
    by_id = dict(
        zip(
            (c.value for c in _column(ws, "Opdracht")),
            zip((c.value for c in _column(ws, "Personen")), (c.value for c in _column(ws, "Personen (afgeschermd)"))),
        )
    )
    # kandidaten 3 → hidden (docs/domain.md: 1..4): blank number, '<5' in its own text column; 12 and 0 shown
    assert by_id == {"A-1": (12, None), "A-2": (None, "<5"), "B-1": (0, None)}
    # the number column holds numbers only, so Excel can sum and sort it
    assert all(isinstance(c.value, (int, float)) or c.value is None for c in _column(ws, "Personen"))
    toelichting = openpyxl.load_workbook(root / "data" / "opdrachten.xlsx")["Toelichting"]
    assert any("<5: 1 tot en met 4 personen" in str(c.value) for row in toelichting.iter_rows() for c in row)


def test_totals_row_sums_the_amounts_and_leaves_persons_out(written):
    root, _ = written
    ws = _sheet(root / "partners" / "gemeente-a.xlsx")
    headers = [c.value for c in ws[1]]
    last = [c.value for c in ws[ws.max_row]]
    total = dict(zip(headers, last))
    assert total["Opdrachtgever"] == "Totaal" and ws.cell(ws.max_row, 1).font.bold
    assert total["Verplichting"] == pytest.approx(50_000.0)
    assert total["Gerealiseerd"] == pytest.approx(46_234.56)
    # filled in: min(41.234,56; 40.000) + min(5.000; 10.000) = 45.000 of 50.000 = 90%
    assert total["Realisatie"] == pytest.approx(0.9)
    assert total["Personen"] is None and total["Personen (afgeschermd)"] is None
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}3"  # totals not filtered


def test_sheet_prints_landscape_on_a4_with_the_header_row_repeated(written):
    root, _ = written
    ws = _sheet(root / "data" / "opdrachten.xlsx")
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    # fitToWidth left out means 1 (its default in the OOXML schema; XlsxWriter writes only other values)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth or 1) == 1
    assert int(ws.page_setup.fitToHeight) == 0  # as many pages high as needed
    assert not ws.print_options.gridLines
    assert ws.freeze_panes == "C2"
    assert ws.print_title_rows == "$1:$1"


def test_sector_is_a_word_not_a_code(written):
    root, _ = written
    sectors = {c.value for c in _column(_sheet(root / "data" / "opdrachten.xlsx"), "Sector")}
    assert sectors == {"bouw", "infrastructuur"}


def test_same_inputs_give_byte_identical_files(written, tmp_path, monkeypatch):
    root, first = written
    before = [hashlib.sha256(p.read_bytes()).digest() for p in first]

    class AnyDatetime(type):  # XlsxWriter asks isinstance(created, datetime) with the name patched below
        def __instancecheck__(cls, value):
            return isinstance(value, dt.datetime)

    class LaterClock(dt.datetime, metaclass=AnyDatetime):  # a run on another day must not change a byte
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2030, 5, 17, 13, 14, 15, tzinfo=tz)

    with monkeypatch.context() as m:
        m.setattr("xlsxwriter.core.datetime", LaterClock)  # document properties
        m.setattr("zipfile.time.time", lambda: 1_905_000_000.0)  # zip entry times (2030)
        again = downloads.write_downloads("2021Q3", root, PARTNERS)
    assert [hashlib.sha256(p.read_bytes()).digest() for p in again] == before


def test_zip_entries_and_properties_are_fixed(written):
    root, _ = written
    data = (root / "partners" / "bouw-x.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        core = z.read("docProps/core.xml").decode()
    assert infos[0].filename == "[Content_Types].xml"  # as Office writes it
    assert {i.date_time for i in infos} == {downloads.ZIP_DATE_TIME}
    assert len({(i.create_system, i.external_attr) for i in infos}) == 1
    assert "2021-09-30T00:00:00Z" in core and "social-return-monitor" in core  # peildatum, not the clock
    assert "openpyxl" not in core


def test_an_ended_contract_has_nothing_needed_to_get_back_on_schedule(tmp_path):
    ended = CONTRACTS.assign(status=["niet_voldaan", "voldaan", "nog_niet_gestart"])
    (tmp_path / "data").mkdir()
    ended.to_csv(tmp_path / "data" / "opdrachten.csv", index=False)
    downloads.write_downloads("2021Q3", tmp_path, PARTNERS)
    ws = _sheet(tmp_path / "partners" / "bouw-x.xlsx")
    by_id = dict(zip((c.value for c in _column(ws, "Opdracht")), _column(ws, "Nodig om op schema te komen")))
    assert by_id["A-2"].value is None  # its 5.000 short stays under "Nog te realiseren"
    assert dict(zip((c.value for c in _column(ws, "Opdracht")), _column(ws, "Nog te realiseren")))["A-2"].value == 5000


def test_a_partner_workbook_is_the_one_its_own_contracts_alone_give(tmp_path):
    # the region's rows are made once and each partner's cut from them: the bytes must be what
    # the partner's own contracts alone give (sorted, named, suppressed, totalled on their own);
    # one contract has no contractor yet, and one contractor works for two authorities
    contracts = pd.concat(
        [CONTRACTS, CONTRACTS.iloc[[2]].assign(opdracht_id="B-0", opdrachtnemer=None, kandidaten=7)],
        ignore_index=True,
    )
    (tmp_path / "data").mkdir()
    contracts.to_csv(tmp_path / "data" / "opdrachten.csv", index=False)
    paths = downloads.write_downloads("2021Q3", tmp_path, PARTNERS)
    read = pd.read_csv(tmp_path / "data" / "opdrachten.csv", dtype={"opdracht_id": str, "opdrachtnemer": str})
    for partner in PARTNERS.itertuples():
        own = downloads.partner_contracts(read, partner.partner_id, partner.rol)
        path = tmp_path / "partners" / f"{partner.partner_id}.xlsx"
        assert (path in paths) == (not own.empty)
        if not own.empty:
            alone = downloads.workbook_bytes(downloads.contract_rows(own, PARTNERS), "2021Q3", partner.naam)
            assert path.read_bytes() == alone, partner.partner_id
