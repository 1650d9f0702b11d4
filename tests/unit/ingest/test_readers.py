"""Tests for pipeline/ingest/readers.py: every file quirk of docs/exports.md, one small fixture per quirk.

Values here are raw (untyped): typing is tested in test_parse.py and test_ingest.py. Row numbers
are Excel's (docs/exports.md, "Row numbering": one row per record, a blank line is a row), counted
by hand in the fixture files (header = row 1 unless said otherwise).
"""

from __future__ import annotations

import codecs
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.schema import dataset_spec
from pipeline.ingest.readers import RawTable, TableSpec, UnreadableFileError, decode_text, detect_format, read_table
from pipeline.ingest.typecast import known_headings
from tests.conftest import FIXTURES_DIR

FIXTURES = FIXTURES_DIR
INZET_OMSCHRIJVING = ["Timmerman (leerling)", 'Café-bezorger; "Noord"', "Inkoop bij SW-bedrijf ë"]


def spec_for(dataset: str) -> TableSpec:
    spec = dataset_spec(dataset)
    required = tuple(c for c, s in spec.columns.items() if s.required_column)
    return TableSpec(known_headings(dataset, None), required, spec.key, sheet=dataset)


def read(name: str) -> RawTable:
    path = FIXTURES / name
    return read_table(path.read_bytes(), spec_for(name.split("_")[0]), path.suffix)


def raw_lines(data: bytes) -> RawTable:
    return read_table(data, spec_for("inzet"), ".csv")


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("inzet_cp1252_semicolon.csv", id="cp1252_semicolon_crlf"),
        pytest.param("inzet_utf8_bom_comma.csv", id="utf8_bom_comma_quoted"),
        pytest.param("inzet_utf16_tab.csv", id="utf16_le_bom_tab_excel_unicode_text"),
        pytest.param("inzet_utf8_plain_numbers.csv", id="utf8_comma_lf"),
    ],
)
def test_csv_encodings_and_delimiters(name: str) -> None:
    table = read(name)
    assert table.data["bron_rij"].tolist() == [2, 3, 4]
    assert table.data["omschrijving"].tolist() == INZET_OMSCHRIJVING  # ë, é and quotes survive
    assert table.data["regel_id"].tolist() == ["R-1", "R-2", "R-3"]
    assert table.problems.empty and table.rijen_leeg == 0


def test_euro_sign_survives_windows_1252() -> None:
    assert read("inzet_cp1252_semicolon.csv").data["bedrag"].tolist()[2] == "€ 1.234,50"


def test_quoted_newlines_do_not_start_a_new_excel_row() -> None:
    table = read("opdrachten_utf8_semicolon_quoted_newlines.csv")
    # docs/exports.md ("Row numbers"): OG-001 runs over lines 2-3 but is one row in Excel, row 2;
    # OG-002 (line 4) is row 3, OG-003 (line 5) row 4
    assert table.data["bron_rij"].tolist() == [2, 3, 4]
    assert table.data["omschrijving"].iloc[0] == "Renovatie brug Eelde; fase 2\nincl. fietspad"
    assert table.data["omschrijving"].iloc[1] == 'Onderhoud groen "Zuid"'


# Excel rows worked out by hand in tests/fixtures/make_row_number_fixtures.py, per file:
# (bron_rij of the records read, rijen_leeg, the row of the rejected uren_per_week "veel")
ROW_NUMBER_FIXTURES = {
    # header row 1; R-1 lines 2-3, R-2 lines 4-6 (two breaks), R-3 line 7, R-4 lines 8-9, R-5 line 10
    "inzet_rows_multiline": ([2, 3, 4, 5, 6], 0, 6),
    # two title rows, a blank row, header row 4; R-1 lines 5-6, R-2 line 7
    "inzet_rows_title_rows": ([5, 6], 0, 6),
    # header row 1; R-1 row 2, blank row 3, R-2 lines 4-5 = row 4, blank rows 5 and 6, R-3 row 7
    "inzet_rows_blank_lines": ([2, 4, 7], 3, 7),
    # CRLF; R-1 lines 2-3 (a CRLF in the cell), R-2 lines 4-5 (an LF in the cell), R-3 line 6
    "inzet_rows_crlf": ([2, 3, 4], 0, 4),
    # Windows-1252, CRLF; R-1 lines 2-3, R-2 line 4
    "inzet_rows_cp1252": ([2, 3], 0, 3),
}


@pytest.mark.parametrize("name", list(ROW_NUMBER_FIXTURES))
def test_csv_rows_are_numbered_as_excel_shows_them(name: str) -> None:
    rows, empty, _ = ROW_NUMBER_FIXTURES[name]
    table = read(f"{name}.csv")
    assert table.data["bron_rij"].tolist() == rows
    assert table.rijen_leeg == empty
    assert "\n" in "".join(table.data["omschrijving"])  # the line break stays inside its cell


def test_line_breaks_survive_in_crlf_and_windows_1252_files() -> None:
    assert read("inzet_rows_crlf.csv").data["omschrijving"].tolist()[:2] == ["Timmerman\n(leerling)", "Metselaar\nBBL"]
    cp1252 = read("inzet_rows_cp1252.csv").data
    assert cp1252["omschrijving"].tolist()[0] == "Café-bezorger\nËlst"
    assert cp1252["bedrag"].tolist()[0] == "€ 1.234,50"


@pytest.mark.parametrize("name", ["inzet_rows_multiline", "inzet_rows_title_rows", "inzet_rows_blank_lines"])
def test_csv_and_xlsx_of_the_same_sheet_agree_on_row_numbers(name: str) -> None:
    csv_table, xlsx_table = read(f"{name}.csv"), read(f"{name}.xlsx")
    assert csv_table.data["bron_rij"].tolist() == xlsx_table.data["bron_rij"].tolist() == ROW_NUMBER_FIXTURES[name][0]
    assert csv_table.data["regel_id"].tolist() == xlsx_table.data["regel_id"].tolist()


def test_header_variants_aliases_unknown_and_empty_rows_and_columns() -> None:
    table = read("opdrachten_header_variants.csv")
    assert list(table.data.columns) == [
        "bron_rij",
        "opdracht_id",
        "omschrijving",
        "soort",
        "sector",
        "opdrachtnemer_kvk",
        "opdrachtnemer_naam",
        "gunningsdatum",
        "startdatum",
        "einddatum",
        "opdrachtwaarde",
        "sr_percentage",
        "sr_verplichting",
    ]
    # Excel rows: empty row 2 (line 2), OG-001 row 3 (lines 3-4, a line break in its cell), OG-002
    # row 4 (line 5), empty row 5 (line 6), OG-003 row 6 (line 7), empty row 7 (line 8)
    assert table.data["bron_rij"].tolist() == [3, 4, 6]  # the empty rows are counted, not read
    assert table.rijen_leeg == 3
    notes = [n for n in table.notes if n[0] == "kolom_genegeerd"]
    assert len(notes) == 1 and "Contactpersoon" in notes[0][1]  # the two empty columns: no note


def test_xlsx_title_rows_date_cells_and_percent_cells() -> None:
    table = read("opdrachten_title_rows.xlsx")
    assert table.data["bron_rij"].tolist() == [5, 6, 7]  # header on row 4 below two title rows
    assert table.rijen_leeg == 2  # row 8 (absent) and row 9 (only spaces)
    row = table.data.iloc[0]
    assert row["gunningsdatum"] == dt.datetime(2021, 1, 15)
    assert row["opdrachtnemer_kvk"] == 2012345  # a number: Excel dropped the leading zero
    assert row["sr_percentage"] == pytest.approx(5.0)  # a 5% cell holds 0.05
    assert table.data["einddatum"].tolist()[2] == 44561  # a serial number typed as a number


def test_xlsx_sheet_named_like_the_dataset_wins_over_the_first_sheet() -> None:
    table = read("inzet_named_sheet.xlsx")
    assert table.data["regel_id"].tolist() == ["R-1", "R-2", "R-3"]
    assert any(n[0] == "werkblad" and "Inzet 2021Q3" in n[1] for n in table.notes)


@pytest.mark.parametrize(
    ("sheets", "noted"),
    [
        pytest.param(["inzet", "Toelichting", "Bouwblokken"], False, id="template_layout"),
        pytest.param(["inzet", "Toelichting", "Blad2"], True, id="another_sheet"),
        pytest.param(["Toelichting", "inzet"], True, id="data_not_first"),
    ],
)
def test_xlsx_template_sheets_after_the_data_get_no_sheet_note(sheets: list[str], noted: bool) -> None:
    """A filled-in delivery template (make templates) is its data sheet followed by Toelichting and
    Bouwblokken: no note about the sheet read. Any other layout still names the sheet read."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title in sheets:
        ws = book.create_sheet(title)
        if title == "inzet":
            ws.append(
                ["regel_id", "opdrachtgever", "opdracht_id", "bouwblok", "kandidaat_bsn", "startdatum", "uren_per_week"]
            )
            ws.append(["R-1", "gemeente-a", "A-1", "bbl", "123456782", dt.datetime(2021, 3, 1), 32])
        else:
            ws.append(["tekst", "bbl", "nog meer tekst"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), spec_for("inzet"), ".xlsx")
    assert table.data["regel_id"].tolist() == ["R-1"]
    assert any(n[0] == "werkblad" for n in table.notes) is noted


def test_xlsx_formula_without_value_and_totals_row() -> None:
    problems = read("inzet_formula_without_value.xlsx").problems
    got = sorted(zip(problems["bron_rij"], problems["kolom"], problems["regel"]))
    assert got == [
        (3, "uren_per_week", "formule_zonder_waarde"),
        (4, "regel_id", "totaalregel"),
        (4, "uren_per_week", "formule_zonder_waarde"),
    ]


def test_header_only_file_is_readable_with_zero_rows() -> None:
    table = read("opdrachten_header_only.csv")
    assert len(table.data) == 0 and table.rijen_leeg == 0


def test_row_with_more_fields_than_the_header_is_rejected_not_shifted() -> None:
    table = read("opdrachten_too_many_fields.csv")
    assert table.problems[["bron_rij", "regel"]].values.tolist() == [[3, "te_veel_velden"]]


def test_csv_totals_row_and_excel_error_values() -> None:
    table = read("inzet_bad_values.csv")
    got = sorted(
        zip(table.problems["bron_rij"], table.problems["kolom"], table.problems["waarde"], table.problems["regel"])
    )
    assert got == [(8, "bedrag", "#WAARDE!", "excel_fout"), (10, "regel_id", "Totaal", "totaalregel")]
    assert len(table.data) == 8 and table.rijen_leeg == 1  # lines 2-8 and 10; line 9 is empty


@pytest.mark.parametrize(
    "name, fragment",
    [
        pytest.param("opdrachten_empty.csv", "leeg", id="empty_file"),
        pytest.param("opdrachten_pdf_named.xlsx", "PDF", id="pdf_named_xlsx"),
        pytest.param("opdrachten_old_xls.xlsx", ".xls", id="old_xls_named_xlsx"),
        pytest.param("opdrachten_corrupt_zip.xlsx", "beschadigd", id="corrupt_zip"),
        pytest.param("opdrachten_no_header.csv", "kopregel", id="no_recognisable_header"),
        pytest.param("opdrachten_missing_required.csv", "opdrachtwaarde", id="required_column_missing"),
        pytest.param("opdrachten_duplicate_column.csv", "twee keer", id="same_column_twice"),
    ],
)
def test_unreadable_files_raise_with_dutch_and_english_reason(name: str, fragment: str) -> None:
    with pytest.raises(UnreadableFileError) as info:
        read(name)
    assert fragment in info.value.nl
    assert info.value.en and info.value.en != info.value.nl


def test_format_is_decided_by_content_not_by_name() -> None:
    xlsx = (FIXTURES / "inzet_named_sheet.xlsx").read_bytes()
    table = read_table(xlsx, spec_for("inzet"), ".csv")
    assert len(table.data) == 3
    assert any(n[0] == "formaat" for n in table.notes)
    assert detect_format(b"regel_id;bsn\n") == "csv"


@pytest.mark.parametrize(
    "data, text",
    [
        pytest.param("€ ë é".encode("cp1252"), "€ ë é", id="windows_1252"),
        pytest.param(codecs.BOM_UTF8 + "€ ë".encode(), "€ ë", id="utf8_bom"),
        pytest.param("€ ë".encode(), "€ ë", id="utf8"),
        pytest.param(codecs.BOM_UTF16_BE + "a;ë".encode("utf-16-be"), "a;ë", id="utf16_be_bom"),
        pytest.param("regel_id;bsn".encode("utf-16-le"), "regel_id;bsn", id="utf16_le_without_bom"),
    ],
)
def test_decode_text(data: bytes, text: str) -> None:
    assert decode_text(data) == text


def test_short_rows_are_padded_and_blank_cells_are_missing() -> None:
    table = raw_lines(b"regel_id;opdrachtgever;opdracht_id;bouwblok;bsn;startdatum;uren\nR-1;g;O;pwet\n")
    assert table.data.loc[0, "regel_id"] == "R-1"
    assert table.data[["kandidaat_bsn", "startdatum", "uren_per_week"]].isna().all(axis=None)


def test_delimiter_is_chosen_by_the_header_not_by_counting_commas_in_values() -> None:
    data = (
        b"regel_id;opdrachtgever;opdracht_id;bouwblok;bsn;startdatum;uren;omschrijving\n"
        b"R-1;g;O;pwet;111222333;01-03-2021;32;a, b, c, d, e, f, g, h, i, j\n"
    )
    assert raw_lines(data).data.loc[0, "omschrijving"] == "a, b, c, d, e, f, g, h, i, j"


def test_column_without_heading_but_with_data_is_noted() -> None:
    data = b"regel_id;opdrachtgever;opdracht_id;bouwblok;;bsn;startdatum;uren\nR-1;g;O;pwet;geheim;111222333;01-03-2021;32\n"
    table = raw_lines(data)
    assert any("kolom 5 zonder kop" in n[1] for n in table.notes)
    assert "geheim" not in table.data.to_string()


def test_entirely_empty_rows_anywhere_are_counted_not_read() -> None:
    data = b"regel_id;opdrachtgever;opdracht_id;bouwblok;bsn;startdatum;uren\n;;;;;;\n  ; ;;;;;\nR-1;g;O;pwet;;;\n\n"
    table = raw_lines(data)
    assert table.data["bron_rij"].tolist() == [4]
    assert table.rijen_leeg == 3  # lines 2, 3 and 5


def test_csv_header_below_title_rows() -> None:
    data = (
        "Inzet social return;;;;;;\nBouwbedrijf Noord, 2021Q3;;;;;;\n;;;;;;\n"
        "regel_id;opdrachtgever;opdracht_id;bouwblok;bsn;startdatum;uren\nR-1;g;O;pwet;;01-03-2021;32\n"
    )
    table = raw_lines(data.encode())
    assert table.data["bron_rij"].tolist() == [5]  # header on line 4; title and blank lines are not data
    assert table.rijen_leeg == 0


@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.lists(
                st.sampled_from(
                    ["regel_id", "bsn", "uren", "startdatum", "x", "", '"', "1,5", "Totaal", "#N/B", "é", "\n"]
                ),
                max_size=8,
            ),
            max_size=6,
        ).map(lambda rows: "\n".join(";".join(r) for r in rows).encode("cp1252")),
    )
)
@settings(max_examples=150, deadline=None)
def test_no_file_content_makes_the_reader_raise_anything_but_unreadable(data: bytes) -> None:
    try:
        table = raw_lines(data)
    except UnreadableFileError as exc:
        assert exc.nl and exc.en
        return
    assert len(table.data) == table.data["bron_rij"].nunique()
