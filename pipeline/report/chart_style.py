"""What every chart shares: the A4 size, the house style (colours, hatches, fonts), the
:class:`Chart` value and the deterministic SVG it is written to, and the label helpers.

The chart kinds themselves are in :mod:`pipeline.report.charts`.
"""

from __future__ import annotations

import functools
import html
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from pipeline.report import formatting as fmt

CM = 1 / 2.54
WIDTH_CM = 16.5
INK = "#222222"

_RC = {
    "svg.hashsalt": "sroi",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"],
    # 10 pt at the drawn size (16,5 cm; the page CSS never enlarges a chart): the page's text is
    # 14 px on screen and 10,5 pt on paper, in the same family (sroi.css)
    "font.size": 10,
    "axes.titlesize": 10.5,
    "legend.fontsize": 9.5,
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "hatch.linewidth": 0.7,
    "hatch.color": "edge",
    "legend.frameon": False,
    "path.simplify": False,
}
_SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}

STAGE_LABELS = {
    "aangemeld": "Aangemeld",
    "gestart": "Gestart",
    "afgerond": "Afgerond",
    "uitgevallen": "Uitgevallen",
    "certificaat": "Certificaat",
    "geplaatst": "Geplaatst",
    "duurzaam": "Duurzaam geplaatst",
}
EUR_SERIES = {
    "verplichting_eur": "Verplichting",
    "verwacht_eur": "Verwacht",
    "gerealiseerd_eur": "Gerealiseerd",
}


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart and its alt text (Dutch)."""

    svg: str
    alt: str

    def html(self, caption: str | None = None) -> str:
        """The chart as ``<figure>``; ``caption`` (escaped) becomes a visible ``<figcaption>``."""
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        return f'<figure class="grafiek">{self.svg}{cap}</figure>'

    def _repr_html_(self) -> str:
        return self.html()


# ---------------------------------------------------------------- helpers


def _styled(func):
    """Run a chart function with the house rcParams (fonts, colours, SVG determinism) set only
    for its duration, so other code's matplotlib settings are untouched."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_RC):
            return func(*args, **kwargs)

    return wrapper


def _figure(height_cm: float, width_cm: float = WIDTH_CM, constrained: bool = True) -> Figure:
    """A figure of the house width; ``constrained=False`` for a chart that places its own
    margins (:func:`_margins`), which halves the cost of drawing it: constrained layout measures
    every text once more before the final draw."""
    return Figure(figsize=(width_cm * CM, height_cm * CM), layout="constrained" if constrained else None)


PT_PER_CM = 72 / 2.54


@functools.lru_cache(maxsize=2)
def _face(bold: bool):
    """The house font's face (its regular or bold file), at 100 px per em, with its glyphs'
    advances as they are looked up."""
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    prop = FontProperties(family=_RC["font.sans-serif"][0], weight="bold" if bold else "normal")
    face = FT2Font(findfont(prop))
    face.set_size(100, 72)
    return face, {}


# what the font's tables alone cannot measure: matplotlib's text layout joins these pairs into one
# glyph (a ligature), and draws a character the font lacks, or a control or format character,
# with a fallback glyph of its own
_LIGATURES = re.compile("f[fil]")


def _laid_out_pt(line: str, size: float, bold: bool) -> float:
    """A line's width as matplotlib's text layout gives it (shaping, ligatures, fallback glyphs)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(family=_RC["font.sans-serif"][0], size=size, weight="bold" if bold else "normal")
    return TextToPath().get_text_width_height_descent(line, prop, ismath=False)[0]


@functools.lru_cache(maxsize=4096)
def _width_pt(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` in points in the house font at ``size`` pt, unhinted, as a browser
    sets the SVG's text (the widest line of several): the sum of its glyphs' advances and the
    font's kerning between them, read from the font's tables. That is the width matplotlib's text
    layout gives (within 0.003 pt: its kerning comes from the font's newer tables), in a tenth of
    the time, and a chart measures every label. A line the tables cannot measure (a ligature, a
    character the font lacks, a control character) is laid out by matplotlib as before.

    >>> round(_width_pt("x", 9.5), 2), round(_width_pt("…", 9.5), 2), round(_width_pt("AV", 100), 2)
    (5.62, 9.5, 130.42)

    (DejaVu Sans, 2048 units per em: "x" advances 1212 units, 1212 / 2048 × 9,5 = 5,62; "…" 2048;
    "A" and "V" 1401 each, kerned by −131: 2671 / 2048 × 100 = 130,42 at 1/64 px)
    """
    from matplotlib.ft2font import Kerning, LoadFlags

    face, advances = _face(bold)
    widest = 0.0
    for line in text.split("\n"):
        glyphs = [face.get_char_index(ord(char)) for char in line]
        if 0 in glyphs or _LIGATURES.search(line) or any(unicodedata.category(c)[0] == "C" for c in line):
            widest = max(widest, _laid_out_pt(line, size, bold))
            continue
        width, previous = 0.0, None
        for glyph in glyphs:
            if glyph not in advances:
                advances[glyph] = face.load_glyph(glyph, flags=LoadFlags.NO_HINTING).horiAdvance / 64
            width += advances[glyph]
            if previous is not None:
                width += face.get_kerning(previous, glyph, Kerning.UNFITTED) / 64
            previous = glyph
        widest = max(widest, width * size / 100)
    return widest


def widest_pt(texts, size: float, bold: bool = False) -> float:
    """The widest of ``texts`` in points (:func:`_width_pt`)."""
    return max((_width_pt(str(t), size, bold) for t in texts), default=0.0)


def last_tick_overhang_pt(ax, formatter: Callable[[object], str] = fmt.format_int, size: float = 9.5) -> float:
    """How far the last x tick's label reaches past the axis' end when the tick sits there:
    half its width (a right margin at least this wide keeps a label such as "200" whole)."""
    shown = [t for t in ax.get_xticks() if t <= ax.get_xlim()[1]]
    return widest_pt([formatter(t) for t in shown[-1:]], size) / 2


def _margins(fig: Figure, left_pt: float, right_pt: float, top_pt: float, bottom_pt: float, **kw) -> None:
    """Place the axes of ``fig`` by margins in points (the figure's own size stays)."""
    width, height = (v * 72 for v in fig.get_size_inches())
    fig.subplots_adjust(
        left=left_pt / width, right=1 - right_pt / width, top=1 - top_pt / height, bottom=bottom_pt / height, **kw
    )


def _finish(fig: Figure, alt: str) -> Chart:
    """Render to deterministic SVG and add the alt text."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata=_SVG_METADATA)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    svg = re.sub(r'\s+id="[A-Za-z][\w.]*_\d+"', "", svg)  # numbered ids clash between charts
    return labelled(svg, alt)


def labelled(svg: str, alt: str) -> Chart:
    """A chart for a page from an SVG that starts with its ``<svg `` tag: the house class,
    ``role="img"``, and ``alt`` as its ``aria-label`` and ``<title>`` (escaped)."""
    label = html.escape(alt, quote=True)
    head_end = svg.index(">") + 1  # end of the <svg ...> start tag (string ops: the alt text
    # may hold backslashes, which a regex replacement would interpret)
    svg = (
        '<svg class="grafiek" role="img" aria-label="'
        + label
        + '" '
        + svg[len("<svg ") : head_end]
        + "<title>"
        + label
        + "</title>"
        + svg[head_end:]
    )
    return Chart(svg=svg, alt=alt)


def _text(value: object) -> str:
    """Data text for matplotlib: ``$`` would start mathtext."""
    return str(value).replace("$", r"\$")


def _value(value: object) -> tuple[float, str | None]:
    """(number to draw, display string when hidden/missing). Strings draw as 0."""
    if isinstance(value, str):
        return 0.0, value
    if fmt.is_missing(value):
        return 0.0, fmt.NA_TEXT
    return float(value), None


def _label(value: object, formatter: Callable[[object], str]) -> str:
    number, shown = _value(value)
    return shown if shown is not None else formatter(number)


def money_format(values) -> Callable[[object], str]:
    """ONE money format for a whole chart (issue: no "€ 3 mln." beside "€ 664.249"): full euros
    when every amount is below a million, else every amount in millions.

    >>> f = money_format([664_249, 3_000_000])
    >>> f(664_249).replace(fmt.NBSP, " "), f(3_000_000).replace(fmt.NBSP, " ")
    ('€ 0,66 mln', '€ 3,00 mln')
    >>> money_format([950, 250_000])(250_000).replace(fmt.NBSP, " ")
    '€ 250.000'
    """
    numbers = [abs(_value(v)[0]) for v in values]
    top = max(numbers, default=0)
    if top < 1_000_000:
        return fmt.format_eur
    decimals = 2 if top < 10_000_000 else 1
    return lambda v: fmt.format_eur_mln(v, decimals)


def _axis_format(axis, formatter: Callable[[object], str]) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: formatter(v)))


def _style(i: int) -> dict:
    return {
        "color": fmt.PALETTE[i % len(fmt.PALETTE)],
        "hatch": fmt.HATCHES[i % len(fmt.HATCHES)],
        "edgecolor": INK,
        "linewidth": 0.5,
    }


def _spread(ys: list[float], gap: float) -> list[float]:
    """Move label positions apart by at least ``gap``, keeping their order."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = list(ys)
    for prev, cur in zip(order, order[1:]):
        out[cur] = max(out[cur], out[prev] + gap)
    return out


def _hbar_labels(ax, ys, widths, labels, xmax) -> None:
    for y, w, text in zip(ys, widths, labels):
        ax.text(w + xmax * 0.01, y, _text(text), va="center", ha="left")


def _end_labels(ax, labels: list[tuple[float, str, str]], gap: float) -> None:
    """Name + value of each line just right of the plot area, at the line's last height
    (moved apart when they would overlap); constrained layout makes room for them."""
    ys = _spread([y for y, _, _ in labels], gap)
    for y, (_, text, colour) in zip(ys, labels):
        ax.text(1.01, y, _text(text), transform=ax.get_yaxis_transform(), va="center", ha="left", color=colour)


def _quarter_ticks(ax, periods: pd.Series) -> None:
    """Quarter labels ``K3 2021``; on two lines when there are many, at most 12 shown."""
    n = len(periods)
    labels = [fmt.format_quarter(p) for p in periods]
    if n > 6:
        labels = [label.replace(" ", "\n") for label in labels]
    ticks = list(range(n)) if n <= 12 else list(range(0, n, int(np.ceil(n / 12))))
    ax.set_xticks(ticks, [labels[i] for i in ticks])
    ax.set_xlim(-0.4, max(n - 1, 0) + 0.4)
