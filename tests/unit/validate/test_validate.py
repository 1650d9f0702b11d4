"""Tests for pipeline/validate/stage.py: every suite rule broken once and passed once, NA handling,
row conservation, output files, determinism.

Every case is a tiny hand-written row (overrides of a valid base row). To keep the session fast
the cases of one dataset are validated together in a single frame (one GX call per dataset): each
case owns its own rows (``bron_rij``) and asserts on exactly those rows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from pipeline.core.errors import PipelineError  # noqa: E402
from pipeline.core.schema import DATASETS, dataset_spec  # noqa: E402
from pipeline.validate import stage as validate  # noqa: E402

PEILDATUM = dt.date(2021, 9, 30)  # 2021Q3
NA = pd.NA
D = pd.Timestamp

BASE = {
    "opdrachten": {
        "partner_id": "gem-a",
        "opdracht_id": None,
        "omschrijving": "Nieuwbouw school",
        "soort": "werken",
        "sector": "bouw",
        "opdrachtnemer_kvk": "12345678",
        "opdrachtnemer_naam": "Bouw Noord BV",
        "gunningsdatum": D("2021-01-15"),
        "startdatum": D("2021-02-01"),
        "einddatum": D("2022-01-31"),
        "opdrachtwaarde": 1_000_000.0,
        "sr_percentage": 5.0,
        "sr_verplichting": NA,
    },
    "inzet": {
        "partner_id": "bouw-noord",
        "regel_id": None,
        "opdrachtgever": "gem-a",
        "opdracht_id": "A-1",
        "bouwblok": "pwet_kort",
        "kandidaat_id": None,
        "kandidaat_bsn_elfproef": True,
        "startdatum": D("2021-03-01"),
        "einddatum": NA,
        "uren_per_week": 32.0,
        "vijftig_plus": False,
        "bedrag": NA,
        "omschrijving": "Timmerman",
    },
    "trajecten": {
        "partner_id": "opleider-x",
        "traject_id": None,
        "kandidaat_id": None,
        "kandidaat_bsn_elfproef": True,
        "woongemeente": "Groningen",
        "doelgroep": "pwet",
        "opleiding": "Timmerman",
        "sector": "bouw",
        "aanmelddatum": D("2021-01-10"),
        "startdatum": D("2021-02-01"),
        "einddatum": NA,
        "status": "gestart",
        "certificaat": NA,
        "plaatsing_datum": NA,
        "plaatsing_werkgever_kvk": NA,
        "plaatsing_uren_per_week": NA,
        "plaatsing_einddatum": NA,
    },
    "aanbestedingskalender": {
        "partner_id": "gem-a",
        "aanbesteding_id": None,
        "omschrijving": "Renovatie brug",
        "soort": "werken",
        "sector": "infra",
        "verwachte_publicatie": D("2022-01-15"),
        "verwachte_start": NA,
        "geraamde_waarde": 2_000_000.0,
        "sr_percentage": 5.0,
    },
}
ID_COLUMN = {
    "opdrachten": "opdracht_id",
    "inzet": "regel_id",
    "trajecten": "traject_id",
    "aanbestedingskalender": "aanbesteding_id",
}
DTYPES = {"text": "string", "date": "datetime64[ns]", "money": "float64", "number": "float64", "boolean": "boolean"}


def typed_frame(dataset: str, rows: list[dict], first_row: int = 2) -> pd.DataFrame:
    """Rows (overrides of nothing: full dicts) typed as ingest types them (docs/architecture.md, Stage 1)."""
    columns: dict[str, str] = {}
    for name, spec in dataset_spec(dataset).columns.items():
        if spec.type == "bsn":
            columns.update({"kandidaat_id": "string", "kandidaat_bsn_elfproef": "boolean"})
        else:
            columns[name] = DTYPES[spec.type]
    frame = pd.DataFrame({c: pd.Series([r.get(c, NA) for r in rows], dtype="object") for c in columns})
    for column, dtype in columns.items():
        frame[column] = frame[column].astype(dtype if dtype != "float64" else "Float64").astype(dtype)
    frame["partner_id"] = pd.array([r["partner_id"] for r in rows], dtype="string")
    frame["bron_bestand"] = pd.array([f"2021Q3/{r['partner_id']}/{dataset}.csv" for r in rows], dtype="string")
    frame["bron_rij"] = pd.Series(range(first_row, first_row + len(rows)), dtype="int64")
    frame["levering_periode"] = pd.array(["2021Q3"] * len(rows), dtype="string")
    return frame


def C(dataset, regel, brk, ok, kolom, waarde, suffix=""):
    """A case: ``brk`` row(s) must fail exactly ``regel`` on ``kolom`` with ``waarde``; ``ok`` passes."""
    brk, ok = ([brk] if isinstance(brk, dict) else brk), ([ok] if isinstance(ok, dict) else ok)
    return pytest.param(dataset, regel, brk, ok, kolom, waarde, id=regel + suffix)


FACTOR = {
    "bouwblok": "scholing",
    "kandidaat_id": NA,
    "kandidaat_bsn_elfproef": NA,
    "uren_per_week": NA,
    "bedrag": 1500.0,
}
PLAATSING = {"plaatsing_datum": D("2021-07-01"), "plaatsing_uren_per_week": 24.0}
CASES = [
    # --- opdrachten ------------------------------------------------------------------------
    C("opdrachten", "opdrachten.opdracht_id.verplicht", {"opdracht_id": NA}, {"opdracht_id": "X-1"}, "opdracht_id", ""),
    C(
        "opdrachten",
        "opdrachten.opdracht_id.uniek",
        {"opdracht_id": "DUP"},
        # the first occurrence counts; the same id at another partner is another record
        [{"opdracht_id": "DUP"}, {"opdracht_id": "DUP", "partner_id": "gem-b"}],
        "opdracht_id",
        "DUP",
    ),
    C(
        "opdrachten",
        "opdrachten.omschrijving.verplicht",
        {"omschrijving": NA},
        {"omschrijving": "x"},
        "omschrijving",
        "",
    ),
    C("opdrachten", "opdrachten.soort.verplicht", {"soort": NA}, {"soort": "diensten"}, "soort", ""),
    C(
        "opdrachten",
        "opdrachten.soort.waardenlijst",
        {"soort": "bouwwerk"},
        {"soort": "leveringen"},
        "soort",
        "bouwwerk",
    ),
    C("opdrachten", "opdrachten.sector.verplicht", {"sector": NA}, {"sector": "overig"}, "sector", ""),
    C("opdrachten", "opdrachten.sector.waardenlijst", {"sector": "zorg"}, {"sector": "techniek"}, "sector", "zorg"),
    C(
        "opdrachten",
        "opdrachten.opdrachtnemer_kvk.verplicht",
        {"opdrachtnemer_kvk": NA},
        {"opdrachtnemer_kvk": "87654321"},
        "opdrachtnemer_kvk",
        "",
    ),
    C(
        "opdrachten",
        "opdrachten.opdrachtnemer_kvk.formaat",
        {"opdrachtnemer_kvk": "1234567"},
        {"opdrachtnemer_kvk": "01234567"},
        "opdrachtnemer_kvk",
        "1234567",
    ),
    C(
        "opdrachten",
        "opdrachten.opdrachtnemer_kvk.formaat",
        {"opdrachtnemer_kvk": "1234567a"},
        {"opdrachtnemer_kvk": "99999999"},
        "opdrachtnemer_kvk",
        "1234567a",
        "_letter",
    ),
    C(
        "opdrachten",
        "opdrachten.gunningsdatum.verplicht",
        {"gunningsdatum": NA},
        {"gunningsdatum": D("2020-12-31")},
        "gunningsdatum",
        "",
    ),
    C(
        "opdrachten",
        "opdrachten.startdatum.verplicht",
        {"startdatum": NA},
        {"startdatum": D("2021-01-15")},
        "startdatum",
        "",
    ),
    C(
        "opdrachten",
        "opdrachten.einddatum.verplicht",
        {"einddatum": NA},
        {"einddatum": D("2021-02-01")},
        "einddatum",
        "",
    ),
    # einddatum one day before startdatum fails; the same day passes (≥)
    C(
        "opdrachten",
        "opdrachten.einddatum.na_startdatum",
        {"einddatum": D("2021-01-31")},
        {"einddatum": D("2021-02-01")},
        "einddatum",
        "2021-01-31",
    ),
    # gunning 2021-03-01 − 1 year = 2020-03-01: start 2020-02-29 is one day too early, 2020-03-01 is fine
    C(
        "opdrachten",
        "opdrachten.startdatum.na_gunning",
        {"gunningsdatum": D("2021-03-01"), "startdatum": D("2020-02-29")},
        {"gunningsdatum": D("2021-03-01"), "startdatum": D("2020-03-01")},
        "startdatum",
        "2020-02-29",
    ),
    C(
        "opdrachten",
        "opdrachten.opdrachtwaarde.verplicht",
        {"opdrachtwaarde": NA},
        {"opdrachtwaarde": 1.0},
        "opdrachtwaarde",
        "",
    ),
    C(
        "opdrachten",
        "opdrachten.opdrachtwaarde.bereik",
        {"opdrachtwaarde": 0.0},
        {"opdrachtwaarde": 0.01},
        "opdrachtwaarde",
        "0",
    ),
    C(
        "opdrachten",
        "opdrachten.opdrachtwaarde.bereik",
        {"opdrachtwaarde": -5.0},
        {"opdrachtwaarde": 5.0},
        "opdrachtwaarde",
        "-5",
        "_negatief",
    ),
    C(
        "opdrachten",
        "opdrachten.sr_percentage.verplicht",
        {"sr_percentage": NA},
        {"sr_percentage": 2.0},
        "sr_percentage",
        "",
    ),
    C(
        "opdrachten",
        "opdrachten.sr_percentage.bereik",
        {"sr_percentage": 0.0},
        {"sr_percentage": 0.5},
        "sr_percentage",
        "0",
    ),
    # 100 is allowed (but unusual: a warning, not a rejection); 100.5 is rejected (and its warning dropped)
    C(
        "opdrachten",
        "opdrachten.sr_percentage.bereik",
        {"sr_percentage": 100.5},
        [],
        "sr_percentage",
        "100.5",
        "_boven_100",
    ),
    C(
        "opdrachten",
        "opdrachten.sr_percentage.ongebruikelijk",
        {"sr_percentage": 10.5},
        {"sr_percentage": 10.0},
        "sr_percentage",
        "10.5",
    ),
    C(
        "opdrachten",
        "opdrachten.startdatum.na_peildatum",
        {"startdatum": D("2021-10-01")},
        {"startdatum": D("2021-09-30")},
        "startdatum",
        "2021-10-01",
    ),
    # --- inzet -----------------------------------------------------------------------------
    C("inzet", "inzet.regel_id.verplicht", {"regel_id": NA}, {"regel_id": "R-9"}, "regel_id", ""),
    C(
        "inzet",
        "inzet.regel_id.uniek",
        {"regel_id": "DUP"},
        # the first occurrence counts; the same id at another partner is another record
        [{"regel_id": "DUP"}, {"regel_id": "DUP", "partner_id": "bouw-zuid"}],
        "regel_id",
        "DUP",
    ),
    C("inzet", "inzet.opdrachtgever.verplicht", {"opdrachtgever": NA}, {"opdrachtgever": "gem-b"}, "opdrachtgever", ""),
    C("inzet", "inzet.opdracht_id.verplicht", {"opdracht_id": NA}, {"opdracht_id": "A-2"}, "opdracht_id", ""),
    C("inzet", "inzet.bouwblok.verplicht", {"bouwblok": NA}, {"bouwblok": "bbl"}, "bouwblok", ""),
    C(
        "inzet",
        "inzet.bouwblok.waardenlijst",
        {"bouwblok": "toeslag_50plus"},
        {"bouwblok": "pwet_lang", "vijftig_plus": True},
        "bouwblok",
        "toeslag_50plus",
    ),
    C(
        "inzet",
        "inzet.bouwblok.waardenlijst",
        {"bouwblok": "stage"},
        {"bouwblok": "werkervaringsplaats"},
        "bouwblok",
        "stage",
        "_onbekend",
    ),
    # the BSN itself never reaches validation; its value is never written out
    C(
        "inzet",
        "inzet.kandidaat_bsn.elfproef",
        {"kandidaat_bsn_elfproef": False},
        {"kandidaat_bsn_elfproef": True},
        "kandidaat_bsn",
        "",
    ),
    C(
        "inzet",
        "inzet.kandidaat_bsn.verplicht_persoon",
        {"kandidaat_id": NA, "kandidaat_bsn_elfproef": NA},
        FACTOR,
        "kandidaat_bsn",
        "",
    ),
    C(
        "inzet",
        "inzet.kandidaat_bsn.leeg_factor",
        {**FACTOR, "kandidaat_id": "pseudo-x", "kandidaat_bsn_elfproef": True},
        {**FACTOR, "bouwblok": "sociale_inkoop"},
        "kandidaat_bsn",
        "",
    ),
    C("inzet", "inzet.startdatum.verplicht", {"startdatum": NA}, {"startdatum": D("2021-01-01")}, "startdatum", ""),
    C(
        "inzet",
        "inzet.einddatum.na_startdatum",
        {"einddatum": D("2021-02-28")},
        {"einddatum": D("2021-03-01")},
        "einddatum",
        "2021-02-28",
    ),
    # a maand block (werkervaringsplaats) needs no hours
    C(
        "inzet",
        "inzet.uren_per_week.verplicht_jaar",
        {"uren_per_week": NA},
        {"bouwblok": "werkervaringsplaats", "uren_per_week": NA},
        "uren_per_week",
        "",
    ),
    C("inzet", "inzet.uren_per_week.bereik", {"uren_per_week": 0.0}, {"uren_per_week": 60.0}, "uren_per_week", "0"),
    C(
        "inzet",
        "inzet.uren_per_week.bereik",
        {"uren_per_week": 60.5},
        {"uren_per_week": 36.0},
        "uren_per_week",
        "60.5",
        "_boven_60",
    ),
    # docs/domain.md: a jaar line under 12 hours counts 0 and gets a finding; 12 itself is fine
    C(
        "inzet",
        "inzet.uren_per_week.onder_minimum",
        {"uren_per_week": 11.5},
        {"uren_per_week": 12.0},
        "uren_per_week",
        "11.5",
    ),
    C("inzet", "inzet.bedrag.verplicht_factor", {**FACTOR, "bedrag": NA}, {**FACTOR, "bedrag": 0.0}, "bedrag", ""),
    C("inzet", "inzet.bedrag.bereik", {**FACTOR, "bedrag": -1.0}, {**FACTOR, "bedrag": 0.0}, "bedrag", "-1"),
    C(
        "inzet",
        "inzet.startdatum.na_peildatum",
        {"startdatum": D("2021-10-01")},
        {"startdatum": D("2021-09-30")},
        "startdatum",
        "2021-10-01",
    ),
    # --- trajecten -------------------------------------------------------------------------
    C("trajecten", "trajecten.traject_id.verplicht", {"traject_id": NA}, {"traject_id": "T-9"}, "traject_id", ""),
    C(
        "trajecten",
        "trajecten.traject_id.uniek",
        {"traject_id": "DUP"},
        # the first occurrence counts; the same id at another partner is another record
        [{"traject_id": "DUP"}, {"traject_id": "DUP", "partner_id": "werkplein-y"}],
        "traject_id",
        "DUP",
    ),
    C(
        "trajecten",
        "trajecten.kandidaat_bsn.verplicht",
        {"kandidaat_id": NA, "kandidaat_bsn_elfproef": NA},
        {"kandidaat_id": "pseudo-ok"},
        "kandidaat_bsn",
        "",
    ),
    C(
        "trajecten",
        "trajecten.kandidaat_bsn.elfproef",
        {"kandidaat_bsn_elfproef": False},
        {"kandidaat_bsn_elfproef": True},
        "kandidaat_bsn",
        "",
    ),
    C("trajecten", "trajecten.doelgroep.verplicht", {"doelgroep": NA}, {"doelgroep": "ww"}, "doelgroep", ""),
    C(
        "trajecten",
        "trajecten.doelgroep.waardenlijst",
        {"doelgroep": "wwb"},
        {"doelgroep": "wajong"},
        "doelgroep",
        "wwb",
    ),
    C("trajecten", "trajecten.sector.verplicht", {"sector": NA}, {"sector": "infra"}, "sector", ""),
    C("trajecten", "trajecten.sector.waardenlijst", {"sector": "zorg"}, {"sector": "techniek"}, "sector", "zorg"),
    C(
        "trajecten",
        "trajecten.aanmelddatum.verplicht",
        {"aanmelddatum": NA},
        {"aanmelddatum": D("2021-02-01")},
        "aanmelddatum",
        "",
    ),
    C(
        "trajecten",
        "trajecten.startdatum.na_aanmelddatum",
        {"startdatum": D("2021-01-09")},
        {"startdatum": D("2021-01-10")},
        "startdatum",
        "2021-01-09",
    ),
    C(
        "trajecten",
        "trajecten.einddatum.na_startdatum",
        {"einddatum": D("2021-01-31")},
        {"einddatum": D("2021-02-01")},
        "einddatum",
        "2021-01-31",
    ),
    C("trajecten", "trajecten.status.verplicht", {"status": NA}, {"status": "aangemeld"}, "status", ""),
    C("trajecten", "trajecten.status.waardenlijst", {"status": "klaar"}, {"status": "gestart"}, "status", "klaar"),
    C(
        "trajecten",
        "trajecten.einddatum.verplicht_bij_status",
        {"status": "afgerond"},
        {"status": "afgerond", "einddatum": D("2021-06-30")},
        "einddatum",
        "",
    ),
    C(
        "trajecten",
        "trajecten.einddatum.verplicht_bij_status",
        {"status": "uitgevallen"},
        {"status": "gestart"},
        "einddatum",
        "",
        "_uitgevallen",
    ),
    C(
        "trajecten",
        "trajecten.plaatsing_werkgever_kvk.formaat",
        {"plaatsing_werkgever_kvk": "123456789"},
        {"plaatsing_werkgever_kvk": "12345678"},
        "plaatsing_werkgever_kvk",
        "123456789",
    ),
    C(
        "trajecten",
        "trajecten.plaatsing_uren_per_week.verplicht_bij_plaatsing",
        {"plaatsing_datum": D("2021-07-01")},
        PLAATSING,
        "plaatsing_uren_per_week",
        "",
    ),
    C(
        "trajecten",
        "trajecten.plaatsing_uren_per_week.bereik",
        {**PLAATSING, "plaatsing_uren_per_week": 0.0},
        {**PLAATSING, "plaatsing_uren_per_week": 60.0},
        "plaatsing_uren_per_week",
        "0",
    ),
    C(
        "trajecten",
        "trajecten.aanmelddatum.na_peildatum",
        {"aanmelddatum": D("2021-10-01"), "startdatum": NA},
        {"aanmelddatum": D("2021-09-30"), "startdatum": NA},
        "aanmelddatum",
        "2021-10-01",
    ),
    C(
        "trajecten",
        "trajecten.startdatum.na_peildatum",
        {"startdatum": D("2021-10-01")},
        {"startdatum": D("2021-09-30")},
        "startdatum",
        "2021-10-01",
    ),
    C(
        "trajecten",
        "trajecten.plaatsing_datum.na_peildatum",
        {**PLAATSING, "plaatsing_datum": D("2021-10-01")},
        {**PLAATSING, "plaatsing_datum": D("2021-09-30")},
        "plaatsing_datum",
        "2021-10-01",
    ),
    # --- aanbestedingskalender -------------------------------------------------------------
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.aanbesteding_id.verplicht",
        {"aanbesteding_id": NA},
        {"aanbesteding_id": "AB-9"},
        "aanbesteding_id",
        "",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.aanbesteding_id.uniek",
        {"aanbesteding_id": "DUP"},
        # the first occurrence counts; the same id at another partner is another record
        [{"aanbesteding_id": "DUP"}, {"aanbesteding_id": "DUP", "partner_id": "gem-b"}],
        "aanbesteding_id",
        "DUP",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.omschrijving.verplicht",
        {"omschrijving": NA},
        {"omschrijving": "y"},
        "omschrijving",
        "",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.soort.verplicht",
        {"soort": NA},
        {"soort": "diensten"},
        "soort",
        "",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.soort.waardenlijst",
        {"soort": "werk"},
        {"soort": "werken"},
        "soort",
        "werk",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.sector.verplicht",
        {"sector": NA},
        {"sector": "bouw"},
        "sector",
        "",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.sector.waardenlijst",
        {"sector": "Bouw en infra"},
        {"sector": "overig"},
        "sector",
        "Bouw en infra",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.verwachte_publicatie.verplicht",
        {"verwachte_publicatie": NA},
        {"verwachte_publicatie": D("2020-01-01")},
        "verwachte_publicatie",
        "",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.geraamde_waarde.verplicht",
        {"geraamde_waarde": NA},
        {"geraamde_waarde": 1.0},
        "geraamde_waarde",
        "",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.geraamde_waarde.bereik",
        {"geraamde_waarde": 0.0},
        {"geraamde_waarde": 0.5},
        "geraamde_waarde",
        "0",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.sr_percentage.verplicht",
        {"sr_percentage": NA},
        {"sr_percentage": 1.0},
        "sr_percentage",
        "",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.sr_percentage.bereik",
        {"sr_percentage": -1.0},
        {"sr_percentage": 0.1},
        "sr_percentage",
        "-1",
    ),
    C(
        "aanbestedingskalender",
        "aanbestedingskalender.sr_percentage.ongebruikelijk",
        {"sr_percentage": 25.0},
        {"sr_percentage": 9.99},
        "sr_percentage",
        "25",
    ),
]


def _case_rows() -> dict[str, dict]:
    """Per dataset: all case rows in one list, and per case id which rows break and which pass."""
    out = {d: {"rows": [], "cases": {}} for d in DATASETS}
    for param in CASES:
        dataset, regel, brk, ok, *_ = param.values
        bucket = out[dataset]
        spans = []
        for group in (ok, brk):  # near misses first: a repeated id is rejected after its first occurrence
            start = len(bucket["rows"]) + 2
            for override in group:
                rij = len(bucket["rows"]) + 2
                row = {**BASE[dataset], ID_COLUMN[dataset]: f"ID-{rij}", **override}
                if "kandidaat_id" in row and row["kandidaat_id"] is None:
                    row["kandidaat_id"] = f"pseudo-{rij}"
                bucket["rows"].append(row)
            spans.append(list(range(start, len(bucket["rows"]) + 2)))
        bucket["cases"][param.id] = spans[::-1]  # (breaking rows, passing rows)
    return out


@pytest.fixture(scope="module")
def gx_ready():
    """Import GX and build the context once for this module."""
    validate._batch_definition()


@pytest.fixture(scope="module")
def params():
    return validate.suite_parameters(PEILDATUM)


@pytest.fixture(scope="module")
def outcomes(gx_ready, params):
    """All case rows of each dataset validated in one go: dataset -> (cases, lines per row)."""
    result = {}
    for dataset, bucket in _case_rows().items():
        checked = validate.validate_table(dataset, typed_frame(dataset, bucket["rows"]), params)
        lines = pd.concat([checked.rejections.assign(severity="reject"), checked.findings])
        result[dataset] = (bucket["cases"], lines, checked)
    return result


def _meta(regel: str) -> dict:
    dataset = regel.split(".")[0]
    suite = validate.load_suite(dataset, validate.suite_parameters(PEILDATUM))
    return next(e["meta"] for e in suite["expectations"] if e["meta"]["regel"] == regel)


@pytest.mark.parametrize("dataset, regel, brk, ok, kolom, waarde", CASES)
def test_rule_rejects_breaking_row_and_passes_near_miss(outcomes, dataset, regel, brk, ok, kolom, waarde, request):
    cases, lines, _ = outcomes[dataset]
    broken_rows, ok_rows = cases[request.node.callspec.id]
    meta = _meta(regel)
    got = lines[lines["rij"].isin(broken_rows)]
    # the breaking row(s) fail exactly this rule, named by file, Excel row and column
    assert set(got["regel"]) == {regel}
    assert sorted(got["rij"].tolist()) == broken_rows
    assert set(got["kolom"]) == {kolom}
    assert set(got["waarde"]) == {waarde}
    assert set(got["reden_nl"]) == {meta["reden_nl"]} and set(got["reason_en"]) == {meta["reason_en"]}
    assert set(got["severity"]) == {meta["severity"]}
    assert set(got["bestand"]) <= {
        f"2021Q3/{p}/{dataset}.csv" for p in ("gem-a", "gem-b", "bouw-noord", "bouw-zuid", "opleider-x", "werkplein-y")
    }
    # the near miss passes every rule
    assert lines[lines["rij"].isin(ok_rows)].empty


def test_rejected_rows_leave_the_table_and_warnings_stay(outcomes):
    _, lines, checked = outcomes["opdrachten"]
    rejected = set(lines.loc[lines["severity"] == "reject", "rij"])
    kept = set(checked.clean["bron_rij"])
    assert rejected and not (rejected & kept)
    # raw rows = clean rows + rejected rows (distinct)
    assert checked.summary["rijen"] == len(kept) + len(rejected)
    # a warning row (sr_percentage 10.5) is kept
    warned = set(lines.loc[lines["regel"] == "opdrachten.sr_percentage.ongebruikelijk", "rij"])
    assert warned and warned <= kept


@pytest.mark.parametrize(
    "regel, nl, en",
    [
        pytest.param(
            "inzet.startdatum.na_peildatum", "peildatum (30-09-2021)", "peildatum, 2021-09-30", id="peildatum"
        ),
        pytest.param("opdrachten.sr_percentage.ongebruikelijk", "hoger dan 10:", "above 10:", id="drempel"),
        pytest.param("inzet.uren_per_week.onder_minimum", "minder dan 12 ", "below 12 ", id="minimum_uren"),
    ],
)
def test_reasons_name_the_run_parameters(regel, nl, en):
    meta = _meta(regel)
    assert nl in meta["reden_nl"] and en in meta["reason_en"]


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_placeholder_is_filled(dataset):
    suite = validate.load_suite(dataset, validate.suite_parameters(PEILDATUM))
    assert not [e for e in suite["expectations"] if "{" in e["meta"]["reden_nl"] + e["meta"]["reason_en"]]


def test_every_suite_rule_has_a_case():
    tested = {p.values[1] for p in CASES}
    in_suites = {e["meta"]["regel"] for d in DATASETS for e in validate.load_suite_spec(d)["expectations"]}
    assert in_suites == tested


@pytest.mark.parametrize("dataset", DATASETS)
def test_derived_columns_are_the_documented_ones(dataset):
    frame = typed_frame(dataset, [])
    derived = set(validate.add_derived_columns(dataset, frame).columns) - set(frame.columns)
    assert derived == set(validate.load_suite_spec(dataset)["meta"]["afgeleide_kolommen"])


@pytest.mark.parametrize("dataset", DATASETS)
def test_suite_files_are_canonical_and_complete(dataset):
    path = validate.EXPECTATIONS_DIR / f"{dataset}.json"
    spec = validate.load_suite_spec(dataset)
    assert path.read_text(encoding="utf-8") == validate.canonical_suite_text(spec)
    regels = [e["meta"]["regel"] for e in spec["expectations"]]
    assert len(regels) == len(set(regels)) and all(r.startswith(dataset + ".") for r in regels)
    assert all(set(e) == {"type", "kwargs", "meta"} for e in spec["expectations"])  # no GX ids to churn
    used = set()

    def walk(value):
        if isinstance(value, dict):
            if set(value) == {"$param"}:
                used.add(value["$param"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(spec["expectations"])
    assert used <= set(spec["meta"]["parameters"])  # every run-time parameter is documented
    assert used <= set(validate.suite_parameters(PEILDATUM))


def test_bouwblok_sets_come_from_the_rate_card():
    blocks = validate.rate_card_blocks()
    assert "toeslag_50plus" not in blocks["bouwblokken"]
    assert blocks["bouwblokken_factor"] == ["scholing", "sociale_inkoop"]
    assert "werkervaringsplaats" in blocks["bouwblokken_persoon"]
    assert "werkervaringsplaats" not in blocks["bouwblokken_jaar"]


def test_built_suite_has_parameters_filled_in(gx_ready, params):
    suite = validate.build_suite("inzet", params)
    kwargs = {e.meta["regel"]: e.configuration.kwargs for e in suite.expectations}
    assert "bbl" in kwargs["inzet.bouwblok.waardenlijst"]["value_set"]
    assert kwargs["inzet.startdatum.na_peildatum"]["max_value"] == pd.Timestamp("2021-09-30")


# --- NA handling ------------------------------------------------------------------------------


@pytest.mark.parametrize("text_dtype", ["string", "str", object], ids=["string_pd_NA", "str_nan", "object_None"])
def test_missing_values_of_every_dtype_do_not_crash(gx_ready, params, text_dtype):
    rows = [
        {**BASE["inzet"], "regel_id": "R-1", "kandidaat_id": "p1"},
        {
            **BASE["inzet"],
            "regel_id": NA,
            "opdrachtgever": NA,
            "kandidaat_id": NA,
            "kandidaat_bsn_elfproef": NA,
            "startdatum": NA,
            "uren_per_week": NA,
            "vijftig_plus": NA,
        },
    ]
    frame = typed_frame("inzet", rows)
    for column in ("regel_id", "opdrachtgever", "opdracht_id", "bouwblok", "kandidaat_id", "omschrijving"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None).astype(text_dtype)
    frame["uren_per_week"] = frame["uren_per_week"].astype("Float64")  # pd.NA in a numeric column too
    checked = validate.validate_table("inzet", frame, params)
    got = checked.rejections
    assert set(got.loc[got["rij"] == 3, "regel"]) == {
        "inzet.regel_id.verplicht",
        "inzet.opdrachtgever.verplicht",
        "inzet.startdatum.verplicht",
        "inzet.kandidaat_bsn.verplicht_persoon",
        "inzet.uren_per_week.verplicht_jaar",
    }
    assert checked.clean["bron_rij"].tolist() == [2]
    assert (got["waarde"] == "").all()


def _complete_in_one_pass(dataset: str, frame: pd.DataFrame, params: dict, directory: Path | None = None):
    """(rule, passed, rows) per rule, from one GX pass that lists every rule's rows."""
    from pipeline.validate.table import INDEX_COLUMNS, _prepare, sort_rows

    prepared = _prepare(dataset, sort_rows(frame))
    suite = validate.build_suite(dataset, params, *([directory] if directory else []))
    batch = validate._batch_definition().get_batch(batch_parameters={"dataframe": prepared})
    results = batch.validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS}
    ).results
    return prepared, [_outcome(r) for r in results]


def _outcome(result) -> tuple[str, bool, list]:
    rows = sorted((u["bron_bestand"], int(u["bron_rij"])) for u in result.result.get("unexpected_index_list") or [])
    return result.expectation_config.meta["regel"], bool(result.success), rows


@pytest.mark.parametrize("dataset", DATASETS)
def test_two_passes_find_what_one_complete_pass_finds(outcomes, params, dataset):
    # _run_gx asks GX for pass/fail first and for the rows only of the rules that failed: the
    # same rules, in the same order, with the same outcome and the same rows as one pass that
    # lists the rows of every rule (the case rows break every rule of the suite at least once)
    from pipeline.validate.table import _run_gx

    rows = _case_rows()[dataset]["rows"]
    prepared, expected = _complete_in_one_pass(dataset, typed_frame(dataset, rows), params)
    got = [_outcome(r) for r in _run_gx(dataset, prepared, params)]
    assert got == expected
    assert not any(passed for _, passed, _ in got)


def test_a_rule_that_passes_with_some_rows_off_still_names_them(gx_ready, params, tmp_path):
    # `mostly`: a rule may pass while some rows break it (here 1 of 4 rows, mostly 0.5); its rows
    # are findings all the same, so it gets the second pass too
    spec = validate.load_suite_spec("aanbestedingskalender")
    rule = next(e for e in spec["expectations"] if e["type"] == "expect_column_values_to_not_be_null")
    rule["kwargs"]["mostly"] = 0.5
    rule["meta"]["severity"] = "warning"
    spec["expectations"] = [rule]
    (tmp_path / "aanbestedingskalender.json").write_text(json.dumps(spec), encoding="utf-8")
    column = rule["kwargs"]["column"]
    rows = [{**BASE["aanbestedingskalender"], "aanbesteding_id": f"a{i}"} for i in range(4)]
    rows[2][column] = NA
    frame = typed_frame("aanbestedingskalender", rows)
    from pipeline.validate.table import _run_gx

    prepared, expected = _complete_in_one_pass("aanbestedingskalender", frame, params, tmp_path)
    (result,) = _run_gx("aanbestedingskalender", prepared, params, tmp_path)
    # Excel row 4: the third row (typed_frame numbers them from 2)
    assert _outcome(result) == expected[0] == (rule["meta"]["regel"], True, [(prepared.at[2, "bron_bestand"], 4)])


def test_empty_table_validates(gx_ready, params):
    checked = validate.validate_table("trajecten", typed_frame("trajecten", []), params)
    assert checked.clean.empty and checked.rejections.empty
    assert checked.summary["expectations_failed"] == 0


def test_duplicate_provenance_is_refused(gx_ready, params):
    frame = typed_frame("aanbestedingskalender", [{**BASE["aanbestedingskalender"], "aanbesteding_id": "a"}] * 2)
    frame["bron_rij"] = 2
    with pytest.raises(PipelineError):
        validate.validate_table("aanbestedingskalender", frame, params)


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "regel_id": st.sampled_from(["r1", "r2", "r3", None]),
                "bouwblok": st.sampled_from(["pwet_kort", "scholing", "toeslag_50plus", "werkervaringsplaats", None]),
                "kandidaat_id": st.sampled_from(["p1", "p2", None]),
                "uren_per_week": st.sampled_from([None, 0.0, 8.0, 36.0, 70.0]),
                "bedrag": st.sampled_from([None, -1.0, 100.0]),
                "startdatum": st.sampled_from([None, D("2021-03-01"), D("2021-12-01")]),
            }
        ),
        max_size=8,
    )
)
def test_rows_are_conserved(gx_ready, params, overrides):
    # Hypothesis invariant (docs/architecture.md, "Conventions"): raw rows = clean rows + distinct rejected rows
    frame = typed_frame("inzet", [{**BASE["inzet"], **o} for o in overrides])
    checked = validate.validate_table("inzet", frame, params)
    rejected = set(checked.rejections["rij"])
    assert len(checked.clean) + len(rejected) == len(frame)
    assert not rejected & set(checked.clean["bron_rij"])
    assert list(checked.clean.columns) == list(frame.columns)


# --- the period: files, counts, determinism --------------------------------------------------


def write_ingest(
    folder: Path, tables: dict[str, pd.DataFrame], bestanden: list[dict], afgekeurd: list[dict] | None = None
) -> Path:
    """A minimal ``_ingest`` folder as Stage 1 writes it (docs/architecture.md)."""
    folder.mkdir(parents=True, exist_ok=True)
    for dataset in DATASETS:
        tables.get(dataset, typed_frame(dataset, [])).to_parquet(folder / f"{dataset}.parquet", index=False)
    pd.DataFrame(
        {
            "partner_id": ["gem-a", "bouw-noord", "opleider-x"],
            "naam": ["Gemeente A", "Bouw Noord", "X"],
            "rol": ["opdrachtgever", "opdrachtnemer", "opleider"],
            "kvk": ["11111111", "12345678", "22222222"],
        }
    ).astype("string").to_parquet(folder / "partners.parquet")
    pd.DataFrame(afgekeurd or [], columns=list(validate.REJECTION_COLUMNS)).to_csv(
        folder / "afgekeurd.csv", index=False
    )
    pd.DataFrame(bestanden).to_csv(folder / "bestanden.csv", index=False)
    pd.DataFrame(
        {
            "partner_id": ["gem-a", "bouw-noord", "opleider-x"],
            "rol": ["opdrachtgever", "opdrachtnemer", "opleider"],
            "dataset": ["opdrachten", "inzet", "trajecten"],
            "status": ["geleverd", "geleverd", "ontbreekt"],
            "levering_periode": ["2021Q3", "2021Q3", ""],
            "bestanden": [1, 1, 0],
        }
    ).to_csv(folder / "leveringen.csv", index=False)
    (folder / "meldingen.csv").write_text("partner_id,bestand,soort,melding_nl,message_en\n", encoding="utf-8")
    return folder


def _file(bestand, dataset, partner, gelezen, schoon, afgekeurd, status="gelezen"):
    return {
        "bestand": bestand,
        "partner_id": partner,
        "dataset": dataset,
        "levering_periode": "2021Q3",
        "sha256": "0" * 64,
        "status": status,
        "reden_nl": "",
        "reason_en": "",
        "rijen_gelezen": gelezen,
        "rijen_leeg": 0,
        "rijen_schoon": schoon,
        "rijen_afgekeurd": afgekeurd,
    }


@pytest.fixture()
def period_ingest(tmp_path):
    """gem-a delivers 3 contracts (1 bad twice over); bouw-noord 3 lines (1 ingest-rejected row 5)."""
    opdrachten = typed_frame(
        "opdrachten",
        [
            {**BASE["opdrachten"], "opdracht_id": "A-1", "sr_verplichting": 50_000.0},
            # breaks two rules: still ONE rejected row
            {**BASE["opdrachten"], "opdracht_id": "A-2", "opdrachtwaarde": 0.0, "sector": "zorg"},
            {**BASE["opdrachten"], "opdracht_id": "A-3", "sr_percentage": 12.0, "opdrachtnemer_kvk": "99999999"},
        ],
    )
    inzet = typed_frame(
        "inzet",
        [
            {**BASE["inzet"], "regel_id": "R-1", "kandidaat_id": "pseudo-geheim-1"},
            {**BASE["inzet"], "regel_id": "R-2", "kandidaat_id": "pseudo-geheim-2", "kandidaat_bsn_elfproef": False},
            {**BASE["inzet"], "regel_id": "R-3", "kandidaat_id": "pseudo-geheim-3", "opdracht_id": "ONBEKEND"},
        ],
    )
    ingest_rejection = {
        "partner_id": "bouw-noord",
        "dataset": "inzet",
        "bestand": "2021Q3/bouw-noord/inzet.csv",
        "rij": 5,
        "kolom": "startdatum",
        "waarde": "31-02-2021",
        "regel": "ingest.datum",
        "reden_nl": "geen geldige datum",
        "reason_en": "not a valid date",
    }
    return write_ingest(
        tmp_path / "_ingest",
        {"opdrachten": opdrachten, "inzet": inzet},
        [
            _file("2021Q3/gem-a/opdrachten.csv", "opdrachten", "gem-a", 3, 3, 0),
            _file("2021Q3/bouw-noord/inzet.csv", "inzet", "bouw-noord", 4, 3, 1),
            _file("2021Q3/bouw-noord/notities.docx", "", "bouw-noord", "", "", "", status="onbekend"),
        ],
        [ingest_rejection],
    )


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_run_validation_writes_the_period(gx_ready, period_ingest, tmp_path):
    out = tmp_path / "clean"
    result = validate.run_validation("2021Q3", period_ingest, out, None)
    for name in (
        "opdrachten.parquet",
        "inzet.parquet",
        "trajecten.parquet",
        "aanbestedingskalender.parquet",
        "afgekeurd.csv",
        "bevindingen.csv",
        "bestanden.csv",
        "leveringen.csv",
        "meldingen.csv",
        "partners.parquet",
        "validatie.json",
    ):
        assert (out / name).exists(), name
    opdrachten = pd.read_parquet(out / "opdrachten.parquet")
    assert opdrachten["opdracht_id"].tolist() == ["A-1", "A-3"]
    assert opdrachten.dtypes.to_dict() == pd.read_parquet(period_ingest / "opdrachten.parquet").dtypes.to_dict()
    afgekeurd = pd.read_csv(out / "afgekeurd.csv", dtype=str, keep_default_na=False)
    assert list(afgekeurd.columns) == list(validate.REJECTION_COLUMNS)
    # ingest line (row 5) + A-2 twice (row 3) + R-2 eleven-test (row 3), sorted by partner, dataset, file, row
    assert afgekeurd[["partner_id", "rij", "regel"]].values.tolist() == [
        ["bouw-noord", "3", "inzet.kandidaat_bsn.elfproef"],
        ["bouw-noord", "5", "ingest.datum"],
        ["gem-a", "3", "opdrachten.opdrachtwaarde.bereik"],
        ["gem-a", "3", "opdrachten.sector.waardenlijst"],
    ]
    bestanden = pd.read_csv(out / "bestanden.csv", dtype=str, keep_default_na=False).set_index("bestand")
    # opdrachten: 3 read = 2 clean + 1 rejected (distinct row); inzet: 4 = 2 + 2
    assert bestanden.loc["2021Q3/gem-a/opdrachten.csv", ["rijen_schoon", "rijen_afgekeurd"]].tolist() == ["2", "1"]
    assert bestanden.loc["2021Q3/bouw-noord/inzet.csv", ["rijen_schoon", "rijen_afgekeurd"]].tolist() == ["2", "2"]
    bevindingen = pd.read_csv(out / "bevindingen.csv", dtype=str, keep_default_na=False)
    assert list(bevindingen.columns) == list(validate.FINDING_COLUMNS)
    assert {
        "opdrachten.sr_percentage.ongebruikelijk",
        "inzet.opdracht.onbekend",
        "levering.ontbreekt",
        "opdrachten.opdrachtnemer_kvk.onbekend",
    } <= set(bevindingen["regel"])
    summary = json.loads((out / "validatie.json").read_text(encoding="utf-8"))
    assert summary["datasets"]["opdrachten"]["rijen_afgekeurd"] == 1
    assert summary["datasets"]["opdrachten"]["expectations_evaluated"] == 20
    rule = next(r for r in summary["datasets"]["inzet"]["regels"] if r["regel"] == "inzet.kandidaat_bsn.elfproef")
    assert rule["rijen"] == 1 and rule["voorbeelden"] == [{"bestand": "2021Q3/bouw-noord/inzet.csv", "rij": 3}]
    assert result.rejected_rows == 3
    # no pseudonym (let alone a BSN) in any text output
    for name in ("afgekeurd.csv", "bevindingen.csv", "validatie.json"):
        assert "pseudo-geheim" not in (out / name).read_text(encoding="utf-8")


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_run_validation_is_deterministic(gx_ready, period_ingest, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    validate.run_validation("2021Q3", period_ingest, first, None)
    validate.run_validation("2021Q3", period_ingest, second, None)
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_row_count_mismatch_stops_the_run(gx_ready, period_ingest, tmp_path):
    bestanden = pd.read_csv(period_ingest / "bestanden.csv", dtype=str, keep_default_na=False)
    bestanden.loc[0, "rijen_gelezen"] = "4"  # claims a row the tables do not account for
    bestanden.to_csv(period_ingest / "bestanden.csv", index=False)
    with pytest.raises(PipelineError, match="opdrachten.csv"):
        validate.run_validation("2021Q3", period_ingest, tmp_path / "clean", None)


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_previous_period_feeds_the_shrink_check(gx_ready, period_ingest, tmp_path):
    previous = tmp_path / "vorige"
    previous.mkdir()
    many = typed_frame("inzet", [{**BASE["inzet"], "regel_id": f"R-{i}", "kandidaat_id": f"p{i}"} for i in range(10)])
    many.to_parquet(previous / "inzet.parquet", index=False)
    result = validate.run_validation("2021Q3", period_ingest, tmp_path / "clean", previous)
    shrunk = result.bevindingen[result.bevindingen["regel"] == "levering.gekrompen"]
    # 10 rows before, 2 accepted now: 2 < 10 / 2
    assert shrunk[["partner_id", "dataset", "waarde"]].values.tolist() == [["bouw-noord", "inzet", "10 → 2"]]


@pytest.mark.parametrize(
    "value, column, expected",
    [
        pytest.param(pd.Timestamp("2021-09-30"), "startdatum", "2021-09-30", id="date_iso"),
        pytest.param(1234.5, "bedrag", "1234.5", id="float"),
        pytest.param(60.0, "uren_per_week", "60", id="whole_float"),
        pytest.param(pd.NA, "soort", "", id="na"),
        pytest.param("3f9ab0", "kandidaat_id", "", id="pseudonym_never_written"),
    ],
)
def test_format_value(value, column, expected):
    assert validate.format_value(value, column) == expected


def test_a_standard_column_absent_from_the_table_is_validated_as_empty():
    # opdrachten without sr_verplichting (optional money column): the frame gains an empty
    # float column instead of failing (pandas 3 cannot build float64 from pd.NA)
    import pandas as pd

    from pipeline.validate.table import _prepare

    frame = pd.DataFrame(
        {"bron_bestand": ["a.csv", "a.csv"], "bron_rij": [2, 3], "partner_id": ["g", "g"], "opdracht_id": ["1", "2"]}
    )
    out = _prepare("opdrachten", frame)
    assert out["sr_verplichting"].isna().all() and out["sr_verplichting"].dtype == "float64"
    assert out["einddatum"].isna().all()


def test_a_suite_with_a_rule_id_twice_is_refused(tmp_path):
    # the rows and reasons of a rule are found by its id (the second validation pass too)
    spec = validate.load_suite_spec("aanbestedingskalender")
    spec["expectations"].append(spec["expectations"][0])
    (tmp_path / "aanbestedingskalender.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(PipelineError, match="meer dan eens"):
        validate.load_suite_spec("aanbestedingskalender", tmp_path)
