"""regio.html, index.html and kwaliteit.html as a reader sees them, in a real headless Chromium
(docs/reports.md: every page answers first; words, not codes).

- regio.html opens with the verdict: fulfilment without netting, the behind-schedule total and the
  programme target's outlook in words, before any section heading;
- its list "Opdrachten die aandacht vragen" holds exactly the contracts whose status in
  opdrachten.csv is risico, achterstand or niet voldaan, most behind first, each contractor linked;
- no machine code in the visible text of the three pages: no ``_`` inside a word (a file name as
  the partner delivered it excepted), no ISO date, no ``nan``, no dotted decimal;
- index.html: the key figures first, then the pages in two groups whose links match each
  output's tier in the manifest (pipeline/orchestrate/outputs.py).

Uses the demo build of tests/conftest.py; ``SROI_TEST_REPORTS=<reports/<P> folder>`` points the
tests at a build made beforehand instead.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.core import csvsafe
from pipeline.orchestrate.outputs import tier_of
from pipeline.report import formatting as fmt
from tests.conftest import E2E_PERIOD
from tests.integration.test_browser import _driver, machine_codes

ATTENTION = ("risico", "achterstand", "niet_voldaan")


@pytest.fixture(scope="module")
def reports(request) -> Path:
    given = os.environ.get("SROI_TEST_REPORTS")
    if given:
        return Path(given)
    return request.getfixturevalue("demo_build") / "reports" / E2E_PERIOD


@pytest.fixture(scope="module")
def browser():
    driver = _driver()
    driver.set_window_size(1280, 2400)
    yield driver
    driver.quit()


def _open(browser, page: Path):
    browser.get(page.as_uri())
    return browser


def _text(browser, selector: str = "body") -> str:
    return browser.execute_script("return document.querySelector(arguments[0]).innerText", selector)


def _number(text: str) -> float:
    """``€ 1.613.134`` -> 1613134.0 (Dutch grouping)."""
    digits = re.sub(r"[^\d,\-]", "", text).replace(",", ".")
    return float(digits) if digits else 0.0


def test_regio_opens_with_the_verdict(reports, browser):
    regio = json.loads((reports / "data" / "regio.json").read_text(encoding="utf-8"))
    doel = json.loads((reports / "data" / "trajecten_kpi.json").read_text(encoding="utf-8"))["doel"]
    _open(browser, reports / "regio.html")
    # the verdict comes before every section heading of the page
    first = browser.execute_script(
        "const v = document.querySelector('section.oordeel'); const h = document.querySelector('h2');"
        "return v && h ? Boolean(v.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING) : false;"
    )
    assert first, "regio.html: the verdict block is not the first block"
    block = _text(browser, "section.oordeel")
    # fulfilment without netting, as a share of the obligation and of the expected
    assert fmt.format_pct(regio["ingevuld_pct"]) in block
    assert fmt.format_pct(regio["ingevuld_vs_verwacht_pct"]) in block
    assert fmt.format_eur(regio["ingevuld_eur"]) in block
    # the netted share (realised / obligation, over-realisation included) is not the verdict
    assert fmt.format_pct(regio["realisatie_pct"]) not in block
    if regio["opdrachten_meer_dan_verplicht"]:
        assert fmt.format_eur(regio["meer_dan_verplicht_eur"]) + " meer dan verplicht" in block
        assert "telt niet mee voor andere opdrachten" in block
    assert fmt.format_eur(regio["nog_te_realiseren_eur"]) in block
    assert fmt.format_eur(regio["achterstand_eur"]) in block
    # the target's outlook in words: reached or not at this pace, and when
    if doel["nog_nodig"]:
        verdict = "wordt het doel gehaald" if doel["doel_gehaald_bij_tempo"] else "wordt het doel niet gehaald"
        assert verdict in block
        if doel["kwartaal_doel_bij_tempo"]:
            assert fmt.format_quarter(doel["kwartaal_doel_bij_tempo"]) in block


def test_attention_list_is_exactly_the_contracts_behind(reports, browser):
    contracts = csvsafe.read_csv(
        reports / "data" / "opdrachten.csv", dtype={"opdracht_id": str, "opdrachtnemer": str}, keep_default_na=False
    )
    expected = contracts[contracts["status"].isin(ATTENTION)]
    _open(browser, reports / "regio.html")
    rows = browser.execute_script(
        "return [...document.querySelectorAll('.aandacht table tbody tr')].map(tr => ({"
        "cells: [...tr.children].map(c => c.innerText),"
        "href: (tr.querySelector('a') || {}).getAttribute ? tr.querySelector('a').getAttribute('href') : null}))"
    )
    assert len(rows) == len(expected)
    shown = []
    for row in rows:
        found = re.search(r"\(([^()]+)\)\s*$", row["cells"][0])
        shown.append(found.group(1) if found else row["cells"][0])
    assert sorted(shown) == sorted(expected["opdracht_id"])
    # most behind first ("Achter op schema" is the 7th column)
    behind = [_number(r["cells"][6]) for r in rows]
    assert behind == sorted(behind, reverse=True)
    by_id = expected.set_index("opdracht_id")
    for ident, row in zip(shown, rows):
        contractor = by_id.loc[ident, "opdrachtnemer"]
        if contractor:
            assert row["href"] == f"partners/{contractor}.html"
            assert (reports / row["href"]).is_file()
    # the link between social return and the training programme is on the page
    assert "traject van het opleidingsprogramma" in _text(browser)


@pytest.mark.parametrize("page", ["regio.html", "index.html", "kwaliteit.html"])
def test_no_machine_code_in_visible_text(reports, browser, page):
    _open(browser, reports / page)
    problems = {}
    for what, snippet in machine_codes(_text(browser)):
        problems.setdefault(what, []).append(snippet)
    assert problems == {}, f"{page}: {problems}"


def test_index_key_figures_first_then_two_groups(reports, browser):
    _open(browser, reports / "index.html")
    order = browser.execute_script(
        "return [...document.querySelectorAll('h2, table, section.groep')].map(e =>"
        " e.tagName === 'H2' ? 'h2:' + e.innerText : e.tagName === 'TABLE' ? 'table' : 'groep:' +"
        " e.getAttribute('aria-label'))"
    )
    assert order.index("table") < order.index("groep:Om te delen") < order.index("groep:Intern, niet doorsturen")
    assert "h2:Om te delen" in order and "h2:Intern, niet doorsturen" in order
    for group, tier in (("Om te delen", "deelbaar"), ("Intern, niet doorsturen", "intern")):
        hrefs = browser.execute_script(
            "return [...document.querySelectorAll(`section.groep[aria-label='${arguments[0]}'] a`)]"
            ".map(a => a.getAttribute('href'))",
            group,
        )
        assert hrefs, group
        assert {h: tier_of("reports", h) for h in hrefs} == {h: tier for h in hrefs}
        if tier == "deelbaar":
            assert "regio.html" in hrefs
            partners = {p.name for p in (reports / "partners").glob("*.html")}
            assert {h.split("/", 1)[1] for h in hrefs if h.endswith(".html") and "/" in h} == partners
        else:
            assert "kwaliteit.html" in hrefs and any(h.startswith("data/") for h in hrefs)


def test_quality_counts_add_up_everywhere(reports, browser):
    clean = reports.parent.parent / "clean" / reports.name
    if not clean.is_dir():
        clean = Path(os.environ.get("SROI_CLEAN_DIR", "")) / reports.name
    files = csvsafe.read_csv(clean / "bestanden.csv", dtype=str, keep_default_na=False)
    read = files[files["status"] == "gelezen"]
    rejected = int(pd.to_numeric(read["rijen_afgekeurd"]).sum())
    _open(browser, reports / "kwaliteit.html")
    text = _text(browser)
    assert f"{fmt.format_int(rejected)} rijen zijn afgekeurd" in text or (
        rejected == 1 and "1 rij is afgekeurd" in text
    )
    total = browser.execute_script(
        "const t = [...document.querySelectorAll('table')].find(t => t.caption &&"
        " t.caption.innerText.startsWith('Rijen per dataset'));"
        "return [...t.querySelectorAll('tr.totaal > *')].map(c => c.innerText)"
    )
    # Totaal, read, rejected while reading, tested, rejected by a rule, rejected, clean, with finding
    assert _number(total[5]) == rejected == _number(total[2]) + _number(total[4])
    assert _number(total[1]) == _number(total[2]) + _number(total[3])
    _open(browser, reports / "index.html")
    assert f"Rijen afgekeurd\t{fmt.format_int(rejected)}" in _text(browser)
    _open(browser, reports / "kwaliteit.html")
    compared = _text(browser)
    assert "Toegevoegd" in compared and "Verwijderd" in compared and "Gewijzigd" in compared


def test_regio_first_printed_page_holds_the_verdict(reports, browser, tmp_path):
    """Printed to A4, regio.html's first page holds the whole verdict block (docs/reports.md)."""
    import base64
    import shutil
    import subprocess

    from selenium.webdriver.common.print_page_options import PrintOptions

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is needed to read the printed page")
    regio = json.loads((reports / "data" / "regio.json").read_text(encoding="utf-8"))
    _open(browser, reports / "regio.html")
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    options.background = True
    pdf = tmp_path / "regio.pdf"
    pdf.write_bytes(base64.b64decode(browser.print_page(options)))
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    first = " ".join(first.split())
    for title in ("Verplichting ingevuld", "Nog te realiseren", "Achter op schema", "duurzame plaatsingen"):
        assert title in first
    for figure in (fmt.format_pct(regio["ingevuld_pct"]), fmt.format_eur(regio["achterstand_eur"])):
        assert " ".join(figure.split()) in first
    assert "telt niet mee voor andere opdrachten" in first
