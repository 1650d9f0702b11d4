"""Every page of the demo period opens in a real headless Chromium: no console errors and no
network requests (the pages must work offline). Screenshots land in test-artifacts/."""

from __future__ import annotations

import json
import re
import shutil

from pipeline.core.paths import ROOT
from tests.conftest import E2E_PERIOD

ARTIFACTS = ROOT / "test-artifacts"


# Machine codes a reader must not see (docs/reports.md, "Language and formats"). File names as the partner
# delivered them (inzet_2021Q3.xlsx) are its own words and stay.
FILE_NAME = re.compile(r"\S+\.(?:csv|xlsx|xls|json|parquet|txt)\b", re.I)
MACHINE = {
    "underscore inside a word": re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]"),
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "nan": re.compile(r"\b(?:nan|NaN|None|NaT)\b"),
    # 10.5 or 26660.00; Dutch thousands (1.234.567) have groups of exactly three digits
    "dotted decimal": re.compile(r"(?<![\d.])\d+\.(?:\d{1,2}|\d{4,})(?![\d.])"),
}


def machine_codes(text: str) -> list[tuple[str, str]]:
    """(kind, snippet) for every machine code in ``text``.

    >>> machine_codes("Uren 10,5 op 11-11-2020 in inzet_2021Q3.xlsx; € 1.234.567")
    []
    >>> sorted({k for k, _ in machine_codes("waarde 10.5, 2020-11-11, nog_niet_gestart, nan")})
    ['ISO date', 'dotted decimal', 'nan', 'underscore inside a word']
    """
    text = FILE_NAME.sub(" ", text)
    found = []
    for kind, pattern in MACHINE.items():
        for m in pattern.finditer(text):
            found.append((kind, text[max(m.start() - 30, 0) : m.end() + 30].replace("\n", " ")))
    return found


def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    assert chromium and chromedriver, (
        "Chromium and chromedriver are needed for this test: apt-get install chromium chromium-driver"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    from tools.screenshots import BROWSER_FLAGS  # the flags make screenshots uses, one list

    for flag in (
        *BROWSER_FLAGS,
        "--window-size=1240,1754",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(chromedriver), options=options)


def _requests(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_every_page_opens_offline_without_console_errors(demo_build):
    pages = sorted((demo_build / "reports" / E2E_PERIOD).rglob("*.html"))
    assert len(pages) >= 4
    ARTIFACTS.mkdir(exist_ok=True)
    driver = _driver()
    try:
        problems = []
        for page in pages:
            driver.get_log("performance")  # drop what came before
            driver.get(page.as_uri())
            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            external = [u for u in _requests(driver) if not u.startswith(("file:", "data:", "about:"))]
            if errors or external:
                problems.append((page.name, errors, external))
            rel = page.relative_to(demo_build / "reports" / E2E_PERIOD)
            if rel.as_posix() == "regio.html" or (
                rel.parts[0] == "partners" and not (ARTIFACTS / "partner.png").exists()
            ):
                name = "regio.png" if rel.name == "regio.html" else "partner.png"
                driver.set_window_size(1240, 1754)
                height = driver.execute_script("return document.body.scrollHeight")
                driver.set_window_size(1240, min(int(height) + 50, 12000))
                driver.save_screenshot(str(ARTIFACTS / name))
        assert problems == []
    finally:
        driver.quit()
    assert (ARTIFACTS / "regio.png").stat().st_size > 10_000
    assert (ARTIFACTS / "partner.png").stat().st_size > 10_000
