"""Shared pieces of the pages: Dutch column headers, formats, and the delivery status words."""

from __future__ import annotations

import html

import pandas as pd

from pipeline import formatting as fmt
from pipeline.disclosure import suppress_small_counts, suppression_note_nl
from pipeline.tables import Html, html_table

HEADERS = {
    "opdrachtgever": "Opdrachtgever", "opdrachtnemer": "Opdrachtnemer", "opdracht_id": "Opdracht",
    "omschrijving": "Omschrijving", "sector": "Sector", "status": "Status", "naam": "Naam", "rol": "Rol",
    "verplichting_eur": "Verplichting", "gerealiseerd_eur": "Gerealiseerd", "verwacht_eur": "Verwacht",
    "realisatie_pct": "Realisatie", "nog_te_realiseren_eur": "Nog te realiseren",
    "achterstand_eur": "Nodig om op schema te komen", "kandidaten": "Personen", "fte": "Fte",
    "opdrachten": "Opdrachten", "einddatum": "Einddatum", "startdatum": "Startdatum",
    "bouwblok": "Bouwblok", "aandeel_pct": "Aandeel", "kwartaal": "Kwartaal",
    "sr_waarde_eur": "Verwachte SR-waarde", "persoonsjaren": "Persoonsjaren",
    "aanbestedingen": "Aanbestedingen", "trajecten": "Trajecten", "plaatsingen": "Plaatsingen",
    "geleverd": "Geleverd", "levering": "Levering", "dataset": "Dataset", "bestand": "Bestand",
    "rij": "Excel-rij", "kolom": "Kolom", "waarde": "Waarde", "reden_nl": "Reden", "severity": "Ernst",
    "partner_id": "Partner", "rijen_gelezen": "Rijen gelezen", "rijen_schoon": "Schoon",
    "rijen_afgekeurd": "Afgekeurd", "reden": "Reden",
}
STAGES = ("aangemeld", "gestart", "afgerond", "uitgevallen", "certificaat", "geplaatst", "duurzaam")
STAGE_HEADERS = {s: s.capitalize() for s in STAGES}
MONEY = {c: fmt.format_eur for c in ("verplichting_eur", "gerealiseerd_eur", "verwacht_eur",
                                     "nog_te_realiseren_eur", "achterstand_eur", "sr_waarde_eur")}
FORMATS = {**MONEY, "realisatie_pct": fmt.format_pct, "aandeel_pct": fmt.format_pct,
           "fte": fmt.format_fte, "persoonsjaren": lambda v: fmt.format_number(v, 1),
           "kwartaal": fmt.format_quarter, "periode": fmt.format_quarter}
ROLE_LABELS = {"opdrachtgever": "opdrachtgever", "opdrachtnemer": "opdrachtnemer",
               "opleider": "opleidingsinstituut", "werkplein": "werkplein", "sw-bedrijf": "sw-bedrijf"}
DELIVERY_LABELS = {"geleverd": "geleverd", "overgenomen": "overgenomen", "ontbreekt": "ontbreekt",
                   "onleesbaar": "onleesbaar"}


def table(df: pd.DataFrame, caption: str, columns: list[str] | None = None, note: str | None = None,
          headers: dict | None = None) -> Html:
    """An escaped HTML table with the pages' Dutch headers and formats."""
    if df is None or df.empty:
        return Html(f"<p class=\"leeg\">{html.escape(caption)}: geen gegevens.</p>")
    return html_table(df, formats=FORMATS, caption=caption, headers={**HEADERS, **STAGE_HEADERS, **(headers or {})},
                      columns=columns, note=note)


def suppressed(df: pd.DataFrame, count_columns: list[str], total_row: str | None = "Totaal",
               groups: str | None = None) -> pd.DataFrame:
    """Person counts of ``df`` with small counts hidden (domain.md: 1–4 shows as <5)."""
    present = [c for c in count_columns if c in df]
    if df.empty or not present:
        return df
    return suppress_small_counts(df.reset_index(drop=True), present, total_row=total_row, groups=groups)


def note() -> str:
    return suppression_note_nl()


def paragraph(text: str) -> Html:
    """A paragraph of (escaped) text."""
    return Html(f"<p>{html.escape(text)}</p>")


def delivery_sentence(leveringen: pd.DataFrame, partner_id: str, period: str) -> str:
    """'geleverd voor 2021Q3' / 'niet aangeleverd voor 2021Q3; levering 2021Q2 gebruikt' (domain.md)."""
    rows = leveringen[leveringen["partner_id"] == partner_id]
    if rows.empty:
        return f"Van deze partner wordt geen levering verwacht voor {period}."
    parts = []
    for row in rows.sort_values("dataset").itertuples():
        if row.status == "geleverd":
            parts.append(f"{row.dataset}: geleverd voor {period}")
        elif row.status == "overgenomen":
            parts.append(f"{row.dataset}: niet aangeleverd voor {period}; levering {row.levering_periode} gebruikt")
        elif row.status == "onleesbaar":
            parts.append(f"{row.dataset}: levering voor {period} was onleesbaar")
        else:
            parts.append(f"{row.dataset}: nog niets aangeleverd")
    return "; ".join(parts) + "."


def heading(text: str, level: int = 2) -> Html:
    """A section heading for sections that only some partner roles get."""
    return Html(f"<h{level}>{html.escape(text)}</h{level}>")
