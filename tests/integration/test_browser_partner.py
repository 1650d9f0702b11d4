"""Partner pages as a reader sees them, in a real headless Chromium (issue "pages that answer
first"): the first block holds the partner's totals, the visible text has no machine codes, and
the page prints to A4 without near-empty pages, the summary on the first page.

Reuses the demo build of tests/conftest.py and the browser driver of test_browser.py; marked
slow like every integration test (conftest.py).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from pipeline.report import formatting as fmt
from tests.conftest import E2E_PERIOD
from tests.integration.test_browser import _driver, machine_codes
from tools.screenshots import partner_pages, print_pdf

MIN_LINES = 5  # a printed page with fewer lines of text is a waste of paper
CONTRACT_ROLES = ("opdrachtgever", "opdrachtnemer")


def _period(root: Path) -> Path:
    return root / "reports" / E2E_PERIOD


def _partners(root: Path) -> pd.DataFrame:
    return pd.read_parquet(root / "clean" / E2E_PERIOD / "partners.parquet")


def _contracts(root: Path) -> pd.DataFrame:
    return pd.read_csv(
        _period(root) / "data" / "opdrachten.csv",
        dtype={"opdracht_id": str, "opdrachtgever": str, "opdrachtnemer": str},
        keep_default_na=False,
        na_values=[""],
    )


def _first_block(driver) -> str:
    """The visible text of the first block under the page title."""
    return driver.execute_script(
        "const first = [...document.querySelectorAll('main.pagina > *')].find(e => e.tagName !== 'H1');"
        "return first ? first.innerText : '';"
    )


def _has_summary_first(driver) -> bool:
    return driver.execute_script(
        "const first = [...document.querySelectorAll('main.pagina > *')].find(e => e.tagName !== 'H1');"
        "return !!(first && first.querySelector('section.samenvatting'));"
    )


def _tile(text: str, label: str) -> str:
    """The value under a tile's label in the summary's visible text."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[lines.index(label) + 1]


def expected_totals(contracts: pd.DataFrame) -> dict[str, str]:
    """The totals a contract partner's first block must show, from opdrachten.csv: no netting
    (nog te realiseren of running contracts, achterstand of contracts at risk or behind)."""
    running = contracts["status"] != "niet_voldaan"
    behind = contracts["status"].isin(["risico", "achterstand"])
    return {
        "Verplichting": fmt.format_eur(contracts["verplichting_eur"].sum()),
        "Gerealiseerd": fmt.format_eur(contracts["gerealiseerd_eur"].sum()),
        "Nog te realiseren": fmt.format_eur(contracts.loc[running, "nog_te_realiseren_eur"].sum()),
        "Nodig om op schema te komen": fmt.format_eur(contracts.loc[behind, "achterstand_eur"].sum()),
    }


def check_first_blocks(root: Path) -> list[str]:
    """Problems with the first block of every partner page (empty when all is well)."""
    partners, contracts = _partners(root), _contracts(root)
    problems = []
    driver = _driver()
    try:
        for row in partners.sort_values("partner_id").itertuples():
            page = _period(root) / "partners" / f"{row.partner_id}.html"
            driver.get(page.as_uri())
            if not _has_summary_first(driver):
                problems.append(f"{row.partner_id}: the first block is not the summary")
                continue
            text = _first_block(driver).replace(fmt.NBSP, " ")
            if "Aangeleverd voor" not in text:
                problems.append(f"{row.partner_id}: the summary does not say whether it delivered")
            column = {"opdrachtgever": "opdrachtgever", "opdrachtnemer": "opdrachtnemer"}.get(row.rol)
            own = contracts[contracts[column] == row.partner_id] if column else contracts.iloc[0:0]
            if not own.empty:
                n = len(own)
                if f"{fmt.format_int(n)} opdracht" not in text:
                    problems.append(f"{row.partner_id}: the number of contracts ({n}) is not in the summary")
                for label, value in expected_totals(own).items():
                    shown = _tile(text, label) if label in text.splitlines() else None
                    if shown != value.replace(fmt.NBSP, " "):
                        problems.append(f"{row.partner_id}: {label} shows {shown!r}, expected {value!r}")
                if (own["status"] == "niet_voldaan").any() and "Afgelopen, niet gerealiseerd" not in text:
                    problems.append(f"{row.partner_id}: ended contracts' shortfall missing from the summary")
            elif row.rol not in CONTRACT_ROLES and "Uw trajecten:" not in text and "geen trajecten" not in text:
                problems.append(f"{row.partner_id}: no funnel headline in the summary")
    finally:
        driver.quit()
    return problems


def check_visible_text(root: Path) -> list[str]:
    """Machine codes in the visible text of every partner page."""
    problems = []
    driver = _driver()
    try:
        for page in sorted((_period(root) / "partners").glob("*.html")):
            driver.get(page.as_uri())
            text = driver.execute_script("return document.body.innerText")
            problems += [f"{page.name}: {kind}: …{snippet}…" for kind, snippet in machine_codes(text)]
    finally:
        driver.quit()
    return problems


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (``pdftotext``, poppler-utils)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def check_print(root: Path, tmp: Path) -> list[str]:
    """One partner page per role printed to A4: no page under MIN_LINES lines of text, and the
    first page holds the summary (whether it delivered, and its totals or funnel headline)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    problems = []
    shots = partner_pages(_period(root), _partners(root))
    assert len(shots) == 5, shots  # every role of the demo register has a page
    contracts = _contracts(root)
    for role, page in shots:
        pdf = tmp / f"{page.stem}.pdf"
        print_pdf(browser, page, pdf, tmp / "profiel")
        pages = pdf_pages(pdf)
        lines = [sum(1 for line in p.splitlines() if line.strip()) for p in pages]
        if any(n < MIN_LINES for n in lines):
            problems.append(f"{page.name} ({role}): a printed page with fewer than {MIN_LINES} lines: {lines}")
        first = " ".join(pages[0].replace(fmt.NBSP, " ").split()) if pages else ""
        if role in CONTRACT_ROLES:  # the totals themselves (a tile's label may wrap in print)
            own = contracts[contracts[role] == page.stem]
            wanted = ["Aangeleverd voor", *(v.replace(fmt.NBSP, " ") for v in expected_totals(own).values())]
        else:
            wanted = ["Aangeleverd voor", "Uw trajecten:"]
        missing = [w for w in wanted if w not in first]
        if missing:
            problems.append(f"{page.name} ({role}): the first printed page lacks {missing}")
        if "Pagina 1 van" not in first:
            problems.append(f"{page.name} ({role}): no page number on the printed page")
    return problems


@pytest.fixture(scope="module")
def built(demo_build) -> Path:
    return demo_build


def test_each_partner_pages_first_block_holds_its_totals(built):
    assert check_first_blocks(built) == []


def test_no_machine_code_in_the_visible_text_of_partner_pages(built):
    assert check_visible_text(built) == []


def test_partner_page_prints_to_a4_without_near_empty_pages_summary_first(built, tmp_path):
    assert shutil.which("pdftotext"), "pdftotext is needed for this test: apt-get install poppler-utils"
    assert check_print(built, tmp_path) == []
