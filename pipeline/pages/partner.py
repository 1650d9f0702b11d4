"""Sections of partners/<partner_id>.html: only that partner's own data (reports.md)."""

from __future__ import annotations

import html

import pandas as pd

from pipeline import charts
from pipeline import formatting as fmt
from pipeline.pages.common import ROLE_LABELS, STAGES, delivery_sentence, note, paragraph, suppressed, table
from pipeline.pages.data import PageData
from pipeline.pages.regio import breakdown, funnel
from pipeline.tables import Html


def intro(data: PageData, partner_id: str) -> Html:
    """Who this page is for, its role, and whether it delivered for the period."""
    p = data.partner(partner_id)
    text = (f"Deze pagina gaat alleen over de gegevens van {p['naam']} "
            f"({ROLE_LABELS.get(p['rol'], p['rol'])}). Peildatum {fmt.format_date(data.period.peildatum)}. ")
    return Html(f"<p>{html.escape(text)}</p><p class=\"levering\"><strong>Levering:</strong> "
                f"{html.escape(delivery_sentence(data.leveringen, partner_id, data.period.code))}</p>")


def own_contracts(data: PageData, partner_id: str) -> pd.DataFrame:
    """Contracts of an authority (as client) or of a contractor (as contractor)."""
    o = data.opdrachten
    role = data.partner(partner_id)["rol"]
    if role == "opdrachtgever":
        return o[o["opdrachtgever"] == partner_id]
    if role == "opdrachtnemer":
        return o[o["opdrachtnemer"].astype("string") == partner_id]
    return o.iloc[0:0]


def contracts_table(data: PageData, partner_id: str) -> Html:
    """Its contracts with status, obligation, realised, expected and what is still to be realised."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return paragraph("Er zijn geen opdrachten met social return bekend voor deze partner.")
    role = data.partner(partner_id)["rol"]
    other = "opdrachtnemer_naam" if role == "opdrachtgever" else "opdrachtgever"
    cols = ["opdracht_id", "omschrijving", other, "status", "verplichting_eur", "verwacht_eur", "gerealiseerd_eur",
            "realisatie_pct", "nog_te_realiseren_eur", "achterstand_eur", "kandidaten"]
    rows = c.sort_values(["opdrachtgever", "opdracht_id"])[cols]
    return table(suppressed(rows, ["kandidaten"], total_row=None), "Opdrachten", note=note(),
                 headers={"opdrachtnemer_naam": "Opdrachtnemer"})


def contract_charts(data: PageData, partner_id: str) -> Html:
    """Per contract: realised vs expected vs obligation (a small chart each)."""
    c = own_contracts(data, partner_id).sort_values(["opdrachtgever", "opdracht_id"])
    parts = [charts.contract_chart(r.gerealiseerd_eur, r.verwacht_eur, r.verplichting_eur,
                                   title=f"{r.opdracht_id} — {r.omschrijving}").html()
             for r in c.itertuples()]
    return Html("\n".join(parts))


def contractors(data: PageData, partner_id: str) -> Html:
    """Contractors on an authority's contracts."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return paragraph("Geen opdrachtnemers: er zijn geen opdrachten.")
    g = c.assign(opdrachtnemer_naam=c["opdrachtnemer_naam"].fillna("onbekend")).groupby("opdrachtnemer_naam", as_index=False).agg(
        opdrachten=("opdracht_id", "count"), verplichting_eur=("verplichting_eur", "sum"),
        gerealiseerd_eur=("gerealiseerd_eur", "sum"))
    return table(g, "Opdrachtnemers op uw opdrachten", headers={"opdrachtnemer_naam": "Opdrachtnemer"})


def tenders(data: PageData, partner_id: str) -> Html:
    t = data.aanbestedingen[data.aanbestedingen["opdrachtgever"] == partner_id]
    return table(t[["kwartaal", "sector", "aanbestedingen", "sr_waarde_eur", "persoonsjaren"]] if not t.empty else t,
                 "Uw geplande aanbestedingen (komende kwartalen)")


def training_funnel(data: PageData, partner_id: str):
    if data.stadia[(data.stadia["partner_id"] == partner_id)].empty:
        return paragraph("Er zijn geen trajecten van deze partner bekend.")
    return funnel(data, partner_id)


def training_by_programme(data: PageData, partner_id: str) -> Html:
    return breakdown(data, "opleiding", "Kandidaten per opleiding en stap", partner_id=partner_id)


def rejected_rows(data: PageData, partner_id: str) -> Html:
    """Its own rejected rows by file and Excel row, with the Dutch reason (BSN masked)."""
    a = data.afgekeurd[data.afgekeurd["partner_id"] == partner_id]
    return table(a[["bestand", "rij", "kolom", "waarde", "reden_nl"]] if not a.empty else a,
                 "Afgekeurde rijen in uw levering (niet meegeteld)")


def findings(data: PageData, partner_id: str) -> Html:
    b = data.bevindingen[data.bevindingen["partner_id"] == partner_id]
    return table(b[["bestand", "rij", "kolom", "waarde", "reden_nl", "severity"]] if not b.empty else b,
                 "Bevindingen bij uw levering (rij wel meegeteld)")


def unreadable_files(data: PageData, partner_id: str) -> Html:
    f = data.bestanden[(data.bestanden["partner_id"] == partner_id) & (data.bestanden["status"] != "gelezen")]
    return table(f[["bestand", "status", "reden_nl"]] if not f.empty else f, "Bestanden die niet gelezen konden worden")
