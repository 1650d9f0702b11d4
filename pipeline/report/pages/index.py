"""Sections of index.html, the period's front door (docs/reports.md)."""

from __future__ import annotations

import html

import pandas as pd

from pipeline.report import formatting as fmt
from pipeline.report import labels
from pipeline.report.downloads import partner_contracts
from pipeline.report.pages.common import paragraph, plural, table
from pipeline.report.pages.data import PageData
from pipeline.report.pages.regio import TRAINING_ROLES, funnel_counts, persons
from pipeline.report.tables import Html

PARTNER_GROUPS = (
    ("Opdrachtgevers", ("opdrachtgever",)),
    ("Opdrachtnemers", ("opdrachtnemer",)),
    (labels.roles_phrase(TRAINING_ROLES), TRAINING_ROLES),
)


def links(data: PageData) -> Html:
    """Links to every page of the period (relative, so the folder can be moved or mailed), the
    partner pages grouped by role, each with its Excel file when it has contracts."""
    out = [
        '<ul><li><a href="regio.html">Regionaal overzicht</a> — voor de stuurgroep en alle partners</li>'
        '<li><a href="kwaliteit.html">Datakwaliteit</a> — leveringen, afgekeurde rijen, bevindingen</li></ul>'
    ]
    known = {r for _, roles in PARTNER_GROUPS for r in roles}
    groups = [*PARTNER_GROUPS, ("Overige partners", tuple(sorted(set(data.partners["rol"]) - known)))]
    for title, roles in groups:
        members = data.partners[data.partners["rol"].isin(roles)].sort_values("naam")
        if members.empty:
            continue
        items = []
        for r in members.itertuples():
            pid = html.escape(r.partner_id, quote=True)
            excel = (
                ""
                if partner_contracts(data.opdrachten, r.partner_id, r.rol).empty
                else f' <span class="excel">· <a href="partners/{pid}.xlsx">Excel</a></span>'
            )
            items.append(f'<li><a href="partners/{pid}.html">{html.escape(r.naam)}</a>{excel}</li>')
        out.append(f'<h3>{html.escape(title)}</h3><ul class="kolommen">{"".join(items)}</ul>')
    return Html("".join(out))


def downloads(data: PageData) -> Html:
    """The period's files for spreadsheets and other tools (docs/outputs.md); relative links."""
    items = [
        (
            "data/opdrachten.xlsx",
            "Alle opdrachten als Excel",
            "per opdracht, Nederlandse opmaak, kleine aantallen "
            "personen afgeschermd; elke opdrachtgever en opdrachtnemer krijgt bij zijn eigen pagina alleen zijn eigen opdrachten",
        ),
        ("data/opdrachten.csv", "opdrachten.csv", "machineleesbaar, intern: niet afgeschermd"),
        ("data/trajecten_kpi.json", "trajecten_kpi.json", "uitkomsten van de trajecten, machineleesbaar"),
        ("manifest.json", "manifest.json", "herkomst: invoerbestanden, codeversie, parameters"),
    ]
    return Html(
        "<ul>"
        + "".join(
            f'<li><a href="{html.escape(href, quote=True)}">{html.escape(label)}</a> — {html.escape(text)}</li>'
            for href, label, text in items
        )
        + "</ul>"
    )


def headline(data: PageData) -> Html:
    """The period's headline figures (the regional page has the detail)."""
    r, kpi = data.regio, data.kpi
    counts = r.get("opdrachten_per_status", {})
    behind = int(counts.get("achterstand", 0)) + int(counts.get("risico", 0))
    doel = kpi.get("doel", {})
    rows = pd.DataFrame(
        [
            ("Verplichting (alle opdrachten met social return)", fmt.format_eur(r["verplichting_eur"])),
            (
                "Gerealiseerd tot de peildatum",
                f"{fmt.format_eur(r['gerealiseerd_eur'])} ({fmt.format_pct(r['realisatie_pct'])} van de verplichting)",
            ),
            ("Gerealiseerd tegenover verwacht", fmt.format_pct(r.get("realisatie_vs_verwacht_pct"))),
            (
                "Opdrachten",
                f"{fmt.format_int(r['opdrachten'])}, waarvan {fmt.format_int(counts.get('voldaan', 0))} voldaan "
                f"en {fmt.format_int(behind)} met achterstand of risico",
            ),
            ("Personen bereikt met social return", persons(r["kandidaten"])),
            # as regio.html's funnel shows it: a count hidden there is hidden here too
            (
                "Duurzame plaatsingen (1000-banenplan)",
                f"{fmt.format_int(funnel_counts(data)['duurzaam'])} van "
                f"{fmt.format_int(doel.get('duurzaam'))} "
                f"({fmt.format_pct(doel.get('realisatie_pct'))} van het doel)",
            ),
        ],
        columns=["Kerncijfer", "Waarde"],
    )
    return table(rows, f"Kerncijfers op {fmt.format_date(data.period.peildatum)}")


def run_summary(data: PageData) -> Html:
    """Deliveries received / carried forward / missing; rows read / rejected; validation verdict."""
    lev = data.leveringen["status"].value_counts()
    b = data.bestanden[data.bestanden["status"] == "gelezen"]
    read = pd.to_numeric(b["rijen_gelezen"], errors="coerce").sum()
    rejected = pd.to_numeric(b["rijen_afgekeurd"], errors="coerce").sum()
    unreadable = int((data.bestanden["status"] == "onleesbaar").sum())
    rows = pd.DataFrame(
        [
            ("Leveringen ontvangen voor deze periode", int(lev.get("geleverd", 0))),
            ("Overgenomen uit een eerdere periode", int(lev.get("overgenomen", 0))),
            ("Ontbrekend", int(lev.get("ontbreekt", 0))),
            ("Onleesbare bestanden", unreadable),
            ("Rijen gelezen", int(read)),
            ("Rijen afgekeurd", int(rejected)),
            ("Bevindingen (rijen blijven meetellen)", len(data.bevindingen)),
        ],
        columns=["Onderdeel", "Aantal"],
    )
    return table(rows, "Samenvatting van de run")


def verdict(data: PageData) -> Html:
    """Published with how many rejected rows and unreadable files, and which rules were tested."""
    b = data.bestanden
    rejected = int(pd.to_numeric(b.loc[b["status"] == "gelezen", "rijen_afgekeurd"], errors="coerce").sum())
    unreadable = int((b["status"] == "onleesbaar").sum())
    sets = data.validatie.get("datasets", {}).values()
    tested = sum(int(s.get("expectations_evaluated", 0)) for s in sets)
    failed = sum(int(s.get("expectations_failed", 0)) for s in sets)
    rules = (
        f" {plural(tested, 'regel', 'regels')} getoetst; {plural(failed, 'regel', 'regels')} "
        "niet voor alle rijen gehaald."
    )
    if rejected == 0 and unreadable == 0:
        return paragraph("Oordeel validatie: alle aangeleverde rijen voldoen aan de regels." + rules)
    return paragraph(
        f"Oordeel validatie: gepubliceerd met {plural(rejected, 'afgekeurde rij', 'afgekeurde rijen')} en "
        f"{plural(unreadable, 'onleesbaar bestand', 'onleesbare bestanden')}; zie Datakwaliteit. "
        "Afgekeurde rijen tellen niet mee." + rules
    )
