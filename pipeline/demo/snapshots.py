"""Quarterly full snapshots of the demo region, as each partner would export them.

A snapshot holds everything the partner knew on the peildatum (docs/domain.md: "a full snapshot as
of the peildatum"): contracts awarded by then, lines started by then, trajectories registered by
then with their status as of then (a trajectory finishing later shows ``gestart``), placement
dates only when they have happened, tenders still to be published. Rows are dicts keyed by the
standard's column names with typed values; :mod:`pipeline.demo.render` writes them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from pipeline.demo.model import Aanbesteding, Inzetregel, Opdracht, Traject, World

Snapshot = dict[tuple[str, str], list[dict]]  # (partner_id, dataset) -> rows


def opdracht_row(o: Opdracht) -> dict:
    return {
        "opdracht_id": o.opdracht_id,
        "omschrijving": o.omschrijving,
        "soort": o.soort,
        "sector": o.sector,
        "opdrachtnemer_kvk": o.opdrachtnemer_kvk,
        "opdrachtnemer_naam": o.opdrachtnemer_naam,
        "gunningsdatum": o.gunningsdatum,
        "startdatum": o.startdatum,
        "einddatum": o.einddatum,
        "opdrachtwaarde": o.opdrachtwaarde,
        "sr_percentage": o.sr_percentage,
        "sr_verplichting": o.sr_verplichting,
    }


def inzet_row(r: Inzetregel, peildatum: dt.date, toont_plannen: bool) -> dict:
    # an end after the peildatum is only known to partners whose systems hold contract ends
    eind = r.einddatum if r.einddatum and (r.einddatum <= peildatum or toont_plannen) else None
    return {
        "regel_id": r.regel_id,
        "opdrachtgever": r.opdrachtgever,
        "opdracht_id": r.opdracht_id,
        "bouwblok": r.bouwblok,
        "kandidaat_bsn": r.kandidaat_bsn,
        "startdatum": r.startdatum,
        "einddatum": eind,
        "uren_per_week": r.uren_per_week,
        "vijftig_plus": r.vijftig_plus,
        "bedrag": r.bedrag,
        "omschrijving": r.omschrijving,
    }


def traject_row(t: Traject, peildatum: dt.date, toont_plannen: bool) -> dict:
    """The trajectory as its provider saw it on the peildatum (docs/exports.md: no future facts)."""
    status, start, eind, certificaat = "aangemeld", None, None, None
    if t.einddatum is not None and t.einddatum <= peildatum:
        status, start, eind = t.uitkomst, t.startdatum, t.einddatum
        certificaat = t.certificaat if status == "afgerond" else None
    elif t.startdatum is not None and t.startdatum <= peildatum:
        status, start = "gestart", t.startdatum
        eind = t.geplande_einddatum if toont_plannen else None  # a plan, allowed after the peildatum
    placed = t.plaatsing_datum is not None and t.plaatsing_datum <= peildatum
    ended = placed and t.plaatsing_einddatum is not None and t.plaatsing_einddatum <= peildatum
    return {
        "traject_id": t.traject_id,
        "kandidaat_bsn": t.kandidaat_bsn,
        "woongemeente": t.woongemeente,
        "doelgroep": t.doelgroep,
        "opleiding": t.opleiding,
        "sector": t.sector,
        "aanmelddatum": t.aanmelddatum,
        "startdatum": start,
        "einddatum": eind,
        "status": status,
        "certificaat": certificaat,
        "plaatsing_datum": t.plaatsing_datum if placed else None,
        "plaatsing_werkgever_kvk": t.plaatsing_werkgever_kvk if placed else "",
        "plaatsing_uren_per_week": t.plaatsing_uren_per_week if placed else None,
        "plaatsing_einddatum": t.plaatsing_einddatum if ended else None,
    }


def aanbesteding_row(a: Aanbesteding) -> dict:
    return {
        "aanbesteding_id": a.aanbesteding_id,
        "omschrijving": a.omschrijving,
        "soort": a.soort,
        "sector": a.sector,
        "verwachte_publicatie": a.verwachte_publicatie,
        "verwachte_start": a.verwachte_start,
        "geraamde_waarde": a.geraamde_waarde,
        "sr_percentage": a.sr_percentage,
    }


class Snapshotter:
    """Cuts :class:`World` into per-period deliveries; groups the truth once, by partner."""

    def __init__(self, world: World, plans: set[str]) -> None:
        self.world = world
        self.plans = plans  # partners whose exports show planned end dates
        self.opdrachten: dict[str, list[Opdracht]] = defaultdict(list)
        self.regels: dict[str, list[Inzetregel]] = defaultdict(list)
        self.trajecten: dict[str, list[Traject]] = defaultdict(list)
        self.aanbestedingen: dict[str, list[Aanbesteding]] = defaultdict(list)
        for o in sorted(world.opdrachten, key=lambda o: o.opdracht_id):
            self.opdrachten[o.opdrachtgever].append(o)
        for r in sorted(world.regels, key=lambda r: r.regel_id):
            self.regels[r.opdrachtnemer].append(r)
        for t in sorted(world.trajecten, key=lambda t: t.traject_id):
            self.trajecten[t.partner_id].append(t)
        for a in sorted(world.aanbestedingen, key=lambda a: (a.verwachte_publicatie, a.aanbesteding_id)):
            self.aanbestedingen[a.opdrachtgever].append(a)

    def cut(self, peildatum: dt.date) -> Snapshot:
        """Every delivery of the period: authorities always deliver both of their datasets (maybe
        empty); contractors and providers deliver only once they have something to report."""
        out: Snapshot = {}
        for p in self.world.partners:
            pid, plans = p.partner_id, p.partner_id in self.plans
            if p.rol == "opdrachtgever":
                out[(pid, "opdrachten")] = [
                    opdracht_row(o) for o in self.opdrachten[pid] if o.gunningsdatum <= peildatum
                ]
                out[(pid, "aanbestedingskalender")] = [
                    aanbesteding_row(a)
                    for a in self.aanbestedingen[pid]
                    if a.zichtbaar_vanaf <= peildatum < a.verwachte_publicatie
                ]
            elif p.rol == "opdrachtnemer":
                rows = [inzet_row(r, peildatum, plans) for r in self.regels[pid] if r.startdatum <= peildatum]
                if rows:
                    out[(pid, "inzet")] = rows
            else:
                rows = [traject_row(t, peildatum, plans) for t in self.trajecten[pid] if t.aanmelddatum <= peildatum]
                if rows:
                    out[(pid, "trajecten")] = rows
        return out
