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


def test_contracts_chart_shows_each_contract_as_share_of_its_obligation():
    from pipeline.report.charts import contracts_chart

    t = pd.DataFrame(
        {
            "opdracht_id": ["A-1", "B-2"],
            "gerealiseerd_eur": [100.0, 500.0],
            "verwacht_eur": [200.0, 300.0],
            "verplichting_eur": [400.0, 400.0],
        }
    )
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
