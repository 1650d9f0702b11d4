"""Shared pieces of the pages: Dutch column headers, formats, and the delivery status words."""

from __future__ import annotations

import html
import re

import pandas as pd

from pipeline.disclosure.suppress import suppress_small_counts, suppression_note_nl
from pipeline.report import formatting as fmt
from pipeline.report.tables import Html, html_table

HEADERS = {
    "opdrachtgever": "Opdrachtgever",
    "opdrachtnemer": "Opdrachtnemer",
    "opdracht_id": "Opdracht",
    "omschrijving": "Omschrijving",
    "sector": "Sector",
    "status": "Status",
    "naam": "Naam",
    "rol": "Rol",
    "verplichting_eur": "Verplichting",
    "gerealiseerd_eur": "Gerealiseerd",
    "verwacht_eur": "Verwacht",
    "realisatie_pct": "Realisatie",
    "nog_te_realiseren_eur": "Nog te realiseren",
    "achterstand_eur": "Nodig om op schema te komen",
    "kandidaten": "Personen",
    "fte": "Fte",
    "opdrachten": "Opdrachten",
    "einddatum": "Einddatum",
    "startdatum": "Startdatum",
    "bouwblok": "Bouwblok",
    "aandeel_pct": "Aandeel",
    "kwartaal": "Kwartaal",
    "sr_waarde_eur": "Verwachte SR-waarde",
    "persoonsjaren": "Persoonsjaren",
    "aanbestedingen": "Aanbestedingen",
    "trajecten": "Trajecten",
    "plaatsingen": "Plaatsingen",
    "geleverd": "Geleverd",
    "levering": "Levering",
    "dataset": "Dataset",
    "bestand": "Bestand",
    "rij": "Excel-rij",
    "kolom": "Kolom",
    "waarde": "Waarde",
    "reden_nl": "Reden",
    "severity": "Ernst",
    "partner_id": "Partner",
    "rijen_gelezen": "Rijen gelezen",
    "rijen_schoon": "Schoon",
    "rijen_afgekeurd": "Afgekeurd",
    "reden": "Reden",
    "duurzaam": "Duurzaam",
    "opdrachtgever_naam": "Opdrachtgever",
    "opdrachtnemer_naam": "Opdrachtnemer",
    "levering_periode": "Periode",
    "aanbestedingskalender": "Aanbestedingskalender",
    "inzet": "Inzet",
}
SEVERITY_LABELS = {"reject": "afgekeurd", "warning": "waarschuwing", "info": "ter informatie"}
STAGES = ("aangemeld", "gestart", "afgerond", "uitgevallen", "certificaat", "geplaatst", "duurzaam")
STAGE_HEADERS = {s: s.capitalize() for s in STAGES}
MONEY = {
    c: fmt.format_eur
    for c in (
        "verplichting_eur",
        "gerealiseerd_eur",
        "verwacht_eur",
        "nog_te_realiseren_eur",
        "achterstand_eur",
        "sr_waarde_eur",
    )
}
FORMATS = {
    **MONEY,
    "realisatie_pct": fmt.format_pct,
    "aandeel_pct": fmt.format_pct,
    "fte": fmt.format_fte,
    "persoonsjaren": lambda v: fmt.format_number(v, 1),
    "kwartaal": fmt.format_quarter,
    "periode": fmt.format_quarter,
}
ROLE_LABELS = {
    "opdrachtgever": "opdrachtgever",
    "opdrachtnemer": "opdrachtnemer",
    "opleider": "opleidingsinstituut",
    "werkplein": "werkplein",
    "sw-bedrijf": "sw-bedrijf",
}
DELIVERY_LABELS = {
    "geleverd": "geleverd",
    "overgenomen": "overgenomen",
    "ontbreekt": "ontbreekt",
    "onleesbaar": "onleesbaar",
}


WIDE = 6  # a table with this many columns or more gets the compact style (fits A4 and the screen)


_LONG_TOKEN = re.compile(r"[^\s<>]{20,}")  # shorter codes stay whole
_TEXT = re.compile(r">([^<]+)<")


def soft_breaks(fragment: str) -> str:
    """Let long codes wrap after ``.``, ``_`` and ``/`` (a ``<wbr>``: nothing is added to the
    text, a copy gives the code as it was), so tables of file names and rule ids fit the page.

    >>> soft_breaks("<td>opdrachten.sr_percentage</td><td>inzet_2021Q3.csv</td>")
    '<td>opdrachten.<wbr>sr_<wbr>percentage</td><td>inzet_2021Q3.csv</td>'
    """

    def token(m: re.Match) -> str:
        return re.sub(r"([._/])(?=[^._/])", r"\1<wbr>", m.group())

    return _TEXT.sub(lambda m: ">" + _LONG_TOKEN.sub(token, m.group(1)) + "<", fragment)


def table(
    df: pd.DataFrame,
    caption: str,
    columns: list[str] | None = None,
    note: str | None = None,
    headers: dict | None = None,
    empty: str | None = None,
    keep_first: bool = False,
    codes: bool = False,
) -> Html:
    """An escaped HTML table with the pages' Dutch headers and formats.

    ``empty`` is the sentence shown instead of an empty table (default: "<caption>: geen
    gegevens."). A table of ``WIDE`` columns or more is wrapped in ``<div class="breed">``;
    ``keep_first`` keeps its first column (a contract id) on one line; ``codes``: the table holds
    long file names, rule ids or column names that may wrap (:func:`soft_breaks`).
    """
    if df is None or df.empty:
        return Html(f'<p class="leeg">{html.escape(empty or caption + ": geen gegevens.")}</p>')
    out = html_table(
        df,
        formats=FORMATS,
        caption=caption,
        headers={**HEADERS, **STAGE_HEADERS, **(headers or {})},
        columns=columns,
        note=note,
    )
    if codes:
        out = Html(soft_breaks(out))
    shown = len(columns) if columns is not None else len(df.columns)
    classes = " ".join(c for c, on in (("breed", shown >= WIDE), ("eerste-vast", keep_first)) if on)
    return Html(f'<div class="{classes}">{out}</div>') if classes else out


def file_name(path: object) -> str:
    """The file a partner delivered, without the ``<period>/<partner_id>/`` folders of the raw tree.

    >>> file_name("2021Q3/gemeente-groningen/opdrachten_2021Q3.xlsx")
    'opdrachten_2021Q3.xlsx'
    """
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def plural(n: int, one: str, many: str) -> str:
    """``1 kwartaal``, ``3 kwartalen`` (Dutch number formatting).

    >>> plural(1, "kwartaal", "kwartalen"), plural(1234, "rij", "rijen")
    ('1 kwartaal', '1.234 rijen')
    """
    return f"{fmt.format_int(n)} {one if n == 1 else many}"


def suppressed(
    df: pd.DataFrame, count_columns: list[str], total_row: str | None = "Totaal", groups: str | None = None
) -> pd.DataFrame:
    """Person counts of ``df`` with small counts hidden (docs/domain.md: 1–4 shows as <5)."""
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
    """Whether the partner delivered for ``period``, answered first, then per dataset (docs/domain.md:
    "niet aangeleverd voor 2021Q3; levering 2021Q2 gebruikt").

    >>> lev = pd.DataFrame({"partner_id": ["a", "a"], "dataset": ["opdrachten", "aanbestedingskalender"],
    ...                     "status": ["geleverd", "overgenomen"], "levering_periode": ["2021Q3", "2021Q2"]})
    >>> delivery_sentence(lev, "a", "2021Q3")
    'Gedeeltelijk. aanbestedingskalender: niet aangeleverd voor 2021Q3; levering 2021Q2 gebruikt. opdrachten: geleverd voor 2021Q3.'
    >>> delivery_sentence(lev[lev.status == "geleverd"], "a", "2021Q3")
    'Ja, geleverd voor 2021Q3 (opdrachten).'
    """
    rows = leveringen[leveringen["partner_id"] == partner_id].sort_values("dataset")
    if rows.empty:
        return f"Van deze partner wordt geen levering verwacht voor {period}."
    if (rows["status"] == "geleverd").all():
        return f"Ja, geleverd voor {period} ({', '.join(rows['dataset'])})."
    parts = []
    for row in rows.itertuples():
        if row.status == "geleverd":
            parts.append(f"{row.dataset}: geleverd voor {period}.")
        elif row.status == "overgenomen":
            parts.append(f"{row.dataset}: niet aangeleverd voor {period}; levering {row.levering_periode} gebruikt.")
        elif row.status == "onleesbaar":
            parts.append(
                f"{row.dataset}: de levering voor {period} kon niet worden gelezen; deze gegevens "
                "ontbreken in dit rapport."
            )
        else:
            parts.append(
                f"{row.dataset}: niet aangeleverd voor {period} en ook niet eerder; deze gegevens "
                "ontbreken in dit rapport."
            )
    answer = "Gedeeltelijk." if (rows["status"] == "geleverd").any() else "Nee."
    return " ".join([answer, *parts])


def heading(text: str, level: int = 2) -> Html:
    """A section heading for sections that only some partner roles get."""
    return Html(f"<h{level}>{html.escape(text)}</h{level}>")
