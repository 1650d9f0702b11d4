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
    headers = [c.value for c in ws[1]]
    return [row[headers.index(header)] for row in ws.iter_rows(min_row=2)]


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
    assert "<f>" not in sheet and "<f " not in sheet  # no formula element anywhere
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;klik&quot;)" in sheet or '=HYPERLINK("http://x","klik")' in sheet


@pytest.mark.parametrize(
    "text",
    ["+31 fout", "-1+2", "@SUM(A1)", "\tx", "\rx", "=1+1"],
    ids=["plus", "minus", "at", "tab", "carriage_return", "equals"],
)
def test_every_formula_trigger_gets_the_quote_prefix(text):
    ws = openpyxl.Workbook().active
    downloads.write_text(ws["A1"], text)
    assert ws["A1"].value == text and ws["A1"].data_type == "s" and ws["A1"].quotePrefix


def test_control_characters_xml_cannot_hold_are_dropped():
    ws = openpyxl.Workbook().active
    downloads.write_text(ws["A1"], "a\x00b\x1fc")
    assert ws["A1"].value == "abc"


def test_person_counts_are_suppressed_as_on_the_pages(written):
    root, _ = written
    persons = {c.value for c in _column(_sheet(root / "data" / "opdrachten.xlsx"), "Personen")}
    # kandidaten 3 → '<5' (docs/domain.md: 1..4 hidden); 12 and 0 shown
    assert persons == {"<5", 12, 0}
    toelichting = openpyxl.load_workbook(root / "data" / "opdrachten.xlsx")["Toelichting"]
    assert any("<5: 1 tot 5 personen" in str(c.value) for row in toelichting.iter_rows() for c in row)


def test_same_inputs_give_byte_identical_files(written, tmp_path, monkeypatch):
    root, first = written
    before = [hashlib.sha256(p.read_bytes()).digest() for p in first]

    class LaterClock(dt.datetime):  # a run on another day must not change a byte
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2030, 5, 17, 13, 14, 15, tzinfo=tz)

    with monkeypatch.context() as m:
        m.setattr("openpyxl.writer.excel.datetime.datetime", LaterClock)  # document properties
        m.setattr("zipfile.time.time", lambda: 1_905_000_000.0)  # zip entry times (2030)
        again = downloads.write_downloads("2021Q3", root, PARTNERS)
    assert [hashlib.sha256(p.read_bytes()).digest() for p in again] == before


def test_zip_entries_and_properties_are_fixed(written):
    root, _ = written
    data = (root / "partners" / "bouw-x.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        core = z.read("docProps/core.xml").decode()
    assert infos[0].filename == "[Content_Types].xml"
    assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])
    assert {i.date_time for i in infos} == {downloads.ZIP_DATE_TIME}
    assert "2021-09-30T00:00:00Z" in core and "social-return-monitor" in core  # peildatum, not the clock
    assert "openpyxl" not in core
