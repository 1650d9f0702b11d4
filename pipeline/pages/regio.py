"""Sections of regio.html, the regional overview (reports.md)."""

from __future__ import annotations

import pandas as pd

from pipeline import charts
from pipeline import formatting as fmt
from pipeline.pages.common import ROLE_LABELS, STAGES, note, paragraph, plural, suppressed, table
from pipeline.pages.data import PageData
from pipeline.settings import settings
from pipeline.tables import Html


def headline(data: PageData) -> Html:
    """Total obligation, realised, realised vs expected, persons reached and FTE."""
    r = data.regio
    rows = pd.DataFrame([
        ("Opdrachten met social return", fmt.format_int(r["opdrachten"])),
        ("Verplichting", fmt.format_eur(r["verplichting_eur"])),
        ("Gerealiseerd tot de peildatum", fmt.format_eur(r["gerealiseerd_eur"])),
        ("Verwacht tot de peildatum", fmt.format_eur(r["verwacht_eur"])),
        ("Gerealiseerd als deel van de verplichting", fmt.format_pct(r["realisatie_pct"])),
        ("Gerealiseerd als deel van het verwachte", fmt.format_pct(r.get("realisatie_vs_verwacht_pct"))),
        ("Personen bereikt (verschillende kandidaten)", persons(r["kandidaten"])),
        ("Fte op de peildatum", fmt.format_fte(r["fte"])),
    ], columns=["Kerncijfer", "Waarde"])
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
    text = (f"{fmt.format_int(data.kpi['kandidaten']['duurzaam'])} duurzame plaatsingen tot de peildatum: "
            f"{fmt.format_pct(doel.get('realisatie_pct'))} van het doel ({fmt.format_int(doel['duurzaam'])} "
            f"vóór {fmt.format_date(doel['datum'])}).")
    if now is not None:
        text += f" Dit kwartaal kwamen er {fmt.format_int(now['duurzaam_in_periode'])} bij"
        text += f"; het lineaire tempo vraagt {fmt.format_number(now['nodig_per_kwartaal'], 0)} per kwartaal."
    if nodig is not None and doel.get("resterende_kwartalen"):
        text += (f" Om het doel nog te halen zijn {fmt.format_number(nodig, 0)} duurzame plaatsingen per "
                 f"resterend kwartaal nodig (nog {plural(int(doel['resterende_kwartalen']), 'kwartaal', 'kwartalen')}).")
    return paragraph(text)


def _region_stages(data: PageData, dimension: str) -> pd.DataFrame:
    s = data.stadia
    return s[(s["partner_id"] == "regio") & (s["dimensie"] == dimension)]


def funnel(data: PageData, partner_id: str = "regio") -> charts.Chart:
    """aangemeld → … → duurzaam, with small counts hidden."""
    s = data.stadia
    row = s[(s["partner_id"] == partner_id) & (s["dimensie"] == "totaal")]
    counts = pd.DataFrame({"stadium": list(STAGES), "n": [int(row[c].iloc[0]) if len(row) else 0 for c in STAGES]})
    shown = suppressed(counts, ["n"], total_row=None)
    return charts.funnel_chart(dict(zip(shown["stadium"], shown["n"])))


def funnel_rates(data: PageData) -> Html:
    p = data.kpi.get("percentages", {})
    return paragraph(f"Afronding {fmt.format_pct(p.get('afronding_pct'))} (afgerond van afgerond + uitgevallen), "
                     f"plaatsing {fmt.format_pct(p.get('plaatsing_pct'))} van de afgeronde kandidaten, "
                     f"duurzaam {fmt.format_pct(p.get('duurzaam_pct'))} van de geplaatste kandidaten.")


DIMENSION_HEADERS = {"opleider": "Opleider of werkplein", "woongemeente": "Woongemeente", "doelgroep": "Doelgroep",
                     "sector": "Sector", "opleiding": "Opleiding"}


def breakdown(data: PageData, dimension: str, caption: str, partner_id: str = "regio") -> Html:
    """Candidates per stage by one dimension (sector, opleider, doelgroep, woongemeente, opleiding)."""
    s = data.stadia
    rows = s[(s["partner_id"] == partner_id) & (s["dimensie"] == dimension)][["waarde", *STAGES]]
    if dimension == "opleider":  # the training institute / job centre by its name, not its id
        names = dict(zip(data.partners["partner_id"], data.partners["naam"]))
        rows = rows.assign(waarde=[names.get(v, v) for v in rows["waarde"]])
    rows = rows.sort_values("waarde").rename(columns={"waarde": dimension})
    # the total row adds up the rows: a candidate in two groups (two trajectories) counts in both
    why = (" Het totaal telt de rijen op: een kandidaat met trajecten in twee groepen telt in beide mee, dus het "
           "totaal kan iets hoger zijn dan het aantal verschillende kandidaten.")
    return table(suppressed(rows, list(STAGES)), caption, note=note() + why,
                 headers={dimension: DIMENSION_HEADERS.get(dimension, dimension.capitalize())})


def by_group_chart(frame: pd.DataFrame, column: str) -> charts.Chart:
    return charts.grouped_bar_chart(frame.sort_values(column), column)


def by_group_table(frame: pd.DataFrame, column: str, caption: str) -> Html:
    cols = [column, "opdrachten", "verplichting_eur", "verwacht_eur", "gerealiseerd_eur", "realisatie_pct", "kandidaten"]
    return table(suppressed(frame.sort_values(column)[cols], ["kandidaten"], total_row=None), caption, note=note())


def block_mix(data: PageData) -> charts.Chart:
    mix = data.per_bouwblok[data.per_bouwblok["gerealiseerd_eur"].fillna(0) > 0]
    return charts.share_bar_chart(mix, "bouwblok", "gerealiseerd_eur")


def trend(data: PageData) -> charts.Chart:
    return charts.trend_chart(data.trend)


def _delivered_word(row) -> str:
    if str(row["geleverd"]).lower() == "true":
        return "ja"
    period = row["levering_periode"]
    return "nee" if fmt.is_missing(period) or not str(period) else f"nee (levering {period} gebruikt)"


CONTRIBUTION_GROUPS = (
    ("opdrachtgever", ("opdrachtgever",), ["naam", "geleverd", "opdrachten", "verplichting_eur", "gerealiseerd_eur"],
     "Opdrachtgevers: opdrachten met social return die zij gunden"),
    ("opdrachtnemer", ("opdrachtnemer",), ["naam", "geleverd", "opdrachten", "verplichting_eur", "gerealiseerd_eur"],
     "Opdrachtnemers: hun opdrachten en wat zij realiseerden"),
    ("trajecten", ("opleider", "werkplein", "sw-bedrijf"), ["naam", "rol", "geleverd", "trajecten", "plaatsingen", "duurzaam"],
     "Opleiders, werkpleinen en sw-bedrijven: trajecten en plaatsingen"),
)


def contributions(data: PageData) -> Html:
    """Who contributes what (stand op de peildatum), one table per kind of partner so each shows
    the contribution that fits its role; persons and trajectories suppressed."""
    b = data.bijdragen.copy()
    if b.empty:
        return paragraph("Geen bijdragen bekend.")
    b["geleverd"] = b.apply(_delivered_word, axis=1)
    b["rol"] = b["rol"].map(ROLE_LABELS).fillna(b["rol"])
    parts = []
    for _, roles, cols, caption in CONTRIBUTION_GROUPS:
        rows = b[b["rol"].isin([ROLE_LABELS.get(r, r) for r in roles])].sort_values("naam")[cols]
        counts = [c for c in ("trajecten", "plaatsingen", "duurzaam") if c in cols]
        parts.append(table(suppressed(rows.reset_index(drop=True), counts, total_row=None) if counts else rows,
                           caption, note=note() if counts else None,
                           headers={"duurzaam": "Duurzaam geplaatst", "geleverd": "Geleverd voor deze periode"}))
    return Html("\n".join(parts))


def tenders_chart(data: PageData) -> charts.Chart:
    return charts.stacked_bar_chart(data.aanbestedingen)


def tenders_table(data: PageData) -> Html:
    t = data.aanbestedingen.groupby(["kwartaal", "sector"], as_index=False)[["aanbestedingen", "sr_waarde_eur", "persoonsjaren"]].sum()
    return table(t, "Verwachte social return van geplande aanbestedingen per kwartaal en sector")


def delivery_status(data: PageData) -> Html:
    """Per partner and dataset: geleverd / overgenomen uit <periode> / ontbreekt / onleesbaar."""
    lev = data.leveringen.merge(data.partners[["partner_id", "naam"]], on="partner_id", how="left")
    lev["levering"] = [f"overgenomen uit {p}" if s == "overgenomen" else s
                       for s, p in zip(lev["status"], lev["levering_periode"])]
    wide = lev.pivot_table(index="naam", columns="dataset", values="levering", aggfunc="first", fill_value="–").reset_index()
    return table(wide, "Leveringen per partner",
                 note="Geleverd: voor deze periode. Overgenomen: niet geleverd, de laatste eerdere levering is "
                      "gebruikt. –: van deze partner wordt die dataset niet verwacht.")


def per_authority(data: PageData) -> pd.DataFrame:
    """``per_opdrachtgever`` labelled with the authorities' names instead of their ids."""
    frame = data.per_opdrachtgever
    return frame.assign(opdrachtgever=frame["naam"])
