"""The per-contract table as an Excel workbook, for partners who work in Excel (docs/reports.md,
"Machine-readable downloads").

Two kinds of file, written by the report step after the pages (:mod:`pipeline.orchestrate.publish`):

- ``reports/<P>/data/opdrachten.xlsx``: every contract of the region (for the coordinator; the
  index page links it). ``opdrachten.csv`` beside it stays the machine-readable, unsuppressed
  internal file; this one is for people, so person counts are suppressed as on the pages.
- ``reports/<P>/partners/<partner_id>.xlsx``: only that partner's own contracts (an authority:
  the contracts it awarded; a contractor: the contracts it carries out), linked from its page.
  Partners without contracts (training institutes, job centres) get no workbook.

Decisions:

- **Dutch for people, codes for Excel.** Headers are the pages' Dutch headers and the status is
  the Dutch word. Number formats in an XLSX are locale-independent codes that Excel shows in the
  reader's locale: ``"€" #,##0.00`` is shown as ``€ 1.234,56`` by a Dutch Excel; percentages are
  stored as fractions with ``0.0%`` (``12,5%``); dates are real Excel dates with ``dd-mm-yyyy``
  (``30-09-2021``, "dd-mm-jjjj" in a Dutch Excel). Amounts keep their cents, so sums in Excel
  agree with ``opdrachten.csv``.
- **Suppression**: ``kandidaten`` goes through :func:`pipeline.disclosure.suppress.suppress_small_counts`
  exactly as on the pages. The number column "Personen" stays numbers only (Excel can sum and
  sort it): a hidden count is blank there, and its mark (``<5`` or ``×``) stands in its own text
  column "Personen (afgeschermd)"; the sheet "Toelichting" explains both.
- **Totals row** under the contracts (bold, outside the filter range): the sums of the amounts
  and fte; "Realisatie" in that row is the part of the obligation filled in (per contract at most
  its obligation, as on the pages); persons are not added up (one person can work on more
  contracts).
- **Print set-up**: A4 landscape, fitted to one page wide, the header row repeated on every
  printed page.
- **Words, not codes**: the status and the sector as Dutch words (``config/labels.yaml``).
- **Ended contracts** (niet voldaan) have no amount under "Nodig om op schema te komen" (nothing
  can bring them back on schedule); what they left unrealised is under "Nog te realiseren".
- **Text from partner exports never runs as a formula.** Every text cell is written as a string
  cell (XlsxWriter's ``write_string``, never its guessing ``write``, which would store a string
  starting with ``=`` as a formula), and one that starts with ``= + - @``, a tab or a carriage
  return also gets Excel's own ``quotePrefix`` cell style: what Excel itself stores when someone
  types ``'=...``. The text stays exactly as delivered (no visible apostrophe, nothing lost in a
  round trip), and editing the cell in Excel keeps it text. Characters XML cannot hold (control
  characters) are dropped; a text is cut at Excel's limit of 32,767 characters.
- **Written with XlsxWriter** (openpyxl is the reader elsewhere in the pipeline): it writes the
  same cells about twice as fast, which counts at 100x data (hundreds of workbooks).
- **Byte-identical on every run** (the same inputs give the same file): fixed document
  properties (creator; created = modified = the peildatum) and XlsxWriter's in-memory zip, whose
  entries all carry the zip format's fixed date 1980-01-01 and come in XlsxWriter's fixed order
  (``[Content_Types].xml`` first). The document language (``nl-NL``) is not set: XlsxWriter has
  no property for it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pipeline.core import csvsafe
from pipeline.core.periods import parse_period
from pipeline.disclosure.suppress import suppress_small_counts, suppression_note_nl
from pipeline.report import formatting as fmt
from pipeline.report import labels

CREATOR = "social-return-monitor"
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest date: "no date"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
# the characters XML 1.0 cannot hold: the same set as openpyxl's ILLEGAL_CHARACTERS_RE
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
PIXELS_PER_CHARACTER = 7  # a column width of n characters is 7n pixels (Calibri 11, Excel's default)
CONTRACT_ROLES = ("opdrachtgever", "opdrachtnemer")
SHEET_ORDER = ["opdrachtgever", "opdracht_id"]  # the contracts' order in a sheet

MONEY = '"€" #,##0.00;"€" -#,##0.00'
PERCENT = "0.0%"
DATE = "dd-mm-yyyy"
COUNT = "#,##0"
DECIMAL = "#,##0.0"

# (column of opdrachten.csv, Dutch header, kind, width): the order of the sheet.
COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    ("opdrachtgever_naam", "Opdrachtgever", "text", 26),
    ("opdracht_id", "Opdracht", "text", 16),
    ("omschrijving", "Omschrijving", "text", 44),
    ("opdrachtnemer_naam", "Opdrachtnemer", "text", 30),
    ("sector", "Sector", "text", 10),
    ("status", "Status", "status", 16),
    ("startdatum", "Startdatum", "date", 12),
    ("einddatum", "Einddatum", "date", 12),
    ("verplichting_eur", "Verplichting", "money", 16),
    ("verwacht_eur", "Verwacht tot de peildatum", "money", 16),
    ("gerealiseerd_eur", "Gerealiseerd", "money", 16),
    ("realisatie_pct", "Realisatie", "percent", 11),
    ("nog_te_realiseren_eur", "Nog te realiseren", "money", 16),
    ("achterstand_eur", "Nodig om op schema te komen", "money", 16),
    ("kandidaten", "Personen", "count", 10),
    ("kandidaten_afgeschermd", "Personen (afgeschermd)", "text", 13),
    ("fte", "Fte", "decimal", 8),
)
TOTAL = "Totaal"
SUMMED = ("verplichting_eur", "verwacht_eur", "gerealiseerd_eur", "nog_te_realiseren_eur", "achterstand_eur", "fte")
_FORMATS = {"money": MONEY, "percent": PERCENT, "date": DATE, "count": COUNT, "decimal": DECIMAL}


def partner_contracts(opdrachten: pd.DataFrame, partner_id: str, rol: str) -> pd.DataFrame:
    """The contracts that are a partner's own: an authority's as client, a contractor's as
    contractor; none for other roles (docs/reports.md: only that partner's own data).

    >>> o = pd.DataFrame({"opdrachtgever": ["g1", "g2"], "opdrachtnemer": ["n1", None], "opdracht_id": ["A", "B"]})
    >>> partner_contracts(o, "g2", "opdrachtgever")["opdracht_id"].tolist()
    ['B']
    >>> partner_contracts(o, "n1", "opdrachtnemer")["opdracht_id"].tolist(), len(partner_contracts(o, "g1", "opleider"))
    (['A'], 0)
    """
    if rol == "opdrachtgever":
        return opdrachten[opdrachten["opdrachtgever"].astype("string") == partner_id]
    if rol == "opdrachtnemer":
        return opdrachten[opdrachten["opdrachtnemer"].astype("string") == partner_id]
    return opdrachten.iloc[0:0]


def contract_rows(contracts: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """The sheet's rows: names from the register, sorted as on the pages, persons suppressed."""
    names = dict(zip(partners["partner_id"].astype(str), partners["naam"].astype(str)))
    rows = contracts.sort_values(SHEET_ORDER, kind="stable").reset_index(drop=True)
    rows = rows.assign(opdrachtgever_naam=[names.get(str(p), str(p)) for p in rows["opdrachtgever"]])
    for column, _, _, _ in COLUMNS:
        if column not in rows:
            rows[column] = pd.NA
    rows = rows[[c for c, _, _, _ in COLUMNS]]
    if rows.empty:
        return rows
    rows = rows.assign(
        sector=[labels.label("sector", v) if not fmt.is_missing(v) else v for v in rows["sector"]],
        # an ended contract has nothing "needed to get back on schedule": its shortfall is under
        # "Nog te realiseren" (as on the pages); opdrachten.csv keeps its own values
        achterstand_eur=rows["achterstand_eur"].where(rows["status"].astype("string") != "niet_voldaan"),
    )
    # docs/domain.md: persons 1..4 hidden, exactly as on the pages (no total of persons is shown); the
    # mark goes to its own text column, the number column keeps numbers only
    shown = suppress_small_counts(rows, ["kandidaten"], total_row=None)
    hidden = shown["kandidaten"].map(lambda v: isinstance(v, str))
    return shown.assign(
        kandidaten=shown["kandidaten"].where(~hidden, pd.NA),
        kandidaten_afgeschermd=shown["kandidaten"].where(hidden, pd.NA),
    )


def totals_row(contracts: pd.DataFrame) -> dict[str, object]:
    """The sheet's totals: sums of the amounts and fte; realisation as the share of the
    obligation filled in (per contract at most its obligation, no netting); no persons.

    >>> t = totals_row(pd.DataFrame({"verplichting_eur": [10.0, 20.0], "gerealiseerd_eur": [30.0, 5.0]}))
    >>> t["opdrachtgever_naam"], t["gerealiseerd_eur"], round(t["realisatie_pct"], 1)
    ('Totaal', 35.0, 50.0)
    """
    out: dict[str, object] = {"opdrachtgever_naam": TOTAL}
    for column in SUMMED:
        if column in contracts:
            out[column] = float(pd.to_numeric(contracts[column], errors="coerce").fillna(0).sum())
    ver = pd.to_numeric(contracts["verplichting_eur"], errors="coerce").fillna(0)
    real = pd.to_numeric(contracts["gerealiseerd_eur"], errors="coerce").fillna(0)
    filled = float(pd.concat([ver, real], axis=1).min(axis=1).sum())
    out["realisatie_pct"] = 100 * filled / float(ver.sum()) if float(ver.sum()) else None
    return out


class _Formats:
    """The workbook's cell formats, made once per combination of properties (XlsxWriter keeps
    every format it is asked for, so asking twice for the same one would make two)."""

    def __init__(self, wb: Workbook) -> None:
        self._wb = wb
        self._made: dict[tuple[tuple[str, object], ...], Format] = {}

    def __call__(self, **properties: object) -> Format | None:
        if not properties:
            return None
        key = tuple(sorted(properties.items()))
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._wb.add_format(dict(properties))
        return made


def write_text(ws: Worksheet, row: int, col: int, value: object, formats: _Formats, **properties: object) -> None:
    """A text cell that Excel never evaluates (module docstring); ``properties`` are the cell's
    other format properties (bold, alignment)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL_TEXT]
    if text.startswith(FORMULA_TRIGGERS):
        properties["quote_prefix"] = True
    if text:
        ws.write_string(row, col, text, formats(**properties))
    else:  # an empty string cell is no value, as openpyxl wrote it; its format stays
        ws.write_blank(row, col, None, formats(**properties))


def _write_value(
    ws: Worksheet, row: int, col: int, value: object, kind: str, formats: _Formats, **properties: object
) -> None:
    if fmt.is_missing(value):
        if properties:
            ws.write_blank(row, col, None, formats(**properties))
        return
    if kind == "status":
        write_text(ws, row, col, fmt.status_label(value), formats, **properties)
    elif kind == "date":
        stamp = pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)
        ws.write_datetime(row, col, stamp, formats(num_format=DATE, **properties))
    elif kind == "text" or isinstance(value, str):
        if kind != "text" or str(value).startswith(("<", "×")):
            properties["align"] = "right"
        write_text(ws, row, col, value, formats, **properties)
    else:
        number = float(value)
        ws.write_number(
            row, col, number / 100 if kind == "percent" else number, formats(num_format=_FORMATS[kind], **properties)
        )


def _column_writer(kind: str, formats: _Formats) -> Callable[[Worksheet, int, int, object], None]:
    """What :func:`_write_value` does for a present value of this kind, with the formats looked
    up once per column instead of once per cell (the contracts' cells are most of the work)."""
    if kind in ("money", "count", "decimal", "percent"):
        number_format, scale = formats(num_format=_FORMATS[kind]), 100.0 if kind == "percent" else 1.0

        def write_number(ws: Worksheet, row: int, col: int, value: object) -> None:
            if isinstance(value, str):
                _write_value(ws, row, col, value, kind, formats)
            else:
                ws.write_number(row, col, float(value) / scale, number_format)

        return write_number
    if kind == "text":
        plain, quoted = formats(), formats(quote_prefix=True)

        def write_plain_text(ws: Worksheet, row: int, col: int, value: object) -> None:
            text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL_TEXT]
            if not text or text.startswith(("<", "×")):
                _write_value(ws, row, col, value, kind, formats)
            else:
                ws.write_string(row, col, text, quoted if text.startswith(FORMULA_TRIGGERS) else plain)

        return write_plain_text
    return lambda ws, row, col, value: _write_value(ws, row, col, value, kind, formats)


def _fill_table(ws: Worksheet, rows: pd.DataFrame, formats: _Formats) -> None:
    for j, (_, header, _, width) in enumerate(COLUMNS):
        write_text(ws, 0, j, header, formats, bold=True, text_wrap=True, valign="top")
        ws.set_column_pixels(j, j, width * PIXELS_PER_CHARACTER)  # exactly `width` characters wide
    writers = [_column_writer(kind, formats) for _, _, kind, _ in COLUMNS]
    columns = [rows[c].tolist() for c, _, _, _ in COLUMNS]
    missing = fmt.is_missing
    for i, values in enumerate(zip(*columns), start=1):
        for j, (value, write) in enumerate(zip(values, writers)):
            if not missing(value):
                write(ws, i, j, value)
    ws.freeze_panes(1, 2)  # C2: header row and the contract's authority + id stay in view
    ws.autofilter(0, 0, len(rows), len(COLUMNS) - 1)  # A1:<last><n+1>: the totals row stays out of sorting
    if len(rows):
        total = totals_row(rows)
        r = len(rows) + 1
        for j, (column, _, kind, _) in enumerate(COLUMNS):
            _write_value(ws, r, j, total.get(column), kind, formats, bold=True)
    # A4 landscape, one page wide, the header row on every printed page, no gridlines printed
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.hide_gridlines(1)  # printed gridlines off, on screen as usual


def _fill_notes(ws: Worksheet, period: str, about: str, formats: _Formats) -> None:
    p = parse_period(period)
    lines: Sequence[tuple[str, object]] = (
        ("Periode", p.code),
        ("Peildatum", dt.datetime.combine(p.peildatum, dt.time())),
        ("Over", about),
        ("", ""),
        (
            "Bedragen",
            "In euro's, exclusief btw. Gerealiseerd is gewaardeerd met de bouwblokkenmethode, "
            "met de tariefkaart die gold op de gunningsdatum van de opdracht.",
        ),
        ("Verwacht tot de peildatum", "De verplichting gelijk verdeeld over de looptijd, tot de peildatum."),
        ("Nog te realiseren", "Verplichting min gerealiseerd (niet minder dan 0)."),
        ("Nodig om op schema te komen", "Verwacht tot de peildatum min gerealiseerd (niet minder dan 0)."),
        (
            "Status",
            "Voldaan, Op schema, Achterstand (minstens 75% van het verwachte), Risico, "
            "Niet voldaan (afgelopen zonder de verplichting te halen), Nog niet gestart.",
        ),
        (
            "Personen",
            "Verschillende kandidaten met inzet op de opdracht. Niet opgeteld in de totaalregel: "
            "iemand kan op meer opdrachten werken.",
        ),
        (
            "Personen (afgeschermd)",
            "Een klein aantal personen wordt niet getoond: dan is 'Personen' leeg en staat hier het teken. "
            + suppression_note_nl(),
        ),
        (
            "Totaal",
            "De laatste regel telt de bedragen en fte op; Realisatie is daar het deel van de verplichting "
            "dat is ingevuld (per opdracht ten hoogste de verplichting).",
        ),
    )
    ws.set_column_pixels(0, 0, 28 * PIXELS_PER_CHARACTER)
    ws.set_column_pixels(1, 1, 100 * PIXELS_PER_CHARACTER)
    for i, (label, value) in enumerate(lines):
        write_text(ws, i, 0, label, formats, bold=True)
        if isinstance(value, dt.datetime):
            ws.write_datetime(i, 1, value, formats(num_format=DATE, align="left"))
        else:
            write_text(ws, i, 1, value, formats, text_wrap=True, valign="top")


def workbook_bytes(rows: pd.DataFrame, period: str, about: str) -> bytes:
    """The workbook (sheet ``Opdrachten`` + sheet ``Toelichting``) as deterministic XLSX bytes."""
    buffer = io.BytesIO()
    # in memory: no temporary files, and every zip entry dated 1980-01-01 (not the clock)
    wb = Workbook(buffer, {"in_memory": True})
    formats = _Formats(wb)
    _fill_table(wb.add_worksheet("Opdrachten"), rows, formats)
    _fill_notes(wb.add_worksheet("Toelichting"), period, about, formats)
    stamp = dt.datetime.combine(parse_period(period).peildatum, dt.time())
    # created is also written as modified; without it XlsxWriter would stamp the clock
    wb.set_properties({"author": CREATOR, "title": f"Opdrachten {period} — {about}", "created": stamp})
    wb.close()
    return buffer.getvalue()


def normalise_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """The same zip with fixed timestamps and attributes and a sorted entry order
    (``[Content_Types].xml`` first, as Office writes it); ``replace`` swaps entries' contents.
    For workbooks openpyxl writes (:mod:`pipeline.ingest.templates`); the downloads need none of it."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        names = sorted(zin.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zout.writestr(info, replace.get(name, zin.read(name)), compresslevel=6)
    return out.getvalue()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_downloads(
    period: str, reports_dir: Path, partners: pd.DataFrame, opdrachten: pd.DataFrame | None = None
) -> list[Path]:
    """Write ``data/opdrachten.xlsx`` and ``partners/<id>.xlsx`` (partners with own contracts)
    under ``reports_dir``; return the paths written, in a fixed order."""
    if opdrachten is None:
        # csvsafe: the text as delivered, without the quote that keeps it from running in a CSV
        opdrachten = csvsafe.read_csv(
            reports_dir / "data" / "opdrachten.csv",
            keep_default_na=False,
            na_values=[""],
            dtype={"opdracht_id": str, "opdrachtgever": str, "opdrachtnemer": str},
        )
    # the region's sheet rows once, in their order; a partner's sheet is its own rows of them
    # (every value of a row depends on that row alone), not the same work again per partner;
    # its own rows by partner_contracts' rule: the partner's role names the column
    ordered = opdrachten.sort_values(SHEET_ORDER, kind="stable").reset_index(drop=True)
    region = contract_rows(ordered, partners)  # its own sort leaves this order as it is
    written = [reports_dir / "data" / "opdrachten.xlsx"]
    _write(written[0], workbook_bytes(region, period, "alle opdrachten in de regio"))
    positions = {
        rol: pd.Series(range(len(ordered))).groupby(ordered[rol].astype("string").to_numpy(), sort=False).indices
        for rol in CONTRACT_ROLES
        if rol in ordered
    }
    for partner in partners.sort_values("partner_id").itertuples():
        own = positions.get(partner.rol, {}).get(partner.partner_id)
        if own is None or not len(own):
            continue
        path = reports_dir / "partners" / f"{partner.partner_id}.xlsx"
        _write(path, workbook_bytes(region.iloc[own].reset_index(drop=True), period, str(partner.naam)))
        written.append(path)
    return written
