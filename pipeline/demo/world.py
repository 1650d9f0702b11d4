"""The synthetic region behind the demo exports: its contracts and planned tenders, and the whole.

:func:`build_world` draws one consistent "truth" from seeded random generators: the partner
register (:mod:`pipeline.demo.partners`), contracts and tenders (here), trajectories and
realisation lines (:mod:`pipeline.demo.kandidaten`). Nothing depends on the clock.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from pipeline.demo.kandidaten import draw_regels, draw_trajecten, place_employers
from pipeline.demo.model import Aanbesteding, BsnPool, Opdracht, World, add_months, between, pick
from pipeline.demo.partners import Partner, make_partners

FIRST_AWARD = dt.date(2017, 6, 1)
LAST_AWARD = dt.date(2021, 11, 30)
BASE_OPDRACHTEN, BASE_REGELS, BASE_TRAJECTEN, BASE_AANBESTEDINGEN = 120, 2000, 1500, 90

_SECTOREN = {"bouw": 50, "techniek": 20, "infra": 20, "overig": 10}
_SOORT_PER_SECTOR = {
    "bouw": {"werken": 85, "diensten": 15},
    "infra": {"werken": 85, "diensten": 15},
    "techniek": {"werken": 60, "diensten": 25, "leveringen": 15},
    "overig": {"werken": 20, "diensten": 50, "leveringen": 30},
}
_SR_PERCENTAGES = {5: 70, 2: 4, 3: 5, 4: 5, 6: 5, 8: 5, 10: 6}
_OMSCHRIJVINGEN = {  # werken by sector; diensten and leveringen by soort
    "bouw": [
        "Versterking woningen {p} – cluster {n}",
        "Renovatie scholen {p} – fase {n}",
        "Nieuwbouw multifunctionele accommodatie {p}",
        "Herstel schade woningen {p}, blok {n}",
    ],
    "infra": [
        "Reconstructie {p}",
        "Vervanging riolering {p} – fase {n}",
        "Vernieuwing kademuren {p}",
        "Herinrichting dorpskern {p}",
    ],
    "techniek": [
        "Verduurzaming maatschappelijk vastgoed {p}",
        "Installaties zwembad {p}",
        "Zonnepanelen op maatschappelijk vastgoed {p}",
        "Warmtenet {p} – fase {n}",
    ],
    "overig": ["Sloop en bouwrijp maken terrein {p}", "Aanleg speelvoorzieningen {p}"],
    "diensten": [
        "Onderhoud openbare ruimte {p}",
        "Inspecties bouwkundige staat {p}",
        "Schoonmaak gemeentelijke gebouwen {p}",
        "Beheer en onderhoud installaties {p}",
        "Groenonderhoud {p}, perceel {n}",
    ],
    "leveringen": ["Levering modulaire units {p}", "Levering warmtepompen {p}", "Levering straatmeubilair {p}"],
}


def _omschrijving(rng: random.Random, partner: Partner, soort: str, sector: str, value: float) -> str:
    templates = _OMSCHRIJVINGEN[sector if soort == "werken" else soort]
    text = rng.choice(templates).format(p=rng.choice(partner.plaatsen), n=rng.randint(1, 6))
    if partner.partner_id == "gemeente-eemsdelta" and value >= 1e6 and rng.random() < 0.4:
        text += f" (€ {round(value / 1e6)} mln)"  # a cp1252 partner: the € must survive
    return text


def _opdrachten(rng: random.Random, partners: list[Partner], n: int) -> list[Opdracht]:
    authorities = [p for p in partners if p.rol == "opdrachtgever"]
    contractors = [p for p in partners if p.rol == "opdrachtnemer"]
    first_each = rng.sample(contractors, len(contractors))  # every contractor gets a contract
    drawn = []
    for i in range(n):
        authority = rng.choices(authorities, weights=[p.gewicht for p in authorities])[0]
        contractor = (
            first_each[i]
            if i < len(first_each)
            else rng.choices(contractors, weights=[p.gewicht for p in contractors])[0]
        )
        gunning = between(rng, FIRST_AWARD, LAST_AWARD)
        start = gunning + dt.timedelta(days=rng.randint(0, 182))  # award 0-6 months before start
        months = rng.choices([12, 18, 24, 36, 48], weights=[25, 10, 30, 22, 13])[0]
        value = math.exp(rng.uniform(math.log(1e5), math.log(2e7)))
        value = round(value, -3) if rng.random() < 0.6 else round(value, 2)
        pct = float(pick(rng, _SR_PERCENTAGES))
        sector = pick(rng, _SECTOREN)
        soort = pick(rng, _SOORT_PER_SECTOR[sector])
        naam = contractor.naam if rng.random() < 0.7 else contractor.naam.replace(" B.V.", "")
        drawn.append(
            Opdracht(
                authority.partner_id,
                "",
                _omschrijving(rng, authority, soort, sector, value),
                soort,
                sector,
                contractor.partner_id,
                contractor.kvk,
                naam,
                gunning,
                start,
                add_months(start, months) - dt.timedelta(days=1),
                value,
                pct,
                round(value * pct / 100, 2),
            )
        )
    drawn.sort(key=lambda o: (o.opdrachtgever, o.gunningsdatum, o.omschrijving))
    counters: dict[tuple[str, int], int] = {}
    for o in drawn:
        key = (o.opdrachtgever, o.gunningsdatum.year)
        counters[key] = counters.get(key, 0) + 1
        code = next(p.code for p in authorities if p.partner_id == o.opdrachtgever)
        o.opdracht_id = _opdracht_id(code, o.gunningsdatum.year, counters[key])
    return drawn


def _opdracht_id(code: str, year: int, n: int) -> str:
    """Each authority numbers its contracts its own way (as real ones do)."""
    formats = {
        "ED": f"ED/{year % 100:02d}/{n:03d}",
        "HH": f"HH{year}-{n:02d}",
        "MG": f"MG-{year % 100:02d}-{n:02d}",
        "PG": f"PG-{year}-{n:04d}",
        "NCG": f"NCG-{year}{n:03d}",
    }
    return formats.get(code, f"{code}-{year}-{n:03d}")


def _aanbestedingen(rng: random.Random, partners: list[Partner], n: int) -> list[Aanbesteding]:
    """Each authority's tender calendar: publications spread evenly over 2019Q2..2023Q2, each
    listed 6-15 months ahead, so every snapshot shows a few tenders per authority."""
    authorities = [p for p in partners if p.rol == "opdrachtgever"]
    first, span = dt.date(2019, 4, 1), (dt.date(2023, 6, 30) - dt.date(2019, 4, 1)).days
    out = []
    for i, a in enumerate(authorities):
        count = n // len(authorities) + (i < n % len(authorities))
        for k in range(count):
            publicatie = first + dt.timedelta(days=int(span * (k + rng.random()) / count))
            sector = pick(rng, _SECTOREN)
            soort = pick(rng, _SOORT_PER_SECTOR[sector])
            value = round(math.exp(rng.uniform(math.log(2e5), math.log(1.5e7))), -4)
            out.append(
                Aanbesteding(
                    a.partner_id,
                    "",
                    _omschrijving(rng, a, soort, sector, value),
                    soort,
                    sector,
                    publicatie - dt.timedelta(days=rng.randint(180, 450)),
                    publicatie,
                    publicatie + dt.timedelta(days=rng.randint(90, 240)) if rng.random() < 0.8 else None,
                    value,
                    float(pick(rng, _SR_PERCENTAGES)),
                )
            )
    out.sort(key=lambda t: (t.opdrachtgever, t.verwachte_publicatie, t.omschrijving))
    counters: dict[tuple[str, int], int] = {}
    for t in out:
        key = (t.opdrachtgever, t.verwachte_publicatie.year)
        counters[key] = counters.get(key, 0) + 1
        t.aanbesteding_id = f"AB-{t.verwachte_publicatie.year}-{counters[key]:02d}"
    return out


def build_world(seed: int, scale: int = 1) -> World:
    """Draw the whole region for ``scale`` (rows x scale, partners x about sqrt(scale))."""
    partners = make_partners(scale)
    pool = BsnPool()
    opdrachten = _opdrachten(random.Random(f"{seed}:opdrachten"), partners, BASE_OPDRACHTEN * scale)
    _eemsdelta_example(opdrachten, partners)
    _hogeland_example(opdrachten)
    trajecten = draw_trajecten(random.Random(f"{seed}:trajecten"), partners, BASE_TRAJECTEN * scale, pool)
    trainees = place_employers(random.Random(f"{seed}:plaatsing"), trajecten, opdrachten, scale)
    sw_naam = next(p.naam for p in partners if p.rol == "sw-bedrijf")
    regels = draw_regels(random.Random(f"{seed}:regels"), opdrachten, trainees, BASE_REGELS * scale, pool, sw_naam)
    aanbestedingen = _aanbestedingen(random.Random(f"{seed}:aanbestedingen"), partners, BASE_AANBESTEDINGEN * scale)
    return World(partners, opdrachten, regels, trajecten, aanbestedingen)


def _eemsdelta_example(opdrachten: list[Opdracht], partners: list[Partner]) -> None:
    """The issue's example row: a cp1252 partner writing €, – and Coöperatie."""
    eemsdelta = [o for o in opdrachten if o.opdrachtgever == "gemeente-eemsdelta"]
    first = next((o for o in eemsdelta if o.opdrachtnemer == "cooperatie-bouwgroep-ommeland"), eemsdelta[0])
    first.omschrijving = "Renovatie scholen Eemsdelta – fase 2 (€ 2 mln)"
    first.soort, first.sector = "werken", "bouw"
    first.opdrachtwaarde, first.sr_verplichting = 1_985_000.0, round(1_985_000 * first.sr_percentage / 100, 2)
    cooperatie = next(p for p in partners if p.partner_id == "cooperatie-bouwgroep-ommeland")
    first.opdrachtnemer, first.opdrachtnemer_naam = cooperatie.partner_id, cooperatie.naam
    first.opdrachtnemer_kvk = cooperatie.kvk


def _hogeland_example(opdrachten: list[Opdracht]) -> None:
    """A description with a comma, quotes and a line break: a quoted CSV field over two lines."""
    first = next(o for o in opdrachten if o.opdrachtgever == "gemeente-het-hogeland")
    first.omschrijving = 'Herstel kademuur "Het Diep", Winsum\nfase 1: damwand en verankering'
    first.soort, first.sector = "werken", "infra"
