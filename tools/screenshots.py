"""``make screenshots PERIOD=2021Q3``: look at a period's pages as a reader does.

Writes PNGs under ``build/screenshots/<P>/`` for regio.html, kwaliteit.html, index.html and one
partner page per role (the first partner of that role, by id, that has a page):

- ``<name>-scherm.png``: the whole page in a 1280 px wide window (headless Chromium);
- ``<name>-a4-1.png``, ``<name>-a4-2.png``: the first two A4 pages as printed (Chromium's
  print to PDF, as a reader's "Afdrukken", then ``pdftoppm``).

It prints per page the number of A4 pages and the lines of text on each, so a near-empty page
stands out. Needs ``chromium`` (or ``chromium-browser``) and ``pdftoppm``/``pdftotext``
(poppler-utils); the full-page screenshot uses selenium + chromedriver when present, else a
fixed 1280 × 4000 window. Nothing is sent anywhere: the pages are opened from disk with every
network feature of the browser switched off.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from pipeline.core.paths import ROOT, clean_root, reports_root
from pipeline.core.periods import parse_period
from pipeline.core.schema import ROLES

PAGES = ("regio.html", "kwaliteit.html", "index.html")
WIDTH = 1280
FALLBACK_HEIGHT = 4000
BROWSER_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise SystemExit("FOUT: chromium niet gevonden (apt-get install chromium) | ERROR: chromium not found")
    return found


def partner_pages(period_dir: Path, partners: pd.DataFrame) -> list[tuple[str, Path]]:
    """One page per role: the first partner of that role (by id) whose page exists.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); (d / "partners").mkdir(); (d / "partners" / "b.html").write_text("")
    0
    >>> p = pd.DataFrame({"partner_id": ["a", "b"], "rol": ["opdrachtnemer", "opdrachtnemer"]})
    >>> [(r, f.name) for r, f in partner_pages(d, p)]
    [('opdrachtnemer', 'b.html')]
    """
    out = []
    for role in ROLES:
        for pid in sorted(partners.loc[partners["rol"] == role, "partner_id"].astype(str)):
            page = period_dir / "partners" / f"{pid}.html"
            if page.exists():
                out.append((role, page))
                break
    return out


def pages_to_shoot(period: str, reports: Path | None = None, clean: Path | None = None) -> list[tuple[str, Path]]:
    """(name of the PNGs, page) for the period: the three shared pages and a partner per role."""
    period_dir = (reports or reports_root()) / period
    if not (period_dir / "index.html").exists():
        raise SystemExit(
            f"FOUT: {period_dir} heeft geen pagina's: eerst make report PERIOD={period} | "
            f"ERROR: no pages for {period}: run make report first"
        )
    shots = [(p.removesuffix(".html"), period_dir / p) for p in PAGES if (period_dir / p).exists()]
    register = (clean or clean_root()) / period / "partners.parquet"
    if register.exists():
        partners = pd.read_parquet(register)
    else:  # no clean data beside the reports: the page names alone (role unknown)
        partners = pd.DataFrame({"partner_id": [], "rol": []})
    shots += [(f"partner-{role}", page) for role, page in partner_pages(period_dir, partners)]
    return shots


def _screen(browser: str, page: Path, png: Path, profile: Path) -> None:
    """The whole page at 1280 px wide."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # pragma: no cover - selenium is in the lock
        webdriver = None
    driver_bin = shutil.which("chromedriver")
    if webdriver is not None and driver_bin:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in (*BROWSER_FLAGS, f"--window-size={WIDTH},1000", f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(driver_bin), options=options)
        try:
            driver.get(page.as_uri())
            height = int(driver.execute_script("return document.documentElement.scrollHeight"))
            driver.set_window_size(WIDTH, min(height + 20, 16000))
            driver.save_screenshot(str(png))
        finally:
            driver.quit()
        return
    subprocess.run(
        [
            browser,
            *BROWSER_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{FALLBACK_HEIGHT}",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
    )


def print_pdf(browser: str, page: Path, pdf: Path, profile: Path) -> None:
    """The page printed to A4 as a reader's browser does (the page's own @page rules)."""
    subprocess.run(
        [
            browser,
            *BROWSER_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
    )


def pdf_lines(pdf: Path) -> list[int]:
    """Lines of text on each page of ``pdf`` (``pdftotext``)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [sum(1 for line in p.splitlines() if line.strip()) for p in pages]


def shoot(period: str, out_dir: Path, reports: Path | None = None, clean: Path | None = None) -> list[str]:
    """Write the PNGs; return one summary line per page."""
    browser = _chromium()
    if not shutil.which("pdftoppm"):
        raise SystemExit("FOUT: pdftoppm niet gevonden (apt-get install poppler-utils) | ERROR: pdftoppm not found")
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    with tempfile.TemporaryDirectory(prefix="sroi-shots-") as tmp:
        tmp_dir = Path(tmp)
        for name, page in pages_to_shoot(period, reports, clean):
            profile = tmp_dir / "profiel"
            _screen(browser, page, out_dir / f"{name}-scherm.png", profile)
            pdf = tmp_dir / f"{name}.pdf"
            print_pdf(browser, page, pdf, profile)
            for old in out_dir.glob(f"{name}-a4-*.png"):
                old.unlink()
            subprocess.run(
                ["pdftoppm", "-f", "1", "-l", "2", "-r", "80", "-png", str(pdf), str(tmp_dir / f"{name}-a4")],
                check=True,
                capture_output=True,
            )
            for i, png in enumerate(sorted(tmp_dir.glob(f"{name}-a4-*.png")), start=1):
                shutil.move(str(png), out_dir / f"{name}-a4-{i}.png")
            counts = pdf_lines(pdf) if shutil.which("pdftotext") else []
            lines.append(
                f"{name}: {page.relative_to(page.parents[1] if page.parent.name == 'partners' else page.parent)}, "
                f"{len(counts)} A4-pagina's, regels per pagina {counts}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", required=True, help="YYYYQn, e.g. 2021Q3")
    parser.add_argument("--out", default=None, help="default: build/screenshots/<P>")
    args = parser.parse_args(argv)
    period = parse_period(args.period).code
    out = Path(args.out) if args.out else ROOT / "build" / "screenshots" / period
    for line in shoot(period, out):
        print(f">> {line}")
    print(f">> schermafdrukken in {out} | screenshots written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
