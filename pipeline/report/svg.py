"""A chart drawn as SVG directly, in the house style of the matplotlib charts
(:mod:`pipeline.report.chart_style`): the same size on A4, font, sizes, ink, tick marks, dashed
line, markers and legend, and the same accessible ``<svg>`` (``role="img"``, ``aria-label``,
``<title>``). For a chart that is drawn on many pages of a period (the per-contract chart of a
contractor's page): matplotlib builds and measures a tick object per label, which costs a
quarter of a second for 25 rows; this writes the elements in a few milliseconds.

Positions are in points, as in matplotlib's SVG (the ``viewBox`` is the figure in points, so a
font size of 9.5 is 9,5 pt on paper). Text stays text: the browser draws it in the house font,
and its width is measured in that font (:func:`chart_style.widest_pt`) where the layout needs it.

>>> d = Drawing(4, 2)
>>> d.text(10, 20, "a < b", size=TICK_SIZE)
>>> svg = d.chart("Voorbeeld").svg
>>> svg.startswith('<svg class="grafiek" role="img" aria-label="Voorbeeld"'), "a &lt; b</text>" in svg
(True, True)
"""

from __future__ import annotations

import functools
import hashlib
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipeline.report.chart_style import _RC, CM, INK, Chart, labelled, widest_pt

TICK_SIZE = _RC["xtick.labelsize"]  # 9,5 pt: tick labels and the legend
TEXT_SIZE = _RC["font.size"]  # 10 pt: labels written in the chart, the axis label
LEGEND_SIZE = _RC["legend.fontsize"]
TICK_LENGTH = 3.5  # matplotlib's major tick: 3,5 pt long, 0,8 pt wide, label 3,5 pt away
TICK_PAD = 3.5
LINE_WIDTH = 0.8
# where DejaVu Sans puts a line's baseline: its ascent is 0,76 of the font size, and a text
# centred on a row (matplotlib's "center_baseline") has its baseline 0,38 of the size below
ASCENT = 0.76
CENTRE = 0.38
# a text centred on a point as a box (matplotlib's va="center"): its baseline 0,26 of the size below
MIDDLE = 0.2598
# the legend's spacing in font sizes, as matplotlib's defaults: border, handle, gaps, and the height
# of a row of text (matplotlib measures "lp" at 1,00008 of the size)
LEGEND_BORDER, LEGEND_AXES_PAD, LEGEND_HANDLE, LEGEND_TEXT_PAD = 0.4, 0.3, 2.0, 0.8
LEGEND_COLUMN_GAP, LEGEND_ROW_GAP, LINE_HEIGHT = 2.0, 0.5, 1.00008
HATCH_SIZE = 72  # matplotlib's hatch tile in points (its lines: rc hatch.linewidth)
_FAMILY = ", ".join([f"'{f}'" for f in _RC["font.sans-serif"]] + ["sans-serif"])
_MARKERS = {
    # matplotlib's "D" at markersize 6,5 (half diagonal 6,5 / √2) and ">" at markersize 9
    "diamond": "M {x} {y1} L {x2} {y} L {x} {y0} L {x0} {y} z",
    "arrow": "M {x2} {y} L {x0} {y0} L {x0} {y1} z",
}
_MARKER_RADIUS = {"diamond": 4.596194, "arrow": 4.5}


def shortened(text: str, size: float, max_pt: float) -> str:
    """``text``, cut short with "…" when it is wider than ``max_pt`` in the house font at ``size``.

    >>> shortened("NCG-2019004", TICK_SIZE, 200), shortened("x" * 200, TICK_SIZE, 50)
    ('NCG-2019004', 'xxxxxxx…')

    (at 9,5 pt an "x" is 5,62 pt and "…" 9,5 pt wide: 7 × 5,62 + 9,5 = 48,9 fits in 50, 8 do not)
    """
    if widest_pt([text], size) <= max_pt:
        return text
    low, high = 0, len(text)  # the longest start that fits with the ellipsis
    while low < high:
        mid = (low + high + 1) // 2
        if widest_pt([text[:mid] + "…"], size) <= max_pt:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…"


@functools.lru_cache(maxsize=32)
def _hatch_path(hatch: str) -> str:
    """The lines of ``hatch`` (matplotlib's hatch codes: "///", "xxx", ...) in one tile, as
    matplotlib's SVG writes them: its hatch path at the default density, 72 pt to a tile."""
    from matplotlib import hatch as mpl_hatch

    path = mpl_hatch.get_path(hatch, 6.0)
    commands = {1: "M", 2: "L", 3: "Q", 4: "C", 79: "z"}
    parts = []
    for points, code in path.iter_segments(simplify=False, curves=True):
        xy = " ".join(_n(v * HATCH_SIZE if i % 2 == 0 else HATCH_SIZE - v * HATCH_SIZE) for i, v in enumerate(points))
        parts.append(commands[int(code)] if code == 79 else f"{commands[int(code)]} {xy}")
    return " ".join(parts)


def _n(value: float) -> str:
    """A coordinate with two decimals (a hundredth of a point), without trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass
class Drawing:
    """A figure of ``width_cm`` × ``height_cm`` on a white ground; elements in drawing order."""

    width_cm: float
    height_cm: float
    parts: list[str] = field(default_factory=list)
    patterns: dict[str, str] = field(default_factory=dict)

    @property
    def width(self) -> float:
        return self.width_cm * CM * 72

    @property
    def height(self) -> float:
        return self.height_cm * CM * 72

    def rect(
        self, x: float, y: float, w: float, h: float, fill: str, stroke: str = INK, width: float = 0.5, hatch: str = ""
    ) -> None:
        """A rectangle filled with ``fill``, and hatched with ``hatch`` (matplotlib's codes) over it."""
        if hatch:
            fill = self._pattern(hatch, fill)
        self.parts.append(
            f'<path d="M {_n(x)} {_n(y + h)} L {_n(x + w)} {_n(y + h)} L {_n(x + w)} {_n(y)} L {_n(x)} {_n(y)} z" '
            f'style="fill: {fill}; stroke: {stroke}; stroke-width: {_n(width)}; stroke-linejoin: miter"/>'
        )

    def _pattern(self, hatch: str, ground: str) -> str:
        """The fill of a hatched area: a pattern of ink lines on ``ground`` (defined once a drawing)."""
        key = hashlib.sha256(f"{hatch}|{ground}".encode()).hexdigest()[:10]
        if key not in self.patterns:
            self.patterns[key] = (
                f'<pattern id="h{key}" patternUnits="userSpaceOnUse" x="0" y="0" width="{HATCH_SIZE}" '
                f'height="{HATCH_SIZE}"><rect x="0" y="0" width="{HATCH_SIZE + 1}" height="{HATCH_SIZE + 1}" '
                f'fill="{ground}"/><path d="{_hatch_path(hatch)}" style="fill: {INK}; stroke: {INK}; stroke-width: '
                f'{_n(_RC["hatch.linewidth"])}; stroke-linecap: butt; stroke-linejoin: miter"/></pattern>'
            )
        return f"url(#h{key})"

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = LINE_WIDTH, cap: str = "square") -> None:
        self.parts.append(
            f'<path d="M {_n(x0)} {_n(y0)} L {_n(x1)} {_n(y1)}" style="fill: none; stroke: {INK}; '
            f'stroke-width: {_n(width)}; stroke-linejoin: miter; stroke-linecap: {cap}"/>'
        )

    def dashed_line(self, x0: float, y0: float, x1: float, y1: float, width: float = 1.2) -> None:
        """matplotlib's "--" at this width: dashes of 3,7 and gaps of 1,6 times the width."""
        self.parts.append(
            f'<path d="M {_n(x0)} {_n(y0)} L {_n(x1)} {_n(y1)}" style="fill: none; stroke-dasharray: '
            f'{_n(3.7 * width)},{_n(1.6 * width)}; stroke-dashoffset: 0; stroke: {INK}; stroke-width: {_n(width)}"/>'
        )

    def marker(self, kind: str, x: float, y: float, fill: str) -> None:
        r = _MARKER_RADIUS[kind]
        d = _MARKERS[kind].format(x=_n(x), y=_n(y), x0=_n(x - r), x2=_n(x + r), y0=_n(y - r), y1=_n(y + r))
        self.parts.append(f'<path d="{d}" style="fill: {fill}; stroke: {INK}; stroke-linejoin: miter"/>')

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        anchor: str = "start",
        bold: bool = False,
        fill: str = INK,
        baseline: bool = False,
        middle: bool = False,
    ) -> None:
        """``text`` at ``x``; centred on ``y`` (its baseline, as a tick label; or its box when
        ``middle``, as matplotlib's va="center"), or with its baseline on ``y`` when ``baseline``."""
        weight = "font-weight: 700; " if bold else ""
        y = y if baseline else y + (MIDDLE if middle else CENTRE) * size
        self.parts.append(
            f'<text style="{weight}font-size: {_n(size)}px; font-family: {_FAMILY}; text-anchor: {anchor}; '
            f'fill: {fill}" x="{_n(x)}" y="{_n(y)}">{html.escape(text, quote=False)}</text>'
        )

    def plot(self, left: float, right: float, top: float, bottom: float, xmax: float, rows: int) -> "Plot":
        """A plot area with these margins (points), an x axis from 0 to ``xmax`` and ``rows``
        rows from the top, spaced as matplotlib spaces bars at y limits (-0,6, rows - 0,4)."""
        return Plot(self, left, self.width - right, top, self.height - bottom, xmax, rows)

    def legend(self, entries: Sequence[tuple[str, str, str]]) -> None:
        """One row of ``(kind, label, colour)`` at the top left, laid out as matplotlib's
        ``fig.legend(loc="upper left", ncols=len(entries), borderaxespad=0.3)``: a handle of two
        font sizes, 0,8 to its label, two between entries; ``kind`` is "dashed", "diamond" or "bar"."""
        size = LEGEND_SIZE
        x = (0.3 + 0.4) * size  # border space of the figure and of the legend
        baseline = x + ASCENT * size
        middle = baseline - 0.35 * size
        for kind, label, colour in entries:
            if kind == "dashed":
                self.dashed_line(x, middle, x + 2 * size, middle)
            elif kind == "diamond":
                self.marker("diamond", x + size, middle, colour)
            else:
                self.rect(x, baseline - 0.7 * size, 2 * size, 0.7 * size, colour)
            label_x = x + 2.8 * size
            self.text(label_x, baseline, label, size=size, baseline=True)
            x = label_x + widest_pt([label], size) + 2 * size

    def legend_columns(self, entries: Sequence[tuple[str, str, str]], columns: int, size: float) -> float:
        """Bar handles ``(label, colour, hatch)`` in ``columns`` columns, filled a column at a time
        and centred at the top, laid out as matplotlib's ``fig.legend(loc="upper center",
        ncols=columns, borderaxespad=0.3)``; returns the legend's lowest point."""
        # split as matplotlib splits them (numpy's array_split): the first columns one longer
        sizes = [len(entries) // columns + (1 if c < len(entries) % columns else 0) for c in range(columns)]
        starts = [sum(sizes[:c]) for c in range(columns)]
        groups = [entries[start : start + size] for start, size in zip(starts, sizes)]
        rows = max(sizes, default=0)
        widths = [(LEGEND_HANDLE + LEGEND_TEXT_PAD) * size + widest_pt([e[0] for e in g], size) for g in groups if g]
        total = sum(widths) + LEGEND_COLUMN_GAP * size * (len(widths) - 1)
        x = (self.width - total) / 2
        first = (LEGEND_AXES_PAD + LEGEND_BORDER + ASCENT) * size
        pitch = (LINE_HEIGHT + LEGEND_ROW_GAP) * size
        for group, width in zip(groups, widths):
            for r, (label, colour, hatch) in enumerate(group):
                baseline = first + r * pitch
                self.rect(x, baseline - 0.7 * size, LEGEND_HANDLE * size, 0.7 * size, colour, hatch=hatch)
                self.text(x + (LEGEND_HANDLE + LEGEND_TEXT_PAD) * size, baseline, label, size=size, baseline=True)
            x += width + LEGEND_COLUMN_GAP * size
        return first + (rows - 1) * pitch + (1 - ASCENT) * size

    def chart(self, alt: str) -> Chart:
        """The drawing as a chart for a page (:func:`chart_style.labelled`: ``alt`` as its label
        and title)."""
        w, h = _n(self.width), _n(self.height)
        svg = (
            f'<svg width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" '
            'version="1.1">\n'
            ' <defs>\n  <style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>\n'
            + "".join(f"  {p}\n" for p in self.patterns.values())
            + " </defs>\n"
            f' <path d="M 0 {h} L {w} {h} L {w} 0 L 0 0 z" style="fill: #ffffff"/>\n '
            + "\n ".join(self.parts)
            + "\n</svg>"
        )
        return labelled(svg, alt)


@dataclass
class Plot:
    """The plot area of a :class:`Drawing`: maps values to x and row numbers to y."""

    drawing: Drawing
    left: float
    right: float
    top: float
    bottom: float
    xmax: float
    rows: int

    @property
    def row_height(self) -> float:
        return (self.bottom - self.top) / (self.rows + 0.2)

    def x(self, value: float) -> float:
        return self.left + (self.right - self.left) * float(value) / self.xmax

    def x_text(self, fraction: float) -> float:
        """x at ``fraction`` of the plot's width (past its right edge when above 1)."""
        return self.left + (self.right - self.left) * fraction

    def row(self, i: int) -> float:
        """The middle of row ``i``, counted from the top."""
        return self.top + (i + 0.6) * self.row_height

    def x_axis(self, ticks: Sequence[float], label: Callable[[float], str] | None) -> None:
        """The bottom spine, and a tick mark with its label below at each of ``ticks``
        (``label`` None: marks only, as on a panel above another that shares its axis)."""
        d = self.drawing
        d.line(self.left, self.bottom, self.right, self.bottom)
        for t in ticks:
            x = self.x(t)
            d.line(x, self.bottom, x, self.bottom + TICK_LENGTH, cap="butt")
            if label is None:
                continue
            d.text(
                x, self.bottom + TICK_LENGTH + TICK_PAD + ASCENT * TICK_SIZE, label(t), size=TICK_SIZE, anchor="middle",
                baseline=True,
            )  # fmt: skip

    def y_axis(self, names: Sequence[str], at: Sequence[float] | None = None) -> None:
        """The left spine, and a tick mark with its name left of it at each row (or at the
        heights ``at``, for a plot that spaces its rows otherwise)."""
        d = self.drawing
        d.line(self.left, self.bottom, self.left, self.top)
        for i, name in enumerate(names):
            y = self.row(i) if at is None else at[i]
            d.line(self.left - TICK_LENGTH, y, self.left, y, cap="butt")
            d.text(self.left - TICK_LENGTH - TICK_PAD, y, name, size=TICK_SIZE, anchor="end")

    def x_label(self, text: str) -> None:
        """The axis label, centred under the tick labels (4 pt below them, as matplotlib)."""
        below = TICK_LENGTH + TICK_PAD + TICK_SIZE * (ASCENT + 0.24) + 4 + ASCENT * TEXT_SIZE
        self.drawing.text(
            (self.left + self.right) / 2, self.bottom + below, text, size=TEXT_SIZE, anchor="middle", baseline=True
        )
