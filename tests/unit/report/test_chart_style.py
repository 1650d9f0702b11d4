"""Text widths for the charts' margins (pipeline/report/chart_style.py), read from the house
font's tables: checked against matplotlib's own text layout, which they replace."""

from __future__ import annotations

import pytest
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from pipeline.report import chart_style as cs

TEXTS = [
    "x",
    "…",
    "AVATAR Ty.",  # kerned pairs: AV, VA, AT, Ty, y.
    "OG032-2017-007",
    "€\xa01.234.567 (85%)",
    "Gerealiseerd tegenover verwacht",
    "Vraag\nAanbod",  # the widest line counts
    "Ærø · Ĳsselmeer — “quoted” 1.042%",
    "",
    # laid out by matplotlib itself: ligatures (ff, fi, fl), characters DejaVu Sans lacks, a
    # soft hyphen and a tab
    "GR-koffie-2021 fl",
    "工程-2021 ✓",
    "Opdracht\xadnemer\tA",
]


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the characters DejaVu Sans lacks
@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("size", [7.5, 9.5, 12.0])
def test_width_is_what_matplotlib_lays_out(size, bold):
    prop = FontProperties(family=cs._RC["font.sans-serif"][0], size=size, weight="bold" if bold else "normal")
    layout = TextToPath()
    for text in TEXTS:
        expected = max(
            (layout.get_text_width_height_descent(line, prop, ismath=False)[0] for line in text.split("\n")),
            default=0.0,
        )
        # the font's own kerning table against the layout's shaping: at most 0,003 pt apart
        assert cs._width_pt(text, size, bold) == pytest.approx(expected, abs=0.005), text


def test_kerning_is_applied_and_lines_are_measured_apart():
    # DejaVu Sans, 2048 units per em: "A" and "V" advance 1401 units each, the pair is kerned
    # by −131: 2671 / 2048 × 100 pt = 130,42 pt, against 2 × 68,41 = 136,82 pt unkerned
    assert cs._width_pt("AV", 100) == pytest.approx(130.42, abs=0.005)
    assert cs._width_pt("A", 100) == pytest.approx(68.41, abs=0.005)
    assert cs._width_pt("A\nV", 100) == pytest.approx(68.41, abs=0.005)
    assert cs.widest_pt(["A", "AV", ""], 100) == pytest.approx(130.42, abs=0.005)
    assert cs.widest_pt([], 100) == 0.0
