"""Byte-identical rebuilds (issue: reproducibility and provenance).

Two builds of a small demo quarter (``small_builds`` in conftest: one from scratch, one as a
rerun finds it, on a "machine" with another time zone, locale, hash seed, working directory and
raw-folder path) must give the same bytes for every file: pages, CSV, JSON, parquet, Excel,
executed notebooks, and the manifest apart from its ``*_at`` and ``duration_*`` fields.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline.core.paths import ROOT
from pipeline.orchestrate.verify import compare
from tests.conftest import SMALL_PERIOD


def _pairs(a: Path, b: Path) -> list[tuple[str, Path, Path]]:
    """Everything a build publishes or keeps: the period's reports and every clean folder."""
    return [
        (f"reports/{SMALL_PERIOD}", a / "reports" / SMALL_PERIOD, b / "reports" / SMALL_PERIOD),
        ("data/clean", a / "clean", b / "clean"),
    ]


def test_two_builds_give_the_same_bytes(small_builds):
    a, b = small_builds
    result = compare(_pairs(a, b))
    assert result.ok, "\n".join(result.lines())
    kinds = {p.suffix for p in (a / "reports" / SMALL_PERIOD).rglob("*")} | {p.suffix for p in (a / "clean").rglob("*")}
    assert {".html", ".csv", ".json", ".parquet", ".ipynb", ".xlsx"} <= kinds
    assert result.compared > 100


def test_the_rerun_reused_the_earlier_quarter(small_builds):
    # its herkomst.json names relative paths only, so the raw copy elsewhere matched it
    _, b = small_builds
    assert "opnieuw opbouwen" not in (b / "terminal.txt").read_text(encoding="utf-8")


def _texts(folder: Path):
    """Every file's bytes; for an Excel workbook each zipped part's bytes."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for name in book.namelist():
                    yield f"{path}!{name}", book.read(name)
        else:
            yield str(path), path.read_bytes()


def test_no_machine_path_in_any_output(small_builds, tmp_path_factory):
    a, b = small_builds
    machine = [str(a), str(b), str(tmp_path_factory.getbasetemp()), str(ROOT), ".build-", "/tmp/"]
    leaks = [
        (name, m)
        for folder in (a / "reports" / SMALL_PERIOD, a / "clean")
        for name, data in _texts(folder)
        for m in machine
        if m.encode() in data
    ]
    assert leaks == []
