"""The per-contract chart drawn as SVG directly (pipeline/report/svg.py): its geometry, worked out
by hand from the house style, and what a reader sees in it."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline.report import svg
from pipeline.report.charts import contracts_chart

NB = "\u00a0"


def _bars(text: str) -> list[tuple[float, float, float, float]]:
    """(x0, y_bottom, x1, y_top) of every filled blue rectangle."""
    found = re.findall(r'<path d="M ([\d.]+) ([\d.]+) L ([\d.]+) [\d.]+ L [\d.]+ ([\d.]+) L [\d.]+ [\d.]+ z" '
                       r'style="fill: #0072B2', text)  # fmt: skip
    return [tuple(map(float, f)) for f in found]


def _diamonds(text: str) -> list[tuple[float, float]]:
    """(x, y) of the centre of every diamond in the plot (its first point is straight below the
    centre); the legend's diamond, in the top 26 pt, is left out."""
    found = re.findall(r'<path d="M ([\d.]+) ([\d.]+) L [\d.]+ [\d.]+ L [\d.]+ [\d.]+ L [\d.]+ [\d.]+ z" '
                       r'style="fill: #E69F00', text)  # fmt: skip
    return [(float(x), float(y) - 4.6) for x, y in found if float(y) - 4.6 > 26]


def _texts(text: str) -> list[str]:
    return re.findall(r"<text[^>]*>(.*?)</text>", text)


def test_a_drawing_has_the_house_width_in_points():
    # 16,5 cm = 16,5 / 2,54 inch × 72 pt = 467,72 pt; 2,82 cm = 79,94 pt
    d = svg.Drawing(16.5, 2.82)
    assert d.width == pytest.approx(467.716, abs=1e-3)
    assert 'width="467.72pt" height="79.94pt" viewBox="0 0 467.72 79.94"' in d.svg("x")


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
    assert '<text style="font-size: 10px;' in d.svg("")
    assert 'x="10" y="23.8">R&amp;D &lt;b&gt;</text>' in d.svg("")


def test_contract_bars_diamonds_and_amounts_are_each_contracts_own():
    t = pd.DataFrame(
        {
            "opdracht_id": ["A-1", "B-2"],
            "gerealiseerd_eur": [100.0, 500.0],
            "verwacht_eur": [200.0, 300.0],
            "verplichting_eur": [400.0, 400.0],
        }
    )
    chart = contracts_chart(t)
    bars, diamonds = _bars(chart.svg), _diamonds(chart.svg)
    # the axis runs to max(125 × 1,05, 110) = 131,25%. A-1: 25% realised, 50% expected;
    # B-2: 125% realised, 75% expected. Bars start at 0%, so their lengths are 25 : 125 = 1 : 5
    (a0, _, a1, _), (b0, _, b1, _) = bars[0], bars[1]
    assert a0 == b0
    assert (b1 - b0) / (a1 - a0) == pytest.approx(5, rel=0.01)
    # the diamonds: 50% and 75%, i.e. 2 and 3 times the length of A-1's bar from the axis start
    assert (diamonds[0][0] - a0) / (a1 - a0) == pytest.approx(2, rel=0.01)
    assert (diamonds[1][0] - a0) / (a1 - a0) == pytest.approx(3, rel=0.01)
    # the first row (A-1, the most urgent) is the top one, its diamond on its bar's middle
    assert bars[0][1] < bars[1][1]
    assert diamonds[0][1] == pytest.approx((bars[0][1] + bars[0][3]) / 2, abs=0.02)
    texts = _texts(chart.svg)
    assert texts.count("A-1") == 1 and texts.count("B-2") == 1
    assert f"€{NB}100 (25%)" in texts and f"€{NB}500 (125%)" in texts
    assert ["Verplichting (100%)", "Verwacht op de peildatum", "Gerealiseerd"] == [
        x for x in texts if x in ("Verplichting (100%)", "Verwacht op de peildatum", "Gerealiseerd")
    ]


def test_an_expected_share_past_the_axis_end_draws_no_diamond_and_a_long_bar_an_arrow():
    t = pd.DataFrame(
        {
            "opdracht_id": ["X"],
            "gerealiseerd_eur": [300.0],
            "verwacht_eur": [200.0],
            "verplichting_eur": [100.0],
        }
    )
    chart = contracts_chart(t)
    # 300% realised and 200% expected: the axis stops at 150%, the bar ends there in an arrow
    # (a triangle whose first point is 4,5 pt right of the axis end) and says 300% in white
    assert _diamonds(chart.svg) == []
    (x0, _, x1, _) = _bars(chart.svg)[0]
    arrow = re.search(r'<path d="M ([\d.]+) [\d.]+ L [\d.]+ [\d.]+ L [\d.]+ [\d.]+ z" style="fill: #222222', chart.svg)
    assert arrow is not None and float(arrow.group(1)) == pytest.approx(x1 + 4.5, abs=0.02)
    assert re.search(r"fill: #FFFFFF\" [^>]*>300%</text>", chart.svg)


def test_a_negative_share_draws_nothing_left_of_the_axis_and_a_long_id_is_shortened():
    t = pd.DataFrame(
        {
            "opdracht_id": ["NEG", "L" * 300],
            "gerealiseerd_eur": [-500.0, 100.0],
            "verwacht_eur": [-100.0, 50.0],
            "verplichting_eur": [1000.0, 100.0],
        }
    )
    chart = contracts_chart(t)
    bars = _bars(chart.svg)
    # NEG: -50% realised and -10% expected: a bar of length 0 at the axis start, no diamond;
    # the other row: 100% realised on an axis to 110%, its diamond at 50%
    assert bars[0][0] == bars[0][2] == bars[1][0]
    assert len(_diamonds(chart.svg)) == 1
    # the 300-character id is cut to at most a third of the 467,72 pt width; the plot keeps its
    # left edge left of its right edge, and every element stays inside the drawing
    names = [x for x in _texts(chart.svg) if x.startswith("L")]
    assert names and names[0].endswith("…") and len(names[0]) < 300
    assert 0 < bars[1][0] < bars[1][2] < 467.72
