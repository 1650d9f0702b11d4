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
