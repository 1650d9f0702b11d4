"""Every output a run writes, declared once with its tier: ``deelbaar`` or ``intern``.

``deelbaar`` (shareable) outputs may leave the coordinator's desk: the regional overview goes to
the steering group and every partner, a partner's page and its Excel download go to that
partner. Everything else is ``intern``: the front door and the quality page (they show every
partner), the unsuppressed machine-readable tables (docs/outputs.md: ``data/opdrachten.csv`` counts
candidates unsuppressed), the manifest, the executed notebooks and all clean data.

The manifest records the tier of every file (``uitvoer``); a test checks that a shareable page
links to nothing ``intern`` and that no output goes undeclared.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Tier = Literal["deelbaar", "intern"]


@dataclass(frozen=True)
class Output:
    """A kind of output: ``pattern`` is a path below ``reports/<P>/`` or ``data/clean/<P>/``."""

    root: Literal["reports", "clean"]
    pattern: str
    tier: Tier
    wat: str


OUTPUTS: tuple[Output, ...] = (
    Output("reports", "regio.html", "deelbaar", "regionaal overzicht: stuurgroep en alle partners"),
    Output(
        "reports", "werkwijze.html", "deelbaar", "de regionale werkwijze: voor iedereen, ook in aanbestedingsstukken"
    ),
    Output("reports", "partners/*.html", "deelbaar", "pagina van één partner, alleen voor die partner"),
    Output("reports", "partners/*.xlsx", "deelbaar", "Excel-download van één partner, alleen voor die partner"),
    Output("reports", "index.html", "intern", "voordeur van de coördinator: links naar alles"),
    Output("reports", "kwaliteit.html", "intern", "datakwaliteit van alle partners (coördinator)"),
    Output("reports", "data/*", "intern", "machineleesbare tabellen, niet onderdrukt"),
    Output("reports", "manifest.json", "intern", "herkomst: invoerbestanden, code, parameters"),
    Output("reports", "notebooks/*", "intern", "uitgevoerde notebooks, voor audit"),
    Output("reports", "notebooks/pages/*", "intern", "uitgevoerde paginanotebooks, voor audit"),
    Output("clean", "*", "intern", "schone gepseudonimiseerde tabellen, afgekeurde rijen, bevindingen"),
    Output("clean", "_ingest/*", "intern", "ingelezen tabellen vóór validatie"),
)


class UndeclaredOutput(Exception):
    """A run wrote a file no :data:`OUTPUTS` entry declares (a bug: declare it with its tier)."""


def declaration(root: Literal["reports", "clean"], rel: str) -> Output:
    """The declared output a file ``rel`` (posix, below the root) belongs to.

    >>> declaration("reports", "partners/eemsbouw.html").tier, declaration("reports", "data/opdrachten.csv").tier
    ('deelbaar', 'intern')
    """
    for output in OUTPUTS:
        # a "*" never crosses a "/": partners/*.html is not partners/x/y.html
        if (
            output.root == root
            and rel.count("/") == output.pattern.count("/")
            and fnmatch.fnmatchcase(rel, output.pattern)
        ):
            return output
    raise UndeclaredOutput(f"{root}/{rel}")


def tier_of(root: Literal["reports", "clean"], rel: str) -> Tier:
    return declaration(root, rel).tier


def listing(reports_dir: Path, clean_dir: Path) -> list[dict[str, str]]:
    """Every file of a build with its tier, sorted: the manifest's ``uitvoer`` (without itself)."""
    out = []
    for root, folder in (("reports", reports_dir), ("clean", clean_dir)):
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            if root == "reports" and rel == "manifest.json":
                continue
            out.append({"map": root, "pad": rel, "niveau": tier_of(root, rel)})
    return out
