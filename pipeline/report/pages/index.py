"""Sections of index.html, the period's front door (docs/reports.md)."""

from __future__ import annotations

import html

import pandas as pd

from pipeline.indicators.fulfilment import ATTENTION_STATUSES
from pipeline.orchestrate.outputs import tier_of
from pipeline.report import formatting as fmt
from pipeline.report import labels
from pipeline.report.downloads import partner_contracts
from pipeline.report.pages.common import paragraph, plural, table
from pipeline.report.pages.data import PageData
from pipeline.report.pages.regio import TRAINING_ROLES, funnel_counts, lead_sentence, persons
from pipeline.report.tables import Html

PARTNER_GROUPS = (
    ("Opdrachtgevers", ("opdrachtgever",)),
    ("Opdrachtnemers", ("opdrachtnemer",)),
    (labels.roles_phrase(TRAINING_ROLES), TRAINING_ROLES),
)


def _checked(href: str, tier: str) -> str:
    """``href``, after checking that its group matches the output's tier in the manifest
    (pipeline/orchestrate/outputs.py): nothing internal is ever listed as shareable."""
    declared = tier_of("reports", href)
    if declared != tier:
        raise ValueError(f"{href} is {declared}, listed as {tier}")
    return href


def _link(href: str, label: str, text: str = "", tier: str = "deelbaar") -> str:
    _checked(href, tier)
    more = f" — {html.escape(text)}" if text else ""
    return f'<li><a href="{html.escape(href, quote=True)}">{html.escape(label)}</a>{more}</li>'


def shareable(data: PageData) -> Html:
    """The pages that may leave the coordinator's desk (tier ``deelbaar``): the regional overview
    for everyone, and each partner's page and Excel file for that partner only, grouped by role."""
    out = [
        '<section class="groep groep-deelbaar" aria-label="Om te delen">',
        '<p class="groep-uitleg">Deze pagina\'s mogen naar buiten: het regionaal overzicht naar de stuurgroep en '
        "alle partners, de werkwijze naar iedereen, de pagina en het Excel-bestand van een partner alleen naar die "
        "partner.</p>",
        "<ul>"
        + _link("regio.html", "Regionaal overzicht", "voor de stuurgroep en alle partners")
        + _link("werkwijze.html", "Werkwijze", "de uniforme regionale werkwijze: voor iedereen, ook in aanbestedingen")
        + "</ul>",
    ]
    known = {r for _, roles in PARTNER_GROUPS for r in roles}
    groups = [*PARTNER_GROUPS, ("Overige partners", tuple(sorted(set(data.partners["rol"]) - known)))]
    for title, roles in groups:
        members = data.partners[data.partners["rol"].isin(roles)].sort_values("naam")
        if members.empty:
            continue
        items = []
        for r in members.itertuples():
            page = _checked(f"partners/{r.partner_id}.html", "deelbaar")
            excel = ""
            if not partner_contracts(data.opdrachten, r.partner_id, r.rol).empty:
                xlsx = _checked(f"partners/{r.partner_id}.xlsx", "deelbaar")
                excel = f' <span class="excel">· <a href="{html.escape(xlsx, quote=True)}">Excel</a></span>'
            items.append(f'<li><a href="{html.escape(page, quote=True)}">{html.escape(r.naam)}</a>{excel}</li>')
        out.append(f'<h3>{html.escape(title)}</h3><ul class="kolommen">{"".join(items)}</ul>')
    out.append("</section>")
    return Html("".join(out))


INTERNAL = (
    ("kwaliteit.html", "Datakwaliteit", "leveringen, afgekeurde rijen en bevindingen van alle partners"),
    (
        "data/opdrachten.xlsx",
        "Alle opdrachten als Excel",
        "per opdracht, Nederlandse opmaak; elke partner krijgt bij zijn eigen pagina alleen zijn eigen opdrachten",
    ),
    ("data/opdrachten.csv", "Alle opdrachten, machineleesbaar (CSV)", "kleine aantallen personen niet afgeschermd"),
    ("data/trajecten_kpi.json", "Uitkomsten van de trajecten, machineleesbaar (JSON)", ""),
    ("manifest.json", "Herkomst van deze publicatie (JSON)", "invoerbestanden, codeversie, parameters"),
)


def internal(data: PageData) -> Html:
    """What stays with the coordinator (tier ``intern``): the quality page and the data files."""
    items = "".join(_link(href, label, text, tier="intern") for href, label, text in INTERNAL)
    return Html(
        '<section class="groep groep-intern" aria-label="Intern, niet doorsturen">'
        '<p class="groep-uitleg">Alleen voor de coördinator: deze pagina en bestanden tonen alle partners, '
        "of aantallen personen zonder afscherming.</p>"
        f"<ul>{items}</ul></section>"
    )


def links(data: PageData) -> Html:
    """Every page and file of the period in its two groups (relative links)."""
    return Html(shareable(data) + internal(data))


def downloads(data: PageData) -> Html:
    """The period's files for spreadsheets and other tools (docs/outputs.md): the internal group."""
    return internal(data)


def headline(data: PageData) -> Html:
    """The period's key figures, first on the page: the regional verdict in one sentence, then the
    figures that carry it (regio.html has the detail). Fulfilment without netting first
    (docs/reports.md); the netted realisation is labelled as including over-realisation."""
    r, kpi = data.regio, data.kpi
    counts = r.get("opdrachten_per_status", {})
    attention = sum(int(counts.get(s, 0)) for s in ATTENTION_STATUSES)
    doel = kpi.get("doel", {})
    rows = [("Verplichting (alle opdrachten met social return)", fmt.format_eur(r["verplichting_eur"]))]
    if r.get("ingevuld_eur") is not None:
        rows.append(
            (
                "Ingevuld, per opdracht tot haar verplichting",
                f"{fmt.format_eur(r['ingevuld_eur'])} ({fmt.format_pct(r.get('ingevuld_pct'))} van de verplichting, "
                f"{fmt.format_pct(r.get('ingevuld_vs_verwacht_pct'))} van het verwachte)",
            )
        )
    rows += [
        (
            "Gerealiseerd, inclusief meer dan verplicht",
            f"{fmt.format_eur(r['gerealiseerd_eur'])} ({fmt.format_pct(r['realisatie_pct'])} van de verplichting)",
        ),
        ("Nog te realiseren", fmt.format_eur(r.get("nog_te_realiseren_eur"))),
        ("Achter op schema", fmt.format_eur(r.get("achterstand_eur"))),
        (
            "Opdrachten",
            f"{fmt.format_int(r['opdrachten'])}, waarvan {fmt.format_int(counts.get('voldaan', 0))} voldaan "
            f"en {fmt.format_int(attention)} die aandacht vragen",
        ),
        ("Personen bereikt met social return", persons(r["kandidaten"])),
        # as regio.html's funnel shows it: a count hidden there is hidden here too
        (
            "Duurzame plaatsingen (1000-banenplan)",
            f"{fmt.format_int(funnel_counts(data)['duurzaam'])} van "
            f"{fmt.format_int(doel.get('duurzaam'))} "
            f"({fmt.format_pct(doel.get('realisatie_pct'))} van het doel)" + _outlook(doel),
        ),
    ]
    frame = pd.DataFrame(rows, columns=["Kerncijfer", "Waarde"])
    lead = lead_sentence(r, doel, attention) if r.get("ingevuld_pct") is not None else ""
    return Html(
        (f'<p class="oordeel-zin">{html.escape(lead)}</p>' if lead else "")
        + table(frame, f"Kerncijfers op {fmt.format_date(data.period.peildatum)}")
    )


def _outlook(doel: dict) -> str:
    """``; in dit tempo pas in K2 2025`` after the durable placements, when the target is not met."""
    when = doel.get("kwartaal_doel_bij_tempo")
    if not doel.get("nog_nodig") or doel.get("doel_gehaald_bij_tempo") is None:
        return ""
    if doel.get("doel_gehaald_bij_tempo"):
        return f"; in dit tempo op tijd ({fmt.format_quarter(when)})"
    return "; in dit tempo niet op tijd" + (f", pas in {fmt.format_quarter(when)}" if when else "")


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
