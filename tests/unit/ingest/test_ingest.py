"""Tests for pipeline/ingest/stage.py and pipeline/ingest/deliveries.py: a whole raw folder in, every output out.

The raw folders are built in ``tmp_path`` from the quirk fixtures in ``tests/fixtures``; expected
counts and values are worked out by hand from those files (see the comments).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import shutil
import sys
import types
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.errors import PipelineError
from pipeline.ingest.deliveries import FoundFile
from pipeline.ingest.stage import (
    AFGEKEURD_COLUMNS,
    BESTANDEN_COLUMNS,
    LEVERINGEN_COLUMNS,
    MELDINGEN_COLUMNS,
    ingest_file,
    output_columns,
    run_ingest,
)
from tests.conftest import FIXTURES_DIR, TEST_KEY

FIXTURES = FIXTURES_DIR
KEY = TEST_KEY  # tests/conftest.py: the minimum key length the pipeline accepts
NA = pd.NA
D = pd.Timestamp
PARTNERS = (
    "partner_id;naam;rol;kvk\n"
    "gemeente-a;Gemeente A;opdrachtgever;\n"
    "bouwbedrijf-noord;Bouwbedrijf Noord;opdrachtnemer;2012345\n"  # Excel dropped the leading zero
    "opleider-c;Opleider C;opleider;\n"
    "werkplein-d;Werkplein D;werkplein;\n"
)
TRAJECTEN = "traject_id;bsn;doelgroep;sector;aanmelddatum;status\nT-1;111222333;ww;bouw;01-01-2021;aangemeld\n"
RAW_BSNS = ["111222333", "123456789", "12345672", "012345672", "12345678a"]


def pseudonym(bsn: str) -> str:
    return hmac.new(KEY.encode(), bsn.encode(), hashlib.sha256).hexdigest()


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SROI_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("SROI_PSEUDONYM_KEY_FILE", raising=False)


def make_raw(root: Path, files: dict[str, str | bytes | Path]) -> Path:
    """A raw folder: relative path -> text, bytes or a fixture file to copy."""
    raw = root / "raw"
    for rel, content in {"partners.csv": PARTNERS, **files}.items():
        path = raw / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, path)
        else:
            path.write_bytes(content.encode() if isinstance(content, str) else content)
    return raw


def full_raw(root: Path) -> Path:
    return make_raw(
        root,
        {
            "2021Q3/gemeente-a/Opdrachten_2021Q3.csv": FIXTURES / "opdrachten_utf8_semicolon_quoted_newlines.csv",
            "2021Q3/gemeente-a/aanbestedingskalender.xlsx": FIXTURES / "opdrachten_old_xls.xlsx",
            "2021Q3/gemeente-a/toelichting.pdf": b"%PDF-1.4",
            "2021Q3/bouwbedrijf-noord/inzet_deel1.csv": FIXTURES / "inzet_cp1252_semicolon.csv",
            "2021Q3/bouwbedrijf-noord/Inzet_deel2.csv": FIXTURES / "inzet_bad_values.csv",
            "2021Q3/bouwbedrijf-noord/oud/inzet.csv": FIXTURES / "inzet_cp1252_semicolon.csv",
            "2021Q3/bouwbedrijf-noord/trajecten.csv": TRAJECTEN,
            "2021Q3/overzicht.xlsx": b"PK",
            "2021Q3/onbekende-partner/inzet.csv": FIXTURES / "inzet_cp1252_semicolon.csv",
            "2021Q2/opleider-c/trajecten.csv": TRAJECTEN,
            "2021Q1/opleider-c/trajecten.csv": TRAJECTEN + "T-2;111222333;ww;bouw;01-01-2021;aangemeld\n",
            "2021Q4/opleider-c/trajecten.csv": TRAJECTEN,  # later than the period: never used
        },
    )


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("full")
    raw = full_raw(root)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in raw.rglob("*") if p.is_file()}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SROI_PSEUDONYM_KEY", KEY)
        result = run_ingest("2021Q3", raw, root / "out")
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in raw.rglob("*") if p.is_file()}
    return root, raw, result, before, after


def test_bestanden_lists_every_file_with_status_and_counts(full_run) -> None:
    _, _, result, _, _ = full_run
    got = result.bestanden[["bestand", "status", "rijen_gelezen", "rijen_leeg", "rijen_schoon", "rijen_afgekeurd"]]
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in got.itertuples(index=False)]
    assert rows == [
        ("2021Q2/opleider-c/trajecten.csv", "gelezen", 1, 0, 1, 0),
        # inzet_bad_values.csv: 8 rows (lines 2-8 and 10), line 9 empty; only R-15 (line 7) is clean
        ("2021Q3/bouwbedrijf-noord/Inzet_deel2.csv", "gelezen", 8, 1, 1, 7),
        ("2021Q3/bouwbedrijf-noord/inzet_deel1.csv", "gelezen", 3, 0, 3, 0),
        ("2021Q3/bouwbedrijf-noord/oud/inzet.csv", "onbekend", None, None, None, None),
        ("2021Q3/bouwbedrijf-noord/trajecten.csv", "onbekend", None, None, None, None),
        ("2021Q3/gemeente-a/Opdrachten_2021Q3.csv", "gelezen", 3, 0, 3, 0),
        ("2021Q3/gemeente-a/aanbestedingskalender.xlsx", "onleesbaar", None, None, None, None),
        ("2021Q3/gemeente-a/toelichting.pdf", "onbekend", None, None, None, None),
        ("2021Q3/onbekende-partner/inzet.csv", "onbekend", None, None, None, None),
        ("2021Q3/overzicht.xlsx", "onbekend", None, None, None, None),
    ]
    assert list(result.bestanden.columns) == BESTANDEN_COLUMNS
    unreadable = result.bestanden.set_index("bestand").loc["2021Q3/gemeente-a/aanbestedingskalender.xlsx"]
    assert ".xls" in unreadable["reden_nl"] and unreadable["reason_en"]
    sha = hashlib.sha256((FIXTURES / "inzet_cp1252_semicolon.csv").read_bytes()).hexdigest()
    assert result.bestanden.set_index("bestand").loc["2021Q3/bouwbedrijf-noord/inzet_deel1.csv", "sha256"] == sha


def test_row_conservation_for_every_readable_file(full_run) -> None:
    files = full_run[2].bestanden
    readable = files[files["status"] == "gelezen"]
    assert (readable["rijen_gelezen"] == readable["rijen_schoon"] + readable["rijen_afgekeurd"]).all()
    rejected = full_run[2].afgekeurd.groupby("bestand")["rij"].nunique()
    assert rejected.to_dict() == {"2021Q3/bouwbedrijf-noord/Inzet_deel2.csv": 7}


def test_leveringen_per_partner_and_dataset(full_run) -> None:
    got = full_run[2].leveringen
    assert list(got.columns) == LEVERINGEN_COLUMNS
    assert [tuple(None if pd.isna(v) else v for v in r) for r in got.itertuples(index=False)] == [
        ("bouwbedrijf-noord", "opdrachtnemer", "inzet", "geleverd", "2021Q3", 2),
        ("gemeente-a", "opdrachtgever", "aanbestedingskalender", "onleesbaar", "2021Q3", 1),
        ("gemeente-a", "opdrachtgever", "opdrachten", "geleverd", "2021Q3", 1),
        ("opleider-c", "opleider", "trajecten", "overgenomen", "2021Q2", 1),  # latest earlier delivery
        ("werkplein-d", "werkplein", "trajecten", "ontbreekt", None, 0),
    ]


def test_meldingen_report_every_unknown_file_and_the_fallback(full_run) -> None:
    got = full_run[2].meldingen
    assert list(got.columns) == MELDINGEN_COLUMNS
    assert sorted(zip(got["bestand"], got["soort"])) == [
        ("", "overgenomen"),
        ("2021Q3/bouwbedrijf-noord/oud/inzet.csv", "submap"),
        ("2021Q3/bouwbedrijf-noord/trajecten.csv", "past_niet_bij_rol"),
        ("2021Q3/gemeente-a/toelichting.pdf", "onbekende_naam"),
        ("2021Q3/onbekende-partner/inzet.csv", "onbekende_partner"),
        ("2021Q3/overzicht.xlsx", "verkeerde_plek"),
    ]
    fallback = got[got["soort"] == "overgenomen"].iloc[0]
    assert fallback["melding_nl"] == "niet aangeleverd voor 2021Q3; levering 2021Q2 gebruikt"


def test_afgekeurd_one_line_per_row_and_column_with_masked_bsn(full_run) -> None:
    got = full_run[2].afgekeurd
    assert list(got.columns) == AFGEKEURD_COLUMNS
    assert set(got["partner_id"]) == {"bouwbedrijf-noord"} and set(got["dataset"]) == {"inzet"}
    assert list(zip(got["rij"], got["kolom"], got["waarde"], got["regel"])) == [
        (2, "startdatum", "02/13/2021", "inzet.startdatum.datum_maand_eerst"),
        (3, "startdatum", "31-02-2021", "inzet.startdatum.datum_bestaat_niet"),
        (4, "kandidaat_bsn", "******78a", "inzet.kandidaat_bsn.bsn_ongeldig"),
        (5, "uren_per_week", "1.234", "inzet.uren_per_week.getal_dubbelzinnig"),  # 32, "veel": no evidence
        (6, "uren_per_week", "veel", "inzet.uren_per_week.getal_ongeldig"),
        (6, "vijftig_plus", "misschien", "inzet.vijftig_plus.boolean_ongeldig"),
        (8, "bedrag", "#WAARDE!", "inzet.bedrag.excel_fout"),  # not also getal_ongeldig: one line per cell
        (10, "regel_id", "Totaal", "inzet.regel_id.totaalregel"),
    ]
    assert got["reden_nl"].str.len().gt(10).all() and got["reason_en"].str.len().gt(10).all()
    assert "dd-mm-jjjj" in got.loc[0, "reden_nl"] and "dd-mm-yyyy" in got.loc[0, "reason_en"]


def test_tables_are_typed_pseudonymised_and_carry_provenance(full_run) -> None:
    result = full_run[2]
    inzet = result.tables["inzet"]
    assert list(inzet.columns) == output_columns("inzet")
    assert "kandidaat_bsn" not in inzet.columns
    # sorted by bron_bestand, bron_rij: Inzet_deel2 < inzet_deel1 (upper case sorts first)
    assert list(zip(inzet["bron_bestand"], inzet["bron_rij"], inzet["regel_id"])) == [
        ("2021Q3/bouwbedrijf-noord/Inzet_deel2.csv", 7, "R-15"),
        ("2021Q3/bouwbedrijf-noord/inzet_deel1.csv", 2, "R-1"),
        ("2021Q3/bouwbedrijf-noord/inzet_deel1.csv", 3, "R-2"),
        ("2021Q3/bouwbedrijf-noord/inzet_deel1.csv", 4, "R-3"),
    ]
    assert inzet["kandidaat_id"].tolist() == [
        pseudonym("123456789"),
        pseudonym("111222333"),
        pseudonym("012345672"),
        NA,
    ]
    assert inzet["kandidaat_bsn_elfproef"].tolist() == [False, True, True, NA]  # 123456789 fails
    assert set(inzet["levering_periode"]) == {"2021Q3"} and set(inzet["partner_id"]) == {"bouwbedrijf-noord"}
    dtypes = inzet.dtypes.astype(str).to_dict()
    assert dtypes["startdatum"] == "datetime64[ns]" and dtypes["uren_per_week"] == "float64"
    assert dtypes["vijftig_plus"] == "boolean" and dtypes["bron_rij"] == "int64"
    assert dtypes["regel_id"] == dtypes["kandidaat_id"] == "string"
    trajecten = result.tables["trajecten"]
    assert trajecten["traject_id"].tolist() == ["T-1"] and trajecten["levering_periode"].tolist() == ["2021Q2"]
    assert len(result.tables["aanbestedingskalender"]) == 0
    assert list(result.tables["aanbestedingskalender"].columns) == output_columns("aanbestedingskalender")


def test_parquet_files_round_trip_with_fixed_columns(full_run) -> None:
    root, _, result, _, _ = full_run
    for name, table in result.tables.items():
        stored = pd.read_parquet(root / "out" / f"{name}.parquet")
        assert list(stored.columns) == output_columns(name)
        pd.testing.assert_frame_equal(stored, table, check_dtype=False)
    partners = pd.read_parquet(root / "out" / "partners.parquet")
    assert partners["kvk"].tolist() == ["02012345", NA, NA, NA]  # bouwbedrijf-noord first (sorted)


def test_no_raw_bsn_in_any_output(full_run) -> None:
    root = full_run[0]
    for path in (root / "out").iterdir():
        data = path.read_bytes()
        for bsn in RAW_BSNS:
            assert bsn.encode() not in data, (path.name, bsn)


def test_raw_folder_is_never_written(full_run) -> None:
    _, _, _, before, after = full_run
    assert before == after


def test_outputs_are_deterministic(full_run, tmp_path: Path) -> None:
    root, raw, _, _, _ = full_run
    run_ingest("2021Q3", raw, tmp_path / "again")
    for path in (root / "out").iterdir():
        assert path.read_bytes() == (tmp_path / "again" / path.name).read_bytes(), path.name


def test_csv_outputs_are_utf8_comma_lf(full_run) -> None:
    text = (full_run[0] / "out" / "afgekeurd.csv").read_bytes().decode("utf-8")
    assert "\r" not in text and text.startswith(",".join(AFGEKEURD_COLUMNS) + "\n")


def test_unreadable_delivery_is_not_replaced_by_an_earlier_one(tmp_path: Path) -> None:
    raw = make_raw(
        tmp_path,
        {
            "2021Q2/gemeente-a/opdrachten.csv": FIXTURES / "opdrachten_utf8_semicolon_quoted_newlines.csv",
            "2021Q3/gemeente-a/opdrachten.xlsx": FIXTURES / "opdrachten_corrupt_zip.xlsx",
        },
    )
    result = run_ingest("2021Q3", raw, tmp_path / "out")
    row = result.leveringen.set_index(["partner_id", "dataset"]).loc[("gemeente-a", "opdrachten")]
    assert (row["status"], row["levering_periode"]) == ("onleesbaar", "2021Q3")
    assert len(result.tables["opdrachten"]) == 0  # docs/exports.md: no silent fallback


def test_partner_mapping_renames_columns_and_values(tmp_path: Path) -> None:
    raw = make_raw(tmp_path, {"2021Q3/bouwbedrijf-noord/inzet.csv": FIXTURES / "inzet_partner_headings.csv"})
    result = run_ingest("2021Q3", raw, tmp_path / "out", mappings_dir=FIXTURES / "mappings")
    inzet = result.tables["inzet"]
    assert inzet["regel_id"].tolist() == ["W-1", "W-2", "W-3"]
    assert inzet["bouwblok"].tolist() == ["bbl", "werkervaringsplaats", "pwet_lang"]  # "wep": any case
    assert inzet["kandidaat_id"].tolist()[:2] == [pseudonym("111222333"), pseudonym("123456782")]


@pytest.mark.parametrize(
    "partners, fragment",
    [
        pytest.param(None, "ontbreekt", id="missing"),
        pytest.param(b"", "onleesbaar", id="empty"),
        pytest.param("partner_id;naam;rol\na;A;opdrachtgever\na;B;opleider\n", "meer dan eens", id="duplicate_id"),
        pytest.param("partner_id;naam;rol\nGemeente A;A;opdrachtgever\n", "[a-z0-9-]+", id="bad_id"),
        pytest.param("partner_id;naam;rol\na;;opdrachtgever\n", "naam ontbreekt", id="no_name"),
        pytest.param("partner_id;naam;rol\na;A;aannemer\n", "rol", id="unknown_role"),
        pytest.param("partner_id;naam;rol;kvk\na;A;opdrachtnemer;\n", "verplicht", id="contractor_without_kvk"),
        pytest.param("partner_id;naam;rol;kvk\na;A;opdrachtnemer;12ab5678\n", "8 cijfers", id="kvk_not_digits"),
        pytest.param("partner_id;naam;kvk\na;A;12345678\n", "rol", id="role_column_missing"),
    ],
)
def test_bad_partners_csv_stops_the_run(tmp_path: Path, partners: str | bytes | None, fragment: str) -> None:
    raw = make_raw(tmp_path, {"2021Q3/a/opdrachten.csv": FIXTURES / "opdrachten_header_only.csv"})
    if partners is None:
        (raw / "partners.csv").unlink()
    else:
        (raw / "partners.csv").write_bytes(partners.encode() if isinstance(partners, str) else partners)
    with pytest.raises(PipelineError) as info:
        run_ingest("2021Q3", raw, tmp_path / "out")
    assert fragment in info.value.nl and info.value.en


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({}, id="no_period_folder"),
        pytest.param({"2021Q3/gemeente-a/lees-mij.txt": "x", "2021Q3/los.csv": "x"}, id="only_unknown_files"),
        pytest.param(
            {"2021Q2/gemeente-a/opdrachten.csv": FIXTURES / "opdrachten_header_only.csv"}, id="only_earlier_deliveries"
        ),
    ],
)
def test_no_deliveries_at_all_stops_the_run(tmp_path: Path, files: dict) -> None:
    raw = make_raw(tmp_path, files)
    with pytest.raises(PipelineError, match="geen enkele levering"):
        run_ingest("2021Q3", raw, tmp_path / "out")


def test_output_inside_raw_folder_is_refused(tmp_path: Path) -> None:
    raw = make_raw(tmp_path, {"2021Q3/gemeente-a/opdrachten.csv": FIXTURES / "opdrachten_header_only.csv"})
    with pytest.raises(PipelineError, match="ruwe map"):
        run_ingest("2021Q3", raw, raw / "clean")


def test_real_data_without_key_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SROI_PSEUDONYM_KEY")
    demo = types.ModuleType("pipeline.ingest.pristine")
    demo.is_pristine_demo = lambda raw_dir: False  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pipeline.ingest.pristine", demo)
    raw = make_raw(tmp_path, {"2021Q3/gemeente-a/opdrachten.csv": FIXTURES / "opdrachten_header_only.csv"})
    with pytest.raises(PipelineError, match="SROI_PSEUDONYM_KEY"):
        run_ingest("2021Q3", raw, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# ---- the same logical content in every format parses to the same table -------------------

EXPECTED_OPDRACHTEN = pd.DataFrame(
    {
        "opdracht_id": ["OG-001", "OG-002", "OG-003"],
        "omschrijving": [
            "Renovatie brug Eelde; fase 2\nincl. fietspad",
            'Onderhoud groen "Zuid"',
            "Café-verbouwing Ëlst",
        ],
        "soort": ["werken", "diensten", "werken"],
        "sector": ["infra", "overig", "bouw"],
        "opdrachtnemer_kvk": ["02012345", "12345678", "87654321"],
        "opdrachtnemer_naam": ["Bouwbedrijf Noord", "Groen & Co", "Bouw Één"],
        "gunningsdatum": [D("2021-01-15"), D("2021-02-01"), D("2021-03-10")],
        "startdatum": [D("2021-03-01"), D("2021-04-01"), D("2021-05-01")],
        "einddatum": [D("2022-12-31"), D("2023-03-31"), D("2021-12-31")],
        "opdrachtwaarde": [1_250_000.0, 480_000.50, 95_000.0],  # 95.000 is Dutch: the column shows it
        "sr_percentage": [5.0, 4.5, 10.0],
        "sr_verplichting": [62_500.0, float("nan"), 9_500.0],
    }
)
EXPECTED_INZET = pd.DataFrame(
    {
        "regel_id": ["R-1", "R-2", "R-3"],
        "opdrachtgever": ["gemeente-a"] * 3,
        "opdracht_id": ["OG-001", "OG-001", "OG-002"],
        "bouwblok": ["pwet_lang", "bbl", "inkoop_sw"],
        "kandidaat_id": [pseudonym("111222333"), pseudonym("012345672"), NA],  # 12345672 lost its zero
        "kandidaat_bsn_elfproef": pd.array([True, True, NA], dtype="boolean"),
        "startdatum": [D("2021-03-01"), D("2021-04-01"), D("2021-05-15")],
        "einddatum": [pd.NaT, D("2021-12-31"), pd.NaT],
        "uren_per_week": [32.0, 36.5, float("nan")],
        "vijftig_plus": pd.array([True, False, NA], dtype="boolean"),
        "bedrag": [float("nan"), float("nan"), 1234.50],
        "omschrijving": ["Timmerman (leerling)", 'Café-bezorger; "Noord"', "Inkoop bij SW-bedrijf ë"],
    }
)
DATE_COLUMNS = ["gunningsdatum", "startdatum", "einddatum"]
EXPECTED_OPDRACHTEN[DATE_COLUMNS] = EXPECTED_OPDRACHTEN[DATE_COLUMNS].astype("datetime64[ns]")
EXPECTED_INZET[DATE_COLUMNS[1:]] = EXPECTED_INZET[DATE_COLUMNS[1:]].astype("datetime64[ns]")


@pytest.mark.parametrize(
    "name, expected",
    [
        pytest.param("opdrachten_utf8_semicolon_quoted_newlines.csv", EXPECTED_OPDRACHTEN, id="opdrachten_csv"),
        pytest.param("opdrachten_header_variants.csv", EXPECTED_OPDRACHTEN, id="opdrachten_header_variants"),
        pytest.param("opdrachten_title_rows.xlsx", EXPECTED_OPDRACHTEN, id="opdrachten_xlsx_title_rows"),
        pytest.param("inzet_cp1252_semicolon.csv", EXPECTED_INZET, id="inzet_cp1252_semicolon"),
        pytest.param("inzet_utf8_bom_comma.csv", EXPECTED_INZET, id="inzet_utf8_bom_comma"),
        pytest.param("inzet_utf16_tab.csv", EXPECTED_INZET, id="inzet_utf16_tab"),
        pytest.param("inzet_utf8_plain_numbers.csv", EXPECTED_INZET, id="inzet_plain_numbers_iso_dates"),
        pytest.param("inzet_named_sheet.xlsx", EXPECTED_INZET, id="inzet_xlsx_named_sheet"),
    ],
)
def test_same_content_in_every_format_gives_the_same_table(name: str, expected: pd.DataFrame) -> None:
    dataset = name.split("_")[0]
    found = FoundFile(FIXTURES / name, name, "p", dataset, "2021Q3")
    clean, rejects, counts, _ = ingest_file((FIXTURES / name).read_bytes(), found, None, KEY.encode())
    assert rejects.empty and counts["rijen_schoon"] == 3
    got = clean[list(expected.columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


# ---- Excel's row numbers in afgekeurd.csv --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "row"),
    [
        # tests/fixtures/make_row_number_fixtures.py works these out by hand; the physical line of
        # the rejected record is given for contrast
        ("inzet_rows_multiline.csv", 6),  # line 10: four line breaks inside cells above it
        ("inzet_rows_multiline.xlsx", 6),
        ("inzet_rows_title_rows.csv", 6),  # line 7: header on row 4 below two titles and a blank
        ("inzet_rows_title_rows.xlsx", 6),
        ("inzet_rows_blank_lines.csv", 7),  # line 8: blank lines are empty rows and count
        ("inzet_rows_blank_lines.xlsx", 7),
        ("inzet_rows_crlf.csv", 4),  # line 6
        ("inzet_rows_cp1252.csv", 3),  # line 4
    ],
)
def test_rejected_rows_carry_the_excel_row(name: str, row: int) -> None:
    found = FoundFile(FIXTURES / name, name, "p", "inzet", "2021Q3")
    clean, rejects, counts, _ = ingest_file((FIXTURES / name).read_bytes(), found, None, KEY.encode())
    assert rejects[["rij", "kolom", "waarde"]].values.tolist() == [[row, "uren_per_week", "veel"]]
    assert row not in set(clean["bron_rij"])
    assert counts["rijen_gelezen"] == counts["rijen_schoon"] + 1


# ---- row conservation on random rejections ---------------------------------------------

GOOD = {"startdatum": "01-03-2021", "uren_per_week": "32", "vijftig_plus": "ja", "kandidaat_bsn": "111222333"}
BAD = {"startdatum": "31-02-2021", "uren_per_week": "veel", "vijftig_plus": "misschien", "kandidaat_bsn": "12ab"}


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@given(st.lists(st.tuples(st.sets(st.sampled_from(sorted(BAD))), st.booleans()), max_size=25))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_row_conservation_on_random_rejections(rows: list[tuple[set[str], bool]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    header = ["regel_id", "opdrachtgever", "opdracht_id", "bouwblok", *GOOD]
    writer.writerow(header)
    bad_lines, line = set(), 1
    for i, (broken, empty_line) in enumerate(rows):
        line += 1
        if empty_line:
            writer.writerow([""] * len(header))
            continue
        writer.writerow([f"R-{i}", "g", "O", "pwet", *((BAD if c in broken else GOOD)[c] for c in GOOD)])
        if broken:
            bad_lines.add(line)
    found = FoundFile(Path("inzet.csv"), "inzet.csv", "p", "inzet", "2021Q3")
    clean, rejects, counts, _ = ingest_file(out.getvalue().encode(), found, None, KEY.encode())
    assert counts["rijen_gelezen"] == counts["rijen_schoon"] + counts["rijen_afgekeurd"]
    assert counts["rijen_leeg"] == sum(e for _, e in rows)
    assert set(rejects["rij"]) == bad_lines
    assert set(clean["bron_rij"]).isdisjoint(bad_lines)


def test_partner_folder_with_only_unknown_files_falls_back_and_keeps_them_listed(tmp_path: Path) -> None:
    raw = make_raw(
        tmp_path,
        {
            "2021Q3/gemeente-a/opdrachten.csv": FIXTURES / "opdrachten_header_only.csv",
            "2021Q3/opleider-c/lees-mij.txt": "x",
            "2021Q1/opleider-c/trajecten.csv": TRAJECTEN,
        },
    )
    result = run_ingest("2021Q3", raw, tmp_path / "out")
    row = result.leveringen.set_index(["partner_id", "dataset"]).loc[("opleider-c", "trajecten")]
    assert (row["status"], row["levering_periode"]) == ("overgenomen", "2021Q1")  # searched backwards
    assert result.bestanden.set_index("bestand").loc["2021Q3/opleider-c/lees-mij.txt", "status"] == "onbekend"
    header_only = result.bestanden.set_index("bestand").loc["2021Q3/gemeente-a/opdrachten.csv"]
    assert (header_only["status"], header_only["rijen_gelezen"]) == ("gelezen", 0)


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), min_size=6, max_size=6),
        max_size=12,
    )
)
@settings(max_examples=30, deadline=None)
def test_any_cell_text_types_or_rejects_never_crashes(cells: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["regel_id", "opdrachtgever", "opdracht_id", "bouwblok", "bsn", "startdatum", "uren", "50_plus"])
    for row in cells:
        writer.writerow(["R", "g", *row])
    found = FoundFile(Path("inzet.csv"), "inzet.csv", "p", "inzet", "2021Q3")
    try:
        clean, rejects, counts, _ = ingest_file(out.getvalue().encode(), found, None, KEY.encode())
    except PipelineError:
        return  # UnreadableFileError: e.g. a stray quote
    assert counts["rijen_gelezen"] == counts["rijen_schoon"] + counts["rijen_afgekeurd"]
    assert rejects["reden_nl"].notna().all() and rejects["reason_en"].notna().all()


def test_two_reading_processes_write_the_same_tables_as_one(tmp_path, monkeypatch) -> None:
    # a large delivery is read by two processes (read_workers): every table, rejection, note and
    # unreadable file must come out byte for byte as with one; this folder holds an unreadable
    # XLSX, bad values, two encodings and a file of an unknown partner
    raw = full_raw(tmp_path)
    monkeypatch.setenv("SROI_PSEUDONYM_KEY", KEY)
    run_ingest("2021Q3", raw, tmp_path / "een", workers=1)
    run_ingest("2021Q3", raw, tmp_path / "twee", workers=2)
    one = {p.relative_to(tmp_path / "een"): p.read_bytes() for p in (tmp_path / "een").rglob("*") if p.is_file()}
    two = {p.relative_to(tmp_path / "twee"): p.read_bytes() for p in (tmp_path / "twee").rglob("*") if p.is_file()}
    assert one.keys() == two.keys() and len(one) > 5
    assert [p for p in one if one[p] != two[p]] == []
    bestanden = (tmp_path / "twee" / "bestanden.csv").read_text(encoding="utf-8")
    assert "onleesbaar" in bestanden  # the unreadable file crossed from its process as such


def test_small_deliveries_are_read_in_one_process() -> None:
    from pipeline.ingest.stage import PARALLEL_MIN_BYTES, PARALLEL_MIN_FILES, read_workers

    assert read_workers(35, 500_000) == 1  # the demo quarter: 35 files, 0,5 MB
    assert read_workers(PARALLEL_MIN_FILES - 1, 10 * PARALLEL_MIN_BYTES) == 1
    assert read_workers(PARALLEL_MIN_FILES, PARALLEL_MIN_BYTES - 1) == 1
