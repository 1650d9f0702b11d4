"""Delivery templates generated from the export standard: ``make templates``.

One XLSX per dataset (``build/templates/<dataset>.xlsx``) that a partner fills in and delivers as
``<JJJJKn>/<partner_id>/<dataset>_<JJJJKn>.xlsx`` (docs/exports.md, "Folder and file naming").
Everything in it comes from the configuration the pipeline checks against, so the template and
the checks cannot disagree:

- **Header**: the standard's column names (``config/datasets.yaml``), exactly as the ingest
  knows them (docs/exports.md, "Headers").
- **A comment on every header cell**: what the column means (``config/kolommen.yaml``), its
  format (the column's type, plus the value list, range or digit count of the suite's reject
  rules, ``pipeline/expectations/<dataset>.json``) and whether it is required (a required column
  in ``datasets.yaml``; a value always required, or only in some rows, by the suite).
- **Data validation**: value lists from the suites' ``expect_column_values_to_be_in_set``
  (building-block codes from the rate card, as the suite fills them in:
  :func:`pipeline.validate.suites.rate_card_blocks`), ``ja``/``nee`` for yes/no columns, dates
  as dates within the years the ingest accepts, amounts and hours as numbers in the suite's
  range (non-negative where the suite sets no range), KvK numbers and BSNs by their length.
- **Sheets**: the data sheet first, named after the dataset (the sheet the ingest reads:
  :func:`pipeline.ingest.xlsx_reader.read_sheet`), then ``Toelichting`` (who delivers, when, how
  to name the file, what happens to rejected rows, privacy, the columns) and ``Bouwblokken``
  (the rate card). Those two are :data:`~pipeline.ingest.xlsx_reader.TEMPLATE_SHEETS`: a
  filled-in template is read without a note about its sheets.
- **Byte-identical on every run**: fixed document properties (``SOURCE_DATE_EPOCH`` when set,
  else the date of the rate card's latest edition) and the zip rewritten with fixed timestamps
  (:func:`pipeline.report.downloads.normalise_zip`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from pipeline.core.errors import PipelineError
from pipeline.core.paths import CONFIG_DIR
from pipeline.core.schema import DATASETS, ColumnSpec, dataset_spec
from pipeline.core.settings import settings

DESCRIPTIONS = CONFIG_DIR / "kolommen.yaml"
TOELICHTING, BOUWBLOKKEN = "Toelichting", "Bouwblokken"
LAST_ROW = 1_048_576  # validation and formats reach Excel's last row
DATE_FORMAT = "dd-mm-yyyy"  # Excel's code; a Dutch Excel shows it as dd-mm-jjjj
MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"  # text cells: codes and numbers such as a BSN keep their leading zeros
# docs/exports.md, "Dates": a year outside 1900-2200 is rejected
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
YES_NO = ("ja", "nee")  # docs/exports.md, "Booleans": the words the template offers
BSN_DIGITS = (8, 9)  # docs/domain.md, "Pseudonymisation": 9 digits, or 8 when the leading zero was lost
_DIGITS_RE = re.compile(r"\^\[0-9\]\{(\d+)\}\$")  # a suite regex "exactly n digits"
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class ColumnRule:
    """One column of a template: what the standard and its suite say about it."""

    name: str
    spec: ColumnSpec
    meaning: str
    values: tuple[str, ...] = ()  # the suite's value list, if any
    block_codes: bool = False  # the value list is the rate card's block codes
    low: float | None = None
    low_strict: bool = False
    high: float | None = None
    high_strict: bool = False
    digits: int | None = None  # exactly this many digits (the suite's regex)
    value_required: bool = False  # every row needs a value
    conditions: tuple[str, ...] = ()  # the suite's conditional rules, as its Dutch reasons

    @property
    def format_nl(self) -> str:
        """The format in plain Dutch, as the header comment shows it."""
        kind = self.spec.type
        if kind == "date":
            return "datum, dd-mm-jjjj (een datumcel)"
        if kind == "boolean":
            return "ja of nee (kies uit de lijst)"
        if kind == "bsn":
            return "BSN: 9 cijfers (de cel is tekst, zodat een voorloopnul blijft staan)"
        if kind in ("money", "number"):
            word = "bedrag in euro, exclusief btw, zonder €-teken" if kind == "money" else "getal"
            return f"{word}; {self.range_nl}"
        if self.block_codes:
            return f"een bouwblokcode (kies uit de lijst; omschrijving en waarde op het blad {BOUWBLOKKEN})"
        if self.values:
            return "kies uit de lijst: " + ", ".join(_with_label(self.name, v) for v in self.values)
        if self.digits:
            return f"precies {self.digits} cijfers (de cel is tekst, zodat een voorloopnul blijft staan)"
        return "tekst"

    @property
    def range_nl(self) -> str:
        low, high = self.bounds
        parts = [("groter dan " if self.low_strict else "minstens ") + _number_nl(low)]
        if high is not None:
            parts.append(("kleiner dan " if self.high_strict else "hoogstens ") + _number_nl(high))
        return " en ".join(parts)

    @property
    def bounds(self) -> tuple[float, float | None]:
        """The numeric range; without a rule in the suite an amount or number is non-negative."""
        return (0.0 if self.low is None else self.low), self.high

    @property
    def required_nl(self) -> str:
        if self.value_required:
            return "ja, in elke regel"
        column = "de kolom moet er staan" if self.spec.required_column else "nee"
        if self.conditions:
            return f"{column}; " + "; ".join(self.conditions)
        return column + ("; de waarde mag leeg zijn" if self.spec.required_column else "")

    def comment_nl(self) -> str:
        return f"{self.name}\n{self.meaning}\n\nFormaat: {self.format_nl}\nVerplicht: {self.required_nl}"


def _with_label(column: str, code: str) -> str:
    """A code with its Dutch word when that says more (``pwet (Participatiewet)``)."""
    from pipeline.report.labels import KINDS, label

    kind = {"status": "traject_status"}.get(column, column)
    word = label(kind, code) if kind in KINDS else code
    return code if word == code else f"{code} ({word})"


def _number_nl(value: float) -> str:
    return f"{value:g}".replace(".", ",")


@lru_cache(maxsize=1)
def descriptions() -> dict[str, dict]:
    """``config/kolommen.yaml``: per dataset ``wat`` (what one row is) and ``kolommen`` (meanings)."""
    data = yaml.safe_load(DESCRIPTIONS.read_text(encoding="utf-8"))
    return data["datasets"]


def column_rules(dataset: str) -> list[ColumnRule]:
    """Every column of ``dataset`` with its meaning and the suite's reject rules that a template
    can show or check (value lists, numeric ranges, digit counts, required values)."""
    from pipeline.validate.suites import load_suite_spec, rate_card_blocks

    blocks = rate_card_blocks()
    rules = [e for e in load_suite_spec(dataset)["expectations"] if e["meta"]["severity"] == "reject"]
    meanings = descriptions()[dataset]["kolommen"]
    out = []
    for name, spec in dataset_spec(dataset).columns.items():
        found: dict = {"conditions": []}
        for exp in (e for e in rules if e["meta"]["kolom"] == name):
            kind, kwargs = exp["type"], exp["kwargs"]
            if "row_condition" in kwargs:
                if kind in ("expect_column_values_to_not_be_null", "expect_column_values_to_be_null"):
                    found["conditions"].append(exp["meta"]["reden_nl"])
                continue
            if kind == "expect_column_values_to_not_be_null":
                found["value_required"] = True
            elif kind == "expect_column_values_to_be_in_set":
                values = kwargs["value_set"]
                if isinstance(values, dict):  # {"$param": "bouwblokken"}: the rate card's codes
                    found["block_codes"], values = True, blocks[values["$param"]]
                found["values"] = tuple(values)
            elif kind == "expect_column_values_to_be_between":
                for end in ("min", "max"):
                    value = kwargs.get(f"{end}_value")
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        key = "low" if end == "min" else "high"
                        found[key], found[f"{key}_strict"] = float(value), bool(kwargs.get(f"strict_{end}"))
            elif kind == "expect_column_values_to_match_regex":
                match = _DIGITS_RE.fullmatch(kwargs["regex"])
                if match:
                    found["digits"] = int(match.group(1))
        found["conditions"] = tuple(found["conditions"])
        out.append(ColumnRule(name, spec, meanings[name], **found))
    return out


def _validation(rule: ColumnRule, cell: str, blocks_range: str) -> DataValidation | None:
    """The Excel data validation of one column, its formulas relative to ``cell`` (row 2)."""
    common = {"allow_blank": True, "showErrorMessage": True, "errorStyle": "stop", "errorTitle": "Ongeldige waarde"}
    error = f"{rule.name}: {rule.format_nl}"[:225]
    kind = rule.spec.type
    if kind == "boolean":
        return DataValidation(type="list", formula1='"' + ",".join(YES_NO) + '"', error=error, **common)
    if rule.block_codes:
        return DataValidation(
            type="list",
            formula1=blocks_range,
            error=error,
            showInputMessage=True,
            promptTitle="Bouwblok",
            prompt=f"Kies een code uit de lijst. Omschrijving, waarde en eenheid per code: blad {BOUWBLOKKEN}.",
            **common,
        )
    if rule.values:
        return DataValidation(type="list", formula1='"' + ",".join(rule.values) + '"', error=error, **common)
    if kind == "date":
        first, last = (str(int(to_excel(d))) for d in (FIRST_DATE, LAST_DATE))
        return DataValidation(type="date", operator="between", formula1=first, formula2=last, error=error, **common)
    if kind in ("money", "number"):
        low, high = rule.bounds
        if rule.low_strict or rule.high_strict:  # Excel's own operators include the bounds
            tests = [f"ISNUMBER({cell})", f"{cell}{'>' if rule.low_strict else '>='}{low:g}"]
            if high is not None:
                tests.append(f"{cell}{'<' if rule.high_strict else '<='}{high:g}")
            return DataValidation(type="custom", formula1=f"AND({','.join(tests)})", error=error, **common)
        if high is None:
            return DataValidation(
                type="decimal", operator="greaterThanOrEqual", formula1=f"{low:g}", error=error, **common
            )
        return DataValidation(
            type="decimal", operator="between", formula1=f"{low:g}", formula2=f"{high:g}", error=error, **common
        )
    if kind == "bsn":
        first, last = BSN_DIGITS
        return DataValidation(
            type="textLength", operator="between", formula1=str(first), formula2=str(last), error=error, **common
        )
    if rule.digits:
        return DataValidation(type="textLength", operator="equal", formula1=str(rule.digits), error=error, **common)
    return None


def _number_format(rule: ColumnRule) -> str:
    return {"date": DATE_FORMAT, "money": MONEY_FORMAT, "number": "General"}.get(rule.spec.type, TEXT_FORMAT)


def _width(rule: ColumnRule) -> float:
    base = {"date": 13, "money": 15, "number": 10, "boolean": 8, "bsn": 13}.get(rule.spec.type, 16)
    if rule.name == "omschrijving" or rule.name == "opleiding":
        base = 40
    return float(min(max(base, len(rule.name) + 4), 45))


def _data_sheet(ws: Worksheet, rules: list[ColumnRule], blocks_range: str) -> None:
    for i, rule in enumerate(rules, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=rule.name)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        cell.number_format = TEXT_FORMAT
        text = rule.comment_nl()
        cell.comment = Comment(text, "Regionale exportstandaard", width=340, height=30 + 16 * (len(text) // 48 + 4))
        column = ws.column_dimensions[letter]
        column.width = _width(rule)
        column.number_format = _number_format(rule)
        validation = _validation(rule, f"{letter}2", blocks_range)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"


def _rate_card() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(selectable blocks, bonus, earlier versions)``: each block code the suite accepts with
    its latest version (the rate card in force), the 50+ bonus, and every older version."""
    from pipeline.indicators.ratecard import BONUS_BLOCK, load_rate_card
    from pipeline.validate.suites import rate_card_blocks

    card = load_rate_card()
    latest = card.sort_values(["bouwblok", "geldig_vanaf"]).groupby("bouwblok", sort=False).tail(1)
    codes = rate_card_blocks()["bouwblokken"]
    selectable = latest.set_index("bouwblok").loc[codes].reset_index()
    bonus = latest[latest["bouwblok"] == BONUS_BLOCK]
    earlier = card.drop(index=latest.index).sort_values(["geldig_vanaf", "bouwblok"])
    return selectable, bonus, earlier


_CARD_HEADER = (
    "bouwblok",
    "omschrijving",
    "soort",
    "waarde (euro)",
    "eenheid",
    "max. maanden",
    "geldig vanaf",
    "geldig tot",
)
_CARD_WIDTHS = (20, 62, 10, 14, 10, 13, 13, 13)


def _card_rows(ws: Worksheet, rows: pd.DataFrame, start: int) -> int:
    """Write rate-card rows from row ``start``; return the next free row."""
    for r, row in enumerate(rows.itertuples(index=False), start=start):
        values = (
            row.bouwblok,
            row.omschrijving,
            row.soort,
            float(row.waarde_eur),
            row.eenheid,
            None if pd.isna(row.max_maanden) else int(row.max_maanden),
            row.geldig_vanaf.to_pydatetime(),
            None if pd.isna(row.geldig_tot) else row.geldig_tot.to_pydatetime(),
        )
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if c in (7, 8):
                cell.number_format = DATE_FORMAT
            elif c == 4:
                cell.number_format = "#,##0"
    return start + len(rows)


def _card_header(ws: Worksheet, row: int) -> None:
    for c, text in enumerate(_CARD_HEADER, start=1):
        cell = ws.cell(row=row, column=c, value=text)
        cell.font, cell.fill = _BOLD, _HEADER_FILL


def _bouwblokken_sheet(ws: Worksheet) -> str:
    """The rate card in force, its codes in column A from row 2 (the drop-down's source), the
    bonus and the earlier versions below. Returns the drop-down's range."""
    from pipeline.core.settings import settings

    # docs/domain.md, "Value per unit" and "The 12-hour rule"
    hours, least = settings().valuation.fte_uren_per_week, settings().valuation.min_uren_per_week
    selectable, bonus, earlier = _rate_card()
    _card_header(ws, 1)
    end = _card_rows(ws, selectable, 2)
    for c, width in enumerate(_CARD_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    row = end + 1
    notes = [
        "De codes hierboven zijn de keuzelijst van de kolom bouwblok; waarde en eenheid zijn die van de "
        "nieuwste versie van elk bouwblok.",
        "Een opdracht wordt gewaardeerd met de versie die gold op haar gunningsdatum (zie de eerdere versies "
        "hieronder).",
        f"Eenheid jaar: waarde per jaar bij {hours:g} uur per week of meer (minder uren telt naar rato, minder dan "
        f"{least:g} uur telt niet); maand: waarde per maand; factor: het bedrag van de regel keer de waarde.",
    ]
    for note in notes:
        ws.cell(row=row, column=1, value=note)  # runs on over the empty cells to its right
        row += 1
    if len(bonus):
        row += 1
        ws.cell(
            row=row, column=1, value="Toeslag (geen bouwblok om te kiezen: vul bij de kandidaat vijftig_plus = ja in)"
        )
        ws.cell(row=row, column=1).font = _BOLD
        _card_header(ws, row + 1)
        row = _card_rows(ws, bonus, row + 2)
    if len(earlier):
        row += 1
        ws.cell(row=row, column=1, value="Eerdere versies (voor opdrachten die eerder zijn gegund)").font = _BOLD
        _card_header(ws, row + 1)
        _card_rows(ws, earlier, row + 2)
    return f"{BOUWBLOKKEN}!$A$2:$A${end - 1}"


def _roles_nl(roles: tuple[str, ...]) -> str:
    from pipeline.report.labels import label

    words = [label("rol_meervoud", r) for r in roles]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]


def toelichting_lines(dataset: str, rules: list[ColumnRule]) -> list[tuple[str, str]]:
    """The Toelichting sheet as (label, text) lines, in plain Dutch."""
    spec = dataset_spec(dataset)
    about = descriptions()[dataset]
    expected = spec.expected_roles
    if expected:
        also = [r for r in spec.delivered_by if r not in expected]
        who = f"Geleverd door {_roles_nl(spec.delivered_by)}" + (
            f", elk kwartaal verwacht van {_roles_nl(expected)}" if also else ", elk kwartaal"
        )
        who += "; ontbreekt een levering, dan is dat een bevinding op de kwaliteitspagina."
        if also:
            who += f" Van {_roles_nl(tuple(also))} telt een levering mee als die komt, maar zij is niet verplicht."
    else:
        who = (
            f"Geleverd door {_roles_nl(spec.delivered_by)}. Niet verplicht: lever dit bestand als u iets te melden "
            "hebt; het telt dan mee."
        )
    has_bsn = any(r.spec.type == "bsn" for r in rules)
    privacy = (
        "Het BSN van een kandidaat hoort alleen in de kolom kandidaat_bsn. Bij het inlezen wordt het meteen "
        "vervangen door een pseudoniem; het BSN komt in geen enkel rapport. Zet geen BSN, namen of "
        "geboortedatums in andere kolommen: een BSN in een andere kolom wordt onleesbaar gemaakt en gemeld."
        if has_bsn
        else "Dit bestand bevat geen persoonsgegevens. Zet er geen BSN, namen of geboortedatums van kandidaten in."
    )
    lines = [
        ("Wat", f"{about['wat']} Vul het eerste blad ({dataset}) in, vanaf rij 2."),
        ("Wie", who),
        (
            "Wanneer",
            "Elk kwartaal, uiterlijk "
            f"{settings().delivery.termijn_dagen} dagen na afloop van het kwartaal. Lever steeds de volledige "
            "stand op de peildatum: de laatste "
            "dag van het kwartaal (30-09-2021 voor 2021Q3). Dus alle regels, ook die u eerder al leverde, niet "
            "alleen wat er veranderd is. Levert u een kwartaal niets, dan wordt uw laatste eerdere levering "
            "gebruikt en staat dat vermeld.",
        ),
        (
            "Bestandsnaam",
            f"{dataset}_<JJJJKn>.xlsx, bijvoorbeeld {dataset}_2021Q3.xlsx, in de map <JJJJKn>/<partner_id>/, "
            f"bijvoorbeeld 2021Q3/<uw partner-id>/. De naam moet beginnen met {dataset}.",
        ),
        (
            "Invullen",
            "Laat de kopregel staan zoals hij is. Elke kop heeft een opmerking met de betekenis, het formaat en of "
            "de kolom verplicht is; de keuzelijsten en controles in de cellen volgen dezelfde regels als de "
            "controle bij het inlezen. Datums als datum, bedragen en uren als getal. Geen totaalregels. Kolommen "
            "die niet verplicht zijn mag u leeg laten.",
        ),
        (
            "Afgekeurde regels",
            "Elke regel wordt bij het inlezen gecontroleerd. Een regel met een fout wordt afgekeurd: u krijgt hem "
            "terug met het rijnummer zoals Excel het toont, de kolom en de reden. Een afgekeurde regel telt niet "
            "mee tot u hem verbeterd opnieuw aanlevert (in de volgende volledige levering). Een waarschuwing telt "
            "wel mee, maar verdient controle. Een bestand dat niet te lezen is, bijvoorbeeld omdat een verplichte "
            "kolom ontbreekt, wordt helemaal niet gebruikt, en een eerdere levering dan ook niet. Vooraf "
            "controleren kan met make check-export (vraag de coördinator).",
        ),
        ("Privacy", privacy),
    ]
    if any(r.block_codes for r in rules):
        lines.append(
            (
                BOUWBLOKKEN,
                f"Het blad {BOUWBLOKKEN} toont de tarieventabel van de regio: elke bouwblokcode met omschrijving, "
                "waarde, eenheid en geldigheid.",
            )
        )
    lines.append(("", ""))
    lines.append(("Kolommen", "Betekenis, formaat en of de kolom verplicht is"))
    lines += [(r.name, f"{r.meaning} Formaat: {r.format_nl}. Verplicht: {r.required_nl}.") for r in rules]
    return lines


def _toelichting_sheet(ws: Worksheet, dataset: str, rules: list[ColumnRule]) -> None:
    from pipeline.report.labels import label

    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 110
    title = ws.cell(row=1, column=1, value=f"Aanleverformulier {label('dataset', dataset)}")
    title.font = Font(bold=True, size=14)
    for i, (name, text) in enumerate(toelichting_lines(dataset, rules), start=3):
        head = ws.cell(row=i, column=1, value=name or None)
        head.font, head.alignment = _BOLD, Alignment(vertical="top")
        ws.cell(row=i, column=2, value=text or None).alignment = Alignment(wrap_text=True, vertical="top")


def _stamp() -> dt.datetime:
    """The fixed creation time: ``SOURCE_DATE_EPOCH`` (reproducible builds) when set, else the
    date of the rate card's latest edition."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    from pipeline.indicators.ratecard import load_rate_card

    return load_rate_card()["geldig_vanaf"].max().to_pydatetime()


def template_bytes(dataset: str) -> bytes:
    """The template of one dataset as deterministic XLSX bytes."""
    from pipeline.report.downloads import CREATOR, normalise_zip
    from pipeline.report.labels import label

    if dataset not in DATASETS:
        raise PipelineError(f"onbekende dataset {dataset!r}", f"unknown dataset {dataset!r}")
    rules = column_rules(dataset)
    wb = Workbook()
    data = wb.active
    data.title = dataset  # the sheet the ingest reads (docs/exports.md, "XLSX rules")
    toelichting = wb.create_sheet(TOELICHTING)
    blocks_range = _bouwblokken_sheet(wb.create_sheet(BOUWBLOKKEN))
    _data_sheet(data, rules, blocks_range)
    _toelichting_sheet(toelichting, dataset, rules)
    wb.active = 0
    props = wb.properties
    props.creator, props.lastModifiedBy = CREATOR, None
    props.title, props.language = f"Aanleverformulier {label('dataset', dataset)}", "nl-NL"
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl stamps 'modified' with the clock here: replaced below
    props.created = props.modified = _stamp()
    return normalise_zip(buffer.getvalue(), {"docProps/core.xml": tostring(props.to_tree())})


def write_templates(out: Path) -> list[Path]:
    """Write ``<out>/<dataset>.xlsx`` for every dataset; return the paths, in dataset order."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset in DATASETS:
        path = out / f"{dataset}.xlsx"
        path.write_bytes(template_bytes(dataset))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline.ingest.templates", description="Schrijf de aanleverformulieren.")
    parser.add_argument("--out", default="build/templates", help="map voor de formulieren (standaard build/templates)")
    args = parser.parse_args(argv)
    try:
        for path in write_templates(Path(args.out)):
            print(f">> aanleverformulier {path} | delivery template written")
    except PipelineError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
