"""Sections of kwaliteit.html, the data-quality page for the coordinator (docs/reports.md).

Words, not codes (docs/reports.md): partners by name, datasets and kinds of notes by their label
(``config/labels.yaml``), the column of a finding or rejected row as the partner's own file names
it (``kolom_bestand``, when the ingest recorded it) or else in words, values Dutch-formatted.
Every count is explained once: a rejected row is rejected either while reading (a value that is
not a date or a number) or by a rule of the validation, and the totals add up the same everywhere.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from pipeline.core.paths import clean_dir
from pipeline.core.schema import DATASETS, standard
from pipeline.report import formatting as fmt
from pipeline.report import labels
from pipeline.report.pages.common import (
    SEVERITY_LABELS,
    column_shown,
    file_name,
    paragraph,
    plural,
    readable_reason,
    table,
)
from pipeline.report.pages.data import PageData
from pipeline.report.tables import Html
from pipeline.validate.compare import compare_periods

_PERIOD = re.compile(r"\b(\d{4})Q([1-4])\b(?!/)")  # a quarter, not a folder name such as 2021Q3/
_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^-?\d+(?:\.(\d+))?$")
READ, RULE = "bij het inlezen", "door een regel"


def partner_names(data: PageData) -> dict[str, str]:
    return dict(zip(data.partners["partner_id"], data.partners["naam"]))


def _name(data: PageData, column: pd.Series) -> list[str]:
    names = partner_names(data)
    return [names.get(v, v) for v in column]


def dataset_word(code: object) -> str:
    """A dataset by its label, with a capital (a table cell)."""
    word = labels.label("dataset", code)
    return word[:1].upper() + word[1:]


def code_word(code: str) -> str:
    """A code inside a sentence in words: a status, a column of the standard, a building block,
    a kind of note; otherwise its underscores as spaces.

    >>> code_word("nog_niet_gestart"), code_word("uren_per_week"), code_word("toeslag_50plus")
    ('nog niet gestart', 'uren per week', 'Toeslag kandidaat van 50 jaar of ouder (op jaar-blokken)')
    """
    if code in fmt.STATUS_LABELS:
        return fmt.status_label(code).lower()
    for kind in ("kolom", "melding"):
        if code in labels.labels(kind):
            return labels.label(kind, code)
    return labels.block_label(code)


def in_words(text: object, column: object = None, delivered: object = None) -> str:
    """A reason or note without codes. The row's own column is named as the partner's file has it
    (``delivered``) when known.

    >>> in_words("uren_per_week is minder dan 12", "uren_per_week", "Uren p/w")
    "'Uren p/w' is minder dan 12"
    >>> in_words("telt mee als nog_niet_gestart"), in_words("niet aangeleverd voor 2021Q3")
    ('telt mee als nog niet gestart', 'niet aangeleverd voor K3 2021')
    """
    if fmt.is_missing(text):
        return ""
    own = str(column) if not fmt.is_missing(column) else None
    header = str(delivered).strip() if not fmt.is_missing(delivered) and str(delivered).strip() else None

    def word(m: re.Match) -> str:
        code = m.group()
        if header and code == own:
            return f"'{header}'"
        return code_word(code)

    out = _PERIOD.sub(lambda m: f"K{m.group(2)} {m.group(1)}", _CODE.sub(word, str(text)))
    if header and own and "_" not in own:  # a one-word column (einddatum): at the start of the reason
        out = re.sub(rf"^{re.escape(own)}\b", f"'{header}'", out)
    return out


def column_word(column: object, delivered: object = None) -> str:
    """The column of a finding: as delivered (``kolom_bestand``) when known, else in words.

    >>> column_word("uren_per_week", "Uren per week"), column_word("uren_per_week", ""), column_word("einddatum")
    ('Uren per week', 'uren per week', 'einddatum')
    >>> column_word("uren_per_week", "uren_per_week")  # the code as header: in words
    'uren per week'

    """
    shown = column_shown(column, delivered)  # the one rule, shared with the partner pages
    return "" if shown == fmt.NA_TEXT else shown


def _column_type(dataset: object, column: object) -> str | None:
    spec = standard().datasets.get(str(dataset))
    found = spec.columns.get(str(column)) if spec is not None else None
    return found.type if found is not None else None


def value_text(value: object, dataset: object = None, column: object = None) -> str:
    """A delivered value, Dutch-formatted when the standard says it is a date or a number;
    anything that does not parse is shown as delivered.

    >>> value_text("2020-11-11", "opdrachten", "einddatum"), value_text("10.5", "inzet", "uren_per_week")
    ('11 november 2020', '10,5')
    >>> value_text("26660.00", "inzet", "bedrag"), value_text("DI-00030", "inzet", "regel_id"), value_text(None)
    ('26.660,00', 'DI-00030', '')
    """
    if fmt.is_missing(value) or not str(value).strip():
        return ""
    text = str(value).strip()
    kind = _column_type(dataset, column)
    if _ISO_DATE.match(text) and kind in (None, "date"):
        try:
            return fmt.format_date(text)
        except ValueError:
            return text
    number = _NUMBER.match(text)
    if number and kind in ("money", "number"):
        return fmt.format_number(float(text), len(number.group(1) or ""))
    return text


def _own_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``kolom`` and ``waarde`` for the reader; works with and without ``kolom_bestand``."""
    delivered = (
        frame["kolom_bestand"] if "kolom_bestand" in frame else pd.Series([None] * len(frame), index=frame.index)
    )
    out = frame.assign(
        reden_nl=[readable_reason(in_words(t, k, d)) for t, k, d in zip(frame["reden_nl"], frame["kolom"], delivered)],
        kolom=[column_word(k, d) for k, d in zip(frame["kolom"], delivered)],
    )
    if "waarde" in frame:
        datasets = frame["dataset"] if "dataset" in frame else [None] * len(frame)
        out["waarde"] = [value_text(v, ds, k) for v, ds, k in zip(frame["waarde"], datasets, frame["kolom"])]
    return out


def _rule_ids(data: PageData) -> set[str]:
    return {r.get("regel") for s in data.validatie.get("datasets", {}).values() for r in s.get("regels", [])}


def rejected_how(data: PageData) -> pd.Series:
    """Per row of afgekeurd.csv: rejected while reading (:data:`READ`) or by a rule (:data:`RULE`)."""
    a = data.afgekeurd
    if a.empty:
        return pd.Series(dtype=object)
    rules = _rule_ids(data)
    return pd.Series([RULE if r in rules else READ for r in a["regel"]], index=a.index)


def count_table(data: PageData) -> pd.DataFrame:
    """Rows per dataset from file to report: read = rejected while reading + tested by the rules;
    tested = rejected by a rule + clean. The numbers of the files table, the validation and the
    front page's run summary, side by side."""
    b = data.bestanden[data.bestanden["status"] == "gelezen"]
    read = pd.to_numeric(b["rijen_gelezen"], errors="coerce").fillna(0).groupby(b["dataset"]).sum()
    rejected = pd.to_numeric(b["rijen_afgekeurd"], errors="coerce").fillna(0).groupby(b["dataset"]).sum()
    sets = data.validatie.get("datasets", {})
    rows = []
    for d in [d for d in DATASETS if d in set(read.index) | set(sets)]:
        s = sets.get(d, {})
        by_rule = int(s.get("rijen_afgekeurd", 0))
        total = int(rejected.get(d, 0))
        rows.append(
            {
                "dataset": dataset_word(d),
                "gelezen": int(read.get(d, 0)),
                "afgekeurd_inlezen": total - by_rule,
                "getoetst": int(s.get("rijen", 0)),
                "afgekeurd_regel": by_rule,
                "afgekeurd": total,
                "schoon": int(s.get("rijen_schoon", 0)),
                "bevinding": int(s.get("rijen_met_bevinding", 0)),
            }
        )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        sums = frame.drop(columns="dataset").sum()
        frame = pd.concat([frame, pd.DataFrame([{"dataset": "Totaal", **sums.to_dict()}])], ignore_index=True)
    return frame


COUNT_HEADERS = {
    "dataset": "Dataset",
    "gelezen": "Rijen gelezen",
    "afgekeurd_inlezen": "Afgekeurd bij het inlezen",
    "getoetst": "Getoetst aan de regels",
    "afgekeurd_regel": "Afgekeurd door een regel",
    "afgekeurd": "Afgekeurd samen",
    "schoon": "Schoon, telt mee",
    "bevinding": "Waarvan met bevinding",
}


def counts_explained(data: PageData) -> Html:
    """Where every count of the page comes from, with the totals the front page shows."""
    frame = count_table(data)
    if frame.empty:
        return paragraph("Er zijn geen bestanden gelezen.")
    total = frame.iloc[-1]
    status = data.leveringen["status"].value_counts() if not data.leveringen.empty else pd.Series(dtype=int)
    unreadable = int((data.bestanden["status"] == "onleesbaar").sum()) if not data.bestanden.empty else 0
    lead = (
        f"{plural(int(status.get('geleverd', 0)), 'levering', 'leveringen')} voor deze periode, "
        f"{fmt.format_int(status.get('overgenomen', 0))} overgenomen uit een eerdere periode, "
        f"{fmt.format_int(status.get('ontbreekt', 0))} ontbrekend; "
        f"{plural(unreadable, 'bestand', 'bestanden')} onleesbaar."
    )
    text = (
        f"{plural(int(total['gelezen']), 'rij', 'rijen')} gelezen uit de bestanden. "
        f"{plural(int(total['afgekeurd']), 'rij is', 'rijen zijn')} afgekeurd en tellen niet mee: "
        f"{fmt.format_int(total['afgekeurd_inlezen'])} al bij het inlezen (een waarde die niet als datum of getal "
        f"te lezen was) en {fmt.format_int(total['afgekeurd_regel'])} door een regel van de validatie. "
        f"{plural(int(total['schoon']), 'rij telt', 'rijen tellen')} mee; bij "
        f"{fmt.format_int(total['bevinding'])} daarvan is iets opgevallen "
        f"({plural(len(data.bevindingen), 'bevinding', 'bevindingen')}: een rij kan er meer hebben); "
        "ze tellen wel mee. "
        "Lege regels in een bestand tellen nergens mee."
    )
    return Html(
        f'<p class="oordeel-zin">{html.escape(lead)}</p>'
        + paragraph(text)
        + table(frame, "Rijen per dataset: van bestand tot rapport", headers=COUNT_HEADERS)
        + "\n"
    )


def _long(fragment: str) -> Html:
    """A table that may run over printed pages (``lang``: sroi.css lets it break between rows)."""
    return Html(f'<div class="lang">{fragment}</div>')


def delivery_matrix(data: PageData) -> Html:
    """partner × dataset: geleverd / overgenomen (period) / ontbreekt / onleesbaar."""
    lev = data.leveringen.copy()
    lev["levering"] = [
        f"overgenomen uit {fmt.format_quarter(p)}" if s == "overgenomen" else s
        for s, p in zip(lev["status"], lev["levering_periode"])
    ]
    lev["partner"] = _name(data, lev["partner_id"])
    lev["dataset"] = lev["dataset"].map(dataset_word)
    wide = lev.pivot_table(index="partner", columns="dataset", values="levering", aggfunc="first", fill_value="–")
    wide = wide.reset_index().rename_axis(None, axis=1)
    return _long(table(wide, "Leveringen: partner × dataset", headers={"partner": "Partner"}))


def files(data: PageData) -> Html:
    """Per readable file: rows read, clean, rejected (read = clean + rejected); then the files
    that could not be read, with the reason."""
    b = data.bestanden.assign(partner=_name(data, data.bestanden["partner_id"]))
    b = b.sort_values(["partner", "bestand"]).assign(bestand=lambda x: x["bestand"].map(file_name))
    b = b.assign(dataset=b["dataset"].map(dataset_word))
    b = b.assign(levering_periode=b["levering_periode"].map(fmt.format_quarter))
    read = b[b["status"] == "gelezen"]
    cols = ["partner", "bestand", "dataset", "levering_periode", "rijen_gelezen", "rijen_schoon", "rijen_afgekeurd"]
    numbers = {c: pd.to_numeric(read[c], errors="coerce") for c in ("rijen_gelezen", "rijen_schoon", "rijen_afgekeurd")}
    readable = table(
        read.assign(**numbers)[cols],
        "Gelezen bestanden",
        headers={"partner": "Partner", "levering_periode": "Periode"},
        codes=True,
    )
    other = b[b["status"] != "gelezen"]
    unreadable = table(
        other[["partner", "bestand", "dataset", "status", "reden_nl"]].assign(reden_nl=other["reden_nl"].map(in_words)),
        "Niet gelezen bestanden",
        headers={"partner": "Partner", "status": "Toestand"},
        codes=True,
        empty="Alle aangeleverde bestanden konden worden gelezen.",
    )
    return _long(readable + "\n" + unreadable)


def notes(data: PageData) -> Html:
    m = data.meldingen
    if not m.empty:
        m = m.assign(
            partner=_name(data, m["partner_id"]),
            bestand=[file_name(v) if not fmt.is_missing(v) and str(v) else "–" for v in m["bestand"]],
            soort=[labels.label("melding", v) for v in m["soort"]],
            melding_nl=m["melding_nl"].map(in_words),
        )[["partner", "bestand", "soort", "melding_nl"]]
    return _long(
        table(
            m,
            "Meldingen (onbekende kolommen, bestanden op de verkeerde plek, onbekende namen)",
            headers={"partner": "Partner", "soort": "Soort", "melding_nl": "Melding"},
            codes=True,
        )
    )


def expectation_results(data: PageData) -> Html:
    """Which rules failed per dataset, how many rows, examples by file and Excel row."""
    rows = []
    for dataset, summary in sorted(data.validatie.get("datasets", {}).items()):
        for rule in summary.get("regels", []):
            if rule.get("geslaagd", True):
                continue
            examples = ", ".join(f"{file_name(e['bestand'])} rij {e['rij']}" for e in rule.get("voorbeelden", [])[:3])
            rows.append(
                {
                    "dataset": dataset_word(dataset),
                    "reden_nl": in_words(rule["reden_nl"]),
                    "severity": SEVERITY_LABELS.get(rule["severity"], rule["severity"]),
                    "rijen": rule["rijen"],
                    "voorbeelden": examples,
                }
            )
    frame = pd.DataFrame(rows)
    return table(
        frame,
        "Regels die niet overal gehaald werden",
        headers={"reden_nl": "Regel", "rijen": "Rijen", "voorbeelden": "Voorbeelden (bestand, Excel-rij)"},
        codes=True,
    )


def validation_summary(data: PageData) -> Html:
    rows = [
        {
            "dataset": dataset_word(d),
            **{
                k: s.get(k)
                for k in (
                    "expectations_evaluated",
                    "expectations_failed",
                    "rijen",
                    "rijen_schoon",
                    "rijen_afgekeurd",
                    "rijen_met_bevinding",
                )
            },
        }
        for d, s in sorted(data.validatie.get("datasets", {}).items())
    ]
    return table(
        pd.DataFrame(rows),
        "Validatie per dataset",
        headers={
            "expectations_evaluated": "Regels getoetst",
            "expectations_failed": "Regels niet gehaald",
            "rijen": "Rijen getoetst",
            "rijen_afgekeurd": "Afgekeurd door een regel",
            "rijen_met_bevinding": "Met bevinding",
        },
        note="Rijen getoetst: de gelezen rijen zonder de rijen die al bij het inlezen zijn afgekeurd (zie hierboven).",
    )


def rejected(data: PageData) -> Html:
    a = data.afgekeurd
    if not a.empty:
        a = _own_columns(a).assign(
            partner=_name(data, a["partner_id"]), bestand=a["bestand"].map(file_name), hoe=rejected_how(data)
        )
        a = a.sort_values(
            ["partner", "bestand", "rij"], key=lambda c: pd.to_numeric(c, errors="coerce") if c.name == "rij" else c
        )
    return _long(
        table(
            a[["partner", "bestand", "rij", "kolom", "waarde", "reden_nl", "hoe"]] if not a.empty else a,
            "Afgekeurde rijen",
            headers={"partner": "Partner", "hoe": "Afgekeurd"},
            empty="Er zijn geen rijen afgekeurd.",
            codes=True,
        )
    )


def findings(data: PageData) -> Html:
    b = data.bevindingen
    if not b.empty:
        b = _own_columns(b).assign(
            partner=_name(data, b["partner_id"]),
            bestand=b["bestand"].map(file_name),
            severity=b["severity"].map(SEVERITY_LABELS).fillna(b["severity"]),
        )
    return _long(
        table(
            b[["partner", "bestand", "rij", "kolom", "waarde", "reden_nl", "severity"]] if not b.empty else b,
            "Bevindingen (rijen blijven meetellen)",
            headers={"partner": "Partner"},
            empty="Er zijn geen bevindingen.",
            codes=True,
        )
    )


def _clean_tables(period: str) -> dict[str, pd.DataFrame]:
    folder = clean_dir(period)
    return {d: pd.read_parquet(folder / f"{d}.parquet") for d in DATASETS if (folder / f"{d}.parquet").is_file()}


def _delivery_word(periods: str, period: str) -> str:
    """Which delivery the period used: new, or an earlier one again (``overgenomen``).

    >>> _delivery_word("2021Q3", "2021Q3"), _delivery_word("2021Q2", "2021Q3"), _delivery_word("", "2021Q3")
    ('nieuw', 'overgenomen uit K2 2021', 'geen')
    """
    if not periods:
        return "geen"
    if periods == period:
        return "nieuw"
    return "overgenomen uit " + ", ".join(fmt.format_quarter(p) for p in periods.split(", ") if p != period)


def compared_with_previous(data: PageData) -> Html:
    """Each delivery against the previous period's (docs/reports.md): rows added, removed and
    changed per partner and dataset; a delivery that more than halved comes first."""
    previous = data.period.previous().code
    before = _clean_tables(previous)
    if data.vorige_bestanden is None or not before:
        return paragraph("Geen vorige periode beschikbaar om mee te vergelijken.")
    diff = compare_periods(_clean_tables(data.period.code), before)
    if diff.empty:
        return paragraph("Geen leveringen om te vergelijken.")
    diff = diff.assign(
        partner=_name(data, diff["partner_id"]),
        dataset=diff["dataset"].map(dataset_word),
        levering_nu=[_delivery_word(v, data.period.code) for v in diff["levering_nu"]],
        opvallend=[
            "meer dan gehalveerd" if k else ("leeg" if n == 0 and v else "")
            for k, n, v in zip(diff["krimp"], diff["rijen_nu"], diff["rijen_vorige"])
        ],
    )
    diff = diff.sort_values(["krimp", "partner", "dataset"], ascending=[False, True, True], kind="stable")
    shrunk = int(diff["krimp"].sum())
    lead = (
        f"{plural(shrunk, 'levering is', 'leveringen zijn')} meer dan gehalveerd; ze staan bovenaan."
        if shrunk
        else "Geen levering is meer dan gehalveerd."
    )
    cols = [
        "partner",
        "dataset",
        "levering_nu",
        "rijen_vorige",
        "rijen_nu",
        "toegevoegd",
        "verwijderd",
        "gewijzigd",
        "opvallend",
    ]
    return Html(
        paragraph(
            lead + " Toegevoegd, verwijderd en gewijzigd tellen de schone rijen, herkend aan hun nummer "
            "(opdracht, regel, traject of aanbesteding); een rij die alleen in het bestand verschoof, is niet gewijzigd."
        )
        + _long(
            table(
                diff[cols].reset_index(drop=True),
                f"Rijen per levering: {fmt.format_quarter(previous)} tegenover {fmt.format_quarter(data.period.code)}",
                headers={
                    "partner": "Partner",
                    "levering_nu": f"Levering {fmt.format_quarter(data.period.code)}",
                    "rijen_vorige": f"Rijen {fmt.format_quarter(previous)}",
                    "rijen_nu": f"Rijen {fmt.format_quarter(data.period.code)}",
                    "toegevoegd": "Toegevoegd",
                    "verwijderd": "Verwijderd",
                    "gewijzigd": "Gewijzigd",
                    "opvallend": "Opvallend",
                },
            )
        )
    )
