"""Charts for the report pages: matplotlib (no pyplot, no global state) to inline SVG; the
per-contract chart, drawn on every contractor's page, is written as SVG directly in the same
house style (:mod:`pipeline.report.svg`).

Every function returns a :class:`Chart`: the SVG text (ready to put inside HTML: no XML prolog,
``role="img"``, an ``aria-label`` and a ``<title>`` with the alt text) and the alt text itself.
A notebook cell can simply end with the chart; it displays as a ``<figure>``.

House rules (docs/reports.md):

- A4: 16,5 cm wide at most (A4 minus 2 × 2 cm margins); the page CSS scales it down on screen.
- Dutch labels and Dutch numbers on axes and labels (:mod:`pipeline.report.formatting`).
- Okabe–Ito colours *and* a hatch or marker per series, and values written next to bars and
  line ends, so nothing depends on colour or on reading a legend.
- Deterministic: ``svg.hashsalt`` fixed, text kept as text (``svg.fonttype='none'``: small,
  searchable, and the browser's sans-serif draws it), no date or creator in the metadata, and
  matplotlib's numbered element ids removed. The same data gives byte-identical SVG.
- Suppressed counts: the callers pass display values from :mod:`pipeline.disclosure.suppress`. A value
  that is a string (``'<5'``, ``'×'``) draws no bar (length 0) and its label is that string;
  in line charts it is a gap. No rate is computed from a hidden count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from pipeline.report import formatting as fmt
from pipeline.report import labels as words
from pipeline.report import svg
from pipeline.report.chart_style import (  # noqa: F401 - Chart is part of this module's interface
    EUR_SERIES,
    INK,
    STAGE_LABELS,
    WIDTH_CM,
    Chart,
    _axis_format,
    _end_labels,
    _figure,
    _finish,
    _hbar_labels,
    _label,
    _margins,
    _quarter_ticks,
    _style,
    _styled,
    _text,
    _value,
    last_tick_overhang_pt,
    money_format,
    widest_pt,
)

# Columns whose values are codes with a Dutch word (config/labels.yaml, the rate card)
_WORD_KINDS = {"sector": "sector", "doelgroep": "doelgroep", "soort": "soort", "rol": "rol", "bouwblok": "bouwblok"}


def _words(column: str, values) -> list[str]:
    """Codes of ``column`` as the reader's words (``pwet_kort`` → its rate-card description)."""
    kind = _WORD_KINDS.get(column)
    if kind is None:
        return [str(v) for v in values]
    return list(words.map_column(pd.Series(list(values), dtype=object), kind))


def _wrap(text: str, width: int = 34) -> str:
    """A long category label on at most two lines (the rate card's descriptions are long)."""
    import textwrap

    lines = textwrap.wrap(text, width)
    return "\n".join(lines[:1] + [" ".join(lines[1:])]) if len(lines) > 1 else text


# ---------------------------------------------------------------- charts


@_styled
def progress_chart(voortgang: pd.DataFrame, doel: int, doel_datum=None) -> Chart:
    """Durable placements, cumulative per quarter, against the linear pace to the target.

    ``voortgang``: ``programma_voortgang.csv`` (``periode, duurzaam_cumulatief,
    nodig_cumulatief``); quarters without realisation yet are gaps.
    """
    x = np.arange(len(voortgang))
    real = [(_value(v)[0] if _value(v)[1] is None else np.nan) for v in voortgang["duurzaam_cumulatief"]]
    need = [(_value(v)[0] if _value(v)[1] is None else np.nan) for v in voortgang["nodig_cumulatief"]]
    fig = _figure(8)
    ax = fig.add_subplot()
    ax.plot(x, need, linestyle="--", marker="s", markersize=3.5, color=fmt.OKABE_ITO["oranje"])
    ax.plot(x, real, linestyle="-", marker="o", markersize=4, color=fmt.OKABE_ITO["blauw"], linewidth=2)
    ax.axhline(doel, color=fmt.GRIJS, linestyle=":", linewidth=1)
    ax.text(0, doel, f" Doel {fmt.format_int(doel)}", va="bottom", ha="left", color=INK)
    ends = []
    for series, name in ((real, "Gerealiseerd"), (need, "Nodig")):
        idx = [i for i, v in enumerate(series) if not np.isnan(v)]
        if idx:
            ends.append((series[idx[-1]], idx[-1], f"{name} {fmt.format_int(series[idx[-1]])}"))
    top = max([doel, *[e[0] for e in ends]])
    _end_labels(ax, [(y, text, INK) for y, _, text in ends], top * 0.06)
    _quarter_ticks(ax, voortgang["periode"])
    ax.set_ylim(0, top * 1.1)
    _axis_format(ax.yaxis, fmt.format_int)
    ax.set_ylabel("Duurzaam geplaatst (cumulatief)")
    alt = (
        "Lijndiagram: duurzame plaatsingen cumulatief per kwartaal (doorgetrokken lijn) tegen "
        f"het tempo dat nodig is voor het doel van {fmt.format_int(doel)}"
        + (f" op {fmt.format_date(doel_datum)}" if doel_datum is not None else "")
        + " (stippellijn)."
    )
    last = [i for i, v in enumerate(real) if not np.isnan(v)]
    if last:
        i = last[-1]
        alt += (
            f" {fmt.format_quarter(voortgang['periode'].iloc[i])}: {fmt.format_int(real[i])} "
            f"gerealiseerd, {_label(voortgang['nodig_cumulatief'].iloc[i], fmt.format_int)} nodig."
        )
    return _finish(fig, alt)


def funnel_chart(stages: Mapping[str, object], labels: Mapping[str, str] | None = None) -> Chart:
    """Training funnel: one horizontal bar per stage (in the given order), value and share of
    the first stage written next to each bar. ``'uitgevallen'`` is drawn as an exit (other
    colour and hatch). Hidden counts (strings) get no bar and no share.

    Drawn as SVG directly (:mod:`pipeline.report.svg`) in the layout it had as a matplotlib
    figure (the bars spaced as matplotlib's automatic y limits space them): it is drawn on the
    page of every partner with trajectories, and matplotlib spent a fifth of a second on it."""
    names = {**STAGE_LABELS, **(labels or {})}
    keys = list(stages)
    values = [_value(stages[k]) for k in keys]
    first = values[0][0] if values and values[0][1] is None and values[0][0] > 0 else None
    n = len(keys)
    xmax = max([v for v, _ in values] + [1])
    texts = []
    for key, (number, shown) in zip(keys, values):
        text = shown if shown is not None else fmt.format_int(number)
        if shown is None and first and key != keys[0]:
            text += f" ({fmt.format_pct(100 * number / first)} van {names.get(keys[0], keys[0]).lower()})"
        texts.append(text)
    ticks = [names.get(k, k) for k in keys]
    limit = xmax * 1.45
    steps = [float(t) for t in MaxNLocator(5, integer=True).tick_values(0, limit) if 0 <= t <= limit]
    drawing = svg.Drawing(WIDTH_CM, 1.6 + 0.75 * n)
    # margins from the stage names' widths (the values stand inside the plot, right of the bars);
    # right: at least half of the last tick's label, which may sit at the axis' end
    left = widest_pt(ticks, svg.TICK_SIZE) + svg.TICK_LENGTH + svg.TICK_PAD + 6
    right = max(8.0, widest_pt([fmt.format_int(steps[-1])], svg.TICK_SIZE) / 2 + 4)
    plot = drawing.plot(left, right, top=3, bottom=34, xmax=limit, rows=n)
    # matplotlib's automatic y limits around bars 0,6 high at 0 … n - 1: 5% of their span beyond
    # the outer bars' edges, so a row is (plot height) / (1,1 × (n - 0,4)) and the first bar's
    # middle 0,3 + 5% of (n - 0,4) rows below the top
    unit = (plot.bottom - plot.top) / (1.1 * (n - 0.4))
    middles = [plot.top + (0.3 + 0.05 * (n - 0.4) + i) * unit for i in range(n)]
    for middle, key, (number, _) in zip(middles, keys, values):
        if number > 0:
            exit_ = key == "uitgevallen"
            drawing.rect(
                plot.x(0), middle - 0.3 * unit, plot.x(number) - plot.x(0), 0.6 * unit,
                fmt.OKABE_ITO["vermiljoen"] if exit_ else fmt.OKABE_ITO["blauw"], hatch="///" if exit_ else "",
            )  # fmt: skip
    plot.x_axis(steps, fmt.format_int)
    plot.y_axis(ticks, at=middles)
    for middle, (number, _), text in zip(middles, values, texts):
        drawing.text(plot.x(number + xmax * 0.01), middle, text, size=svg.TEXT_SIZE, middle=True)
    plot.x_label("Aantal kandidaten")
    alt = (
        "Staafdiagram trechter van trajecten: "
        + "; ".join(f"{names.get(k, k).lower()} {t}" for k, t in zip(keys, texts))
        + "."
    )
    return drawing.chart(alt)


@_styled
def grouped_bar_chart(
    table: pd.DataFrame,
    label_column: str,
    series: Mapping[str, str] = EUR_SERIES,
    value_format: Callable[[object], str] | None = None,
    subject: str = "Verplichting en realisatie",
) -> Chart:
    """Obligation vs realised (and expected) per group (authority, sector): horizontal grouped
    bars, each series its own colour *and* hatch, the value written at each bar."""
    cols = list(series)
    value_format = value_format or money_format([v for c in cols for v in table[c]])
    n, k = len(table), len(cols)
    fig = _figure(1.8 + n * (0.42 * k + 0.35))
    ax = fig.add_subplot()
    height = 0.8 / k
    base = np.arange(n)[::-1].astype(float)
    xmax = max([_value(v)[0] for c in cols for v in table[c]] + [1])
    for j, col in enumerate(cols):
        ys = base + 0.4 - height * (j + 0.5)
        widths = [_value(v)[0] for v in table[col]]
        ax.barh(ys, widths, height=height * 0.9, label=series[col], **_style(j))
        _hbar_labels(ax, ys, widths, [_label(v, value_format) for v in table[col]], xmax)
    names = _words(label_column, table[label_column])
    ax.set_yticks(base, [_text(_wrap(v)) for v in names])
    ax.set_xlim(0, xmax * 1.3)
    _axis_format(ax.xaxis, value_format)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.legend(loc="lower right", ncols=k, bbox_to_anchor=(1, 1))
    parts = [
        f"{name}: " + ", ".join(f"{series[c].lower()} {_label(row[c], value_format)}" for c in cols)
        for name, (_, row) in zip(names, table.iterrows())
    ]
    alt = f"Staafdiagram {subject.lower()} per {label_column.replace('_', ' ')}: " + "; ".join(parts) + "."
    return _finish(fig, alt)


@_styled
def share_bar_chart(
    table: pd.DataFrame,
    label_column: str,
    value_column: str,
    value_format: Callable[[object], str] | None = None,
    labels: Mapping[str, str] | None = None,
    subject: str = "Mix van bouwblokken",
) -> Chart:
    """Building-block mix: one horizontal bar per category, largest first, value and share."""
    value_format = value_format or money_format(table[value_column])
    data = table[[label_column, value_column]].copy()
    data["_n"] = [_value(v)[0] for v in data[value_column]]
    data = data.sort_values("_n", ascending=False, kind="stable")
    total = data["_n"].sum()
    defaults = dict(zip(data[label_column], _words(label_column, data[label_column])))
    names = [(labels or {}).get(v, defaults.get(v, v)) for v in data[label_column]]
    texts = [
        _label(v, value_format)
        + (f" ({fmt.format_pct(100 * n / total)})" if total > 0 and not isinstance(v, str) else "")
        for v, n in zip(data[value_column], data["_n"])
    ]
    fig = _figure(1.4 + 0.95 * len(data))
    ax = fig.add_subplot()
    y = np.arange(len(data))[::-1]
    ax.barh(y, data["_n"], height=0.6, **_style(0))
    xmax = max(data["_n"].max() if len(data) else 0, 1)
    _hbar_labels(ax, y, data["_n"], texts, xmax)
    ax.set_yticks(y, [_text(_wrap(v)) for v in names])
    ax.set_xlim(0, xmax * 1.4)
    _axis_format(ax.xaxis, value_format)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    alt = f"Staafdiagram {subject.lower()}: " + "; ".join(f"{a} {t}" for a, t in zip(names, texts)) + "."
    return _finish(fig, alt)


@_styled
def trend_chart(
    trend: pd.DataFrame,
    series: Mapping[str, str] = EUR_SERIES,
    x_column: str = "periode",
    value_format: Callable[[object], str] | None = None,
    subject: str = "Verplichting en realisatie per kwartaal",
) -> Chart:
    """Trend over periods: one line per series with its own marker and line style, the name
    and last value written at the end of each line (no legend needed)."""
    x = np.arange(len(trend))
    value_format = value_format or money_format([v for c in series for v in trend[c]])
    fig = _figure(8)
    ax = fig.add_subplot()
    ends = []
    styles = ["-", "--", "-.", ":"]
    for j, (col, name) in enumerate(series.items()):
        ys = [v if shown is None else np.nan for v, shown in map(_value, trend[col])]
        ax.plot(
            x,
            ys,
            marker=fmt.MARKERS[j % 8],
            linestyle=styles[j % 4],
            markersize=4,
            color=fmt.PALETTE[j % 8],
            linewidth=1.6,
        )
        idx = [i for i, v in enumerate(ys) if not np.isnan(v)]
        if idx:
            ends.append((ys[idx[-1]], idx[-1], f"{name} {value_format(ys[idx[-1]])}", j))
    top = max([e[0] for e in ends] + [1])
    _end_labels(ax, [(y, text, fmt.PALETTE[j % 8]) for y, _, text, j in ends], top * 0.07)
    labels = [fmt.format_quarter(v) for v in trend[x_column]]
    _quarter_ticks(ax, trend[x_column])
    ax.set_ylim(0, top * 1.12)
    _axis_format(ax.yaxis, value_format)
    ax.yaxis.set_major_locator(MaxNLocator(5))
    alt = f"Lijndiagram {subject.lower()}, {labels[0] if labels else ''} tot {labels[-1] if labels else ''}."
    if ends:
        alt += " Laatste stand: " + "; ".join(e[2] for e in ends) + "."
    return _finish(fig, alt)


@_styled
def stacked_bar_chart(
    table: pd.DataFrame,
    x_column: str = "kwartaal",
    stack_column: str = "sector",
    value_column: str = "sr_waarde_eur",
    value_format: Callable[[object], str] | None = None,
    subject: str = "Verwachte social-return-waarde van komende aanbestedingen",
) -> Chart:
    """Future tenders per quarter (x) and sector (stacked, colour + hatch, legend), the total
    written above each bar. Quarters and sectors are sorted, so the picture is stable."""
    pivot = (
        pd.pivot_table(table, index=x_column, columns=stack_column, values=value_column, aggfunc="sum", fill_value=0)
        .sort_index()
        .sort_index(axis=1)
    )
    value_format = value_format or money_format(pivot.sum(axis=1))
    sectors = dict(zip(pivot.columns, _words(stack_column, pivot.columns)))
    x = np.arange(len(pivot))
    fig = _figure(8.5)
    ax = fig.add_subplot()
    bottom = np.zeros(len(pivot))
    for j, sector in enumerate(pivot.columns):
        heights = pivot[sector].to_numpy(dtype=float)
        ax.bar(x, heights, bottom=bottom, width=0.6, label=_text(sectors[sector]), **_style(j))
        bottom += heights
    top = max(bottom.max() if len(bottom) else 0, 1)
    for xi, total in zip(x, bottom):
        ax.text(xi, total + top * 0.015, value_format(total), ha="center", va="bottom")
    quarters = [fmt.format_quarter(q) for q in pivot.index]
    ax.set_xticks(x, quarters)
    ax.set_ylim(0, top * 1.15)
    _axis_format(ax.yaxis, value_format)
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    alt = (
        f"Gestapeld staafdiagram {subject.lower()} per kwartaal en sector: "
        + "; ".join(
            f"{q} {value_format(t)} ("
            + ", ".join(f"{sectors[s]} {value_format(pivot.loc[idx, s])}" for s in pivot.columns if pivot.loc[idx, s])
            + ")"
            for q, t, idx in zip(quarters, bottom, pivot.index)
        )
        + "."
    )
    return _finish(fig, alt)


@_styled
def contract_chart(
    gerealiseerd_eur: float, verwacht_eur: float, verplichting_eur: float, title: str | None = None
) -> Chart:
    """A small bullet chart for one contract: bar = realised, diamond = expected by now,
    vertical line = the whole obligation; each marked by text, not colour alone."""
    real, _ = _value(gerealiseerd_eur)
    expected, _ = _value(verwacht_eur)
    obligation, _ = _value(verplichting_eur)
    xmax = max(real, expected, obligation, 1)
    fig = _figure(2.6)
    ax = fig.add_subplot()
    ax.barh(0, real, height=0.45, color=fmt.OKABE_ITO["blauw"], edgecolor=INK, linewidth=0.5)
    ax.plot(
        [expected], [0], marker="D", markersize=7, color=fmt.OKABE_ITO["oranje"], markeredgecolor=INK, linestyle="none"
    )
    ax.axvline(obligation, color=INK, linewidth=1.5)
    money = money_format([real, expected, obligation])
    ax.text(real, -0.42, f"Gerealiseerd {money(real)}", ha="left", va="top")
    ax.text(expected, 0.32, f"Verwacht {money(expected)}", ha="center", va="bottom")
    ax.text(obligation, 0.55, f"Verplichting {money(obligation)}", ha="right", va="bottom")
    ax.set_ylim(-1.1, 1.1)
    ax.set_xlim(0, xmax * 1.05)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    _axis_format(ax.xaxis, money)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    if title:
        ax.set_title(_text(title), loc="left")
    share = f" ({fmt.format_pct(100 * real / obligation)} van de verplichting)" if obligation > 0 else ""
    alt = (
        f"{title + ': ' if title else ''}gerealiseerd {fmt.format_eur(gerealiseerd_eur)}{share}, "
        f"verwacht op de peildatum {fmt.format_eur(verwacht_eur)}, "
        f"verplichting {fmt.format_eur(verplichting_eur)}."
    )
    return _finish(fig, alt[0].upper() + alt[1:])


def chart_digest(chart: Chart) -> str:
    """Short sha256 of the SVG (for tests and for spotting changed pictures between runs)."""
    return hashlib.sha256(chart.svg.encode("utf-8")).hexdigest()[:12]


CLIP_PCT = 150.0  # the per-contract chart's axis ends here; longer bars get an arrow


def contracts_chart(table: pd.DataFrame, label_column: str = "opdracht_id", clip_pct: float = CLIP_PCT) -> Chart:
    """All contracts of one partner in ONE figure, in the order given (the page's urgency order):
    per row the realised share of the obligation (bar), the expected share by the peildatum
    (diamond) and the whole obligation (dashed line at 100%).

    Readable whatever the spread (issue "charts that read"): the axis stops at ``clip_pct``
    (150%), so a contract realised 1.000% does not squeeze the ones behind into a sliver; a bar
    that runs past it ends in an arrow with its real percentage written inside the bar. Amounts
    and percentages stand in a column right of the plot, where no marker or line can cross them.
    One money format for all amounts (:func:`money_format`).

    Drawn as SVG directly (:mod:`pipeline.report.svg`) in the house style the matplotlib charts
    have: a contractor's page at 100 times the demo data draws up to 25 rows, and matplotlib
    spent a quarter of a second on them (its tick machinery), this a few milliseconds.
    ``table`` needs ``gerealiseerd_eur``, ``verwacht_eur``, ``verplichting_eur`` and the label.
    """
    obligation = table["verplichting_eur"].astype(float).to_numpy()
    safe = np.where(obligation > 0, obligation, np.nan)
    real = np.nan_to_num(100 * table["gerealiseerd_eur"].astype(float).to_numpy() / safe)
    expected = np.nan_to_num(100 * table["verwacht_eur"].astype(float).to_numpy() / safe)
    n = len(table)
    top = max(float(np.max(real, initial=0)), float(np.max(expected, initial=0)), 100.0)
    xmax = clip_pct if top > clip_pct else max(top * 1.05, 110.0)
    over = real > xmax
    money = money_format(table["gerealiseerd_eur"])
    texts = [f"{money(g)} ({fmt.format_pct(r, 0)})" for g, r in zip(table["gerealiseerd_eur"], real)]
    drawing = svg.Drawing(WIDTH_CM, 2.2 + 0.62 * n)
    # an id longer than a third of the width is shortened with "…" (the table beside it has it whole)
    names = [svg.shortened(str(v), svg.TICK_SIZE, drawing.width / 3) for v in table[label_column]]
    # margins from the texts' own widths: left the contract ids beside their ticks, right the
    # amounts' column (it starts 3,5% of the plot's width past its edge), top one row of legend,
    # bottom the ticks and the axis label
    left = widest_pt(names, svg.TICK_SIZE) + svg.TICK_LENGTH + svg.TICK_PAD + 6
    right = (0.035 * (drawing.width - left) + widest_pt(texts, svg.TEXT_SIZE) + 6) / 1.035
    plot = drawing.plot(left, right, top=26, bottom=34, xmax=xmax, rows=n)
    for i in range(n):
        y, h = plot.row(i), 0.55 * plot.row_height
        # a negative share (corrections larger than what was realised) draws no bar, as the axis starts at 0
        drawing.rect(plot.x(0), y - h / 2, plot.x(min(max(real[i], 0), xmax)) - plot.x(0), h, fmt.OKABE_ITO["blauw"])
    drawing.dashed_line(plot.x(100), plot.bottom, plot.x(100), plot.top)
    plot.x_axis([t for t in (0, 25, 50, 75, 100, 125, 150, 175, 200) if t <= xmax], lambda v: fmt.format_pct(v, 0))
    plot.y_axis(names)
    for i in range(n):
        if 0 <= expected[i] <= xmax:  # a diamond outside the axis is not drawn (as a clipped plot)
            drawing.marker("diamond", plot.x(expected[i]), plot.row(i), fmt.OKABE_ITO["oranje"])
    for i in range(n):
        drawing.text(plot.x_text(1.035), plot.row(i), texts[i], size=svg.TEXT_SIZE)
    for i in np.flatnonzero(over):
        # the arrow: a triangle just past the axis end, and the real percentage inside the bar
        drawing.marker("arrow", plot.right, plot.row(i), INK)
        drawing.text(
            plot.x(xmax * 0.985), plot.row(i), fmt.format_pct(real[i], 0), size=svg.TEXT_SIZE, anchor="end",
            bold=True, fill="#FFFFFF",
        )  # fmt: skip
    plot.x_label(
        "Percentage van de verplichting"
        + (f" (de as stopt bij {fmt.format_pct(xmax, 0)}; ▶ loopt verder)" if over.any() else "")
    )
    drawing.legend(
        [
            ("dashed", "Verplichting (100%)", INK),
            ("diamond", "Verwacht op de peildatum", fmt.OKABE_ITO["oranje"]),
            ("bar", "Gerealiseerd", fmt.OKABE_ITO["blauw"]),
        ]
    )
    alt = (
        "Staafdiagram realisatie per opdracht als percentage van de verplichting"
        + (f" (as tot {fmt.format_pct(xmax, 0)}, langere balken met een pijl)" if over.any() else "")
        + ": "
        + "; ".join(
            f"{lab}: gerealiseerd {fmt.format_pct(r, 0)}, verwacht {fmt.format_pct(e, 0)}"
            for lab, r, e in zip(table[label_column], real, expected)
        )
        + "."
    )
    return drawing.chart(alt)
