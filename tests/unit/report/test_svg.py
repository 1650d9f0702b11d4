"""A chart drawn as SVG directly (pipeline/report/svg.py): sizes and positions worked out by hand
from the house style. The per-contract chart drawn with it is tested in test_charts.py."""

from __future__ import annotations

import pytest

from pipeline.report import svg


def test_a_drawing_has_the_house_width_in_points():
    # 16,5 cm = 16,5 / 2,54 inch × 72 pt = 467,72 pt; 2,82 cm = 79,94 pt
    d = svg.Drawing(16.5, 2.82)
    assert d.width == pytest.approx(467.716, abs=1e-3)
    assert 'width="467.72pt" height="79.94pt" viewBox="0 0 467.72 79.94"' in d.chart("x").svg


def test_rows_and_values_land_where_matplotlib_would_put_them():
    d = svg.Drawing(16.5, 5)
    plot = d.plot(left=50, right=100, top=26, bottom=34, xmax=150, rows=3)
    # plot from x 50 to 467,72 - 100 = 367,72; 100% of 150% is two thirds of 317,72 = 211,81 → 261,81
    assert plot.x(100) == pytest.approx(50 + 317.716 * 2 / 3, abs=1e-3)
    # height 5 cm = 141,73 pt; plot 26 … 141,73 - 34 = 107,73, i.e. 81,73 high; the y limits
    # (-0,6; 2,6) make a row 81,73 / 3,2 = 25,54 high and the first row's middle 0,6 rows down
    assert plot.row_height == pytest.approx(81.732 / 3.2, abs=1e-3)
    assert plot.row(0) == pytest.approx(26 + 0.6 * 81.732 / 3.2, abs=1e-3)
    assert plot.row(2) - plot.row(1) == pytest.approx(plot.row_height)


def test_text_is_escaped_and_centred_on_its_row():
    d = svg.Drawing(4, 2)
    d.text(10, 20, "R&D <b>", size=10)
    # a centred text has its baseline 0,38 of its size below the middle: 20 + 3,8
    assert '<text style="font-size: 10px;' in d.chart("").svg
    assert 'x="10" y="23.8">R&amp;D &lt;b&gt;</text>' in d.chart("").svg


def _matplotlib_svg(draw) -> str:
    """The SVG matplotlib writes for a figure of the house width that ``draw(fig)`` filled."""
    import io

    import matplotlib
    from matplotlib.figure import Figure

    from pipeline.report.chart_style import _RC, CM, WIDTH_CM

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(WIDTH_CM * CM, 3 * CM))
        draw(fig)
        out = io.StringIO()
        fig.savefig(out, format="svg")
    return out.getvalue()


def _numbers(text: str) -> list[float]:
    import re

    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]


@pytest.mark.parametrize("hatch", ["///", "\\\\\\", "xxx", "---", "+++"])
def test_a_hatch_is_the_pattern_matplotlib_draws(hatch):
    import re

    def bar(fig):
        fig.add_axes((0.1, 0.1, 0.8, 0.8)).bar([0], [1], color="#E69F00", hatch=hatch, edgecolor="#222222")

    theirs = re.search(r'<pattern id="\w+".*?<path d="([^"]*)"', _matplotlib_svg(bar), re.S).group(1)
    d = svg.Drawing(4, 2)
    d.rect(0, 0, 10, 10, "#E69F00", hatch=hatch)
    ours = d.chart("x").svg
    # the bar is filled with the pattern, the pattern is the tile's colour with the hatch's lines
    assert re.search(r'style="fill: url\(#h\w+\); stroke: #222222', ours)
    assert '<rect x="0" y="0" width="73" height="73" fill="#E69F00"/>' in ours
    mine = re.search(r'<pattern id="h\w+".*?<path d="([^"]*)"', ours).group(1)
    assert _numbers(mine) == pytest.approx(_numbers(theirs), abs=0.005)
    assert mine.split()[0] == "M" and mine.count("M") == theirs.count("M")


def test_the_same_hatch_on_the_same_colour_is_defined_once():
    d = svg.Drawing(4, 2)
    d.rect(0, 0, 10, 10, "#E69F00", hatch="///")
    d.rect(0, 20, 10, 10, "#E69F00", hatch="///")
    d.rect(0, 40, 10, 10, "#009E73", hatch="///")
    assert d.chart("x").svg.count("<pattern ") == 2


@pytest.mark.parametrize("columns", [2, 4])
def test_legend_columns_sit_where_matplotlib_puts_an_upper_centre_legend(columns):
    import re

    from matplotlib.patches import Patch

    entries = [
        ("Vraag: lopende opdrachten", "#0072B2", ""),
        ("Vraag: komende aanbestedingen", "#E69F00", "///"),
        ("Aanbod: in opleiding", "#009E73", "\\\\\\"),
        ("Afgerond", "#D55E00", "xxx"),
        ("Uitgevallen", "#56B4E9", ""),
    ]

    def legend(fig):
        handles = [Patch(facecolor=c, hatch=h, edgecolor="#222222", linewidth=0.5) for _, c, h in entries]
        fig.legend(
            handles, [e[0] for e in entries], loc="upper center", bbox_to_anchor=(0.5, 1), ncols=columns, fontsize=8,
            borderaxespad=0.3,
        )  # fmt: skip

    texts = re.compile(r'<text [^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]+)</text>')
    theirs = {t: (float(x), float(y)) for x, y, t in texts.findall(_matplotlib_svg(legend))}
    d = svg.Drawing(16.5, 3)
    d.legend_columns(entries, columns=columns, size=8)
    ours = {t: (float(x), float(y)) for x, y, t in texts.findall(d.chart("x").svg)}
    assert ours.keys() == theirs.keys() == {e[0] for e in entries}
    for label, (x, y) in theirs.items():  # filled a column at a time, centred: within 0,01 pt
        assert ours[label] == pytest.approx((x, y), abs=0.01), label
