"""The "Vraag en aanbod" section: per sector, what social return still needs people for beside the
candidates in the pipeline (docs/domain.md, "Supply and demand"; docs/reports.md).

Shown on regio.html (supply of the whole region) and on the pages of training partners (their own
candidates beside the region's demand). Person counts are suppressed like every other count.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
from matplotlib.ticker import MaxNLocator

from pipeline.core.paths import report_data_dir
from pipeline.disclosure.suppress import suppress_small_counts
from pipeline.report import chart_style as cs
from pipeline.report import formatting as fmt
from pipeline.report import labels, svg
from pipeline.report.pages.common import note
from pipeline.report.tables import Html, html_table

COUNTS = ["in_opleiding", "afgerond_niet_geplaatst", "kandidaten"]


@dataclass(frozen=True)
class Tables:
    per_sector: pd.DataFrame
    aanbod_opleiders: pd.DataFrame
    vraag_aanbestedingen: pd.DataFrame


def load(period: str) -> Tables:
    d = report_data_dir(period)
    return Tables(
        per_sector=pd.read_csv(d / "vraag_aanbod.csv"),
        aanbod_opleiders=pd.read_csv(d / "aanbod_opleiders.csv"),
        vraag_aanbestedingen=pd.read_csv(d / "vraag_aanbestedingen.csv", dtype={"kwartaal": str}),
    )


def sector_table(tables: Tables, partner_id: str | None = None) -> pd.DataFrame:
    """Demand (region) and supply (region, or one training partner's) per sector, counts of
    persons suppressed with a total row."""
    demand = tables.per_sector[
        ["sector", "vraag_opdrachten_persoonsjaren", "vraag_aanbestedingen_persoonsjaren", "vraag_persoonsjaren"]
    ]
    if partner_id is None:
        have = tables.per_sector[["sector", *COUNTS]]
    else:
        mine = tables.aanbod_opleiders[tables.aanbod_opleiders["opleider"] == partner_id]
        have = mine.groupby("sector", as_index=False)[COUNTS].sum()
    out = demand.merge(have, on="sector", how="outer").sort_values("sector", kind="mergesort")
    out[COUNTS] = out[COUNTS].fillna(0).astype("int64")
    money = ["vraag_opdrachten_persoonsjaren", "vraag_aanbestedingen_persoonsjaren", "vraag_persoonsjaren"]
    out[money] = out[money].fillna(0.0)
    out = out[(out["vraag_persoonsjaren"] > 0) | (out["kandidaten"] > 0)].reset_index(drop=True)
    if out.empty:
        return out
    total = pd.DataFrame([{"sector": "Totaal", **{c: out[c].sum() for c in money + COUNTS}}], index=["Totaal"])
    out = pd.concat([out, total])
    # kandidaten = in opleiding + afgerond zonder plaatsing (each candidate in one of the two)
    shown = suppress_small_counts(out, COUNTS, total_row="Totaal", total_column="kandidaten")
    return shown.reset_index(drop=True)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count_words(value: object, one: str, many: str) -> str:
    if isinstance(value, str):  # suppressed: "<5" or "×"
        return f"{value} {many}" if value.startswith("<") else f"een verborgen aantal {many}"
    return f"{fmt.format_int(value)} {one if value == 1 else many}"


def sentences(table: pd.DataFrame, partner_id: str | None = None) -> list[str]:
    """One plain-Dutch sentence per sector.

    >>> t = pd.DataFrame({"sector": ["bouw"], "vraag_opdrachten_persoonsjaren": [30.4],
    ...     "vraag_aanbestedingen_persoonsjaren": [11.6], "vraag_persoonsjaren": [42.0],
    ...     "in_opleiding": [35], "afgerond_niet_geplaatst": ["<5"], "kandidaten": [38]})
    >>> sentences(t)
    ['Bouw: vraag ≈ 42 persoonsjaren (30 in lopende opdrachten, 12 in komende aanbestedingen); 35 kandidaten in opleiding en <5 afgerond zonder plaatsing.']
    """
    out = []
    whose = "kandidaten" if partner_id is None else "van uw kandidaten"
    for row in table[table["sector"] != "Totaal"].itertuples(index=False):
        name = labels.label("sector", row.sector)
        demand = (
            f"vraag ≈ {fmt.format_number(row.vraag_persoonsjaren)} persoonsjaren "
            f"({fmt.format_number(row.vraag_opdrachten_persoonsjaren)} in lopende opdrachten, "
            f"{fmt.format_number(row.vraag_aanbestedingen_persoonsjaren)} in komende aanbestedingen)"
        )
        training = _count_words(row.in_opleiding, "kandidaat", "kandidaten")
        if partner_id is not None:
            training = training.replace("kandidaten", whose).replace("kandidaat", "van uw kandidaten")
        done = _count_words(row.afgerond_niet_geplaatst, "", "").strip()
        out.append(
            f"{name[:1].upper()}{name[1:]}: {demand}; {training} in opleiding en {done} afgerond zonder plaatsing."
        )
    return out


def chart(table: pd.DataFrame) -> cs.Chart:
    """Per sector a small panel pairing demand (person-years: open contracts + tenders ahead)
    with supply (candidates: in training + completed without placement).

    Drawn as SVG directly (:mod:`pipeline.report.svg`), in the layout and house style it had as a
    matplotlib figure (panels with shared x ticks, hatched bars, a two-column legend on top): it
    is drawn on the page of every training partner, and matplotlib spent a quarter of a second on
    each (a tick object per label and panel), this a few milliseconds."""
    rows = table[table["sector"] != "Totaal"].reset_index(drop=True)
    n = len(rows)
    # the two legend rows and the first panel's title on top, a title's height between the
    # panels, and every panel equally high however many sectors there are
    top, bottom, gap, panel = 48, 34, 22.5, 28
    drawing = svg.Drawing(cs.WIDTH_CM, (top + bottom + n * panel + (n - 1) * gap) / cs.PT_PER_CM)

    def num(v: object) -> float:
        return 0.0 if isinstance(v, str) else float(v)

    xmax = max(
        [num(r.vraag_persoonsjaren) for r in rows.itertuples()]
        + [num(r.in_opleiding) + num(r.afgerond_niet_geplaatst) for r in rows.itertuples()]
        + [1.0]
    )
    limit = xmax * 1.35
    ticks = [float(t) for t in MaxNLocator(5, integer=True).tick_values(0, limit) if 0 <= t <= limit]
    # right: room for half of the last tick's label, which may sit at the axis' end ("200")
    right = max(3.0, svg.widest_pt([fmt.format_int(ticks[-1])], svg.TICK_SIZE) / 2 + 4)
    left = svg.widest_pt(["Vraag", "Aanbod"], svg.TICK_SIZE) + svg.TICK_LENGTH + svg.TICK_PAD + 6
    styles = [cs._style(i) for i in range(4)]
    drawing.legend_columns(
        [
            (name, styles[i]["color"], styles[i]["hatch"])
            for i, name in enumerate(
                [
                    "Vraag: lopende opdrachten",
                    "Vraag: komende aanbestedingen",
                    "Aanbod: in opleiding",
                    "Aanbod: afgerond, niet geplaatst",
                ]
            )
        ],
        columns=2,
        size=8,
    )
    alt_parts = []
    for i, row in enumerate(rows.itertuples(index=False)):
        plot = drawing.plot(
            left, right, top + i * (panel + gap), drawing.height - top - i * (panel + gap) - panel, limit, 2
        )

        def y(value: float, upper: float = plot.top, lower: float = plot.bottom) -> float:
            return lower - (value + 0.6) / 2.2 * (lower - upper)  # y limits -0,6 to 1,6, as set before

        name = labels.label("sector", row.sector)
        demand = [num(row.vraag_opdrachten_persoonsjaren), num(row.vraag_aanbestedingen_persoonsjaren)]
        have = [num(row.in_opleiding), num(row.afgerond_niet_geplaatst)]
        for level, parts, first in ((1, demand, 0), (0, have, 2)):
            start = 0.0
            for k, width in enumerate(parts):  # stacked: the second part starts where the first ends
                style = styles[first + k]
                drawing.rect(
                    plot.x(start), y(level + 0.3), plot.x(start + width) - plot.x(start), y(level - 0.3) - y(level + 0.3),
                    style["color"], hatch=style["hatch"],
                )  # fmt: skip
                start += width
        demand_text = f"≈ {fmt.format_number(row.vraag_persoonsjaren)} persoonsjaren"
        supply_text = (
            f"{row.kandidaten} kandidaten"
            if isinstance(row.kandidaten, str)
            else f"{fmt.format_int(row.kandidaten)} kandidaten"
        )
        # the x axis with its tick labels and label under the last panel only
        plot.x_axis(ticks, fmt.format_int if i == n - 1 else None)
        if i == n - 1:
            plot.x_label("persoonsjaren (vraag) en kandidaten (aanbod)")
        plot.y_axis(["Vraag", "Aanbod"], at=[y(1), y(0)])
        for level, width, text in ((1, sum(demand), demand_text), (0, sum(have), supply_text)):
            drawing.text(plot.x(width + xmax * 0.01), y(level), text, size=8, middle=True)
        drawing.text(plot.left, plot.top - 6, _capital(name), size=9, baseline=True)
        alt_parts.append(f"{name}: vraag {demand_text}, aanbod {supply_text}")
    alt = "Vraag en aanbod per sector: " + "; ".join(alt_parts) + "."
    return drawing.chart(alt)


def section(period: str, partner_id: str | None = None) -> Html:
    """The whole section: an explanation, one sentence per sector, the chart, the table."""
    tables = load(period)
    table = sector_table(tables, partner_id)
    if table.empty:
        return Html('<p class="leeg">Vraag en aanbod: geen open vraag en geen kandidaten in de pijplijn.</p>')
    who = "de kandidaten van de regio" if partner_id is None else "uw kandidaten"
    intro = (
        "Vraag: wat lopende en nog te starten opdrachten nog moeten realiseren, en wat komende aanbestedingen "
        "vragen in het kwartaal dat hun werk begint, uitgedrukt in persoonsjaren. Aanbod: "
        f"{who} die in opleiding zijn of hun opleiding hebben afgerond maar nog niet geplaatst zijn."
    )
    shown = table.copy()
    shown["sector"] = shown["sector"].map(lambda s: s if s == "Totaal" else _capital(labels.label("sector", s)))
    rendered = html_table(
        shown,
        formats={
            "vraag_opdrachten_persoonsjaren": lambda v: fmt.format_number(v, 1),
            "vraag_aanbestedingen_persoonsjaren": lambda v: fmt.format_number(v, 1),
            "vraag_persoonsjaren": lambda v: fmt.format_number(v, 1),
        },
        caption="Vraag (persoonsjaren) en aanbod (kandidaten) per sector",
        headers={
            "sector": "Sector",
            "vraag_opdrachten_persoonsjaren": "Vraag: lopende opdrachten",
            "vraag_aanbestedingen_persoonsjaren": "Vraag: komende aanbestedingen",
            "vraag_persoonsjaren": "Vraag totaal",
            "in_opleiding": "In opleiding",
            "afgerond_niet_geplaatst": "Afgerond, niet geplaatst",
            "kandidaten": "Kandidaten",
        },
        columns=list(shown.columns),
        note=note() if shown[COUNTS].map(lambda v: isinstance(v, str)).to_numpy().any() else None,
    )
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences(table, partner_id))
    return Html(
        f"<p>{html.escape(intro)}</p><ul>{items}</ul>" + chart(table).html() + f'<div class="breed">{rendered}</div>'
    )
