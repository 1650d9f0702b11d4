"""Sections of index.html, the period's front door (reports.md)."""

from __future__ import annotations

import html

import pandas as pd

from pipeline import formatting as fmt
from pipeline.pages.common import paragraph, table
from pipeline.pages.data import PageData
from pipeline.tables import Html


def links(data: PageData) -> Html:
    """Links to every page of the period (relative, so the folder can be moved or mailed)."""
    items = ['<li><a href="regio.html">Regionaal overzicht</a> — voor de stuurgroep en alle partners</li>',
             '<li><a href="kwaliteit.html">Datakwaliteit</a> — leveringen, afgekeurde rijen, bevindingen</li>']
    partner_items = [f'<li><a href="partners/{html.escape(r.partner_id)}.html">{html.escape(r.naam)}</a> '
                     f'({html.escape(r.rol)})</li>' for r in data.partners.sort_values("naam").itertuples()]
    return Html("<ul>" + "".join(items) + "</ul><h3>Per partner</h3><ul class=\"kolommen\">"
                + "".join(partner_items) + "</ul>")


def run_summary(data: PageData) -> Html:
    """Deliveries received / carried forward / missing; rows read / rejected; validation verdict."""
    lev = data.leveringen["status"].value_counts()
    b = data.bestanden[data.bestanden["status"] == "gelezen"]
    read = pd.to_numeric(b["rijen_gelezen"], errors="coerce").sum()
    rejected = pd.to_numeric(b["rijen_afgekeurd"], errors="coerce").sum()
    unreadable = int((data.bestanden["status"] == "onleesbaar").sum())
    rows = pd.DataFrame([
        ("Leveringen ontvangen voor deze periode", fmt.format_int(lev.get("geleverd", 0))),
        ("Overgenomen uit een eerdere periode", fmt.format_int(lev.get("overgenomen", 0))),
        ("Ontbrekend", fmt.format_int(lev.get("ontbreekt", 0))),
        ("Onleesbare bestanden", fmt.format_int(unreadable)),
        ("Rijen gelezen", fmt.format_int(read)),
        ("Rijen afgekeurd", fmt.format_int(rejected)),
        ("Bevindingen (rijen blijven meetellen)", fmt.format_int(len(data.bevindingen))),
    ], columns=["Onderdeel", "Aantal"])
    return table(rows, "Samenvatting van de run")


def verdict(data: PageData) -> Html:
    rejected = len(data.afgekeurd)
    unreadable = int((data.bestanden["status"] == "onleesbaar").sum())
    if rejected == 0 and unreadable == 0:
        return paragraph("Oordeel validatie: alle aangeleverde rijen voldoen aan de regels.")
    return paragraph(f"Oordeel validatie: gepubliceerd met {fmt.format_int(rejected)} afgekeurde waarde(n) en "
                     f"{fmt.format_int(unreadable)} onleesbare bestand(en); zie Datakwaliteit. Afgekeurde rijen tellen niet mee.")
