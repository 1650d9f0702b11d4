"""Headline figures, trend over periods and the benchmark hook (pipeline.indicators)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import indicators as ind
from pipeline.core.settings import load_settings
from pipeline.indicators.ratecard import load_rate_card

CARD = load_rate_card()
SETTINGS = load_settings()


def tables(start: str) -> dict[str, pd.DataFrame]:
    """One contract (obligation 365,000 × 10 % = 36,500, term 2021-01-01..2021-12-31) and one
    full-time pwet_kort line (2021 edition: 35,000) from ``start``, open-ended."""
    opdrachten = pd.DataFrame(
        {
            "partner_id": ["gem-a"],
            "opdracht_id": ["C1"],
            "opdrachtnemer_kvk": ["12345678"],
            "gunningsdatum": pd.to_datetime(["2021-01-01"]),
            "startdatum": pd.to_datetime(["2021-01-01"]),
            "einddatum": pd.to_datetime(["2021-12-31"]),
            "opdrachtwaarde": [365000.0],
            "sr_percentage": [10.0],
        }
    )
    inzet = pd.DataFrame(
        {
            "partner_id": ["bouw-a"],
            "regel_id": ["1"],
            "opdrachtgever": ["gem-a"],
            "opdracht_id": ["C1"],
            "bouwblok": ["pwet_kort"],
            "kandidaat_id": ["p1"],
            "startdatum": pd.to_datetime([start]),
            "einddatum": pd.to_datetime([None]),
            "uren_per_week": [36.0],
        }
    )
    partners = pd.DataFrame(
        {
            "partner_id": ["gem-a", "bouw-a"],
            "naam": ["A", "B"],
            "rol": ["opdrachtgever", "opdrachtnemer"],
            "kvk": [None, "12345678"],
        }
    )
    return {
        "opdrachten": opdrachten,
        "inzet": inzet,
        "trajecten": pd.DataFrame(),
        "aanbestedingskalender": pd.DataFrame(),
        "partners": partners,
    }


def test_headline_figures_use_the_periods_own_peildatum():
    figures = ind.headline_figures(tables("2021-04-01"), "2021Q2", CARD, SETTINGS)
    # peildatum 2021-06-30: line 2021-04-01..06-30 = 30 + 31 + 30 = 91 days: 35000 × 91 / 365
    assert figures["gerealiseerd_eur"] == pytest.approx(35000 * 91 / 365)
    # (Jun 30 − Jan 1).days + 1 = 181; 36,500 × 181 / 365
    assert figures["verwacht_eur"] == pytest.approx(36500 * 181 / 365)
    assert figures["verplichting_eur"] == pytest.approx(36500.0)
    assert figures["kandidaten"] == 1 and figures["opdrachten"] == 1 and figures["duurzaam"] == 0


def test_trend_skips_periods_without_clean_data():
    loaded = {"2021Q1": None, "2021Q2": tables("2021-04-01"), "2021Q3": tables("2021-04-01")}
    out = ind.trend(["2021Q1", "2021Q2", "2021Q3"], loaded.get, CARD, SETTINGS)
    assert list(out.columns) == ind.TREND_COLUMNS
    assert out["periode"].tolist() == ["2021Q2", "2021Q3"]
    # 2021Q3 (peildatum 2021-09-30): 2021-04-01..09-30 = 183 days: 35000 × 183 / 365
    assert out["gerealiseerd_eur"].tolist() == pytest.approx([35000 * 91 / 365, 35000 * 183 / 365])


def test_bench_value_lines_runs(capsys):
    seconds = ind.bench_value_lines(n=2_000, contracts=50)
    assert seconds > 0 and "2000" in capsys.readouterr().out
