"""Shared pieces of the pages: Dutch column headers, formats, and the delivery status words."""

from __future__ import annotations

import html
import re

import pandas as pd

from pipeline.disclosure.suppress import suppress_small_counts, suppression_note_nl
from pipeline.report import formatting as fmt
from pipeline.report import labels
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
        "afgelopen_eur",
    )
}
FORMATS = {
    **MONEY,
    "realisatie_pct": fmt.format_pct,
    "aandeel_pct": fmt.format_pct,
    "fte": fmt.format_fte,
    "persoonsjaren": lambda v: fmt.format_number(v, 1),
    "kwartaal": fmt.format_quarter,
    "einde": fmt.format_date_short,
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


TOTAL = "Totaal"
SUPPRESSED_MARK = re.compile(r"^(<\d+|×)$")

SHORT = 12  # a table of at most this many rows is printed on one page (class "kort"); longer ones break
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
    subtitles: dict | None = None,
) -> Html:
    """An escaped HTML table with the pages' Dutch headers and formats.

    ``empty`` is the sentence shown instead of an empty table (default: "<caption>: geen
    gegevens."). A table of ``WIDE`` columns or more is wrapped in ``<div class="breed">``;
    ``keep_first`` keeps its first column (a contract id) on one line; a table of ``SHORT`` rows or
    fewer gets class ``kort`` (printed whole, on one page); ``codes``: the table holds
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
        subtitles=subtitles,
    )
    if codes:
        out = Html(soft_breaks(out))
    shown = len(columns) if columns is not None else len(df.columns)
    classes = " ".join(
        c for c, on in (("breed", shown >= WIDE), ("eerste-vast", keep_first), ("kort", len(df) <= SHORT)) if on
    )
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


def has_suppressed(*frames: pd.DataFrame) -> bool:
    """Whether any cell of ``frames`` shows a suppression mark (``<5`` or ``×``).

    >>> has_suppressed(pd.DataFrame({"n": [7, "<5"]})), has_suppressed(pd.DataFrame({"n": [7, 0]}))
    (True, False)
    """
    for df in frames:
        if df is None or getattr(df, "empty", True):
            continue
        for column in df.columns:
            if df[column].map(lambda v: isinstance(v, str) and bool(SUPPRESSED_MARK.match(v))).any():
                return True
    return False


def note(*frames: pd.DataFrame) -> str:
    """The suppression legend (:func:`suppression_note_nl`).

    Without arguments: the legend itself (as before). With the table(s) it goes under: the legend
    only when one of them has a suppressed cell, else ``""`` (so ``note(t) + why`` still reads).
    Either way, :func:`pipeline.report.render.one_suppression_note` keeps one legend per page,
    under the first table that has a suppressed cell, and drops it from pages without one.

    >>> note(pd.DataFrame({"n": [7, 0]}))
    ''
    >>> note(pd.DataFrame({"n": ["<5", 9]})).startswith("<5: 1 tot en met 4")
    True
    """
    if frames and not has_suppressed(*frames):
        return ""
    return suppression_note_nl()


def paragraph(text: str) -> Html:
    """A paragraph of (escaped) text."""
    return Html(f"<p>{html.escape(text)}</p>")


def delivery_sentence(leveringen: pd.DataFrame, partner_id: str, period: str) -> str:
    """Whether the partner delivered for ``period``, answered first, then per dataset (docs/domain.md:
    "niet aangeleverd voor 2021Q3; levering 2021Q2 gebruikt"), in words: quarters as ``K3 2021``,
    datasets by their label (``config/labels.yaml``).

    >>> lev = pd.DataFrame({"partner_id": ["a", "a"], "dataset": ["opdrachten", "aanbestedingskalender"],
    ...                     "status": ["geleverd", "overgenomen"], "levering_periode": ["2021Q3", "2021Q2"]})
    >>> delivery_sentence(lev, "a", "2021Q3")
    'Gedeeltelijk. Aanbestedingskalender: niet aangeleverd voor K3 2021; levering K2 2021 gebruikt. Opdrachten: geleverd voor K3 2021.'
    >>> delivery_sentence(lev[lev.status == "geleverd"], "a", "2021Q3")
    'Ja, geleverd voor K3 2021: opdrachten.'
    """
    from pipeline.report import labels

    quarter = fmt.format_quarter(period)
    rows = leveringen[leveringen["partner_id"] == partner_id].sort_values("dataset")
    if rows.empty:
        return f"Van deze partner wordt geen levering verwacht voor {quarter}."
    names = {d: labels.label("dataset", d) for d in rows["dataset"]}
    if (rows["status"] == "geleverd").all():
        return f"Ja, geleverd voor {quarter}: {', '.join(names[d] for d in rows['dataset'])}."
    parts = []
    for row in rows.itertuples():
        name = names[row.dataset][:1].upper() + names[row.dataset][1:]
        if row.status == "geleverd":
            parts.append(f"{name}: geleverd voor {quarter}.")
        elif row.status == "overgenomen":
            parts.append(
                f"{name}: niet aangeleverd voor {quarter}; levering {fmt.format_quarter(row.levering_periode)} gebruikt."
            )
        elif row.status == "onleesbaar":
            parts.append(
                f"{name}: de levering voor {quarter} kon niet worden gelezen; deze gegevens ontbreken in dit rapport."
            )
        else:
            parts.append(
                f"{name}: niet aangeleverd voor {quarter} en ook niet eerder; deze gegevens ontbreken in dit rapport."
            )
    answer = "Gedeeltelijk." if (rows["status"] == "geleverd").any() else "Nee."
    return " ".join([answer, *parts])


def heading(text: str, level: int = 2) -> Html:
    """A section heading for sections that only some partner roles get."""
    return Html(f"<h{level}>{html.escape(text)}</h{level}>")


# ---------------------------------------------------------------- words, not codes (findings)

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_PLAIN_NUMBER = re.compile(r"^(-?)(\d+)(?:\.(\d+))?$")
_ID_COLUMN = re.compile(r"(^|_)(id|kvk|bsn|nummer|postcode|code)($|_)")
_SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-]|\.\w)")


def display_value(value: object, kolom: object = "") -> str:
    """A delivered value as a Dutch reader expects it: ``10.5`` → ``10,5``, ``26660.00`` →
    ``26.660,00``, ``2020-11-11`` → ``11-11-2020``; identifiers (ids, KvK, BSN) and other text
    stay as delivered; missing → ``–``.

    >>> [display_value(v) for v in ["10.5", "26660.00", "-4113000", "2020-11-11", "GR-2019-010", "", None]]
    ['10,5', '26.660,00', '-4.113.000', '11-11-2020', 'GR-2019-010', '–', '–']
    >>> display_value("94814815", "opdrachtnemer_kvk"), display_value("2021", "regel_id")
    ('94814815', '2021')
    """
    if fmt.is_missing(value) or str(value).strip() in ("", "nan", "NaN", "None", "NaT"):
        return fmt.NA_TEXT
    text = str(value).strip()
    if m := _ISO_DATE.match(text):
        return f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
    if _ID_COLUMN.search(str(kolom or "")):
        return text
    if m := _PLAIN_NUMBER.match(text):
        decimals = len(m.group(3) or "")
        return fmt.format_number(float(text), decimals)
    return text


def column_shown(kolom: object, kolom_bestand: object = None) -> str:
    """The column of a finding as the partner knows it: its header as delivered
    (``kolom_bestand``) when there is one and it is not just the standard's code, else the
    standard's name in words.

    >>> column_shown("uren_per_week", "Uren per week"), column_shown("uren_per_week", ""), column_shown(None)
    ('Uren per week', 'uren per week', '–')
    >>> column_shown("uren_per_week", " UREN_PER_WEEK ")  # the code as header: in words
    'uren per week'
    """
    if not fmt.is_missing(kolom_bestand) and str(kolom_bestand).strip():
        delivered = str(kolom_bestand).strip()
        if fmt.is_missing(kolom) or delivered.lower() != str(kolom).strip().lower():
            return delivered
    if fmt.is_missing(kolom) or not str(kolom).strip():
        return fmt.NA_TEXT
    return labels.label("kolom", str(kolom).strip())


def readable_reason(text: object) -> str:
    """A reason in words: status codes by their Dutch word, any other ``code_with_underscores``
    with spaces. File names stay whole. (The finding's column is named, as delivered, in its own
    column: :func:`column_shown`.)

    >>> readable_reason("uren_per_week is minder dan 12")
    'uren per week is minder dan 12'
    >>> readable_reason("de opdracht is nog niet gestart (telt mee als nog_niet_gestart)")
    'de opdracht is nog niet gestart (telt mee als nog niet gestart)'
    >>> readable_reason("zie inzet_2021q3.csv rij 3; regel_id dubbel")
    'zie inzet_2021q3.csv rij 3; regel id dubbel'
    """
    if fmt.is_missing(text):
        return fmt.NA_TEXT

    def word(m: re.Match) -> str:
        code = m.group()
        if code in fmt.STATUS_LABELS:
            return fmt.STATUS_LABELS[code].lower()
        return code.replace("_", " ")

    return _SNAKE.sub(word, str(text))
