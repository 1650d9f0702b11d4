"""What ``make test`` needs beyond the venv: a headless browser and the PDF tools.

The browser tests open the rendered pages in Chromium (through chromedriver) and print them to
A4; ``pdftotext``/``pdftoppm`` (poppler) read the PDFs. Before the suite starts, ``make test``
runs this module: every program present, it says nothing; missing ones are installed from
Debian's packages when apt can be used (as root, or with password-less sudo); otherwise it stops
at once with one line naming what to install, so the suite never fails late on a missing browser.

    python -m tools.test_deps            # check, install where possible, exit 1 with one line if not
    python -m tools.test_deps --check    # check only (exit 1 and the line when something is missing)

Standard library only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

# program -> (alternative names, the Debian package that provides it)
PROGRAMS: dict[str, tuple[tuple[str, ...], str]] = {
    "chromium": (("chromium", "chromium-browser"), "chromium"),
    "chromedriver": (("chromedriver",), "chromium-driver"),
    "pdftotext": (("pdftotext",), "poppler-utils"),
    "pdftoppm": (("pdftoppm",), "poppler-utils"),
}


def missing(which=None) -> list[str]:
    """The programs of :data:`PROGRAMS` that are not on PATH.

    >>> missing(lambda name: None)
    ['chromium', 'chromedriver', 'pdftotext', 'pdftoppm']
    >>> missing(lambda name: "/usr/bin/" + name)
    []
    """
    which = which or shutil.which
    return [p for p, (names, _) in PROGRAMS.items() if not any(which(n) for n in names)]


def packages(programs: list[str]) -> list[str]:
    """The Debian packages for ``programs``, each once, in a stable order.

    >>> packages(["pdftotext", "pdftoppm", "chromium"])
    ['poppler-utils', 'chromium']
    """
    return list(dict.fromkeys(PROGRAMS[p][1] for p in programs))


def instruction(programs: list[str]) -> str:
    """The one line a user gets when the programs cannot be installed here."""
    pkgs = " ".join(packages(programs))
    return (
        f"FOUT: make test heeft {', '.join(programs)} nodig; installeer ze (Debian/Ubuntu: "
        f"sudo apt-get install {pkgs}) of draai alleen de unit-tests met make test-fast | "
        f"ERROR: make test needs {', '.join(programs)}: install them (sudo apt-get install {pkgs}) "
        "or run the unit tests only with make test-fast"
    )


def _apt_prefix() -> list[str] | None:
    """How to run apt-get here: directly as root, through password-less sudo, or not at all."""
    if not shutil.which("apt-get"):
        return None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


def install(programs: list[str]) -> bool:
    prefix = _apt_prefix()
    if prefix is None:
        return False
    pkgs = packages(programs)
    print(f">> installeren voor de browsertests: {' '.join(pkgs)} | installing for the browser tests", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *pkgs]):
        done = subprocess.run([*prefix, *cmd], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            print(f">> apt-get faalde | apt-get failed: {last}", file=sys.stderr)
            return False
    return not missing()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check, never install")
    args = parser.parse_args(argv)
    lacking = missing()
    if not lacking:
        return 0
    if not args.check and install(lacking):
        return 0
    print(instruction(missing() or lacking), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
