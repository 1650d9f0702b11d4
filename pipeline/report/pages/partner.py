"""Sections of partners/<partner_id>.html: only that partner's own data (docs/reports.md)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from pipeline.core.settings import settings
from pipeline.report import charts, labels
from pipeline.report import formatting as fmt
from pipeline.report.downloads import CONTRACT_ROLES, partner_contracts
from pipeline.report.pages.common import (
    ROLE_LABELS,
    SEVERITY_LABELS,
    STAGES,
    TOTAL,
    column_shown,
    delivery_sentence,
    display_value,
    file_name,
    note,
    paragraph,
    plural,
    readable_reason,
    suppressed,
    table,
)
from pipeline.report.pages.data import PageData
from pipeline.report.pages.regio import breakdown, funnel, funnel_counts
from pipeline.report.tables import Html

DAYS_PER_MONTH = 365.25 / 12
BEHIND = ("achterstand", "risico")


# Urgency order of the pages (docs/reports.md: "what is needed" first): running contracts behind
# schedule, then ended contracts that fell short, then the rest.
URGENCY = {"risico": 0, "achterstand": 1, "niet_voldaan": 2, "op_schema": 3, "nog_niet_gestart": 4, "voldaan": 5}
ATTENTION = ("risico", "achterstand", "niet_voldaan")


def own_contracts(data: PageData, partner_id: str) -> pd.DataFrame:
    """Contracts of an authority (as client) or of a contractor (as contractor), in urgency order
    (:data:`URGENCY`, then the most behind first), with the authority's name from the register."""
    memo = ("own_contracts", partner_id)
    if memo in data.memo:  # asked by several blocks of one page: sorted once
        return data.memo[memo].copy(deep=False)  # copy on write: a block that changes it changes its own
    rol = data.partner(partner_id)["rol"]
    # partner_contracts' rule (an authority's as client, a contractor's as contractor; the role
    # names the column), found by index
    c = (
        data.rows("opdrachten", partner_id, rol)
        if rol in CONTRACT_ROLES
        else partner_contracts(data.opdrachten, partner_id, rol)
    )
    names = dict(zip(data.partners["partner_id"], data.partners["naam"]))
    c = c.assign(
        opdrachtgever_naam=[names.get(g, g) for g in c["opdrachtgever"]],
        _urgentie=c["status"].map(URGENCY).fillna(len(URGENCY)),
        _achter=-c["achterstand_eur"].fillna(0),
        _open=-c["nog_te_realiseren_eur"].fillna(0),
    )
    c = c.sort_values(["_urgentie", "_achter", "_open", "opdrachtgever", "opdracht_id"], kind="stable")
    data.memo[memo] = c.drop(columns=["_urgentie", "_achter", "_open"]).reset_index(drop=True)
    return data.memo[memo].copy(deep=False)


def _other_party(data: PageData, partner_id: str) -> str:
    return "opdrachtnemer_naam" if data.partner(partner_id)["rol"] == "opdrachtgever" else "opdrachtgever_naam"


def _ended(c: pd.DataFrame) -> pd.Series:
    """Contracts whose term is over without the obligation met (nothing more can be realised)."""
    return c["status"] == "niet_voldaan"


def totals(c: pd.DataFrame) -> dict[str, float | int]:
    """A partner's totals over its contracts (no netting: over-realisation on one contract never
    pays for another, so *nog te realiseren* and *achter op schema* add up per contract).

    >>> c = pd.DataFrame({"status": ["voldaan", "risico", "niet_voldaan"], "verplichting_eur": [10.0, 20.0, 30.0],
    ...     "gerealiseerd_eur": [25.0, 5.0, 10.0], "nog_te_realiseren_eur": [0.0, 15.0, 20.0],
    ...     "achterstand_eur": [0.0, 7.0, 20.0]})
    >>> t = totals(c)
    >>> t["ingevuld_eur"], t["meer_dan_verplicht_eur"], t["nog_te_realiseren_eur"], t["achterstand_eur"], t["afgelopen_tekort_eur"]
    (25.0, 15.0, 15.0, 7.0, 20.0)
    """
    # on the columns' arrays (a page asks twice; pandas' per-call cost was most of it): the same
    # sums, each over the same values in the same order; a contract without a status counts as
    # neither ended nor running, as a missing value in a pandas mask does
    is_ended = _ended(c)
    ended = is_ended.fillna(False).to_numpy(dtype=bool)
    running = (~is_ended).fillna(False).to_numpy(dtype=bool)
    behind = c["status"].isin(BEHIND).to_numpy(dtype=bool)

    def amounts(column: str) -> np.ndarray:
        return c[column].fillna(0).to_numpy(dtype="float64")

    ver, real, open_, short = (
        amounts("verplichting_eur"),
        amounts("gerealiseerd_eur"),
        amounts("nog_te_realiseren_eur"),
        amounts("achterstand_eur"),
    )
    total = np.nansum  # as pandas sums: a value that is not a number (inf - inf) is left out
    return {
        "opdrachten": len(c),
        "verplichting_eur": float(total(ver)),
        "gerealiseerd_eur": float(total(real)),
        "ingevuld_eur": float(total(np.minimum(ver, real))),
        "meer_dan_verplicht_eur": float(total(_over(real, ver))),
        "meer_dan_verplicht_n": int((real > ver).sum()),
        "nog_te_realiseren_eur": float(total(open_[running])),
        "achterstand_eur": float(total(short[behind])),
        "achter_n": int(behind.sum()),
        "afgelopen_tekort_eur": float(total(open_[ended])),
        "afgelopen_n": int(ended.sum()),
    }


def _over(real: np.ndarray, ver: np.ndarray) -> np.ndarray:
    """Realised beyond the obligation per contract (0 when not); inf - inf is no number, and no
    warning, as in pandas."""
    with np.errstate(invalid="ignore"):
        return (real - ver).clip(min=0)


def _tile(label: str, value: str, sentence: str, cls: str = "") -> str:
    extra = f" {cls}" if cls else ""
    return (
        f'<div class="tegel{extra}"><div class="tegel-label">{html.escape(label)}</div>'
        f'<div class="tegel-waarde">{html.escape(value)}</div>'
        f'<p class="tegel-zin">{html.escape(sentence)}</p></div>'
    )


def _status_counts(c: pd.DataFrame) -> str:
    parts = [
        f"{fmt.format_int(n)} {fmt.status_label(s).lower()}"
        for s, n in c["status"].value_counts().items()
        if s in ATTENTION and n
    ]
    parts.sort(key=lambda t: URGENCY.get(t.split(" ", 1)[1].replace(" ", "_"), 9))
    return ", ".join(parts)


def summary(data: PageData, partner_id: str) -> Html:
    """The answer first (issue "pages that answer first"): delivered or not, the number of
    contracts and how many need attention, then tiles with the totals: obligation, realised,
    still to realise, needed to get back on schedule (and what ended contracts left unrealised).
    Training partners get their funnel headline instead of the contract totals."""
    p = data.partner(partner_id)
    eur = fmt.format_eur
    delivered = delivery_sentence(data.leveringen, partner_id, data.period.code)
    head = (
        f'<p class="wie">Alleen over de gegevens van {html.escape(str(p["naam"]))} '
        f"({html.escape(ROLE_LABELS.get(p['rol'], p['rol']))}); stand op "
        f"{html.escape(fmt.format_date(data.period.peildatum))}.</p>"
        f'<p class="levering"><strong>Aangeleverd voor {html.escape(fmt.format_quarter(data.period.code))}:</strong> '
        f"{html.escape(delivered)}</p>"
    )
    c = own_contracts(data, partner_id)
    tiles: list[str] = []
    verdict = ""
    if not c.empty:
        t = totals(c)
        attention = int(c["status"].isin(ATTENTION).sum())
        who = "vragen" if attention != 1 else "vraagt"
        verdict = f"{plural(t['opdrachten'], 'opdracht', 'opdrachten')} met social return"
        verdict += (
            f"; {fmt.format_int(attention)} {who} aandacht ({_status_counts(c)})."
            if attention
            else "; alle op schema of voldaan."
        )
        tiles.append(
            _tile(
                "Verplichting",
                eur(t["verplichting_eur"]),
                f"Samen over {plural(t['opdrachten'], 'opdracht', 'opdrachten')}.",
            )
        )
        over = (
            f" Daarvan {eur(t['meer_dan_verplicht_eur'])} meer dan verplicht op "
            f"{plural(t['meer_dan_verplicht_n'], 'opdracht', 'opdrachten')}; dat telt niet mee voor andere opdrachten."
            if t["meer_dan_verplicht_n"]
            else ""
        )
        share = (
            fmt.format_pct(100 * t["ingevuld_eur"] / t["verplichting_eur"]) if t["verplichting_eur"] else fmt.NA_TEXT
        )
        tiles.append(
            _tile("Gerealiseerd", eur(t["gerealiseerd_eur"]), f"{share} van de verplichting is ingevuld.{over}")
        )
        tiles.append(
            _tile(
                "Nog te realiseren",
                eur(t["nog_te_realiseren_eur"]),
                "Wat van de verplichting van de lopende opdrachten nog openstaat."
                + (
                    f" Met de afgelopen opdrachten erbij: {eur(t['nog_te_realiseren_eur'] + t['afgelopen_tekort_eur'])}."
                    if t["afgelopen_n"]
                    else ""
                ),
            )
        )
        tiles.append(
            _tile(
                "Nodig om op schema te komen",
                eur(t["achterstand_eur"]),
                f"Achterstand op het verwachte bij {plural(t['achter_n'], 'lopende opdracht', 'lopende opdrachten')}."
                if t["achter_n"]
                else "Geen lopende opdracht loopt achter.",
                "let-op" if t["achter_n"] else "",
            )
        )
        if t["afgelopen_n"]:
            tiles.append(
                _tile(
                    "Afgelopen, niet gerealiseerd",
                    eur(t["afgelopen_tekort_eur"]),
                    f"{plural(t['afgelopen_n'], 'opdracht is', 'opdrachten zijn')} afgelopen zonder de verplichting "
                    "te halen; dat is niet meer in te halen.",
                    "let-op",
                )
            )
    elif _has_trajectories(data, partner_id):
        counts = funnel_counts(data, partner_id)
        verdict = (
            "Uw trajecten: "
            + ", ".join(
                f"{fmt.format_int(counts[s])} {STAGE_WORDS[s]}"
                for s in ("aangemeld", "gestart", "afgerond", "geplaatst", "duurzaam")
            )
            + "."
        )
        for s, sentence in (
            ("aangemeld", "Kandidaten aangemeld voor een traject."),
            ("afgerond", "Kandidaten die hun traject afrondden."),
            ("geplaatst", "Kandidaten geplaatst in werk."),
            ("duurzaam", "Kandidaten die duurzaam geplaatst zijn."),
        ):
            tiles.append(_tile(STAGE_WORDS[s].capitalize(), fmt.format_int(counts[s]), sentence))
    elif p["rol"] in ("opdrachtgever", "opdrachtnemer"):
        verdict = "Er zijn geen opdrachten met social return bekend voor deze partner."
    else:
        verdict = "Er zijn geen trajecten van deze partner bekend."
    body = f'<p class="oordeel">{html.escape(verdict)}</p>' if verdict else ""
    grid = f'<div class="tegels">{"".join(tiles)}</div>' if tiles else ""
    return Html(f'<section class="samenvatting" aria-label="Samenvatting">{head}{body}{grid}</section>')


STAGE_WORDS = {
    "aangemeld": "aangemeld",
    "gestart": "gestart",
    "afgerond": "afgerond",
    "uitgevallen": "uitgevallen",
    "certificaat": "met certificaat",
    "geplaatst": "geplaatst",
    "duurzaam": "duurzaam geplaatst",
}


def contracts_table(data: PageData, partner_id: str) -> Html:
    """ONE table of its contracts, in urgency order: who, what, until when, the status (word +
    symbol) and the amounts, persons suppressed, a totals row. An ended contract has no amount
    under "Nodig om op schema te komen" (its shortfall is under "Nog te realiseren")."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return paragraph("Er zijn geen opdrachten met social return bekend voor deze partner.")
    cols = [
        "opdracht_id",
        _other_party(data, partner_id),
        "status",
        "verplichting_eur",
        "gerealiseerd_eur",
        "realisatie_pct",
        "nog_te_realiseren_eur",
        "achterstand_eur",
        "kandidaten",
    ]
    rows = c.assign(
        # the description and the end date under the contract's id (one column instead of three)
        omschrijving=[
            f"{o} · {'einde' if e < str(data.period.peildatum) else 'loopt tot'} "
            + fmt.format_date(e).replace(" ", fmt.NBSP)
            if not fmt.is_missing(e)
            else str(o)
            for o, e in zip(c["omschrijving"], c["einddatum"].astype("string"))
        ],
        achterstand_eur=c["achterstand_eur"].where(~_ended(c)),
    )[[*cols, "omschrijving"]]
    body = suppressed(rows.reset_index(drop=True), ["kandidaten"], total_row=None)
    t = totals(c)
    total = {
        "opdracht_id": TOTAL,
        "omschrijving": plural(t["opdrachten"], "opdracht", "opdrachten"),
        _other_party(data, partner_id): "",
        "status": "",
        "kandidaten": None,
        "verplichting_eur": t["verplichting_eur"],
        "gerealiseerd_eur": t["gerealiseerd_eur"],
        "realisatie_pct": 100 * t["ingevuld_eur"] / t["verplichting_eur"] if t["verplichting_eur"] else None,
        "nog_te_realiseren_eur": float(c["nog_te_realiseren_eur"].fillna(0).sum()),
        "achterstand_eur": t["achterstand_eur"],
    }
    rows = pd.concat([body.astype(object), pd.DataFrame([total]).astype(object)], ignore_index=True)
    return table(
        rows,
        "Uw opdrachten: status en bedragen tot de peildatum",
        note=note(rows)
        + " Realisatie in het totaal: het deel van de verplichting dat is ingevuld (per opdracht ten hoogste de "
        "verplichting). Personen worden niet opgeteld: iemand kan op meer opdrachten werken.",
        columns=cols,
        headers={"opdracht_id": "Opdracht", "realisatie_pct": "Realisatie"},
        subtitles={"opdracht_id": "omschrijving"},
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
    """All its contracts in one chart (urgency order, as the table): realised and expected as
    share of the obligation."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return Html("")
    most = settings().render.grafiek_max_opdrachten
    chart = charts.contracts_chart(c.head(most), "opdracht_id").html()
    if len(c) <= most:
        return Html(chart)
    return Html(
        paragraph(
            f"De grafiek toont de {most} dringendste van uw {fmt.format_int(len(c))} opdrachten, in de volgorde "
            "van de tabel; de tabel hierboven noemt ze allemaal."
        )
        + chart
    )


def _months_left(einddatum: object, peildatum) -> float:
    return max((pd.Timestamp(einddatum) - pd.Timestamp(peildatum)).days, 0) / DAYS_PER_MONTH


def needed_sentence(row: pd.Series, peildatum) -> str:
    """What a contractor needs to do on one contract (docs/reports.md: "what is needed to get back
    on schedule"), by status. An ended contract says what was not realised, never what is
    "needed".

    >>> r = pd.Series({"status": "risico", "achterstand_eur": 3000.0, "verwacht_eur": 8000.0,
    ...                "gerealiseerd_eur": 5000.0, "nog_te_realiseren_eur": 5000.0, "einddatum": "2021-12-31",
    ...                "verplichting_eur": 10000.0, "startdatum": "2021-01-01"})
    >>> # 92 days to 31-12 = 92 / 30.4375 = 3.0226 months; 5.000 / 3.0226 = 1.654 per month
    >>> needed_sentence(r, "2021-09-30").replace(fmt.NBSP, " ")
    'nog € 3.000 nodig om op schema te komen (verwacht € 8.000, gerealiseerd € 5.000). Voor de hele verplichting is tot 31 december 2021 nog € 5.000 nodig, gemiddeld € 1.654 per maand.'
    >>> needed_sentence(pd.Series({**r, "status": "niet_voldaan"}), "2021-09-30").replace(fmt.NBSP, " ")
    'afgelopen: € 5.000 niet gerealiseerd (einde 31 december 2021, verplichting € 10.000).'
    """
    eur = fmt.format_eur
    status = row["status"]
    rest = ""
    months = _months_left(row["einddatum"], peildatum)
    if status == "niet_voldaan":
        return (
            f"afgelopen: {eur(row['nog_te_realiseren_eur'])} niet gerealiseerd (einde "
            f"{fmt.format_date(row['einddatum'])}, verplichting {eur(row['verplichting_eur'])})."
        )
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
    if status == "nog_niet_gestart":
        return f"begint op {fmt.format_date(row['startdatum'])}; verplichting {eur(row['verplichting_eur'])}."
    return f"voldaan: {eur(row['gerealiseerd_eur'])} gerealiseerd van {eur(row['verplichting_eur'])}."


def catch_up(data: PageData, partner_id: str) -> Html:
    """Per contract that is not yet fulfilled: what is needed, most urgent first (risico and
    achterstand by amount behind, then ended contracts, then the rest)."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return Html("")
    todo = c[c["status"] != "voldaan"]
    other = "opdrachtnemer_naam" if data.partner(partner_id)["rol"] == "opdrachtgever" else "opdrachtgever_naam"
    items = [
        f"<li><strong>{html.escape(str(r['opdracht_id']))}</strong> {html.escape(str(r['omschrijving']))} "
        f"({html.escape(str(r[other]) if not fmt.is_missing(r[other]) else 'onbekend')}, "
        f"{html.escape(fmt.status_label(r['status']).lower())}): "
        f"{html.escape(needed_sentence(r, data.period.peildatum))}</li>"
        for r in todo.to_dict("records")  # plain dicts: a row Series per contract costs more than the sentence
    ]
    done = int((c["status"] == "voldaan").sum())
    tail = f"<p>{html.escape(plural(done, 'opdracht is', 'opdrachten zijn'))} voldaan.</p>" if done else ""
    if not items:
        return Html(tail)
    return Html('<ul class="nodig">' + "".join(items) + "</ul>" + tail)


def attention(data: PageData, partner_id: str) -> Html:
    """An authority's contracts that need attention (risico, achterstand, niet voldaan), most
    urgent first, with the contractor and what is behind or was not realised."""
    c = own_contracts(data, partner_id)
    todo = c[c["status"].isin(ATTENTION)]
    if c.empty:
        return Html("")
    if todo.empty:
        return paragraph("Geen van uw opdrachten vraagt aandacht: alle zijn op schema, voldaan of nog niet gestart.")
    items = [
        f"<li><strong>{html.escape(str(r['opdracht_id']))}</strong> {html.escape(str(r['omschrijving']))} "
        f"({html.escape(str(r['opdrachtnemer_naam']) if not fmt.is_missing(r['opdrachtnemer_naam']) else 'opdrachtnemer onbekend')}, "
        f"{html.escape(fmt.status_label(r['status']).lower())}): "
        f"{html.escape(needed_sentence(r, data.period.peildatum))}</li>"
        for r in todo.to_dict("records")  # plain dicts: a row Series per contract costs more than the sentence
    ]
    return Html('<ul class="nodig">' + "".join(items) + "</ul>")


def contractors(data: PageData, partner_id: str) -> Html:
    """Contractors on an authority's contracts: what is behind on running contracts, and apart
    from it what ended contracts left unrealised (never "needed to get back on schedule")."""
    c = own_contracts(data, partner_id)
    if c.empty:
        return paragraph("Geen opdrachtnemers: er zijn geen opdrachten.")
    ended = _ended(c)
    g = (
        c.assign(
            opdrachtnemer_naam=c["opdrachtnemer_naam"].fillna("onbekend"),
            achterstand_eur=c["achterstand_eur"].where(~ended, 0.0),
            afgelopen_eur=c["nog_te_realiseren_eur"].where(ended, 0.0),
        )
        .groupby("opdrachtnemer_naam", as_index=False)
        .agg(
            opdrachten=("opdracht_id", "count"),
            verplichting_eur=("verplichting_eur", "sum"),
            gerealiseerd_eur=("gerealiseerd_eur", "sum"),
            achterstand_eur=("achterstand_eur", "sum"),
            afgelopen_eur=("afgelopen_eur", "sum"),
        )
    )
    cols = ["opdrachtnemer_naam", "opdrachten", "verplichting_eur", "gerealiseerd_eur", "achterstand_eur"]
    if (g["afgelopen_eur"] > 0).any():
        cols.append("afgelopen_eur")
    return table(
        g[cols],
        "Per opdrachtnemer, over al uw opdrachten",
        headers={"afgelopen_eur": "Afgelopen, niet gerealiseerd"},
    )


def tenders(data: PageData, partner_id: str) -> Html:
    t = data.rows("aanbestedingen", partner_id, "opdrachtgever")
    if not t.empty:
        t = t.assign(sector=labels.map_column(t["sector"], "sector"))
    return table(
        t[["kwartaal", "sector", "aanbestedingen", "sr_waarde_eur", "persoonsjaren"]] if not t.empty else t,
        "Uw geplande aanbestedingen per kwartaal en sector",
        empty="Er staan geen aanbestedingen van u in de aanbestedingskalender voor de komende kwartalen.",
    )


def _has_trajectories(data: PageData, partner_id: str) -> bool:
    return not data.rows("stadia", partner_id).empty


def training_funnel(data: PageData, partner_id: str):
    if not _has_trajectories(data, partner_id):
        return paragraph("Er zijn geen trajecten van deze partner bekend.")
    return funnel(data, partner_id)


def training_rates(data: PageData, partner_id: str) -> Html:
    """Completion, placement and durable rates of its own candidates; no rate from a hidden count."""
    s = data.rows("stadia", partner_id)
    row = s[s["dimensie"] == "totaal"]
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


def _in_words(rows: pd.DataFrame) -> pd.DataFrame:
    """Findings or rejected rows as the partner reads them: the column by its header as delivered
    (``kolom_bestand`` when the clean step recorded it, else the standard's name in words), the
    value Dutch-formatted, the reason without codes."""
    delivered = rows["kolom_bestand"] if "kolom_bestand" in rows else pd.Series([None] * len(rows), index=rows.index)
    return rows.assign(
        bestand=rows["bestand"].map(file_name),
        waarde=[display_value(v, k) for v, k in zip(rows["waarde"], rows["kolom"])],
        reden_nl=rows["reden_nl"].map(readable_reason),
        kolom=[column_shown(k, b) for k, b in zip(rows["kolom"], delivered)],
    )


FINDING_HEADERS = {"kolom": "Kolom in uw bestand", "waarde": "Waarde in uw bestand"}


def rejected_rows(data: PageData, partner_id: str) -> Html:
    """Its own rejected rows by file and Excel row, with the Dutch reason (BSN masked)."""
    a = data.rows("afgekeurd", partner_id)
    if not a.empty:
        a = _in_words(a)
    return table(
        a[["bestand", "rij", "kolom", "waarde", "reden_nl"]] if not a.empty else a,
        "Afgekeurde rijen in uw levering (tellen niet mee)",
        empty="Er zijn geen rijen van uw levering afgekeurd.",
        headers=FINDING_HEADERS,
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
    b = data.rows("bevindingen", partner_id)
    if not b.empty:
        b = b.assign(
            severity=b["severity"].map(SEVERITY_LABELS).fillna(b["severity"]),
            reden_nl=[own_reason(g, r, partner_id) for g, r in zip(b.get("regel", [""] * len(b)), b["reden_nl"])],
        )
        b = _in_words(b)
    return table(
        b[["bestand", "rij", "kolom", "waarde", "reden_nl", "severity"]] if not b.empty else b,
        "Bevindingen bij uw levering (rijen tellen wel mee)",
        empty="Er zijn geen bevindingen bij uw levering.",
        headers=FINDING_HEADERS,
        codes=True,
    )


def _unread(data: PageData, partner_id: str) -> pd.DataFrame:
    own = data.rows("bestanden", partner_id)
    return own[own["status"] != "gelezen"]


def unreadable_files(data: PageData, partner_id: str) -> Html:
    f = _unread(data, partner_id)
    f = f.assign(bestand=f["bestand"].map(file_name), reden_nl=f["reden_nl"].map(readable_reason))
    return table(
        f[["bestand", "status", "reden_nl"]] if not f.empty else f,
        "Bestanden die niet gelezen konden worden",
        empty="Alle bestanden van uw levering konden worden gelezen.",
        codes=True,
    )


def notes(data: PageData, partner_id: str) -> Html:
    """Notes on its own files that reject nothing (e.g. unknown columns ignored), so a partner
    who misspelled a column header learns of it."""
    if "partner_id" not in data.meldingen:  # no notes at all this period
        return Html("")
    m = data.rows("meldingen", partner_id)
    if m.empty:
        return Html("")
    m = m.assign(bestand=m["bestand"].map(file_name), melding_nl=m["melding_nl"].map(readable_reason))
    return table(
        m[["bestand", "melding_nl"]], "Meldingen bij uw bestanden (niets afgekeurd)", headers={"melding_nl": "Melding"}
    )


def quality(data: PageData, partner_id: str) -> Html:
    """The quality of its own deliveries in one block: what is in order said in one sentence,
    then only the tables that hold something (unreadable files, notes, rejected rows, findings)."""
    own = {
        "files": _unread(data, partner_id),
        "rejected": data.rows("afgekeurd", partner_id),
        "findings": data.rows("bevindingen", partner_id),
    }
    fine = [
        text
        for key, text in (
            ("files", "alle bestanden van uw levering konden worden gelezen"),
            ("rejected", "er zijn geen rijen afgekeurd"),
            ("findings", "er zijn geen bevindingen"),
        )
        if own[key].empty
    ]
    parts = []
    if fine:
        sentence = fine[0] if len(fine) == 1 else ", ".join(fine[:-1]) + " en " + fine[-1]
        parts.append(paragraph(sentence[:1].upper() + sentence[1:] + "."))
    if not own["files"].empty:
        parts.append(unreadable_files(data, partner_id))
    parts.append(notes(data, partner_id))
    if not own["rejected"].empty:
        parts.append(rejected_rows(data, partner_id))
    if not own["findings"].empty:
        parts.append(findings(data, partner_id))
    return Html('<div class="kwaliteit-levering">' + "\n".join(p for p in parts if p) + "</div>")
