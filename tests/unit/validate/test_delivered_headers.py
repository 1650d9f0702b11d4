"""The column of a rejected row or finding as the partner's own file names it (``kolom_bestand``).

A real raw folder goes through ingest and validation. The inzet file uses aliases for its
headers ("Regelnummer", "BSN kandidaat", "Uren per week", ...): every line about one of its
columns carries that header text next to the standard's name in ``kolom``; a line about no single
delivered column (a missing delivery) carries none.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from pipeline.ingest.check_export import check_file, render_html  # noqa: E402
from pipeline.ingest.stage import run_ingest  # noqa: E402
from pipeline.ingest.typecast import AFGEKEURD_COLUMNS, BEVINDINGEN_COLUMNS  # noqa: E402
from pipeline.validate.stage import run_validation  # noqa: E402
from tests.conftest import FIXTURES_DIR, TEST_KEY  # noqa: E402

PARTNERS = (
    "partner_id;naam;rol;kvk\n"
    "gemeente-a;Gemeente A;opdrachtgever;\n"
    "bouwbedrijf-noord;Bouwbedrijf Noord;opdrachtnemer;02012345\n"
    "opleider-c;Opleider C;opleider;\n"  # delivers nothing: a finding on no file or column
)
# Excel rows: header 1, R-1 row 2 (clean), R-2 row 3 ("veel": ingest rejects uren_per_week),
# R-3 row 4 (not a BSN: ingest rejects kandidaat_bsn), R-4 row 5 (70 hours: validation rejects
# uren_per_week), R-5 row 6 (unknown contract: a finding on opdracht_id; a BSN in the
# description: masked, a finding on omschrijving)
INZET = (
    " Regelnummer ;Opdrachtgever;Opdrachtnummer;Bouwblok;BSN kandidaat;Start datum;Uren per week;Omschrijving\n"
    "R-1;gemeente-a;OG-001;pwet_lang;111222333;01-03-2021;32;Timmerman\n"
    "R-2;gemeente-a;OG-001;pwet_lang;123456782;01-03-2021;veel;Metselaar\n"
    "R-3;gemeente-a;OG-001;pwet_lang;12ab;01-03-2021;32;Schilder\n"
    "R-4;gemeente-a;OG-001;pwet_lang;123456782;01-03-2021;70;Stukadoor\n"
    "R-5;gemeente-a;OG-999;pwet_lang;123456782;01-03-2021;32;gebeld met 111222333\n"
)
INZET_FILE = "2021Q3/bouwbedrijf-noord/inzet.csv"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("headers")
    raw = root / "raw"
    (raw / "2021Q3" / "bouwbedrijf-noord").mkdir(parents=True)
    (raw / "2021Q3" / "gemeente-a").mkdir(parents=True)
    (raw / "partners.csv").write_text(PARTNERS, encoding="utf-8")
    (raw / INZET_FILE).write_text(INZET, encoding="utf-8")
    opdrachten = FIXTURES_DIR / "opdrachten_utf8_semicolon_quoted_newlines.csv"
    (raw / "2021Q3/gemeente-a/opdrachten.csv").write_bytes(opdrachten.read_bytes())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SROI_PSEUDONYM_KEY", TEST_KEY)
        run_ingest("2021Q3", raw, root / "clean" / "_ingest")
        run_validation("2021Q3", root / "clean" / "_ingest", root / "clean")
    return root / "clean"


def lines(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.mark.slow  # a whole ingest and GX validation
def test_rejected_rows_name_the_column_as_delivered(built: Path) -> None:
    for folder in (built / "_ingest", built):
        assert list(lines(folder, "afgekeurd").columns) == AFGEKEURD_COLUMNS  # kolom_bestand after kolom
    afgekeurd = lines(built, "afgekeurd")
    mine = afgekeurd[afgekeurd["bestand"] == INZET_FILE]
    assert sorted(zip(mine["rij"], mine["kolom"], mine["kolom_bestand"])) == [
        ("3", "uren_per_week", "Uren per week"),  # ingest: not a number
        ("4", "kandidaat_bsn", "BSN kandidaat"),  # ingest: not a BSN
        ("5", "uren_per_week", "Uren per week"),  # validation: more than 60 hours
    ]


@pytest.mark.slow  # a whole ingest and GX validation
def test_findings_name_the_column_as_delivered(built: Path) -> None:
    bevindingen = lines(built, "bevindingen")
    assert list(bevindingen.columns) == BEVINDINGEN_COLUMNS
    mine = bevindingen[bevindingen["bestand"] == INZET_FILE]
    assert sorted(zip(mine["rij"], mine["regel"], mine["kolom_bestand"])) == [
        ("6", "inzet.omschrijving.bsn_gemaskeerd", "Omschrijving"),  # found at ingest
        ("6", "inzet.opdracht.onbekend", "Opdrachtnummer"),  # across datasets
    ]
    # a header delivered as the standard's own name is that name
    kvk = bevindingen[bevindingen["regel"] == "opdrachten.opdrachtnemer_kvk.onbekend"]
    assert set(kvk["kolom_bestand"]) == {"opdrachtnemer_kvk"}
    # a line about a whole delivery names no delivered column
    missing = bevindingen[bevindingen["regel"] == "levering.ontbreekt"]
    assert missing["partner_id"].tolist() == ["opleider-c"] and missing["kolom_bestand"].tolist() == [""]
    assert "111222333" not in bevindingen.to_csv()  # only header texts, never a cell value


@pytest.mark.slow  # a whole ingest and GX validation
def test_kolommen_csv_maps_each_file_header_to_the_standard(built: Path) -> None:
    kolommen = lines(built, "kolommen")
    mine = kolommen[kolommen["bestand"] == INZET_FILE].set_index("kolom")["kolom_bestand"].to_dict()
    assert mine == {
        "regel_id": "Regelnummer",  # surrounding spaces stripped
        "opdrachtgever": "Opdrachtgever",
        "opdracht_id": "Opdrachtnummer",
        "bouwblok": "Bouwblok",
        "kandidaat_bsn": "BSN kandidaat",
        "startdatum": "Start datum",
        "uren_per_week": "Uren per week",
        "omschrijving": "Omschrijving",
    }


@pytest.mark.slow  # GX validation of one file
def test_check_export_names_the_column_as_delivered(tmp_path: Path) -> None:
    path = tmp_path / "2021Q3" / "inzet.csv"
    path.parent.mkdir()
    path.write_text(INZET, encoding="utf-8")
    (tmp_path / "partners.csv").write_text(PARTNERS, encoding="utf-8")  # the register next to the file
    outcome = check_file(path, "bouwbedrijf-noord")
    problems = outcome.problems
    got = sorted(zip(problems["rij"].astype(int), problems["kolom"], problems["kolom_bestand"]))
    assert (3, "uren_per_week", "Uren per week") in got and (4, "kandidaat_bsn", "BSN kandidaat") in got
    page = render_html(outcome)
    assert '<td title="uren_per_week">Uren per week</td>' in page and "<td>uren_per_week</td>" not in page
