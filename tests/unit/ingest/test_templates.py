"""Tests for pipeline/ingest/templates.py: the delivery templates of `make templates`.

The templates are generated from the configuration the pipeline checks against; these tests read
the written XLSX back and compare it with that configuration read independently (datasets.yaml,
the suites' JSON, the rate card), and fill a template with demo rows to show that the ingest
reads it exactly as it reads the same rows delivered as CSV (docs/exports.md, "XLSX rules").
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from pipeline.core.paths import CONFIG_DIR, DEMO_RAW_DIR, EXPECTATIONS_DIR
from pipeline.core.schema import DATASETS, dataset_spec
from pipeline.indicators.ratecard import BONUS_BLOCK, load_rate_card
from pipeline.ingest.deliveries import FoundFile
from pipeline.ingest.parse import parse_boolean, parse_date, parse_dutch_number
from pipeline.ingest.stage import ingest_file
from pipeline.ingest.templates import BOUWBLOKKEN, TOELICHTING, main, template_bytes, write_templates
from pipeline.ingest.typecast import read_export

KEY = b"k" * 32
#: One demo delivery per dataset (data/raw/2021Q3), none of them with a partner mapping.
DEMO_CSV = {
    "opdrachten": "gemeente-eemsdelta/opdrachten_2021Q3.csv",
    "inzet": "wadden-infra/inzet_2021Q3.csv",
    "trajecten": "sw-ommeland/trajecten_2021Q3.csv",
    "aanbestedingskalender": "gemeente-eemsdelta/aanbestedingskalender_2021Q3.csv",
}


@pytest.fixture(scope="module")
def templates() -> dict[str, bytes]:
    return {dataset: template_bytes(dataset) for dataset in DATASETS}


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_every_column_of_the_standard_has_a_description() -> None:
    described = yaml.safe_load((CONFIG_DIR / "kolommen.yaml").read_text(encoding="utf-8"))["datasets"]
    assert set(described) == set(DATASETS)
    for dataset in DATASETS:
        assert described[dataset]["wat"].strip()
        columns = described[dataset]["kolommen"]
        assert list(columns) == list(dataset_spec(dataset).columns), dataset  # every one, none extra
        assert all(isinstance(text, str) and text.strip() for text in columns.values()), dataset


def test_two_builds_give_the_same_bytes(templates: dict[str, bytes], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert main(["--out", str(tmp_path / "a")]) == 0
    again = write_templates(tmp_path / "b")
    assert [p.name for p in again] == [f"{d}.xlsx" for d in DATASETS]
    for path in again:
        assert path.read_bytes() == (tmp_path / "a" / path.name).read_bytes() == templates[path.stem]
        with zipfile.ZipFile(path) as archive:
            assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            core = archive.read("docProps/core.xml").decode()
        assert core.count("2021-01-01T00:00:00Z") == 2  # created = modified = the rate card's edition
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with zipfile.ZipFile(io.BytesIO(template_bytes("inzet"))) as archive:
        assert "2023-11-14T22:13:20Z" in archive.read("docProps/core.xml").decode()


@pytest.mark.parametrize("dataset", DATASETS)
def test_layout_header_comments_and_formats(templates: dict[str, bytes], dataset: str) -> None:
    book = _book(templates[dataset])
    assert book.sheetnames == [dataset, TOELICHTING, BOUWBLOKKEN]  # the data sheet first: the one read
    ws = book[dataset]
    spec = dataset_spec(dataset)
    assert [c.value for c in ws[1]] == list(spec.columns)
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1  # nothing but the header
    for cell in ws[1]:
        col = spec.columns[cell.value]
        text = cell.comment.text
        assert "Formaat:" in text and "Verplicht:" in text
        if col.required_column:
            assert "Verplicht: nee" not in text
        dimension = ws.column_dimensions[cell.column_letter]
        assert 8 <= dimension.width <= 45
        expected = {"date": "dd-mm-yyyy", "money": "#,##0.00", "number": "General"}.get(col.type, "@")
        assert dimension.number_format == expected, cell.value
    notes = "\n".join(str(c.value) for row in book[TOELICHTING].iter_rows() for c in row if c.value)
    for fragment in (f"{dataset}_<JJJJKn>.xlsx", "<JJJJKn>/<partner_id>/", "peildatum", "afgekeurd", "Excel"):
        assert fragment in notes
    assert ("kandidaat_bsn" in notes) is any(c.type == "bsn" for c in spec.columns.values())


def _lists(book: openpyxl.Workbook, dataset: str) -> dict[str, list[str]]:
    """Column -> the values of its drop-down list, read from the workbook as Excel would."""
    ws = book[dataset]
    header = {c.column_letter: c.value for c in ws[1]}
    found = {}
    for validation in ws.data_validations.dataValidation:
        if validation.type != "list":
            continue
        letter = str(validation.sqref).split(":")[0].rstrip("0123456789")
        formula = validation.formula1
        if formula.startswith('"'):
            values = formula.strip('"').split(",")
        else:  # a range on another sheet: Bouwblokken!$A$2:$A$12
            sheet, ref = formula.split("!")
            values = [row[0].value for row in book[sheet][ref.replace("$", "")]]
        found[header[letter]] = values
    return found


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_list_equals_the_rate_card_and_the_standards_values(templates: dict[str, bytes], dataset: str) -> None:
    """The drop-downs are the suites' value sets, yes/no, and for bouwblok every block code of the
    rate card over all its versions except the 50+ bonus (exactly the set the suite accepts)."""
    card = load_rate_card()
    codes = sorted(set(card["bouwblok"]) - {BONUS_BLOCK})
    suite = json.loads((EXPECTATIONS_DIR / f"{dataset}.json").read_text(encoding="utf-8"))
    expected = {}
    for exp in suite["expectations"]:
        if exp["type"] == "expect_column_values_to_be_in_set" and "row_condition" not in exp["kwargs"]:
            value_set = exp["kwargs"]["value_set"]
            expected[exp["kwargs"]["column"]] = codes if value_set == {"$param": "bouwblokken"} else value_set
    for name, col in dataset_spec(dataset).columns.items():
        if col.type == "boolean":
            expected[name] = ["ja", "nee"]
    lists = _lists(_book(templates[dataset]), dataset)
    assert lists == expected
    if dataset == "inzet":
        assert lists["bouwblok"] == codes and len(codes) == 11


def test_the_bouwblokken_sheet_shows_each_code_with_its_latest_version(templates: dict[str, bytes]) -> None:
    ws = _book(templates["inzet"])[BOUWBLOKKEN]
    card = load_rate_card()
    rows = list(ws.iter_rows(min_row=2, max_row=12, values_only=True))
    for code, omschrijving, soort, waarde, eenheid, max_maanden, vanaf, tot in rows:
        latest = card[card["bouwblok"] == code].iloc[-1]
        assert (omschrijving, soort, waarde, eenheid) == (
            latest["omschrijving"],
            latest["soort"],
            latest["waarde_eur"],
            latest["eenheid"],
        )
        assert max_maanden == (None if pd.isna(latest["max_maanden"]) else int(latest["max_maanden"]))
        assert vanaf == latest["geldig_vanaf"].to_pydatetime() and tot is None
    values = [c.value for row in ws.iter_rows(min_row=13) for c in row]
    assert BONUS_BLOCK in values  # the bonus, apart from the list
    assert sum(v == "pwet_kort" for v in values) == 1  # the 2016 edition, below: all 24 card rows shown
    assert sum(isinstance(v, str) and v in set(card["bouwblok"]) for v in values) == len(card) - 11


@pytest.mark.parametrize("dataset", DATASETS)
def test_number_and_date_validations_follow_the_suite(templates: dict[str, bytes], dataset: str) -> None:
    ws = _book(templates[dataset])[dataset]
    header = {c.column_letter: c.value for c in ws[1]}
    kinds = {}
    for validation in ws.data_validations.dataValidation:
        letter = str(validation.sqref).split(":")[0].rstrip("0123456789")
        kinds[header[letter]] = (validation.type, validation.operator, validation.formula1, validation.formula2)
    for name, col in dataset_spec(dataset).columns.items():
        if col.type == "date":
            assert kinds[name][:2] == ("date", "between")
        elif col.type in ("money", "number"):
            assert kinds[name][0] in ("decimal", "custom")
            if kinds[name][0] == "decimal":
                assert float(kinds[name][2]) >= 0  # never a negative amount or number of hours
    if dataset in ("opdrachten", "aanbestedingskalender"):
        letter = next(k for k, v in header.items() if v == "sr_percentage")
        assert kinds["sr_percentage"] == ("custom", None, f"AND(ISNUMBER({letter}2),{letter}2>0,{letter}2<=100)", None)


def _typed_cells(raw: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """The raw CSV values as a partner would type them into the template: dates as dates,
    amounts and hours as numbers, yes/no as ja/nee, text as written. A value the ingest cannot
    type stays the text it was, so the same row is rejected for the same reason."""
    cells = raw.copy()
    for name, col in dataset_spec(dataset).columns.items():
        if name not in raw or col.type in ("text", "bsn"):
            continue
        if col.type == "date":
            parsed = parse_date(raw[name], open_end=True)
            typed = parsed.values.map(lambda v: None if pd.isna(v) else v.to_pydatetime(), na_action="ignore")
        elif col.type == "boolean":
            parsed = parse_boolean(raw[name])
            typed = parsed.values.map({True: "ja", False: "nee"}, na_action="ignore")
        else:
            parsed = parse_dutch_number(raw[name])
            typed = parsed.values.map(float, na_action="ignore")
        good = parsed.problems.isna() & parsed.values.notna()
        cells[name] = raw[name].astype(object).where(~good, typed.astype(object))
    return cells


def _filled_template(template: bytes, dataset: str, raw: pd.DataFrame) -> bytes:
    book = _book(template)
    ws = book[dataset]
    columns = {c.value: c.column for c in ws[1]}
    for _, row in _typed_cells(raw, dataset).iterrows():
        for name, column in columns.items():
            value = row.get(name)
            if not pd.isna(value):
                ws.cell(row=int(row["bron_rij"]), column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


#: Rows added to the inzet demo delivery so the round trip also covers rejected rows: a date that
#: does not exist, text for hours, a yes/no that is neither, a block code the rate card lacks,
#: hours over the limit, and a BSN typed into the description (masked at ingest).
FAULTY_INZET_ROWS = (
    "WI-90001,provincie-groningen,PG-2017-0002,bbl,997689055,31-02-2021,,32,,,datum bestaat niet\n"
    "WI-90002,provincie-groningen,PG-2017-0002,bbl,997689055,2021-01-04,,veel,,,uren als tekst\n"
    "WI-90003,provincie-groningen,PG-2017-0002,bbl,997689055,2021-01-04,,32,misschien,,geen ja of nee\n"
    "WI-90004,provincie-groningen,PG-2017-0002,metselaar,997689055,2021-01-04,,32,ja,,onbekend bouwblok\n"
    "WI-90005,provincie-groningen,PG-2017-0002,bbl,997689055,2021-01-04,,70,nee,,te veel uren\n"
    "WI-90006,provincie-groningen,PG-2017-0002,bbl,997689055,2021-01-04,,32,nee,,kandidaat 123456782\n"
)


def _deliveries(dataset: str, tmp_path: Path, extra: str = "") -> tuple[FoundFile, FoundFile]:
    """The demo CSV delivery of ``dataset`` (plus ``extra`` lines) and the same rows typed into the
    template, each in a ``2021Q3/<partner>/`` folder of its own."""
    rel = DEMO_CSV[dataset]
    partner, name = rel.split("/")
    data = (DEMO_RAW_DIR / "2021Q3" / rel).read_bytes()
    if extra:
        data = data.rstrip(b"\r\n") + b"\n" + extra.encode("utf-8")
    found = []
    for kind in ("csv", "xlsx"):
        path = tmp_path / kind / "2021Q3" / partner / f"{dataset}_2021Q3.{kind}"
        path.parent.mkdir(parents=True)
        found.append(FoundFile(path, f"2021Q3/{partner}/{path.name}", partner, dataset, "2021Q3"))
    csv_file, xlsx_file = found
    csv_file.path.write_bytes(data)
    raw = read_export(data, csv_file, None).data
    xlsx_file.path.write_bytes(_filled_template(template_bytes(dataset), dataset, raw))
    return csv_file, xlsx_file


@pytest.mark.parametrize(
    ("dataset", "extra"),
    [*((d, "") for d in DATASETS), pytest.param("inzet", FAULTY_INZET_ROWS, id="inzet-with-faulty-rows")],
)
def test_a_filled_template_reads_like_the_same_rows_as_csv(dataset: str, extra: str, tmp_path: Path) -> None:
    """Round trip: demo rows written into the template (typed) and read back by the ingest give
    the clean table, the rejected lines and the counts of the CSV delivery, and no note about
    the file's form."""
    csv_file, xlsx_file = _deliveries(dataset, tmp_path, extra)
    clean_csv, rejects_csv, counts_csv, notes_csv = ingest_file(csv_file.path.read_bytes(), csv_file, None, KEY)
    clean_xlsx, rejects_xlsx, counts_xlsx, notes_xlsx = ingest_file(xlsx_file.path.read_bytes(), xlsx_file, None, KEY)

    # the CSV's empty lines (trailing ;;;;) are counted as empty rows; a sheet does not store them
    assert {**counts_xlsx, "rijen_leeg": 0} == {**counts_csv, "rijen_leeg": 0}
    assert counts_xlsx["rijen_schoon"] > 0
    assert (counts_xlsx["rijen_afgekeurd"] == 3) is bool(extra)  # date, hours and yes/no cannot be typed
    pd.testing.assert_frame_equal(
        clean_xlsx.drop(columns="bron_bestand").reset_index(drop=True),
        clean_csv.drop(columns="bron_bestand").reset_index(drop=True),
    )
    pd.testing.assert_frame_equal(
        rejects_xlsx.drop(columns="bestand").reset_index(drop=True),
        rejects_csv.drop(columns="bestand").reset_index(drop=True),
    )
    form = {"werkblad", "kolom_genegeerd", "formaat"}
    assert not [n for n in notes_xlsx if n[0] in form], notes_xlsx
    # what the CSV's notes say about its content (not its encoding) the template says too
    assert list(notes_xlsx) == [n for n in notes_csv if n[0] != "tekencodering"]


@pytest.mark.slow  # seconds: a whole GX suite, twice
def test_a_filled_template_passes_the_pre_flight_check_like_the_csv(tmp_path: Path) -> None:
    """make check-export (ingest and validation) on a filled template: the same verdict, counts
    and problem lines as on the same rows as CSV, and no remark about the file."""
    from pipeline.ingest.check_export import check_file

    csv_file, xlsx_file = _deliveries("inzet", tmp_path, FAULTY_INZET_ROWS)
    on_csv, on_xlsx = check_file(csv_file.path, "wadden-infra"), check_file(xlsx_file.path, "wadden-infra")
    assert on_xlsx.notes == on_csv.notes == []
    assert (on_xlsx.exit_code, on_xlsx.verdict_nl, on_xlsx.counts) == (
        on_csv.exit_code,
        on_csv.verdict_nl,
        on_csv.counts,
    )
    # the demo's own row with a BSN failing the eleven-test, the three that cannot be typed, the
    # unknown block and the hours over 60
    assert on_xlsx.counts["rijen_afgekeurd"] == 6
    pd.testing.assert_frame_equal(on_xlsx.problems.drop(columns="bestand"), on_csv.problems.drop(columns="bestand"))
