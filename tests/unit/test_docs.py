"""The documents the code cites exist, and keep the sections they are cited for.

Comments and docstrings cite the rules they implement by document, e.g.
``# docs/domain.md, "Fulfilment status per contract"`` (docs/architecture.md, "Conventions").
A citation is only useful when its file is in the repository: every ``*.md`` a source file names
must be ``README.md`` or a path that exists from the repository root, which for the rule
documents means ``docs/<name>.md``. A rule document cited without its ``docs/`` folder points at
a file outside the repository and fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Where citations are looked for: the package, the tests, the notebooks (as text), the tooling,
#: the Makefile and the documents themselves.
SCANNED = ("pipeline", "tests", "notebooks", "tools", "docs", "Makefile")
TEXT_SUFFIXES = {".py", ".ipynb", ".yaml", ".yml", ".json", ".j2", ".css", ".md", ".txt", ".toml", ".cfg", ".html"}

#: A file name ending in .md, with an optional relative path in front.
_CITED = re.compile(r"(?<![\w./<>-])((?:[\w.-]+/)*[\w-]+(?:\.[\w-]+)*\.md)(?![\w/-])")
#: A section named in quotes after a comma: docs/<name>.md, "Section" (may wrap onto a new line).
_SECTION = re.compile(r"(docs/[\w-]+\.md),\s*\"([^\"]+)\"")
_STAGE = re.compile(r"docs/architecture\.md[,:]?\s*\(?\"?(Stage \d)")

#: The sections each rule document must keep (heading text, ``#`` and backticks left out; a
#: heading may go on after the listed words). Shortening a document below these fails the test.
REQUIRED_SECTIONS: dict[str, list[str]] = {
    "domain.md": [
        "Reporting periods and the peildatum",
        "Deliveries and carry-forward",
        "Which roles' trajectories count",
        "Obligation (verplichting)",
        "Expected progress",
        "Valuation: the building-blocks method (bouwblokkenmethode)",
        "Rate-card versions by award date",
        "Counted days and clipping to the contract term",
        "Value per unit",
        "The 12-hour rule",
        "The 50+ bonus",
        "Lines that count 0",
        "Double counts",
        "Fulfilment status per contract",
        "Thresholds",
        "Training outcomes (1000-banenplan)",
        "Training stages",
        "Durable placement",
        "The 1000 target",
        "Future tenders (aanbestedingskalender)",
        "Privacy and disclosure",
        "Pseudonymisation",
        "BSN masking",
        "Suppression of small counts",
    ],
    "exports.md": [
        "Where files go",
        "Folder and file naming",
        "The raw folder is never written",
        "partners.csv",
        "File formats",
        "Encodings and delimiters",
        "XLSX rules",
        "Numbers",
        "Dates",
        "Booleans",
        "Headers",
        "Partner mappings",
        "Row numbering",
        "Datasets",
        "Dataset opdrachten",
        "Dataset inzet",
        "Dataset trajecten",
        "Dataset aanbestedingskalender",
        "What is rejected and what is warned",
        "Raw rows = clean + rejected",
    ],
    "reports.md": [
        "Rules for every page",
        "Offline HTML",
        "Privacy on pages",
        "index.html",
        "regio.html",
        "Who contributes what",
        "kwaliteit.html",
        "Partner pages",
        "Contracting authority page",
        "Contractor page",
        "Training partner page",
        "Machine-readable downloads",
    ],
    "outputs.md": [
        "data/clean/<P>/",
        "reports/<P>/",
        "reports/<P>/data/opdrachten.csv",
        "reports/<P>/data/trajecten_kpi.json",
        "reports/<P>/manifest.json",
        "File formats",
        "Tiers",
        "Publication",
        "Byte-identical rebuilds",
    ],
    "architecture.md": [
        "Raw layout",
        "Stage 1: ingest",
        "Partner mappings",
        "Stage 2: validate",
        "Stage 3: compute",
        "Stage 4: report",
        "Reproducibility and provenance",
        "Conventions",
    ],
}


def _scanned_files() -> list[Path]:
    files = []
    for name in SCANNED:
        path = ROOT / name
        if path.is_file():
            files.append(path)
            continue
        files += sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES and "__pycache__" not in p.parts
        )
    return files


def _is_path_literal(text: str, start: int, end: int) -> bool:
    """``"architecture.md"`` as a whole string literal is a path the code opens, not a citation."""
    return start > 0 and end < len(text) and text[start - 1] in "\"'" and text[end] == text[start - 1]


def citations(text: str) -> list[tuple[int, str]]:
    """Every ``*.md`` a text cites, with its line number (see :func:`test_citations_are_found`)."""
    found = []
    for match in _CITED.finditer(text):
        if not _is_path_literal(text, match.start(1), match.end(1)):
            found.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return found


def is_in_repository(cited: str) -> bool:
    """``README.md``, or a path from the repository root that exists (``docs/domain.md``)."""
    if cited == "README.md":
        return True
    return "/" in cited and (ROOT / cited).is_file()


def headings(doc: Path) -> list[str]:
    """A markdown file's headings as plain text (no ``#``, no backticks), outside code blocks."""
    out, fenced = [], False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            out.append(line.lstrip("#").strip().replace("`", ""))
    return out


def _has_section(doc: Path, name: str) -> bool:
    wanted = " ".join(name.split()).casefold()
    return any(h.casefold().startswith(wanted) for h in headings(doc))


def test_citations_are_found() -> None:
    md = ".md"  # built here, so this file cites nothing itself
    text = f'x = 1  # domain{md}: rule\n# docs/exports{md}, "Headers"; README{md}\np = ROOT / "docs" / "outputs{md}"\n'
    assert citations(text) == [(1, "domain.md"), (2, "docs/exports.md"), (2, "README.md")]
    assert [is_in_repository(c) for _, c in citations(text)] == [False, (ROOT / "docs/exports.md").is_file(), True]


def test_every_cited_document_is_in_the_repository() -> None:
    outside = [
        f"{path.relative_to(ROOT)}:{line}: {cited}"
        for path in _scanned_files()
        for line, cited in citations(path.read_text(encoding="utf-8", errors="replace"))
        if not is_in_repository(cited)
    ]
    assert not outside, f"{len(outside)} citations of files not in the repository (use docs/<name>.md):\n" + "\n".join(
        outside
    )


@pytest.mark.parametrize("name", sorted(REQUIRED_SECTIONS))
def test_each_rule_document_keeps_its_sections(name: str) -> None:
    doc = ROOT / "docs" / name
    assert doc.is_file(), f"docs/{name} is missing"
    missing = [s for s in REQUIRED_SECTIONS[name] if not _has_section(doc, s)]
    assert not missing, f"docs/{name} lacks the sections {missing}"
    # a heading alone is no documentation: every required section has text under it
    assert len(doc.read_text(encoding="utf-8").split()) > 40 * len(REQUIRED_SECTIONS[name])


def test_every_section_a_citation_names_exists() -> None:
    wrong = []
    for path in _scanned_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        named = [(m.start(), m.group(1), m.group(2)) for m in _SECTION.finditer(text)]
        named += [(m.start(), "docs/architecture.md", m.group(1)) for m in _STAGE.finditer(text)]
        for start, doc, section in named:
            section = re.sub(r"\s+#?\s*", " ", section)  # a name may wrap onto a comment line
            if (ROOT / doc).is_file() and not _has_section(ROOT / doc, section):
                wrong.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, start) + 1}: {doc}, {section!r}")
    assert not wrong, "citations of sections that do not exist:\n" + "\n".join(wrong)
