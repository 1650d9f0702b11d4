"""The demo's candidates: training trajectories, their placements, and realisation lines.

Trajectories follow a realistic funnel (docs/domain.md: training outcomes): most start, about two in
three finish, some drop out, most finishers are placed, and about 60% of placements are durable
(at least 24 hours a week for at least 183 days). Some placements are social-return jobs at a
contractor with a running contract: those candidates also appear in that contractor's ``inzet``
(programme trainees in social-return jobs). A few job-centre candidates are later trained by an
institute (one person, two trajectories). Realisation lines never give one candidate two lines
at once, except the one planted double count (:mod:`pipeline.demo.planted`).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random

from pipeline.demo.model import HORIZON, BsnPool, Inzetregel, Opdracht, Traject, add_months, between, pick
from pipeline.demo.partners import Partner, employer_kvk

FIRST_AANMELDING = dt.date(2019, 1, 2)  # settings.yaml: programme start 2019-01-01

_DOELGROEPEN = {"pwet": 40, "ww": 20, "wia": 8, "wajong": 7, "nug": 15, "overig": 10}
_TRAJECT_SECTOREN = {"bouw": 40, "techniek": 35, "infra": 15, "overig": 10}
_WOONGEMEENTEN = {
    "Groningen": 40,
    "Eemsdelta": 12,
    "Het Hogeland": 10,
    "Midden-Groningen": 12,
    "Westerkwartier": 8,
    "Oldambt": 6,
    "Veendam": 4,
    "Stadskanaal": 4,
    "Pekela": 2,
}
_OPLEIDINGEN = {
    "bouw": [
        "Timmerman (BBL niveau 2)",
        "Metselaar",
        "Allround schilder",
        "Medewerker bouwplaats",
        "Basisvakopleiding bouw – praktijkroute",
    ],
    "techniek": [
        "Monteur elektrotechnische installaties",
        "Monteur zonnepanelen",
        "Installateur warmtepompen",
        "Isoleerder – verduurzaming woningen",
    ],
    "infra": ["Grondwerker / machinist", "Straatmaker", "Medewerker wegenbouw"],
    "overig": ["Opzichter versterkingsopgave", "Logistiek medewerker bouw", "Schoonmaak en facilitair"],
}
_WERKPLEIN_ROUTES = ["Oriëntatie bouw en techniek", "Werkfit-traject", "Sollicitatietraining bouw"]


def _traject(rng: random.Random, partner: Partner, bsn: str) -> Traject:
    """One candidate's route, drawn to give a realistic funnel (docs/domain.md: training outcomes)."""
    sector = pick(rng, _TRAJECT_SECTOREN)
    opleiding = rng.choice(_WERKPLEIN_ROUTES if partner.rol != "opleider" else _OPLEIDINGEN[sector])
    aanmeld = FIRST_AANMELDING + dt.timedelta(days=int(((HORIZON - FIRST_AANMELDING).days) * rng.random() ** 0.9))
    t = Traject(
        partner.partner_id,
        bsn,
        pick(rng, _WOONGEMEENTEN),
        pick(rng, _DOELGROEPEN),
        opleiding,
        sector,
        aanmeld,
        None,
        None,
        None,
        None,
        None,
    )
    if rng.random() < 0.08:  # never starts; half of them drop out before starting
        if rng.random() < 0.5:
            t.einddatum, t.uitkomst = aanmeld + dt.timedelta(days=rng.randint(30, 120)), "uitgevallen"
        return t
    t.startdatum = aanmeld + dt.timedelta(days=rng.randint(7, 75))
    months = {"opleider": (3, 10), "werkplein": (1, 4)}.get(partner.rol, (3, 12))
    t.geplande_einddatum = add_months(t.startdatum, rng.randint(*months)) - dt.timedelta(days=1)
    if rng.random() < 0.24:
        t.uitkomst = "uitgevallen"
        t.einddatum = t.startdatum + dt.timedelta(
            days=int((t.geplande_einddatum - t.startdatum).days * rng.uniform(0.1, 0.9))
        )
        return t
    t.uitkomst, t.einddatum = "afgerond", t.geplande_einddatum
    t.certificaat = {"opleider": rng.random() < 0.85, "werkplein": None}.get(partner.rol, rng.random() < 0.5)
    if rng.random() < (0.8 if partner.rol == "opleider" else 0.7):
        t.plaatsing_datum = t.einddatum + dt.timedelta(days=rng.randint(0, 60))
        t.plaatsing_uren_per_week = float(
            rng.choices([40, 38, 36, 32, 28, 24, 20, 16, 12], weights=[20, 15, 20, 12, 8, 8, 7, 6, 4])[0]
        )
        roll = rng.random()
        if roll < 0.2:
            t.plaatsing_einddatum = t.plaatsing_datum + dt.timedelta(days=rng.randint(30, 170))
        elif roll < 0.3:
            t.plaatsing_einddatum = t.plaatsing_datum + dt.timedelta(days=rng.randint(200, 600))
    return t


def draw_trajecten(rng: random.Random, partners: list[Partner], n: int, pool: BsnPool) -> list[Traject]:
    """``n`` trajectories over the providers (by weight), with ids numbered per provider and year."""
    providers = [p for p in partners if p.rol in ("opleider", "werkplein", "sw-bedrijf")]
    weights = [p.gewicht for p in providers]
    out = [_traject(rng, rng.choices(providers, weights=weights)[0], pool.next()) for _ in range(n)]
    _link_werkplein_to_opleider(out, {p.partner_id: p.rol for p in providers})
    out.sort(key=lambda t: (t.partner_id, t.aanmelddatum, t.kandidaat_bsn))
    counters: dict[tuple[str, int], int] = {}
    codes = {p.partner_id: p.code for p in providers}
    for t in out:
        key = (t.partner_id, t.aanmelddatum.year)
        counters[key] = counters.get(key, 0) + 1
        t.traject_id = f"{codes[t.partner_id]}-{t.aanmelddatum.year}-{counters[key]:04d}"
    return out


def _link_werkplein_to_opleider(trajecten: list[Traject], rollen: dict[str, str]) -> None:
    """A job centre refers some candidates to a training institute: one person, two rows."""
    werkplein = [t for t in trajecten if rollen[t.partner_id] == "werkplein" and t.uitkomst == "afgerond"]
    opleider = [t for t in trajecten if rollen[t.partner_id] == "opleider"]
    taken: set[int] = set()
    for w in werkplein[: max(1, round(0.04 * len(werkplein)))]:
        w.plaatsing_datum, w.plaatsing_uren_per_week, w.plaatsing_einddatum = None, None, None
        w.plaatsing_werkgever_kvk = ""
        for i, o in enumerate(opleider):
            if i not in taken and w.einddatum < o.aanmelddatum <= w.einddatum + dt.timedelta(days=120):
                taken.add(i)
                o.kandidaat_bsn = w.kandidaat_bsn
                break


def _active_index(opdrachten: list[Opdracht]) -> dict[tuple[int, int], list[Opdracht]]:
    """Contracts by (year, month) they are active in, to find an employer quickly."""
    index: dict[tuple[int, int], list[Opdracht]] = {}
    for o in opdrachten:
        month = dt.date(o.startdatum.year, o.startdatum.month, 1)
        while month <= min(o.einddatum, HORIZON):
            index.setdefault((month.year, month.month), []).append(o)
            month = add_months(month, 1)
    return index


def place_employers(
    rng: random.Random, trajecten: list[Traject], opdrachten: list[Opdracht], scale: int
) -> list[tuple[Traject, Opdracht]]:
    """Give every placement an employer; 45% land at a contractor with a running contract.

    Returns:
        The trainees placed in a social-return job, with the contract they work on.
    """
    index, trainees = _active_index(opdrachten), []
    for t in trajecten:
        if t.plaatsing_datum is None or t.plaatsing_werkgever_kvk:
            continue
        pd_ = t.plaatsing_datum
        active = [o for o in index.get((pd_.year, pd_.month), []) if o.startdatum <= pd_ <= o.einddatum]
        if active and pd_ <= HORIZON and rng.random() < 0.45:
            contract = rng.choice(active)
            t.plaatsing_werkgever_kvk = contract.opdrachtnemer_kvk
            trainees.append((t, contract))
        else:
            t.plaatsing_werkgever_kvk = employer_kvk(rng.randrange(200 * scale))
    return trainees


_BLOKKEN = {
    "pwet_kort": 17,
    "pwet_lang": 14,
    "banenafspraak": 7,
    "wia": 5,
    "ww_kort": 8,
    "ww_lang": 6,
    "nug": 6,
    "bbl": 14,
    "werkervaringsplaats": 11,
    "sociale_inkoop": 8,
    "scholing": 4,
}
_BLOK_PER_DOELGROEP = {
    "pwet": ["pwet_kort", "pwet_lang"],
    "ww": ["ww_kort", "ww_lang"],
    "wia": ["wia"],
    "wajong": ["banenafspraak"],
    "nug": ["nug"],
    "overig": ["bbl"],
}
_UREN = {40: 22, 38: 12, 36: 20, 32: 14, 28: 6, 24: 8, 20: 6, 16: 5, 12: 3, 10: 1, 8: 1}


def _person_line(rng: random.Random, o: Opdracht, blok: str, start: dt.date) -> Inzetregel:
    if blok == "werkervaringsplaats":
        uren, eind = float(rng.choice([16, 20, 24, 32])), add_months(start, rng.randint(2, 6))
        omschrijving = "Werkervaringsplaats " + rng.choice(["uitvoering", "werkvoorbereiding", "magazijn"])
    else:
        uren = float(pick(rng, _UREN))
        if rng.random() < 0.05:
            uren += 0.5  # some contracts are in half hours: decimal evidence in the column
        span = (6, 24) if blok == "bbl" else (2, 14)
        eind = add_months(start, rng.randint(*span)) if rng.random() < 0.9 else None
        omschrijving = rng.choice(
            [
                "Timmerman",
                "Grondwerker",
                "Leerling-monteur",
                "Opperman",
                "Medewerker bouwplaats",
                "Schilder",
                "Magazijnmedewerker",
            ]
        )
    eind = eind - dt.timedelta(days=1) if eind else None
    return Inzetregel(
        o.opdrachtnemer,
        o.opdrachtgever,
        o.opdracht_id,
        blok,
        start,
        eind,
        uren,
        blok != "werkervaringsplaats" and rng.random() < 0.12,
        None,
        omschrijving,
    )


def _factor_line(rng: random.Random, o: Opdracht, blok: str, start: dt.date, sw_naam: str) -> Inzetregel:
    if blok == "sociale_inkoop":
        bedrag = float(round(math.exp(rng.uniform(math.log(2_000), math.log(150_000)))))
        text = f"Inkoop {rng.choice(['schoonmaak', 'groenonderhoud', 'verhuizing', 'catering'])} bij {sw_naam}"
    else:
        bedrag = float(round(math.exp(rng.uniform(math.log(500), math.log(15_000)))))
        text = rng.choice(["VCA-opleiding kandidaten", "Jobcoaching", "Opleiding heftruckchauffeur"])
    return Inzetregel(o.opdrachtnemer, o.opdrachtgever, o.opdracht_id, blok, start, None, None, False, bedrag, text)


def draw_regels(
    rng: random.Random,
    opdrachten: list[Opdracht],
    trainees: list[tuple[Traject, Opdracht]],
    n: int,
    pool: BsnPool,
    sw_naam: str,
) -> list[Inzetregel]:
    """``n`` realisation lines: the trainees' jobs first, the rest spread over running contracts
    in proportion to their obligation (with noise, so some contracts lag and some run ahead)."""
    out = []
    for t, o in trainees:  # programme trainees in social-return jobs (same candidate)
        blok = "bbl" if rng.random() < 0.25 else rng.choice(_BLOK_PER_DOELGROEP[t.doelgroep])
        line = _person_line(rng, o, blok, t.plaatsing_datum)
        line.uren_per_week, line.einddatum = t.plaatsing_uren_per_week, t.plaatsing_einddatum or line.einddatum
        line.kandidaat_bsn = t.kandidaat_bsn
        out.append(line)
    eligible = [o for o in opdrachten if o.startdatum <= HORIZON]
    weights = [
        o.opdrachtwaarde
        * o.sr_percentage
        / 100
        * rng.gammavariate(2, 0.5)
        * max(1, (min(o.einddatum, HORIZON) - o.startdatum).days)
        / 365
        for o in eligible
    ]
    for o in rng.choices(eligible, weights=weights, k=max(0, n - len(out))):
        start = between(rng, o.startdatum, min(o.einddatum, HORIZON))
        blok = pick(rng, _BLOKKEN)
        out.append(
            _factor_line(rng, o, blok, start, sw_naam)
            if blok in ("sociale_inkoop", "scholing")
            else _person_line(rng, o, blok, start)
        )
    out.sort(key=lambda r: (r.startdatum, r.opdrachtgever, r.opdracht_id, r.bouwblok, r.kandidaat_bsn))
    _assign_candidates(rng, out, pool)
    counters: dict[str, int] = {}
    for r in out:
        counters[r.opdrachtnemer] = counters.get(r.opdrachtnemer, 0) + 1
        r.regel_id = f"{_code(r.opdrachtnemer)}-{counters[r.opdrachtnemer]:05d}"
    return out


def _code(partner_id: str) -> str:
    """Prefix of a contractor's line ids: ``bouwbedrijf-noord`` -> ``BN``, ``aannemer-021`` -> ``A021``."""
    parts = partner_id.split("-")
    return parts[0][0].upper() + parts[-1] if parts[-1].isdigit() else "".join(p[0] for p in parts).upper()


def _assign_candidates(rng: random.Random, regels: list[Inzetregel], pool: BsnPool) -> None:
    """New candidates, or (8%) one whose earlier line has ended: never two lines at once."""
    ended: list[tuple[dt.date, int, str]] = []
    free: list[str] = []
    for seq, r in enumerate(regels):
        if r.bouwblok in ("sociale_inkoop", "scholing"):
            continue
        while ended and ended[0][0] < r.startdatum:
            free.append(heapq.heappop(ended)[2])
        if not r.kandidaat_bsn:
            r.kandidaat_bsn = free.pop(rng.randrange(len(free))) if free and rng.random() < 0.08 else pool.next()
        elif r.kandidaat_bsn in free:
            free.remove(r.kandidaat_bsn)
        if r.einddatum is not None:
            heapq.heappush(ended, (r.einddatum, seq, r.kandidaat_bsn))
