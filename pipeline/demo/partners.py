"""The demo region's partner register: a Groningen-like set of fictitious organisations.

Authority and institute names are those of the region's public bodies (the demo is about them);
every contractor is invented. KvK numbers are synthetic: eight digits starting with ``9``, drawn
from a fixed permutation (contractors first, then the non-partner employers of placements).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Partner:
    """One register row plus what the generator needs to draw its data."""

    partner_id: str
    naam: str
    rol: str
    kvk: str = ""
    code: str = ""  # prefix of the ids the partner gives its rows
    gewicht: float = 1.0  # relative share of the region's contracts / trajectories
    plaatsen: tuple[str, ...] = field(default=())  # places in its contract descriptions


# (partner_id, naam, code, weight, places)
_OPDRACHTGEVERS = [
    (
        "gemeente-groningen",
        "Gemeente Groningen",
        "GR",
        30,
        ("Groningen-Oost", "Ten Boer", "Haren", "Beijum", "Lewenborg", "Selwerd"),
    ),
    (
        "gemeente-eemsdelta",
        "Gemeente Eemsdelta",
        "ED",
        15,
        ("Appingedam", "Delfzijl", "Loppersum", "Farmsum", "Woldendorp", "Eemshaven"),
    ),
    (
        "gemeente-het-hogeland",
        "Gemeente Het Hogeland",
        "HH",
        10,
        ("Uithuizen", "Winsum", "Bedum", "Warffum", "Usquert", "Leens"),
    ),
    (
        "gemeente-midden-groningen",
        "Gemeente Midden-Groningen",
        "MG",
        10,
        ("Hoogezand", "Slochteren", "Muntendam", "Zuidbroek", "Siddeburen", "Kolham"),
    ),
    (
        "provincie-groningen",
        "Provincie Groningen",
        "PG",
        15,
        ("N33", "N360", "Eemskanaal", "Winschoterdiep", "Van Starkenborghkanaal", "N46 Eemshavenweg"),
    ),
    (
        "nationaal-coordinator-groningen",
        "Nationaal Coördinator Groningen",
        "NCG",
        20,
        ("Loppersum", "Garrelsweer", "Wirdum", "Overschild", "Schildwolde", "Zeerijp"),
    ),
]
# (partner_id, naam, weight): all fictitious
_OPDRACHTNEMERS = [
    ("bouwbedrijf-noord", "Bouwbedrijf Noord B.V.", 9),
    ("eemsbouw", "Eemsbouw B.V.", 7),
    ("cooperatie-bouwgroep-ommeland", "Coöperatie Bouwgroep Ommeland U.A.", 6),
    ("wadden-infra", "Wadden Infra B.V.", 6),
    ("hunze-techniek", "Hunze Techniek B.V.", 5),
    ("dollard-installatietechniek", "Installatietechniek Dollard B.V.", 5),
    ("reitdiep-renovatie", "Reitdiep Renovatie B.V.", 5),
    ("fivel-grond-en-wegenbouw", "Fivel Grond- en Wegenbouw B.V.", 5),
    ("damsterdiep-bouw", "Damsterdiep Bouw B.V.", 4),
    ("marne-dakwerken", "Marne Dakwerken B.V.", 3),
    ("lauwers-elektrotechniek", "Lauwers Elektrotechniek B.V.", 4),
    ("winschoterdiep-infra", "Winschoterdiep Infra B.V.", 4),
    ("hondsrug-verduurzaming", "Hondsrug Verduurzaming B.V.", 3),
    ("duurswold-bouwservice", "Duurswold Bouwservice B.V.", 3),
    ("westerkwartier-aannemers", "Westerkwartier Aannemers B.V.", 4),
    ("oldambt-staalbouw", "Oldambt Staalbouw B.V.", 2),
    ("zuidlaardermeer-schilders", "Schildersbedrijf Zuidlaardermeer B.V.", 2),
    ("ems-isolatietechniek", "Ems Isolatietechniek B.V.", 3),
    ("noorderzijl-herstel", "Noorderzijl Bouwkundig Herstel B.V.", 3),
    ("sloopwerken-pieterburen", "Sloopwerken & Asbestsanering Pieterburen B.V.", 2),
]
# (partner_id, naam, rol, code, weight)
_UITVOERDERS = [
    ("noorderpoort", "Noorderpoort", "opleider", "NP", 40),
    ("alfa-college", "Alfa-college", "opleider", "AC", 30),
    ("werkplein-groningen", "Werkplein Groningen", "werkplein", "WG", 16),
    ("werkplein-ommeland", "Werkplein Ommeland", "werkplein", "WO", 9),
    ("sw-ommeland", "SW-bedrijf Ommeland", "sw-bedrijf", "SW", 5),
]
_EXTRA_PLAATSEN = ("Noordbroek", "Tolbert", "Grijpskerk", "Zoutkamp", "Winschoten", "Veendam")


def _kvk(i: int) -> str:
    """The i-th synthetic KvK number: ``9`` + a permutation of 7 digits (unique for i < 10**7)."""
    return str(90_000_000 + ((i + 1) * 7_654_321) % 10_000_000)


def employer_kvk(i: int) -> str:
    """KvK of the i-th employer outside the register (placements at non-partner employers)."""
    return _kvk(100_000 + i)


def _count(base: int, scale: int) -> int:
    # issue: SCALE=N gives about sqrt(N) times the partners
    return max(base, round(base * math.sqrt(scale)))


def make_partners(scale: int = 1) -> list[Partner]:
    """The register for ``scale``: the named base partners plus numbered extra ones."""
    out = [
        Partner(pid, naam, "opdrachtgever", "", code, w, plaatsen) for pid, naam, code, w, plaatsen in _OPDRACHTGEVERS
    ]
    for k in range(len(_OPDRACHTGEVERS) + 1, _count(len(_OPDRACHTGEVERS), scale) + 1):
        out.append(
            Partner(
                f"opdrachtgever-{k:03d}",
                f"Gemeente Demo {k:03d}",
                "opdrachtgever",
                "",
                f"OG{k:03d}",
                8,
                _EXTRA_PLAATSEN,
            )
        )
    contractors = [(pid, naam, w) for pid, naam, w in _OPDRACHTNEMERS]
    for k in range(len(_OPDRACHTNEMERS) + 1, _count(len(_OPDRACHTNEMERS), scale) + 1):
        contractors.append((f"aannemer-{k:03d}", f"Aannemer Demo {k:03d} B.V.", 4))
    out += [Partner(pid, naam, "opdrachtnemer", _kvk(i), "", w) for i, (pid, naam, w) in enumerate(contractors)]
    for rol in ("opleider", "werkplein", "sw-bedrijf"):
        named = [u for u in _UITVOERDERS if u[2] == rol]
        out += [
            Partner(pid, naam, rol, _kvk(50_000 + i) if rol == "sw-bedrijf" else "", code, w)
            for i, (pid, naam, _, code, w) in enumerate(named)
        ]
        for k in range(len(named) + 1, _count(len(named), scale) + 1):
            kvk = _kvk(50_000 + k) if rol == "sw-bedrijf" else ""
            out.append(
                Partner(f"{rol}-{k:03d}", f"{rol.capitalize()} Demo {k:03d}", rol, kvk, f"{rol[0].upper()}{k:03d}", 8)
            )
    return out
