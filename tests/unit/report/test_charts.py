"""Charts: inline SVG with alt text, Dutch numbers, offline, byte-identical for the same data."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from pipeline.core.paths import ROOT
from pipeline.report import charts
from pipeline.report.render import check_html_offline

NB = "\u00a0"


def _voortgang(n: int = 4) -> pd.DataFrame:
    periods = ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2", "2022Q3", "2022Q4"][:n]
    return pd.DataFrame(
        {
            "periode": periods,
            "duurzaam_cumulatief": [100, 250, 400, None, None, None, None, None][:n],
            "nodig_cumulatief": [250, 500, 750, 1000, 1000, 1000, 1000, 1000][:n],
        }
    )


EUR_TABLE = pd.DataFrame(
    {
        "opdrachtgever": ["gemeente-a", "provincie"],
        "verplichting_eur": [2_500_000, 800_000],
        "verwacht_eur": [1_500_000, 700_000],
        "gerealiseerd_eur": [1_200_000, 850_000],
    }
)
TENDERS = pd.DataFrame(
    {
        "kwartaal": ["2021Q4", "2021Q4", "2022Q1"],
        "sector": ["bouw", "groen", "bouw"],
        "sr_waarde_eur": [300_000, 80_000, 150_000],
    }
)


def _all_charts() -> dict[str, charts.Chart]:
    return {
        "progress": charts.progress_chart(_voortgang(), 1000, dt.date(2021, 12, 31)),
        "funnel": charts.funnel_chart({"aangemeld": 200, "gestart": 150, "geplaatst": 40, "duurzaam": "<5"}),
        "grouped": charts.grouped_bar_chart(EUR_TABLE, "opdrachtgever"),
        "mix": charts.share_bar_chart(
            pd.DataFrame({"bouwblok": ["bbl", "wep"], "gerealiseerd_eur": [300_000, 100_000]}),
            "bouwblok",
            "gerealiseerd_eur",
        ),
        "trend": charts.trend_chart(
            pd.DataFrame(
                {
                    "periode": ["2021Q2", "2021Q3"],
                    "verplichting_eur": [3e6, 3.5e6],
                    "verwacht_eur": [1.5e6, 1.9e6],
                    "gerealiseerd_eur": [1.2e6, 1.7e6],
                }
            )
        ),
        "tenders": charts.stacked_bar_chart(TENDERS),
        "contract": charts.contract_chart(12_000, 20_000, 50_000, "Opdracht 7"),
    }


@pytest.fixture(scope="module")
def all_charts():
    return _all_charts()


def test_every_chart_is_inline_svg_with_alt_text_and_offline(all_charts):
    for name, chart in all_charts.items():
        svg = chart.svg
        assert svg.startswith("<svg "), name
        assert "<?xml" not in svg and "DOCTYPE" not in svg and "<metadata>" not in svg, name
        assert 'role="img"' in svg and "aria-label=" in svg, name
        assert re.search(r"<title>[^<]{20,}</title>", svg), name
        assert len(chart.alt) > 20, name
        assert check_html_offline(svg) == [], name
        assert not re.search(r'id="(figure|axes|patch)_\d+"', svg), name  # no clashing ids


def test_charts_fit_on_a4(all_charts):
    for name, chart in all_charts.items():
        width_pt = float(re.search(r'width="([\d.]+)pt"', chart.svg).group(1))
        assert width_pt <= 17 / 2.54 * 72, name  # 17 cm = 481.9 pt


def test_same_data_gives_byte_identical_svg(all_charts):
    again = _all_charts()
    for name in all_charts:
        assert again[name].svg == all_charts[name].svg, name


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_svg_is_identical_across_processes(all_charts):
    # a fresh interpreter with another hash seed must give the same bytes
    code = (
        "import datetime as dt, pandas as pd; from pipeline.report import charts;"
        "print(charts.chart_digest(charts.grouped_bar_chart(pd.DataFrame({"
        "'opdrachtgever': ['gemeente-a', 'provincie'], 'verplichting_eur': [2_500_000, 800_000],"
        "'verwacht_eur': [1_500_000, 700_000], 'gerealiseerd_eur': [1_200_000, 850_000]}),"
        "'opdrachtgever')))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == charts.chart_digest(all_charts["grouped"])


def test_dutch_numbers_and_quarters_on_axes(all_charts):
    # y axis of the progress chart runs to 1.000; x axis shows K1 2021 .. K4 2021
    assert "1.000" in all_charts["progress"].svg
    assert ">K3 2021<" in all_charts["progress"].svg
    # euro amounts reach a million: every amount of the chart in millions, € and a no-break space
    assert f"€{NB}2,50{NB}mln" in all_charts["grouped"].svg
    assert f"€{NB}0,80{NB}mln" in all_charts["grouped"].svg  # not "€ 800.000" beside "€ 2,5 mln."
    assert f"€{NB}380.000" in all_charts["tenders"].svg  # 300.000 + 80.000 above the K4 bar


def test_hatches_make_series_readable_without_colour(all_charts):
    assert "<pattern" in all_charts["grouped"].svg
    assert "<pattern" in all_charts["tenders"].svg


def test_funnel_shows_suppressed_stage_as_text_without_rate(all_charts):
    chart = all_charts["funnel"]
    # 150 / 200 = 75,0%; 40 / 200 = 20,0%; the hidden stage gets no bar and no percentage
    assert "gestart 150 (75,0% van aangemeld)" in chart.alt
    assert "geplaatst 40 (20,0% van aangemeld)" in chart.alt
    assert chart.alt.endswith("duurzaam geplaatst <5.")
    assert ">&lt;5<" in chart.svg


def test_funnel_with_hidden_first_stage_has_no_rates():
    chart = charts.funnel_chart({"aangemeld": "<5", "gestart": 0})
    assert "%" not in chart.alt


def test_alt_text_reports_the_latest_figures(all_charts):
    # progress: last realised quarter K3 2021 with 400, needed 750
    assert "K3 2021: 400 gerealiseerd, 750 nodig" in all_charts["progress"].alt
    assert "31 december 2021" in all_charts["progress"].alt
    # contract: 12.000 / 50.000 = 24,0%
    assert f"gerealiseerd €{NB}12.000 (24,0% van de verplichting)" in all_charts["contract"].alt


def test_hostile_labels_are_text():
    table = EUR_TABLE.assign(opdrachtgever=["<script>alert(1)</script>", "$\\alpha$ & co"])
    chart = charts.grouped_bar_chart(table, "opdrachtgever")
    assert "<script" not in chart.svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chart.svg
    assert "$\\alpha$ &amp; co" in chart.svg  # shown literally, not as mathtext
    assert "&lt;script&gt;" in chart.html()
    # the alt text (with the labels) is escaped in <title> and aria-label, backslashes kept
    title = re.search(r"<title>(.*?)</title>", chart.svg).group(1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in title and "$\\alpha$ &amp; co" in title
    assert chart.svg.count("<svg") == 1 and "<script" not in chart.html()


def test_chart_displays_as_figure_in_a_notebook(all_charts):
    chart = all_charts["mix"]
    assert chart._repr_html_().startswith('<figure class="grafiek"><svg ')
    assert "<figcaption>a &lt; b</figcaption>" in chart.html(caption="a < b")


def _two_contracts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "opdracht_id": ["A-1", "B-2"],
            "gerealiseerd_eur": [100.0, 500.0],
            "verwacht_eur": [200.0, 300.0],
            "verplichting_eur": [400.0, 400.0],
        }
    )


def test_contracts_chart_shows_each_contract_as_share_of_its_obligation():
    from pipeline.report.charts import contracts_chart

    t = _two_contracts()
    chart = contracts_chart(t)
    # 100 / 400 = 25%, expected 200 / 400 = 50%; B-2: 500 / 400 = 125%, 300 / 400 = 75%
    assert "A-1: gerealiseerd 25%, verwacht 50%" in chart.alt
    assert "B-2: gerealiseerd 125%, verwacht 75%" in chart.alt
    assert contracts_chart(t).svg == chart.svg


def _texts(svg: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)]


def test_one_money_format_per_chart(all_charts):
    for name in ("grouped", "mix", "trend", "tenders"):
        amounts = [t for t in _texts(all_charts[name].svg) if "€" in t]
        millions = [t for t in amounts if "mln" in t]
        assert not millions or len(millions) == len(amounts), (name, amounts)
        assert "mln.." not in all_charts[name].alt  # the abbreviation has no dot of its own


def test_contracts_chart_clips_its_axis_and_marks_overflow_with_the_real_percentage():
    from pipeline.report.charts import CLIP_PCT, contracts_chart

    t = pd.DataFrame(
        {
            "opdracht_id": ["ACHTER-1", "VOL-2"],
            "gerealiseerd_eur": [1_000.0, 12_000.0],
            "verwacht_eur": [4_000.0, 1_000.0],
            "verplichting_eur": [10_000.0, 1_000.0],
        }
    )
    chart = contracts_chart(t)
    texts = _texts(chart.svg)
    # VOL-2 realised 1.200%: the axis stops at 150%, the bar ends in an arrow and says 1.200%
    assert CLIP_PCT == 150
    assert "150%" in texts and "1.200%" in texts and not any(x in texts for x in ("300%", "600%", "1.000%"))
    assert any("▶" in x for x in texts)  # the axis label explains the arrow
    assert "1.200%" in chart.alt and "as tot 150%" in chart.alt
    # amounts and percentages stand in their own column right of the plot, one money format
    assert f"€{NB}12.000 (1.200%)" in texts and f"€{NB}1.000 (10%)" in texts


def test_contracts_chart_without_overflow_keeps_a_short_axis():
    from pipeline.report.charts import contracts_chart

    t = pd.DataFrame(
        {"opdracht_id": ["A"], "gerealiseerd_eur": [50.0], "verwacht_eur": [60.0], "verplichting_eur": [100.0]}
    )
    texts = _texts(contracts_chart(t).svg)
    assert "100%" in texts and "150%" not in texts and not any("▶" in x for x in texts)


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


def test_contracts_chart_bars_diamonds_and_amounts_are_each_contracts_own():
    from pipeline.report.charts import contracts_chart

    chart = contracts_chart(_two_contracts())
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


def test_contracts_chart_expected_share_past_the_axis_end_draws_no_diamond_and_a_long_bar_an_arrow():
    from pipeline.report.charts import contracts_chart

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


def test_contracts_chart_negative_share_draws_nothing_left_of_the_axis_and_a_long_id_is_shortened():
    from pipeline.report.charts import contracts_chart

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


def test_building_blocks_and_sectors_are_words_not_codes():
    mix = charts.share_bar_chart(
        pd.DataFrame({"bouwblok": ["pwet_kort", "bbl"], "gerealiseerd_eur": [300_000, 100_000]}),
        "bouwblok",
        "gerealiseerd_eur",
    )
    assert "pwet_kort" not in mix.svg and "Participatiewet" in mix.svg
    tenders = charts.stacked_bar_chart(TENDERS.assign(sector=["infra", "bouw", "infra"]))
    assert ">infrastructuur<" in tenders.svg or "infrastructuur" in " ".join(_texts(tenders.svg))


def test_chart_text_is_as_large_as_the_page_text(all_charts):
    # 10 pt at the drawn size: the page's body text is 10,5 pt on paper and 14 px (10,5 pt) on screen
    sizes = {float(x) for x in re.findall(r"font-size: ?([\d.]+)px", all_charts["mix"].svg)}
    assert sizes and min(sizes) >= 9.5


def test_funnel_bars_and_labels_stand_where_worked_out_by_hand():
    import re

    chart = charts.funnel_chart({"aangemeld": 120, "gestart": 100, "uitgevallen": 20})
    # 1,6 + 0,75 × 3 = 3,85 cm = 109,13 pt high; plot 3 … 109,13 - 34 = 75,13 (72,13 high)
    assert 'height="109.13pt"' in chart.svg
    # rows as matplotlib's automatic limits space bars 0,6 high at 0 … 2: their span 2,6 and 5%
    # of it beyond each side, 2,86 rows in 72,13 pt → a row 25,22 pt; the first bar's middle
    # (0,3 + 0,13) × 25,22 = 10,84 below the top: 13,84; the next ones 25,22 further each
    texts = {t: (float(x), float(y)) for x, y, t in re.findall(r'x="([\d.]+)" y="([\d.]+)">([^<]+)<', chart.svg)}
    # a stage name is centred on its row: baseline 0,38 × 9,5 = 3,61 below the middle
    assert texts["Aangemeld"][1] == pytest.approx(13.84 + 3.61, abs=0.02)
    assert texts["Uitgevallen"][1] == pytest.approx(13.84 + 2 * 25.22 + 3.61, abs=0.03)
    # left margin: the widest name, "Aangemeld" at 9,5 pt (11638 / 2048 em × 9,5 = 53,99), + 3,5
    # tick + 3,5 pad + 6 = 66,99; x to 1,45 × 120 = 174, ticks 0, 40, … 160 (MaxNLocator:
    # 174 / 5 = 34,8 → 40); right: half of "160" (3909 / 2048 × 9,5 / 2 = 9,07) + 4 = 13,07
    # (above the minimum 8); the plot 467,72 - 66,99 - 13,07 = 387,66 wide, so 100 ends at
    # 66,99 + 100 / 174 × 387,66 = 289,78 and the tick 160 stands at 66,99 + 356,47 = 423,46
    assert texts["Aangemeld"][0] == pytest.approx(66.99 - 7, abs=0.02)
    assert texts["160"][0] == pytest.approx(423.46, abs=0.02)
    # the value just past its bar (1% of 120 = 1,2): 66,99 + 101,2 / 174 × 387,66 = 292,46,
    # centred on the row as a box: baseline 0,26 × 10 = 2,6 below the middle
    assert texts["100 (83,3% van aangemeld)"] == pytest.approx((292.46, 13.84 + 25.22 + 2.6), abs=0.03)
    # the exit hatched in vermilion, the others plain blue; a bar 0,6 of a row high (15,13)
    assert chart.svg.count("<pattern ") == 1 and 'fill="#D55E00"' in chart.svg
    assert re.search(
        r'<path d="M 66.99 [\d.]+ L 289.78 [\d.]+ L 289.78 [\d.]+ L 66.99 [\d.]+ z" style="fill: #0072B2', chart.svg
    )
