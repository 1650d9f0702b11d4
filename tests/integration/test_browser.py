"""Every page of the demo period opens in a real headless Chromium: no console errors and no
network requests (the pages must work offline). Screenshots land in test-artifacts/."""

from __future__ import annotations

import json
import shutil

from pipeline.core.paths import ROOT
from tests.conftest import E2E_PERIOD

ARTIFACTS = ROOT / "test-artifacts"


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
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
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
