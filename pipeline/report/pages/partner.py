"""Sections of partners/<partner_id>.html: only that partner's own data (docs/reports.md)."""

from __future__ import annotations

import html

import pandas as pd

from pipeline.report import charts
from pipeline.report import formatting as fmt
from pipeline.report.downloads import partner_contracts
from pipeline.report.pages.common import (
    ROLE_LABELS,
    SEVERITY_LABELS,
    STAGES,
    delivery_sentence,
    file_name,
    note,
    paragraph,
    plural,
    suppressed,
    table,
)
from pipeline.report.pages.data import PageData
from pipeline.report.pages.regio import breakdown, funnel, funnel_counts
from pipeline.report.tables import Html

DAYS_PER_MONTH = 365.25 / 12
BEHIND = ("achterstand", "risico")


def intro(data: PageData, partner_id: str) -> Html:
    """Who this page is for, its role, and whether it delivered for the period."""
    p = data.partner(partner_id)
    text = (
        f"Deze pagina gaat alleen over de gegevens van {p['naam']} "
        f"({ROLE_LABELS.get(p['rol'], p['rol'])}). Peildatum {fmt.format_date(data.period.peildatum)}. "
    )
    return Html(
        f'<p>{html.escape(text)}</p><p class="levering"><strong>Aangeleverd voor '
        f"{html.escape(data.period.code)}:</strong> "
        f"{html.escape(delivery_sentence(data.leveringen, partner_id, data.period.code))}</p>"
    )


def own_contracts(data: PageData, partner_id: str) -> pd.DataFrame:
    """Contracts of an authority (as client) or of a contractor (as contractor), sorted as shown,
    with the authority's name from the register."""
    c = partner_contracts(data.opdrachten, partner_id, data.partner(partner_id)["rol"])
    names = dict(zip(data.partners["partner_id"], data.partners["naam"]))
    c = c.assign(opdrachtgever_naam=[names.get(g, g) for g in c["opdrachtgever"]])
    return c.sort_values(["opdrachtgever", "opdracht_id"]).reset_index(drop=True)


def _other_party(data: PageData, partner_id: str) -> str:
    return "opdrachtnemer_naam" if data.partner(partner_id)["rol"] == "opdrachtgever" else "opdrachtgever_naam"


def contracts_table(data: PageData, partner_id: str) -> Html:
    """Its contracts: who, what, until when, and the status (word + symbol)."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return paragraph("Er zijn geen opdrachten met social return bekend voor deze partner.")
    cols = ["opdracht_id", "omschrijving", _other_party(data, partner_id), "einddatum", "status"]
    return table(c.assign(einddatum=pd.to_datetime(c["einddatum"]))[cols], "Opdrachten")


def amounts_table(data: PageData, partner_id: str) -> Html:
    """Per contract: obligation, expected, realised, share, still to realise, behind schedule,
    persons (suppressed)."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return Html("")
    cols = [
        "opdracht_id",
        "verplichting_eur",
        "verwacht_eur",
        "gerealiseerd_eur",
        "realisatie_pct",
        "nog_te_realiseren_eur",
        "achterstand_eur",
        "kandidaten",
    ]
    return table(
        suppressed(c[cols], ["kandidaten"], total_row=None),
        "Bedragen per opdracht (tot de peildatum)",
        note=note(),
        keep_first=True,
    )


def download_link(data: PageData, partner_id: str) -> Html:
    """Link to ``partners/<partner_id>.xlsx`` (written by :mod:`pipeline.report.downloads` for exactly
    the partners that have contracts)."""
    if own_contracts(data, partner_id).empty:
        return Html("")
    href = html.escape(f"{partner_id}.xlsx", quote=True)
    return Html(
        f'<p class="download"><a href="{href}" download>Download als Excel</a> — dezelfde opdrachten '
        "met bedragen, data en status, om zelf verder mee te rekenen.</p>"
    )


def contract_charts(data: PageData, partner_id: str) -> Html:
    """All its contracts in one chart: realised and expected as share of the obligation."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return Html("")
    return Html(charts.contracts_chart(c, "opdracht_id").html())


def _months_left(einddatum: object, peildatum) -> float:
    return max((pd.Timestamp(einddatum) - pd.Timestamp(peildatum)).days, 0) / DAYS_PER_MONTH


def needed_sentence(row: pd.Series, peildatum) -> str:
    """What a contractor needs to do on one contract (docs/reports.md: "what is needed to get back
    on schedule"), by status.

    >>> r = pd.Series({"status": "risico", "achterstand_eur": 3000.0, "verwacht_eur": 8000.0,
    ...                "gerealiseerd_eur": 5000.0, "nog_te_realiseren_eur": 5000.0, "einddatum": "2021-12-31",
    ...                "verplichting_eur": 10000.0, "startdatum": "2021-01-01"})
    >>> # 92 days to 31-12 = 92 / 30.4375 = 3.0226 months; 5.000 / 3.0226 = 1.654 per month
    >>> needed_sentence(r, "2021-09-30").replace(fmt.NBSP, " ")
    'nog € 3.000 nodig om op schema te komen (verwacht € 8.000, gerealiseerd € 5.000). Voor de hele verplichting is tot 31 december 2021 nog € 5.000 nodig, gemiddeld € 1.654 per maand.'
    """
    eur = fmt.format_eur
    status = row["status"]
    rest = ""
    months = _months_left(row["einddatum"], peildatum)
    if row["nog_te_realiseren_eur"] > 0 and months > 0:
        rest = (
            f" Voor de hele verplichting is tot {fmt.format_date(row['einddatum'])} nog "
            f"{eur(row['nog_te_realiseren_eur'])} nodig, gemiddeld "
            f"{eur(row['nog_te_realiseren_eur'] / max(months, 1))} per maand."
        )
    if status in BEHIND:
        return (
            f"nog {eur(row['achterstand_eur'])} nodig om op schema te komen (verwacht "
            f"{eur(row['verwacht_eur'])}, gerealiseerd {eur(row['gerealiseerd_eur'])})." + rest
        )
    if status == "op_schema":
        return rest.strip()[:1].lower() + rest.strip()[1:] if rest else "op schema."
    if status == "niet_voldaan":
        return (
            f"afgelopen op {fmt.format_date(row['einddatum'])}; {eur(row['nog_te_realiseren_eur'])} van de "
            f"verplichting van {eur(row['verplichting_eur'])} is niet gerealiseerd."
        )
    if status == "nog_niet_gestart":
        return f"begint op {fmt.format_date(row['startdatum'])}; verplichting {eur(row['verplichting_eur'])}."
    return f"voldaan: {eur(row['gerealiseerd_eur'])} gerealiseerd van {eur(row['verplichting_eur'])}."


def catch_up(data: PageData, partner_id: str) -> Html:
    """Per contract that is not yet fulfilled: what is needed, behind-schedule contracts first."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return Html("")
    order = {"risico": 0, "achterstand": 1, "niet_voldaan": 2, "op_schema": 3, "nog_niet_gestart": 4}
    todo = c[c["status"] != "voldaan"]
    todo = todo.assign(_o=todo["status"].map(order)).sort_values(["_o", "opdrachtgever", "opdracht_id"])
    items = [
        f"<li><strong>{html.escape(str(r['opdracht_id']))}</strong> ({html.escape(str(r['opdrachtgever_naam']))}, "
        f"{html.escape(fmt.status_label(r['status']).lower())}): "
        f"{html.escape(needed_sentence(r, data.period.peildatum))}</li>"
        for _, r in todo.iterrows()
    ]
    done = int((c["status"] == "voldaan").sum())
    tail = f"<p>{html.escape(plural(done, 'opdracht is', 'opdrachten zijn'))} voldaan.</p>" if done else ""
    if not items:
        return Html(tail)
    return Html('<ul class="nodig">' + "".join(items) + "</ul>" + tail)


def contractors(data: PageData, partner_id: str) -> Html:
    """Contractors on an authority's contracts."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return paragraph("Geen opdrachtnemers: er zijn geen opdrachten.")
    g = (
        c.assign(opdrachtnemer_naam=c["opdrachtnemer_naam"].fillna("onbekend"))
        .groupby("opdrachtnemer_naam", as_index=False)
        .agg(
            opdrachten=("opdracht_id", "count"),
            verplichting_eur=("verplichting_eur", "sum"),
            gerealiseerd_eur=("gerealiseerd_eur", "sum"),
            achterstand_eur=("achterstand_eur", "sum"),
        )
    )
    return table(g, "Per opdrachtnemer, over al uw opdrachten")


def tenders(data: PageData, partner_id: str) -> Html:
    t = data.aanbestedingen[data.aanbestedingen["opdrachtgever"] == partner_id]
    return table(
        t[["kwartaal", "sector", "aanbestedingen", "sr_waarde_eur", "persoonsjaren"]] if not t.empty else t,
        "Uw geplande aanbestedingen per kwartaal en sector",
        empty="Er staan geen aanbestedingen van u in de aanbestedingskalender voor de komende kwartalen.",
    )


def _has_trajectories(data: PageData, partner_id: str) -> bool:
    return not data.stadia[data.stadia["partner_id"] == partner_id].empty


def training_funnel(data: PageData, partner_id: str):
    if not _has_trajectories(data, partner_id):
        return paragraph("Er zijn geen trajecten van deze partner bekend.")
    return funnel(data, partner_id)


def training_rates(data: PageData, partner_id: str) -> Html:
    """Completion, placement and durable rates of its own candidates; no rate from a hidden count."""
    s = data.stadia
    row = s[(s["partner_id"] == partner_id) & (s["dimensie"] == "totaal")]
    if row.empty:
        return Html("")
    n = {c: int(row[c].iloc[0]) for c in STAGES}
    # hidden as the funnel of this page hides them (with the breakdown's secondary cells)
    hidden = {k for k, v in funnel_counts(data, partner_id).items() if isinstance(v, str)}

    def rate(part: str, *whole: str) -> str:
        if {part, *whole} & hidden or sum(n[w] for w in whole) == 0:
            return fmt.NA_TEXT
        return fmt.format_pct(100 * n[part] / sum(n[w] for w in whole))

    return paragraph(
        f"Afronding {rate('afgerond', 'afgerond', 'uitgevallen')} (afgerond van afgerond + uitgevallen), "
        f"plaatsing {rate('geplaatst', 'afgerond')} van de afgeronde kandidaten, "
        f"duurzaam {rate('duurzaam', 'geplaatst')} van de geplaatste kandidaten."
    )


def training_by_programme(data: PageData, partner_id: str) -> Html:
    if not _has_trajectories(data, partner_id):
        return Html("")
    return breakdown(data, "opleiding", "Kandidaten per opleiding en stap", partner_id=partner_id)


def rejected_rows(data: PageData, partner_id: str) -> Html:
    """Its own rejected rows by file and Excel row, with the Dutch reason (BSN masked)."""
    a = data.afgekeurd[data.afgekeurd["partner_id"] == partner_id]
    a = a.assign(bestand=a["bestand"].map(file_name))
    return table(
        a[["bestand", "rij", "kolom", "waarde", "reden_nl"]] if not a.empty else a,
        "Afgekeurde rijen in uw levering (tellen niet mee)",
        empty="Er zijn geen rijen van uw levering afgekeurd.",
        codes=True,
    )


# Findings whose reason names another partner's file and contract: on a partner's page they say
# only that there is such a line (docs/reports.md: only that partner's own data); kwaliteit.html,
# for the coordinator, keeps the full text.
OTHER_PARTNER_REASONS = {
    "inzet.kandidaat.dubbeltelling": "dezelfde kandidaat staat in een overlappende periode ook op een opdracht "
    "van een andere opdrachtnemer; beide regels tellen mee, de coördinator beslist",
}


def own_reason(regel: str, reden: str, partner_id: str) -> str:
    """The reason as the partner may read it: a cross-partner reason without the other partner.

    >>> own_reason("inzet.kandidaat.dubbeltelling", "... ook op opdracht g/X (2021Q3/ander/inzet.csv rij 3) ...", "mij")
    'dezelfde kandidaat staat in een overlappende periode ook op een opdracht van een andere opdrachtnemer; beide regels tellen mee, de coördinator beslist'
    >>> own_reason("inzet.kandidaat.dubbeltelling", "... (2021Q3/mij/inzet.csv rij 3) ...", "mij")
    '... (2021Q3/mij/inzet.csv rij 3) ...'
    """
    if regel in OTHER_PARTNER_REASONS and f"/{partner_id}/" not in reden:
        return OTHER_PARTNER_REASONS[regel]
    return reden


def findings(data: PageData, partner_id: str) -> Html:
    b = data.bevindingen[data.bevindingen["partner_id"] == partner_id]
    b = b.assign(
        bestand=b["bestand"].map(file_name),
        severity=b["severity"].map(SEVERITY_LABELS).fillna(b["severity"]),
        reden_nl=[own_reason(g, r, partner_id) for g, r in zip(b.get("regel", [""] * len(b)), b["reden_nl"])],
    )
    return table(
        b[["bestand", "rij", "kolom", "waarde", "reden_nl", "severity"]] if not b.empty else b,
        "Bevindingen bij uw levering (rijen tellen wel mee)",
        empty="Er zijn geen bevindingen bij uw levering.",
        codes=True,
    )


def unreadable_files(data: PageData, partner_id: str) -> Html:
    f = data.bestanden[(data.bestanden["partner_id"] == partner_id) & (data.bestanden["status"] != "gelezen")]
    f = f.assign(bestand=f["bestand"].map(file_name))
    return table(
        f[["bestand", "status", "reden_nl"]] if not f.empty else f,
        "Bestanden die niet gelezen konden worden",
        empty="Alle bestanden van uw levering konden worden gelezen.",
        codes=True,
    )


def notes(data: PageData, partner_id: str) -> Html:
    """Notes on its own files that reject nothing (e.g. unknown columns ignored), so a partner
    who misspelled a column header learns of it."""
    m = data.meldingen[data.meldingen["partner_id"] == partner_id]
    if m.empty:
        return Html("")
    m = m.assign(bestand=m["bestand"].map(file_name))
    return table(
        m[["bestand", "melding_nl"]], "Meldingen bij uw bestanden (niets afgekeurd)", headers={"melding_nl": "Melding"}
    )
