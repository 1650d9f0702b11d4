"""Sections of kwaliteit.html, the data-quality page for the coordinator (docs/reports.md)."""

from __future__ import annotations

import pandas as pd

from pipeline.report.pages.common import SEVERITY_LABELS, file_name, table
from pipeline.report.pages.data import PageData
from pipeline.report.tables import Html


def delivery_matrix(data: PageData) -> Html:
    """partner × dataset: geleverd / overgenomen (period) / ontbreekt / onleesbaar."""
    lev = data.leveringen.copy()
    lev["levering"] = [
        f"overgenomen uit {p}" if s == "overgenomen" else s for s, p in zip(lev["status"], lev["levering_periode"])
    ]
    wide = lev.pivot_table(index="partner_id", columns="dataset", values="levering", aggfunc="first", fill_value="–")
    return table(wide.reset_index(), "Leveringen: partner × dataset", codes=True)


def files(data: PageData) -> Html:
    """Per readable file: rows read, clean, rejected (read = clean + rejected); then the files
    that could not be read, with the reason."""
    b = data.bestanden.sort_values(["partner_id", "bestand"])
    b = b.assign(bestand=b["bestand"].map(file_name))
    read = b[b["status"] == "gelezen"]
    cols = ["partner_id", "bestand", "dataset", "levering_periode", "rijen_gelezen", "rijen_schoon", "rijen_afgekeurd"]
    numbers = {c: pd.to_numeric(read[c], errors="coerce") for c in ("rijen_gelezen", "rijen_schoon", "rijen_afgekeurd")}
    readable = table(
        read.assign(**numbers)[cols], "Gelezen bestanden", headers={"levering_periode": "Periode"}, codes=True
    )
    other = b[b["status"] != "gelezen"]
    unreadable = table(
        other[["partner_id", "bestand", "dataset", "status", "reden_nl"]],
        "Niet gelezen bestanden",
        codes=True,
        empty="Alle aangeleverde bestanden konden worden gelezen.",
    )
    return Html(readable + "\n" + unreadable)


def notes(data: PageData) -> Html:
    m = data.meldingen
    return table(
        m[["partner_id", "bestand", "soort", "melding_nl"]] if not m.empty else m,
        "Meldingen (onbekende kolommen, bestanden op de verkeerde plek, onbekende namen)",
        headers={"soort": "Soort", "melding_nl": "Melding"},
        codes=True,
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
                    "dataset": dataset,
                    "regel": rule["regel"],
                    "reden_nl": rule["reden_nl"],
                    "severity": SEVERITY_LABELS.get(rule["severity"], rule["severity"]),
                    "rijen": rule["rijen"],
                    "voorbeelden": examples,
                }
            )
    frame = pd.DataFrame(rows)
    return table(
        frame,
        "Regels die niet overal gehaald werden",
        headers={"regel": "Regel", "rijen": "Rijen", "voorbeelden": "Voorbeelden (bestand, Excel-rij)"},
        codes=True,
    )


def validation_summary(data: PageData) -> Html:
    rows = [
        {
            "dataset": d,
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
            "rijen": "Rijen",
            "rijen_met_bevinding": "Met bevinding",
        },
        codes=True,
    )


def rejected(data: PageData) -> Html:
    a = data.afgekeurd
    a = a.assign(bestand=a["bestand"].map(file_name)) if not a.empty else a
    return table(
        a[["partner_id", "bestand", "rij", "kolom", "waarde", "reden_nl"]] if not a.empty else a,
        "Afgekeurde rijen",
        empty="Er zijn geen rijen afgekeurd.",
        codes=True,
    )


def findings(data: PageData) -> Html:
    b = data.bevindingen
    if not b.empty:
        b = b.assign(
            bestand=b["bestand"].map(file_name), severity=b["severity"].map(SEVERITY_LABELS).fillna(b["severity"])
        )
    return table(
        b[["partner_id", "bestand", "rij", "kolom", "reden_nl", "severity"]] if not b.empty else b,
        "Bevindingen (rijen blijven meetellen)",
        empty="Er zijn geen bevindingen.",
        codes=True,
    )


def compared_with_previous(data: PageData) -> Html:
    """Clean rows per partner × dataset now vs the previous period, so a shrinking delivery stands out."""
    now = _rows(data.bestanden).rename("nu")
    if data.vorige_bestanden is None:
        return Html("<p>Geen vorige periode beschikbaar om mee te vergelijken.</p>")
    before = _rows(data.vorige_bestanden).rename("vorige")
    both = pd.concat([before, now], axis=1).fillna(0).astype(int).reset_index()
    both["verschil"] = both["nu"] - both["vorige"]
    both["opvallend"] = ["ja" if v > 0 and n < v / 2 else "" for v, n in zip(both["vorige"], both["nu"])]
    return table(
        both,
        f"Schone rijen per levering: {data.period.previous().code} tegenover {data.period.code}",
        headers={
            "nu": data.period.code,
            "vorige": data.period.previous().code,
            "verschil": "Verschil",
            "opvallend": "Meer dan gehalveerd",
        },
        codes=True,
    )


def _rows(bestanden: pd.DataFrame) -> pd.Series:
    b = bestanden[bestanden["status"] == "gelezen"]
    return pd.to_numeric(b["rijen_schoon"], errors="coerce").fillna(0).groupby([b["partner_id"], b["dataset"]]).sum()
