"""Sections of regio.html, the regional overview (docs/reports.md)."""

from __future__ import annotations

import html

import pandas as pd
from babel.dates import format_date

from pipeline.core.schema import dataset_spec
from pipeline.core.settings import settings
from pipeline.disclosure.suppress import CountTable, suppress_linked, suppress_small_counts
from pipeline.indicators.fulfilment import ATTENTION_STATUSES
from pipeline.report import charts, labels
from pipeline.report import formatting as fmt
from pipeline.report.pages.common import (
    FORMATS,
    HEADERS,
    ROLE_LABELS,
    STAGES,
    note,
    paragraph,
    plural,
    suppressed,
    table,
)
from pipeline.report.pages.data import PageData
from pipeline.report.tables import Html, html_table


def _tile(title: str, figure: str, sentence: str, kind: str, extra: str = "") -> str:
    more = f'<p class="tegel-extra">{html.escape(extra)}</p>' if extra else ""
    return (
        f'<div class="tegel tegel-{kind}"><p class="tegel-kop">{html.escape(title)}</p>'
        f'<p class="tegel-getal">{html.escape(figure)}</p><p class="tegel-zin">{html.escape(sentence)}</p>{more}</div>'
    )


def _pace_words(pace: float) -> str:
    """The mean of a few quarters' person counts: a count below 5 is not shown (docs/domain.md)."""
    return "minder dan 5" if pace < 5 else fmt.format_int(round(pace))


def target_outlook_sentence(data: PageData) -> str:
    """The 1.000 target's outlook in words: at this pace reached or not, and when."""
    doel = data.kpi.get("doel", {})
    target, date = fmt.format_int(doel.get("duurzaam")), fmt.format_date(doel.get("datum"))
    quarters = doel.get("tempo_kwartalen") or 0
    pace = doel.get("tempo_per_kwartaal")
    when = doel.get("kwartaal_doel_bij_tempo")
    if not doel.get("nog_nodig"):
        return f"Het doel van {target} duurzame plaatsingen is gehaald."
    if pace is None:
        return f"Nog {fmt.format_int(doel.get('nog_nodig'))} duurzame plaatsingen nodig vóór {date}."
    words = {2: "twee", 3: "drie", 4: "vier"}
    over = "het laatste kwartaal" if quarters == 1 else f"de laatste {words.get(quarters, quarters)} kwartalen"
    text = f"In {over} kwamen er gemiddeld {_pace_words(pace)} per kwartaal bij. "
    if doel.get("doel_gehaald_bij_tempo"):
        text += f"In dit tempo wordt het doel gehaald vóór {date} (in {fmt.format_quarter(when)})."
    elif when:
        text += f"In dit tempo wordt het doel niet gehaald vóór {date}, maar pas in {fmt.format_quarter(when)}."
    else:
        text += f"In dit tempo wordt het doel niet gehaald vóór {date}."
    rest = doel.get("resterende_kwartalen") or 0
    if rest == 1:
        text += f" Daarvoor zijn nog {fmt.format_int(doel.get('nog_nodig'))} plaatsingen nodig in het laatste kwartaal."
    elif rest:
        text += (
            f" Daarvoor zijn nog {fmt.format_int(doel.get('nog_nodig'))} plaatsingen nodig in "
            f"{plural(int(rest), 'kwartaal', 'kwartalen')}"
            f" ({fmt.format_int(round(doel['nodig_per_resterend_kwartaal']))} per kwartaal)."
        )
    return text


def verdict(data: PageData) -> Html:
    """regio.html's first block (docs/reports.md, "Verdict first"): four tiles, each a figure and one
    plain sentence: the obligation filled without netting, what is still to realise, what is
    behind schedule, and the programme target's outlook."""
    r, doel = data.regio, data.kpi.get("doel", {})
    counts = r.get("opdrachten_per_status", {})
    n_attention = sum(int(counts.get(s, 0)) for s in ATTENTION_STATUSES)
    over = r.get("meer_dan_verplicht_eur") or 0
    n_over = int(r.get("opdrachten_meer_dan_verplicht") or 0)
    filled = (
        f"{fmt.format_eur(r.get('ingevuld_eur'))} van de verplichting van {fmt.format_eur(r['verplichting_eur'])} is "
        f"ingevuld, per opdracht tot ten hoogste haar eigen verplichting. Dat is "
        f"{fmt.format_pct(r.get('ingevuld_vs_verwacht_pct'))} van wat tot de peildatum verwacht mocht worden."
    )
    extra = (
        f"{fmt.format_eur(over)} meer dan verplicht op {plural(n_over, 'opdracht', 'opdrachten')}; "
        "telt niet mee voor andere opdrachten."
        if n_over
        else ""
    )
    still = "Zoveel ontbreekt nog tot de volle verplichting van alle opdrachten" + (
        f", waarvan {fmt.format_eur(r.get('niet_voldaan_eur'))} op "
        f"{plural(int(counts.get('niet_voldaan', 0)), 'afgelopen opdracht', 'afgelopen opdrachten')} "
        "die niet voldaan zijn; dat wordt niet meer ingehaald."
        if counts.get("niet_voldaan")
        else "."
    )
    behind = (
        "Zoveel lopen de opdrachten samen achter op wat tot de peildatum verwacht mocht worden (voor een "
        "afgelopen opdracht: de hele verplichting). "
        f"{plural(n_attention, 'opdracht vraagt', 'opdrachten vragen')} aandacht "
        f"({_status_phrase(counts)}); zie de lijst hieronder."
    )
    done = funnel_counts(data)["duurzaam"]
    tiles = [
        _tile("Verplichting ingevuld", fmt.format_pct(r.get("ingevuld_pct")), filled, "ingevuld", extra),
        _tile("Nog te realiseren", fmt.format_eur(r.get("nog_te_realiseren_eur")), still, "nog"),
        _tile("Achter op schema", fmt.format_eur(r.get("achterstand_eur")), behind, "achter"),
        _tile(
            f"Doel {fmt.format_int(doel.get('duurzaam'))} duurzame plaatsingen",
            f"{fmt.format_int(done)} van {fmt.format_int(doel.get('duurzaam'))}",
            target_outlook_sentence(data),
            "doel-gehaald" if doel.get("doel_gehaald_bij_tempo") else "doel",
        ),
    ]
    intro = (
        f"Stand op {fmt.format_date(data.period.peildatum)}, "
        f"{plural(int(r['opdrachten']), 'opdracht', 'opdrachten')} met social return."
    )
    lead = lead_sentence(r, doel, n_attention)
    return Html(
        '<section class="oordeel" aria-label="Oordeel in het kort">'
        f'<p class="oordeel-intro">{html.escape(intro)}</p><p class="oordeel-zin">{html.escape(lead)}</p>'
        f'<div class="tegels">{"".join(tiles)}</div></section>'
    )


def lead_sentence(regio: dict, doel: dict, n_attention: int) -> str:
    """The verdict in one sentence, above the tiles.

    >>> lead_sentence({"ingevuld_pct": 53.3}, {"nog_nodig": 719, "doel_gehaald_bij_tempo": False,
    ...                "duurzaam": 1000}, 51)
    'De verplichting is voor 53,3% ingevuld, 51 opdrachten vragen aandacht en het doel van 1.000 duurzame plaatsingen wordt in het huidige tempo niet op tijd gehaald.'
    """
    if not doel.get("nog_nodig"):
        target = "is gehaald"
    elif doel.get("doel_gehaald_bij_tempo"):
        target = "wordt in het huidige tempo op tijd gehaald"
    else:
        target = "wordt in het huidige tempo niet op tijd gehaald"
    attention = (
        "geen opdracht vraagt aandacht"
        if not n_attention
        else plural(n_attention, "opdracht vraagt", "opdrachten vragen") + " aandacht"
    )
    return (
        f"De verplichting is voor {fmt.format_pct(regio.get('ingevuld_pct'))} ingevuld, {attention} en het doel van "
        f"{fmt.format_int(doel.get('duurzaam'))} duurzame plaatsingen {target}."
    )


def _status_phrase(counts: dict) -> str:
    """``21 risico, 3 achterstand en 27 niet voldaan`` (statuses in words, not codes)."""
    parts = [
        f"{fmt.format_int(counts.get(s, 0))} {fmt.status_label(s).lower()}" for s in ATTENTION_STATUSES if counts.get(s)
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1] if parts else "geen"


def short_date(value: object) -> str:
    """A date in a narrow table column, Dutch with the month abbreviated.

    >>> short_date("2018-11-11"), short_date(None)
    ('11 nov 2018', '–')
    """
    if fmt.is_missing(value):
        return fmt.NA_TEXT
    return format_date(pd.Timestamp(value).date(), "d MMM y", locale=fmt.LOCALE)


def attention(data: PageData) -> Html:
    """Every contract with status risico, achterstand or niet voldaan (docs/reports.md, regio.html),
    most behind first, with authority and contractor by name (public procurement facts) and a
    link to the contractor's page."""
    o = data.opdrachten
    rows = o[o["status"].isin(ATTENTION_STATUSES)].copy() if not o.empty else o
    if rows.empty:
        return paragraph("Geen opdracht heeft achterstand of risico, en geen afgelopen opdracht is niet voldaan.")
    names = dict(zip(data.partners["partner_id"], data.partners["naam"]))
    rows["opdrachtgever"] = [names.get(v, v) for v in rows["opdrachtgever"]]
    contractor = rows["opdrachtnemer"].fillna("").astype(str)
    rows["opdrachtnemer_toon"] = [
        names.get(pid) or (naam if not fmt.is_missing(naam) else "onbekend")
        for pid, naam in zip(contractor, rows["opdrachtnemer_naam"])
    ]
    rows["pagina"] = [f"partners/{pid}.html" if pid else None for pid in contractor]
    rows["opdracht"] = [
        f"{d} ({i})" if not fmt.is_missing(d) and str(d) else str(i)
        for d, i in zip(rows["omschrijving"], rows["opdracht_id"])
    ]
    rows["einddatum"] = rows["einddatum"].map(short_date)
    rows = rows.sort_values(["achterstand_eur", "opdrachtgever", "opdracht_id"], ascending=[False, True, True])
    cols = [
        "opdracht",
        "opdrachtgever",
        "opdrachtnemer_toon",
        "status",
        "verplichting_eur",
        "gerealiseerd_eur",
        "achterstand_eur",
        "einddatum",
    ]
    out = html_table(
        rows.reset_index(drop=True),
        formats=FORMATS,
        caption=f"Opdrachten die aandacht vragen ({fmt.format_int(len(rows))}), de grootste achterstand eerst",
        # soft hyphens (U+00AD): the long headers may break, so the table fits A4 and the screen
        headers={
            **HEADERS,
            "opdracht": "Opdracht",
            "opdrachtgever": "Opdracht\u00adgever",
            "opdrachtnemer_toon": "Opdracht\u00adnemer",
            "verplichting_eur": "Verplich\u00adting",
            "gerealiseerd_eur": "Gereali\u00adseerd",
            "achterstand_eur": "Achter op schema",
            "einddatum": "Eind\u00addatum",
        },
        columns=cols,
        links={"opdrachtnemer_toon": "pagina"},
        note=(
            "Achter op schema: wat tot de peildatum verwacht mocht worden min wat gerealiseerd is; voor een "
            "afgelopen opdracht (niet voldaan) is dat wat aan de verplichting ontbrak. De naam van de "
            "opdrachtnemer leidt naar zijn pagina."
        ),
    )
    return Html(f'<div class="breed aandacht">{out}</div>')


def programme_link(data: PageData) -> Html:
    """Social return ↔ the training programme: SR candidates who are also trainees."""
    k = data.regio.get("koppeling_programma") or data.kpi.get("koppeling_social_return") or {}
    if not k.get("sr_kandidaten"):
        return paragraph("Er zijn nog geen personen via social return aan het werk.")
    both, total = persons(k.get("ook_trajectkandidaat")), persons(k.get("sr_kandidaten"))
    pct = "" if "<" in both + total else f" ({fmt.format_pct(k.get('ook_trajectkandidaat_pct'))})"
    return paragraph(
        f"Van de {total} personen die via social return werken, volgen of volgden er {both}{pct} ook een "
        "traject van het opleidingsprogramma."
    )


def headline(data: PageData) -> Html:
    """Total obligation, filled without netting, realised (netted: over-realisation included, so
    labelled), realised vs expected, persons reached and FTE."""
    r = data.regio
    rows = pd.DataFrame(
        [
            ("Opdrachten met social return", fmt.format_int(r["opdrachten"])),
            ("Verplichting", fmt.format_eur(r["verplichting_eur"])),
            ("Verwacht tot de peildatum", fmt.format_eur(r["verwacht_eur"])),
            ("Ingevuld, per opdracht tot haar verplichting", fmt.format_eur(r.get("ingevuld_eur"))),
            ("Ingevuld als deel van de verplichting", fmt.format_pct(r.get("ingevuld_pct"))),
            ("Ingevuld als deel van het verwachte", fmt.format_pct(r.get("ingevuld_vs_verwacht_pct"))),
            ("Gerealiseerd tot de peildatum, inclusief meer dan verplicht", fmt.format_eur(r["gerealiseerd_eur"])),
            ("Gerealiseerd als deel van de verplichting (verrekend)", fmt.format_pct(r["realisatie_pct"])),
            (
                "Gerealiseerd als deel van het verwachte (verrekend)",
                fmt.format_pct(r.get("realisatie_vs_verwacht_pct")),
            ),
            ("Personen bereikt (verschillende kandidaten)", persons(r["kandidaten"])),
            ("Fte op de peildatum", fmt.format_fte(r["fte"])),
        ],
        columns=["Kerncijfer", "Waarde"],
    )
    return table(rows, f"Kerncijfers op {fmt.format_date(data.period.peildatum)}")


def persons(n: object) -> str:
    """One count of persons for a sentence or key-figure table: suppressed, then Dutch.

    >>> persons(1498), persons(3), persons(0)
    ('1.498', '<5', '0')
    """
    return fmt.format_int(suppressed(pd.DataFrame({"n": [n]}), ["n"], total_row=None)["n"].iloc[0])


def status_counts(data: PageData) -> Html:
    """Contracts per status, in the spec's order, as word plus colour."""
    counts = data.regio["opdrachten_per_status"]
    rows = pd.DataFrame({"status": list(fmt.STATUS_ORDER), "opdrachten": [counts.get(s, 0) for s in fmt.STATUS_ORDER]})
    return table(rows, "Opdrachten per status")


def programme_chart(data: PageData) -> charts.Chart:
    prog = settings().programme
    return charts.progress_chart(data.voortgang, prog.doel_duurzaam, prog.doel_datum)


def programme_pace(data: PageData) -> Html:
    """This quarter's pace vs the pace needed to reach the target by its date."""
    doel = data.kpi["doel"]
    v = data.voortgang.set_index("periode")
    now = v.loc[data.period.code] if data.period.code in v.index else None
    nodig = doel.get("nodig_per_resterend_kwartaal")
    # counts of persons as the funnel of this page shows them (suppressed with its tables)
    text = (
        f"{fmt.format_int(funnel_counts(data)['duurzaam'])} duurzame plaatsingen tot de peildatum: "
        f"{fmt.format_pct(doel.get('realisatie_pct'))} van het doel ({fmt.format_int(doel['duurzaam'])} "
        f"vóór {fmt.format_date(doel['datum'])})."
    )
    if now is not None:
        text += f" Dit kwartaal kwamen er {persons(now['duurzaam_in_periode'])} bij"
        text += f"; het lineaire tempo vraagt {fmt.format_number(now['nodig_per_kwartaal'], 0)} per kwartaal."
    if nodig is not None and doel.get("resterende_kwartalen"):
        text += (
            f" Om het doel nog te halen zijn {fmt.format_number(nodig, 0)} duurzame plaatsingen per "
            f"resterend kwartaal nodig (nog {plural(int(doel['resterende_kwartalen']), 'kwartaal', 'kwartalen')})."
        )
    return paragraph(text)


def _region_stages(data: PageData, dimension: str) -> pd.DataFrame:
    s = data.stadia
    return s[(s["partner_id"] == "regio") & (s["dimensie"] == dimension)]


# The breakdowns each page shows (notebooks 11_regio and 13_partner): their cells are suppressed
# together with the funnel and, on regio.html, the contributions table (page_counts).
PAGE_DIMENSIONS = {"regio": ("sector", "opleider", "doelgroep", "woongemeente"), "partner": ("opleiding",)}
TRAINING_ROLES = dataset_spec("trajecten").delivered_by  # config/datasets.yaml: who delivers trajecten
CONTRIBUTION_LINKS = {"aangemeld": "trajecten", "geplaatst": "plaatsingen", "duurzaam": "duurzaam"}
TOTAL = "Totaal"
_PAGE_COUNTS: dict[tuple[int, str], tuple[PageData, dict[str, pd.DataFrame]]] = {}


def _stage_rows(data: PageData, scope: str, dimension: str) -> pd.DataFrame:
    s = data.stadia
    rows = s[(s["partner_id"] == scope) & (s["dimensie"] == dimension)][["waarde", *STAGES]]
    rows = rows.assign(waarde=rows["waarde"].astype(str)).sort_values("waarde")
    return rows.set_index("waarde", drop=False).rename_axis(None)


def _training_contributions(data: PageData) -> pd.DataFrame:
    b = data.bijdragen
    if b.empty:
        return pd.DataFrame(columns=list(CONTRIBUTION_LINKS.values()))
    rows = b[b["rol"].isin(TRAINING_ROLES)].set_index("partner_id", drop=False).rename_axis(None)
    return rows[list(CONTRIBUTION_LINKS.values())]


def page_counts(data: PageData, scope: str = "regio") -> dict[str, pd.DataFrame]:
    """Every count of trainees one page shows, suppressed together (docs/domain.md: a suppressed cell
    must not be recoverable, not even by differencing two tables of the page).

    ``scope`` is ``regio`` (regio.html) or a partner id (its page). Returns display frames:
    ``funnel`` (one row, the stages), one per breakdown of :data:`PAGE_DIMENSIONS` (rows by
    ``waarde``, the ``Totaal`` row last) and, for regio, ``bijdragen`` (training partners by id).
    Linked cells: a stage's total in every breakdown and in the funnel (the same candidates when
    each is in one group); on regio.html a partner's row in the opleider breakdown and its
    trajectories, placements and durable placements in the contributions table.
    """
    cached = _PAGE_COUNTS.get((id(data), scope))
    if cached is not None and cached[0] is data:
        return cached[1]
    s = data.stadia
    row = s[(s["partner_id"] == scope) & (s["dimensie"] == "totaal")]
    funnel_frame = pd.DataFrame(
        [[int(row[c].iloc[0]) if len(row) else 0 for c in STAGES]], columns=list(STAGES), index=["totaal"]
    )
    names, tables = ["funnel"], [CountTable(funnel_frame, STAGES)]
    dims = PAGE_DIMENSIONS["regio" if scope == "regio" else "partner"]
    for dim in dims:
        names.append(dim)
        tables.append(CountTable(_stage_rows(data, scope, dim), STAGES, total_row=TOTAL))
    links = [[(0, "totaal", stage)] + [(i, TOTAL, stage) for i in range(1, len(tables))] for stage in STAGES]
    if scope == "regio":
        names.append("bijdragen")
        tables.append(CountTable(_training_contributions(data), tuple(CONTRIBUTION_LINKS.values())))
        opleider, bijdragen = names.index("opleider"), len(tables) - 1
        links += [
            [(opleider, p, stage), (bijdragen, p, column)]
            for p in tables[opleider].frame.index
            for stage, column in CONTRIBUTION_LINKS.items()
        ]
    shown = dict(zip(names, suppress_linked(tables, links)))
    _PAGE_COUNTS.clear()  # one page at a time: keep only the latest
    _PAGE_COUNTS[(id(data), scope)] = (data, shown)
    return shown


def funnel_counts(data: PageData, partner_id: str = "regio") -> dict[str, object]:
    """The funnel's counts as the page shows them (numbers, ``<5`` or ``×``)."""
    row = page_counts(data, partner_id)["funnel"].iloc[0]
    return {stage: row[stage] for stage in STAGES}


def funnel(data: PageData, partner_id: str = "regio") -> charts.Chart:
    """aangemeld → … → duurzaam, with small counts hidden."""
    return charts.funnel_chart(funnel_counts(data, partner_id))


def funnel_rates(data: PageData) -> Html:
    """The region's rates; none from a hidden count (it would give the count back)."""
    p = data.kpi.get("percentages", {})
    hidden = {k for k, v in funnel_counts(data).items() if isinstance(v, str)}

    def rate(key: str, *stages: str) -> str:
        return fmt.NA_TEXT if hidden & set(stages) else fmt.format_pct(p.get(key))

    return paragraph(
        f"Afronding {rate('afronding_pct', 'afgerond', 'uitgevallen')} (afgerond van afgerond + "
        f"uitgevallen), plaatsing {rate('plaatsing_pct', 'geplaatst', 'afgerond')} van de afgeronde "
        f"kandidaten, duurzaam {rate('duurzaam_pct', 'duurzaam', 'geplaatst')} van de geplaatste "
        "kandidaten."
    )


DIMENSION_HEADERS = {
    "opleider": "Opleider of werkplein",
    "woongemeente": "Woongemeente",
    "doelgroep": "Doelgroep",
    "sector": "Sector",
    "opleiding": "Opleiding",
}


def breakdown(data: PageData, dimension: str, caption: str, partner_id: str = "regio") -> Html:
    """Candidates per stage by one dimension (sector, opleider, doelgroep, woongemeente, opleiding),
    suppressed together with the page's other counts (:func:`page_counts`)."""
    counts = page_counts(data, partner_id)
    if dimension in counts:
        rows = counts[dimension].reset_index(drop=True)
    else:  # a breakdown the page notebooks do not show: suppressed on its own
        rows = suppressed(
            _stage_rows(data, partner_id, dimension).reset_index(drop=True), list(STAGES), total_row=TOTAL
        )
    if dimension == "opleider":  # the training institute / job centre by its name, not its id
        names = dict(zip(data.partners["partner_id"], data.partners["naam"]))
        rows = rows.assign(waarde=[names.get(v, v) for v in rows["waarde"]])
    if dimension in ("sector", "doelgroep"):
        rows = _words(rows.rename(columns={"waarde": dimension}), dimension).rename(columns={dimension: "waarde"})
    body, total = rows[rows["waarde"] != TOTAL], rows[rows["waarde"] == TOTAL]
    rows = pd.concat([body.sort_values("waarde"), total]).rename(columns={"waarde": dimension})
    # the total row adds up the rows: a candidate in two groups (two trajectories) counts in both
    why = (
        " Het totaal telt de rijen op: een kandidaat met trajecten in twee groepen telt in beide mee, dus het "
        "totaal kan iets hoger zijn dan het aantal verschillende kandidaten."
    )
    return table(
        rows.reset_index(drop=True),
        caption,
        note=note() + why,
        headers={dimension: DIMENSION_HEADERS.get(dimension, dimension.capitalize())},
    )


def _words(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Sector codes as their Dutch labels (config/labels.yaml); other columns unchanged."""
    if column not in ("sector", "doelgroep") or frame.empty:
        return frame
    return frame.assign(**{column: [v if v == TOTAL else labels.label(column, v) for v in frame[column]]})


def by_group_chart(frame: pd.DataFrame, column: str) -> charts.Chart:
    return charts.grouped_bar_chart(_words(frame, column).sort_values(column), column)


def by_group_table(frame: pd.DataFrame, column: str, caption: str) -> Html:
    """Obligation, realisation and persons per authority or sector, with a total row.

    The persons column gets secondary suppression against that total: without it, the headline's
    "Personen bereikt" minus the visible rows gave a hidden small count back (docs/domain.md).
    """
    cols = [
        column,
        "opdrachten",
        "verplichting_eur",
        "verwacht_eur",
        "gerealiseerd_eur",
        "realisatie_pct",
        "kandidaten",
    ]
    if frame.empty:
        return table(frame, caption)
    rows = _words(frame, column).sort_values(column)[cols].reset_index(drop=True)
    sums = rows[["opdrachten", "verplichting_eur", "verwacht_eur", "gerealiseerd_eur", "kandidaten"]].sum()
    pct = 100 * sums["gerealiseerd_eur"] / sums["verplichting_eur"] if sums["verplichting_eur"] else None
    total = pd.DataFrame([{column: TOTAL, **sums.to_dict(), "realisatie_pct": pct}], index=[TOTAL])
    rows = pd.concat([rows.astype({column: object}), total[cols]])
    why = " Het totaal telt de rijen op: een persoon op opdrachten van twee groepen telt in beide mee."
    return table(
        suppress_small_counts(rows, ["kandidaten"], total_row=TOTAL).reset_index(drop=True), caption, note=note() + why
    )


def block_mix(data: PageData) -> charts.Chart:
    mix = data.per_bouwblok[data.per_bouwblok["gerealiseerd_eur"].fillna(0) > 0]
    # building blocks by their rate-card description (docs/reports.md: words, not codes)
    names = {code: labels.block_label(code) for code in mix["bouwblok"]}
    return charts.share_bar_chart(mix, "bouwblok", "gerealiseerd_eur", labels=names)


def trend(data: PageData) -> charts.Chart:
    return charts.trend_chart(data.trend)


def _delivered_word(row) -> str:
    if str(row["geleverd"]).lower() == "true":
        return "ja"
    period = row["levering_periode"]
    if fmt.is_missing(period) or not str(period):
        return "nee"
    return f"nee (levering {fmt.format_quarter(period)} gebruikt)"


CONTRIBUTION_GROUPS = (
    (
        "opdrachtgever",
        ("opdrachtgever",),
        ["naam", "geleverd", "opdrachten", "verplichting_eur", "gerealiseerd_eur"],
        "Opdrachtgevers: opdrachten met social return die zij gunden",
    ),
    (
        "opdrachtnemer",
        ("opdrachtnemer",),
        ["naam", "geleverd", "opdrachten", "verplichting_eur", "gerealiseerd_eur"],
        "Opdrachtnemers: hun opdrachten en wat zij realiseerden",
    ),
    (
        "trajecten",
        TRAINING_ROLES,
        ["naam", "rol", "geleverd", "trajecten", "plaatsingen", "duurzaam"],
        labels.roles_phrase(TRAINING_ROLES) + ": trajecten en plaatsingen",
    ),
)


def contributions(data: PageData) -> Html:
    """Who contributes what (stand op de peildatum), one table per kind of partner so each shows
    the contribution that fits its role; persons and trajectories suppressed."""
    b = data.bijdragen.copy()
    if b.empty:
        return paragraph("Geen bijdragen bekend.")
    b["geleverd"] = b.apply(_delivered_word, axis=1)
    b["rol"] = b["rol"].map(ROLE_LABELS).fillna(b["rol"])
    # trajectories, placements, durable placements: suppressed with the opleider breakdown of the
    # same page, so a cell hidden there is not shown here (page_counts)
    shown = page_counts(data)["bijdragen"]
    parts = []
    for _, roles, cols, caption in CONTRIBUTION_GROUPS:
        rows = b[b["rol"].isin([ROLE_LABELS.get(r, r) for r in roles])].sort_values("naam")
        counts = [c for c in ("trajecten", "plaatsingen", "duurzaam") if c in cols]
        for c in counts:
            rows = rows.assign(**{c: pd.Series(list(shown.loc[rows["partner_id"], c]), index=rows.index, dtype=object)})
        rows = rows[cols]
        parts.append(
            table(
                rows.reset_index(drop=True),
                caption,
                note=note() if counts else None,
                headers={"duurzaam": "Duurzaam geplaatst", "geleverd": "Geleverd voor deze periode"},
            )
        )
    return Html("\n".join(parts))


def tenders_chart(data: PageData) -> charts.Chart:
    return charts.stacked_bar_chart(_words(data.aanbestedingen, "sector"))


def tenders_table(data: PageData) -> Html:
    t = (
        _words(data.aanbestedingen, "sector")
        .groupby(["kwartaal", "sector"], as_index=False)[["aanbestedingen", "sr_waarde_eur", "persoonsjaren"]]
        .sum()
    )
    return table(t, "Verwachte social return van geplande aanbestedingen per kwartaal en sector")


def delivery_status(data: PageData) -> Html:
    """Per partner and dataset: geleverd / overgenomen uit <periode> / ontbreekt / onleesbaar."""
    lev = data.leveringen.merge(data.partners[["partner_id", "naam"]], on="partner_id", how="left")
    lev["levering"] = [
        f"overgenomen uit {fmt.format_quarter(p)}" if s == "overgenomen" else s
        for s, p in zip(lev["status"], lev["levering_periode"])
    ]
    wide = lev.pivot_table(
        index="naam", columns="dataset", values="levering", aggfunc="first", fill_value="–"
    ).reset_index()
    return table(
        wide,
        "Leveringen per partner",
        note="Geleverd: voor deze periode. Overgenomen: niet geleverd, de laatste eerdere levering is "
        "gebruikt. –: van deze partner wordt die dataset niet verwacht.",
    )


def per_authority(data: PageData) -> pd.DataFrame:
    """``per_opdrachtgever`` labelled with the authorities' names instead of their ids."""
    frame = data.per_opdrachtgever
    return frame.assign(opdrachtgever=frame["naam"])
