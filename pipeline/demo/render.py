"""How each demo partner writes its exports: the quirks of real partners' Excel, per partner.

A :class:`Style` fixes one partner's habits: CSV or XLSX, delimiter, encoding, header
spelling, date, number and boolean notation, title rows, trailing empty rows, an extra column
the standard does not know, optional columns left out. :func:`render` turns a snapshot (rows of
typed values, keyed by the standard's column names) into the bytes of one file and reports, per
row, the Excel row number and the value as written, so planted problems can be documented
exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline.demo.files import BLANK, Bold, Money, csv_bytes, xlsx_bytes
from pipeline.demo.partners import Partner


class Raw(str):
    """A value written verbatim, whatever the partner's style (a planted bad value)."""


@dataclass(frozen=True)
class Style:
    """One partner's export habits (see the module docstring)."""

    fmt: str = "csv"  # csv | xlsx
    delimiter: str = ";"
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | cp1252
    newline: str = "\r\n"
    headers: str = "title"  # snake | title | upper | alias | mapped
    dates: str = "dmy"  # dmy | dmy_nopad | dmy_slash | iso | cell | text_dmy | mixed
    serial_dates: tuple[str, ...] = ()  # xlsx: these date columns as bare Excel serial numbers
    numbers: str = "dutch"  # dutch | euro | plain | plain_int | cell
    booleans: str = "ja_nee"  # ja_nee | Ja_Nee | j_n | x | waar | cell
    ids_as_numbers: bool = False  # xlsx: BSN and KvK typed as numbers
    title_rows: int = 0  # xlsx: title lines above the header (plus one empty line)
    sheet: str = ""  # xlsx sheet name; "" = the dataset's name
    toelichting_sheet: bool = False  # xlsx: an explanation sheet comes first
    trailing_rows: int = 0
    trailing_delimiter: bool = False
    opmerking: bool = False  # an extra "Opmerking" column (ignored with a note)
    omit: tuple[str, ...] = ()  # optional columns the partner leaves out
    toont_plannen: bool = False  # writes planned end dates that lie after the peildatum
    mapping: dict[str, dict] = field(default_factory=dict, compare=False)  # mapped partner only


# The standard's columns per dataset, with the kind of value (docs/exports.md).
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "opdrachten": [
        ("opdracht_id", "text"),
        ("omschrijving", "text"),
        ("soort", "text"),
        ("sector", "text"),
        ("opdrachtnemer_kvk", "kvk"),
        ("opdrachtnemer_naam", "text"),
        ("gunningsdatum", "date"),
        ("startdatum", "date"),
        ("einddatum", "date"),
        ("opdrachtwaarde", "money"),
        ("sr_percentage", "pct"),
        ("sr_verplichting", "money"),
    ],
    "inzet": [
        ("regel_id", "text"),
        ("opdrachtgever", "text"),
        ("opdracht_id", "text"),
        ("bouwblok", "text"),
        ("kandidaat_bsn", "bsn"),
        ("startdatum", "date"),
        ("einddatum", "date"),
        ("uren_per_week", "number"),
        ("vijftig_plus", "boolean"),
        ("bedrag", "money"),
        ("omschrijving", "text"),
    ],
    "trajecten": [
        ("traject_id", "text"),
        ("kandidaat_bsn", "bsn"),
        ("woongemeente", "text"),
        ("doelgroep", "text"),
        ("opleiding", "text"),
        ("sector", "text"),
        ("aanmelddatum", "date"),
        ("startdatum", "date"),
        ("einddatum", "date"),
        ("status", "text"),
        ("certificaat", "boolean"),
        ("plaatsing_datum", "date"),
        ("plaatsing_werkgever_kvk", "kvk"),
        ("plaatsing_uren_per_week", "number"),
        ("plaatsing_einddatum", "date"),
    ],
    "aanbestedingskalender": [
        ("aanbesteding_id", "text"),
        ("omschrijving", "text"),
        ("soort", "text"),
        ("sector", "text"),
        ("verwachte_publicatie", "date"),
        ("verwachte_start", "date"),
        ("geraamde_waarde", "money"),
        ("sr_percentage", "pct"),
    ],
}

_TITLE = {
    "opdracht_id": "Opdracht ID",
    "opdrachtnemer_kvk": "Opdrachtnemer KvK",
    "regel_id": "Regel ID",
    "kandidaat_bsn": "Kandidaat BSN",
    "sr_percentage": "SR percentage",
    "sr_verplichting": "SR verplichting",
    "traject_id": "Traject ID",
    "plaatsing_werkgever_kvk": "Plaatsing werkgever KvK",
    "aanbesteding_id": "Aanbesteding ID",
}
# header spellings a partner uses instead of the standard's (all accepted as aliases)
_ALIAS = {
    "opdracht_id": "Opdrachtnummer",
    "gunningsdatum": "Datum gunning",
    "startdatum": "Begindatum",
    "einddatum": "Eind datum",
    "opdrachtwaarde": "Opdrachtwaarde EUR",
    "sr_percentage": "SROI percentage",
    "sr_verplichting": "SROI verplichting",
    "opdrachtnemer_kvk": "KvK nummer opdrachtnemer",
    "regel_id": "Regelnummer",
    "kandidaat_bsn": "BSN",
    "uren_per_week": "Uren pw",
    "vijftig_plus": "50-plus",
    "bedrag": "Bedrag EUR",
    "woongemeente": "Gemeente",
    "aanmelddatum": "Datum aanmelding",
    "certificaat": "Diploma",
    "plaatsing_datum": "Plaatsingsdatum",
}


_ALIAS_TRAJECTEN = {"startdatum": "Start datum"}  # "Begindatum" is no alias in trajecten


def header(style: Style, dataset: str, column: str) -> str:
    """The heading one partner writes for a standard column."""
    if style.headers == "alias" and dataset == "trajecten" and column in _ALIAS_TRAJECTEN:
        return _ALIAS_TRAJECTEN[column]
    if style.headers == "mapped":
        return style.mapping["columns"][dataset][column]
    if style.headers == "snake":
        return column
    if style.headers == "upper":
        return f" {column.upper().replace('_', '-')} "
    if style.headers == "alias" and column in _ALIAS:
        return _ALIAS[column]
    return _TITLE.get(column, column.replace("_", " ").capitalize())


def _nl(value: float, decimals: int) -> str:
    """Dutch notation: 1.234.567,89."""
    text = f"{abs(value):,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return ("-" if value < 0 else "") + text


def _short(value: float, dutch: bool) -> str:
    """5, 22,5 / 22.5: no decimals when the number is whole."""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.2f}".rstrip("0")
    return text.replace(".", ",") if dutch else text


def _date(value: dt.date, style: Style, column: str, index: int) -> object:
    if style.fmt == "xlsx" and column in style.serial_dates:
        return (value - dt.date(1899, 12, 30)).days  # General-formatted: a bare serial number
    kind = style.dates
    if kind == "mixed":  # pasted values: a text date among date cells
        kind = "dmy_slash" if index % 7 == 3 else "cell"
    if kind == "cell":
        return value
    if kind == "dmy_nopad":
        return f"{value.day}-{value.month}-{value.year}"
    if kind == "iso":
        return value.isoformat()
    return value.strftime("%d/%m/%Y" if kind == "dmy_slash" else "%d-%m-%Y")


def _number(value: float, kind: str, style: Style) -> object:
    if style.numbers == "cell":
        return Money(value) if kind == "money" else value
    dutch = style.numbers in ("dutch", "euro")
    if kind == "money":
        if style.numbers == "plain_int":
            return str(round(value))
        text = _nl(value, 2) if dutch else f"{value:.2f}"
        return "€ " + text if style.numbers == "euro" else text
    if kind == "pct":
        if style.numbers == "dutch":
            return _nl(value, 1)
        return _short(value, dutch) + ("%" if style.numbers == "euro" else "")
    return _short(value, dutch)


_BOOLEANS = {
    "ja_nee": ("ja", "nee"),
    "Ja_Nee": ("Ja", "Nee"),
    "j_n": ("j", "n"),
    "x": ("x", ""),
    "waar": ("WAAR", "ONWAAR"),
}


def cell(value: object, kind: str, style: Style, column: str, index: int) -> object:
    """One value as the partner writes it: text for CSV, a typed cell value for XLSX."""
    if value is None or value == "":
        return ""
    if isinstance(value, Raw):
        return str(value)
    if kind == "date":
        return _date(value, style, column, index)
    if kind in ("money", "pct", "number"):
        return _number(float(value), kind, style)
    if kind == "boolean":
        if style.booleans == "cell" and style.fmt == "xlsx":
            return bool(value)
        return _BOOLEANS[style.booleans][0 if value else 1]
    if kind in ("bsn", "kvk") and style.ids_as_numbers and style.fmt == "xlsx":
        return int(value)
    return str(value)


@dataclass
class Rendered:
    """One written file and where each record landed."""

    data: bytes
    ext: str
    headers: dict[str, str]  # standard column -> heading as written
    rows: list[int]  # Excel row number per record (CSV too: one row per record)
    cells: list[dict[str, object]]  # per record, standard column -> value as written


_OPMERKINGEN = ("", "", "conform bestek", "", "zie bijlage", "", "", "wijziging in behandeling", "")
_TITLES = ("Opgave social return", "Periode: {period}", "{naam}")
_TOELICHTING = (
    "Toelichting bij de opgave social return",
    "Vul per regel één opdracht in.",
    "Bedragen in euro's, exclusief btw.",
    "Vragen: de coördinator social return van de regio.",
)


def render(
    partner: Partner, style: Style, dataset: str, period: str, records: list[dict], created: dt.datetime
) -> Rendered:
    """Write one partner's snapshot of one dataset in that partner's own way."""
    columns = [(c, k) for c, k in COLUMNS[dataset] if c not in style.omit]
    if style.headers == "mapped":
        order = list(style.mapping["columns"][dataset])
        columns = sorted(columns, key=lambda ck: order.index(ck[0]))
    values = style.mapping.get("values", {}).get(dataset, {})
    cells = []
    for i, record in enumerate(records):
        row = {}
        for column, kind in columns:
            value = record.get(column)
            if column in values and isinstance(value, str) and not isinstance(value, Raw):
                value = values[column].get(value, value)  # the partner's own codes
            row[column] = cell(value, kind, style, column, i)
        cells.append(row)
    heads = {c: header(style, dataset, c) for c, _ in columns}
    extra = ["Opmerking"] if style.opmerking else []
    grid = [
        [row[c] for c, _ in columns] + ([_OPMERKINGEN[i % len(_OPMERKINGEN)]] if extra else [])
        for i, row in enumerate(cells)
    ]
    head = list(heads.values()) + extra
    if style.fmt == "csv":
        data, lines = csv_bytes(
            head,
            [[str(v) for v in r] for r in grid],
            delimiter=style.delimiter,
            newline=style.newline,
            encoding=style.encoding,
            trailing_rows=style.trailing_rows,
            trailing_delimiter=style.trailing_delimiter,
        )
        return Rendered(data, "csv", heads, lines, cells)
    titles = [[Bold(t.format(period=period, naam=partner.naam))] for t in _TITLES[: style.title_rows]]
    top = titles + ([[]] if titles else [])
    rows = top + [[Bold(h) for h in head]] + grid + [[BLANK] * len(head)] * style.trailing_rows
    sheets = [(style.sheet or dataset.capitalize(), rows)]
    if style.toelichting_sheet:
        sheets.insert(0, ("Toelichting", [[Bold(_TOELICHTING[0])]] + [[t] for t in _TOELICHTING[1:]]))
    first = len(top) + 2
    return Rendered(xlsx_bytes(sheets, created), "xlsx", heads, list(range(first, first + len(grid))), cells)


# ---- which partner writes how (the demo's spread of real-world quirks) ----------------------

_AUTHORITY_STYLES = {
    "gemeente-groningen": Style(fmt="xlsx", title_rows=2, dates="cell", numbers="cell", trailing_rows=3),
    "gemeente-eemsdelta": Style(encoding="cp1252", omit=("sr_verplichting",), trailing_rows=2),
    "gemeente-het-hogeland": Style(
        delimiter=",",
        encoding="utf-8-sig",
        newline="\n",
        headers="upper",
        dates="iso",
        numbers="plain",
        omit=("sr_verplichting",),
    ),
    "gemeente-midden-groningen": Style(
        headers="alias",
        dates="dmy_nopad",
        numbers="euro",
        trailing_delimiter=True,
        opmerking=True,
        omit=("sr_verplichting",),
    ),
    "provincie-groningen": Style(
        fmt="xlsx", title_rows=1, toelichting_sheet=True, dates="mixed", numbers="cell", opmerking=True
    ),
    "nationaal-coordinator-groningen": Style(
        delimiter=",", newline="\n", headers="snake", dates="iso", numbers="plain"
    ),
}
_CONTRACTOR_STYLES = {
    "eemsbouw": Style(encoding="cp1252"),
    "cooperatie-bouwgroep-ommeland": Style(
        encoding="cp1252", headers="alias", dates="dmy_nopad", booleans="j_n", trailing_rows=3
    ),
    "wadden-infra": Style(
        delimiter=",", encoding="utf-8-sig", newline="\n", headers="snake", dates="iso", numbers="plain", booleans="x"
    ),
    "hunze-techniek": Style(
        fmt="xlsx", sheet="Blad1", dates="text_dmy", numbers="cell", booleans="cell", ids_as_numbers=True
    ),
    "dollard-installatietechniek": Style(
        delimiter="\t", dates="dmy_slash", numbers="plain", booleans="waar", omit=("omschrijving",)
    ),
    "reitdiep-renovatie": Style(headers="upper", numbers="plain_int"),
    "fivel-grond-en-wegenbouw": Style(
        fmt="xlsx", title_rows=3, dates="cell", numbers="cell", booleans="Ja_Nee", trailing_rows=2
    ),
}
_PROVIDER_STYLES = {
    "noorderpoort": Style(fmt="xlsx", title_rows=2, dates="cell", numbers="cell", toont_plannen=True),
    "alfa-college": Style(encoding="cp1252", headers="alias", dates="dmy_nopad", booleans="j_n", toont_plannen=True),
    "werkplein-groningen": Style(delimiter=",", encoding="utf-8-sig", newline="\n", numbers="plain", booleans="x"),
    "werkplein-ommeland": Style(
        fmt="xlsx", title_rows=1, dates="cell", serial_dates=("plaatsing_datum",), numbers="cell", booleans="cell"
    ),
    "sw-ommeland": Style(headers="snake", dates="iso", toont_plannen=True),
}


def style_for(partner: Partner, position: int, mapping: dict | None = None) -> Style:
    """The partner's style; the others of its role take turns in the named ones' styles.

    Args:
        partner: the register row.
        position: the partner's place among the register's partners of the same role.
        mapping: the inverted mapping file when this is the mapped partner.
    """
    if mapping is not None:  # the mapped contractor: its own headings and codes
        return Style(
            fmt="xlsx",
            title_rows=1,
            headers="mapped",
            dates="cell",
            numbers="cell",
            booleans="Ja_Nee",
            toont_plannen=True,
            mapping=mapping,
        )
    table = {"opdrachtgever": _AUTHORITY_STYLES, "opdrachtnemer": _CONTRACTOR_STYLES}.get(partner.rol, _PROVIDER_STYLES)
    if partner.partner_id in table:
        return table[partner.partner_id]
    styles = list(table.values())
    return styles[position % len(styles)]


def invert_mapping(data: dict) -> dict[str, dict]:
    """A mapping file (source -> standard) turned round for writing (standard -> source)."""
    columns, values = {}, {}
    for dataset, spec in data["datasets"].items():
        columns[dataset] = {std: source for source, std in spec.get("columns", {}).items()}
        values[dataset] = {
            col: {std: source for source, std in table.items()} for col, table in spec.get("values", {}).items()
        }
    return {"columns": columns, "values": values}
