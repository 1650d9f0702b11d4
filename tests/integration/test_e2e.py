"""End to end: the real notebooks through papermill on the demo period; assert on what was written."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from pipeline.core.paths import ROOT
from pipeline.demo.generate import PLANTED_PROBLEMS
from tests.conftest import E2E_PERIOD

OUTPUTS = [  # docs/outputs.md
    "clean/{P}/opdrachten.parquet",
    "clean/{P}/inzet.parquet",
    "clean/{P}/trajecten.parquet",
    "clean/{P}/aanbestedingskalender.parquet",
    "clean/{P}/afgekeurd.csv",
    "clean/{P}/bevindingen.csv",
    "reports/{P}/index.html",
    "reports/{P}/regio.html",
    "reports/{P}/kwaliteit.html",
    "reports/{P}/data/opdrachten.csv",
    "reports/{P}/data/trajecten_kpi.json",
    "reports/{P}/manifest.json",
    "reports/{P}/notebooks/01_clean.ipynb",
    "reports/{P}/notebooks/02_validate.ipynb",
    "reports/{P}/notebooks/03_compute.ipynb",
]


@pytest.mark.parametrize("path", OUTPUTS)
def test_every_output_of_the_contract_is_written(demo_build, path):
    assert (demo_build / path.format(P=E2E_PERIOD)).is_file()


def test_one_page_per_partner_in_the_register(demo_build):
    partners = pd.read_csv(_raw() / "partners.csv", dtype=str)
    pages = {p.stem for p in (demo_build / "reports" / E2E_PERIOD / "partners").glob("*.html")}
    assert pages == set(partners["partner_id"])


def _raw():
    from pipeline.core.paths import DEMO_RAW_DIR

    return DEMO_RAW_DIR


def test_opdrachten_csv_has_the_contract_columns(demo_build):
    df = pd.read_csv(demo_build / "reports" / E2E_PERIOD / "data" / "opdrachten.csv", dtype=str)
    assert list(df.columns[:9]) == [
        "opdrachtgever",
        "opdracht_id",
        "opdrachtnemer",
        "verplichting_eur",
        "gerealiseerd_eur",
        "verwacht_eur",
        "realisatie_pct",
        "status",
        "kandidaten",
    ]
    assert set(df["status"]) <= {"voldaan", "niet_voldaan", "nog_niet_gestart", "op_schema", "achterstand", "risico"}
    assert not df.duplicated(["opdrachtgever", "opdracht_id"]).any()


def test_trajecten_kpi_has_the_contract_shape(demo_build):
    kpi = json.loads((demo_build / "reports" / E2E_PERIOD / "data" / "trajecten_kpi.json").read_text())
    assert kpi["peildatum"] == "2021-09-30"
    assert set(kpi["kandidaten"]) >= {
        "aangemeld",
        "gestart",
        "afgerond",
        "uitgevallen",
        "certificaat",
        "geplaatst",
        "duurzaam",
    }
    assert set(kpi["in_periode"]) >= {"gestart", "duurzaam"}
    assert kpi["doel"]["duurzaam"] == 1000 and kpi["doel"]["datum"] == "2021-12-31"
    k = kpi["kandidaten"]
    # a funnel: every later stage is a subset of an earlier one
    assert k["aangemeld"] >= k["gestart"] >= k["afgerond"] >= k["certificaat"]
    assert k["geplaatst"] >= k["duurzaam"]


def test_exactly_the_planted_rows_are_rejected(demo_build):
    rejected = pd.read_csv(demo_build / "clean" / E2E_PERIOD / "afgekeurd.csv", dtype=str, keep_default_na=False)
    got = {(r.partner_id, r.bestand, int(r.rij)) for r in rejected.itertuples()}
    planted = {
        (p["partner_id"], p["file"], int(p["row"]))
        for p in PLANTED_PROBLEMS
        if p["period"] == E2E_PERIOD and p["severity"] == "reject"
    }
    assert planted and got == planted


def test_row_conservation_for_every_readable_file(demo_build):
    files = pd.read_csv(demo_build / "clean" / E2E_PERIOD / "bestanden.csv", keep_default_na=False)
    readable = files[files["status"] == "gelezen"]
    assert len(readable) > 20
    assert (
        readable["rijen_gelezen"].astype(int)
        == readable["rijen_schoon"].astype(int) + readable["rijen_afgekeurd"].astype(int)
    ).all()


def test_late_partner_is_carried_forward_and_said_so(demo_build):
    lev = pd.read_csv(demo_build / "clean" / E2E_PERIOD / "leveringen.csv", dtype=str, keep_default_na=False)
    row = lev[(lev["partner_id"] == "eemsbouw") & (lev["dataset"] == "inzet")].iloc[0]
    assert (row["status"], row["levering_periode"]) == ("overgenomen", "2021Q2")
    page = (demo_build / "reports" / E2E_PERIOD / "partners" / "eemsbouw.html").read_text(encoding="utf-8")
    assert "niet aangeleverd voor 2021Q3; levering 2021Q2 gebruikt" in page


def test_manifest_records_inputs_code_and_parameters(demo_build):
    m = json.loads((demo_build / "reports" / E2E_PERIOD / "manifest.json").read_text())
    assert m["periode"] == E2E_PERIOD and m["peildatum"] == "2021-09-30"
    assert re.fullmatch(r"[0-9a-f]{40}", m["code"]["commit"]) and isinstance(m["code"]["dirty"], bool)
    assert re.fullmatch(r"[0-9a-f]{64}", m["omgeving_sha256"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", i["sha256"]) for i in m["invoer"])
    assert {n["notebook"] for n in m["notebooks"]} >= {
        "01_clean.ipynb",
        "02_validate.ipynb",
        "03_compute.ipynb",
        "13_partner.ipynb",
    }
    assert m["tariefkaart"]["versies_gebruikt"]


def _eleven_test(digits: str) -> bool:
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    return sum(int(d) * w for d, w in zip(digits, weights)) % 11 == 0


def _bsn_hits(paths) -> list[tuple[str, str]]:
    # A nine-digit number passing the eleven-test (parquet through its decoded values). A number
    # inside a hex pseudonym or behind a decimal point is not a BSN.
    hits = []
    for path in paths:
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            text = pd.read_parquet(path).to_csv(index=False)
        else:
            text = path.read_bytes().decode("utf-8", errors="ignore")
        for match in re.finditer(r"(?<![0-9A-Za-z.,])\d{9}(?![0-9A-Za-z])", text):
            if _eleven_test(match.group()):
                hits.append((path.name, match.group()))
    return hits


def test_the_bsn_scanner_finds_the_bsns_of_the_raw_exports():
    # the detector below must be able to fail: the raw demo CSVs do hold (synthetic) BSNs
    assert len(_bsn_hits((_raw() / E2E_PERIOD).rglob("*.csv"))) > 100


def test_no_bsn_anywhere_in_the_outputs(demo_build):
    # docs/domain.md: no BSN reaches data/clean, reports or a log.
    assert _bsn_hits(demo_build.rglob("*")) == []


def test_pages_are_offline_and_show_no_code_or_paths(demo_build):
    from pipeline.report.render import check_html_offline

    for page in (demo_build / "reports" / E2E_PERIOD).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert check_html_offline(text) == [], page.name
        assert "Traceback" not in text and "/work/" not in text and str(demo_build) not in text
        assert "In&nbsp;[" not in text and "In [" not in text


def test_partner_page_shows_only_its_own_contracts(demo_build):
    contracts = pd.read_csv(
        demo_build / "reports" / E2E_PERIOD / "data" / "opdrachten.csv", dtype=str, keep_default_na=False
    )
    page = (demo_build / "reports" / E2E_PERIOD / "partners" / "gemeente-eemsdelta.html").read_text(encoding="utf-8")
    own = contracts[contracts["opdrachtgever"] == "gemeente-eemsdelta"]["opdracht_id"]
    others = contracts[contracts["opdrachtgever"] != "gemeente-eemsdelta"]["opdracht_id"]
    assert all(f">{o}<" in page for o in own)
    assert not any(f">{o}<" in page for o in others)


def test_every_output_is_declared_with_its_tier_in_the_manifest(demo_build):
    from pipeline.orchestrate.outputs import listing

    reports, clean = demo_build / "reports" / E2E_PERIOD, demo_build / "clean" / E2E_PERIOD
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    declared = {(o["map"], o["pad"]): o["niveau"] for o in manifest["uitvoer"]}
    # listing() raises on any file no declaration covers; herkomst.json is stamped after the manifest
    on_disk = {(o["map"], o["pad"]): o["niveau"] for o in listing(reports, clean)}
    assert {k: v for k, v in on_disk.items() if k != ("clean", "herkomst.json")} == declared
    assert declared[("reports", "regio.html")] == "deelbaar"
    assert declared[("reports", "data/opdrachten.csv")] == "intern"


def test_no_shareable_page_links_to_an_internal_output(demo_build):
    from pipeline.orchestrate.outputs import tier_of

    reports = demo_build / "reports" / E2E_PERIOD
    shareable = [
        p for p in reports.rglob("*.html") if tier_of("reports", p.relative_to(reports).as_posix()) == "deelbaar"
    ]
    assert len(shareable) > 20
    for page in shareable:
        for href in re.findall(r'href="([^"#]+)"', page.read_text(encoding="utf-8")):
            target = (page.parent / href).resolve().relative_to(reports.resolve()).as_posix()
            assert tier_of("reports", target) == "deelbaar", f"{page.name} links to internal {target}"
            if page.parent.name == "partners":  # its own files and the pages for everyone only
                assert target.startswith(f"partners/{page.stem}.") or target in ("regio.html", "werkwijze.html"), (
                    page.name,
                    target,
                )


def test_the_console_tells_what_it_builds_and_ends_on_the_summary(demo_build):
    """A first run says which earlier quarters it builds and why, counts the pages as they are
    rendered, and ends on the summary with the path to index.html."""
    lines = [ln for ln in (demo_build / "terminal.txt").read_text(encoding="utf-8").splitlines() if ln.startswith(">>")]
    text = "\n".join(lines)
    assert "voor trend en vergelijking" in text
    counts = [tuple(map(int, m)) for m in re.findall(r"pagina's (\d+)/(\d+) klaar", text)]
    assert len(counts) >= 2, text
    total = counts[-1][1]
    assert counts[-1] == (total, total) and [c for c, _ in counts] == sorted({c for c, _ in counts})
    assert re.match(r">> klaar in [\d.]+ s: .*index\.html", lines[-1]), lines[-1]


def test_check_export_reports_what_the_run_records_for_the_file(demo_build):
    """make check-export on a delivered file checks its own quarter and gives the same lines the
    full run records for it in afgekeurd.csv and bevindingen.csv (the lines it adds on rows that
    are already rejected are marked and not counted)."""
    from pipeline.ingest.check_export import check_file

    bestand = "2021Q3/gemeente-eemsdelta/opdrachten_2021Q3.csv"
    outcome = check_file(ROOT / "data" / "raw" / bestand, "gemeente-eemsdelta")
    assert outcome.period == "2021Q3"
    clean = demo_build / "clean" / "2021Q3"
    run = pd.concat([pd.read_csv(clean / f, dtype=str) for f in ("afgekeurd.csv", "bevindingen.csv")])
    run = run[run["bestand"] == bestand]
    expected = sorted(zip(run["rij"].astype(int), run["kolom"], run["regel"]))
    checked = outcome.problems[~outcome.problems["op_afgekeurde_rij"]]
    assert expected and sorted(zip(checked["rij"].astype(int), checked["kolom"], checked["regel"])) == expected


def test_het_hogeland_findings_point_at_the_rows_excel_shows(demo_build):
    """Its contracts file has a line break inside a quoted cell of its first record. Counted by
    hand, one Excel row per record (header row 1): HH2020-02 with 12 % is row 11, HH2021-04
    starting 10-11-2021 (after the peildatum) is row 16; the file has 16 rows."""
    findings = pd.read_csv(demo_build / "clean" / E2E_PERIOD / "bevindingen.csv", dtype=str)
    mine = findings[findings["bestand"] == "2021Q3/gemeente-het-hogeland/opdrachten_2021Q3.csv"]
    assert sorted(zip(mine["rij"].astype(int), mine["kolom"], mine["kolom_bestand"])) == [
        (11, "sr_percentage", "SR-PERCENTAGE"),
        (16, "startdatum", "STARTDATUM"),
    ]
