"""The indicators partners are judged on: one import for notebooks (``indicators.fulfilment(...)``).

The formulas live in small modules, each a set of pure ``DataFrame -> DataFrame`` functions:

- :mod:`pipeline.indicators.valuation`: value every realisation line (building-blocks method);
- :mod:`pipeline.indicators.fulfilment`: obligation, expected, status per contract, aggregates;
- :mod:`pipeline.indicators.training`: stages, distinct-candidate counts, rates, programme progress;
- :mod:`pipeline.indicators.tenders`: future tenders in euros and person-years;
- :mod:`pipeline.indicators.contributions`: who contributes what.

This module adds the headline figures of one period, the trend over periods and a benchmark.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from pipeline.core.periods import parse_period
from pipeline.core.settings import Settings, load_settings
from pipeline.indicators.contributions import contributions
from pipeline.indicators.fulfilment import (
    STATUSES,
    aggregate_blocks,
    aggregate_contracts,
    elapsed_share,
    fulfilment,
    fulfilment_status,
    obligation_eur,
    person_lines,
    region_totals,
)
from pipeline.indicators.ratecard import load_rate_card, rates_for_contracts
from pipeline.indicators.tenders import future_tenders
from pipeline.indicators.training import (
    STAGES,
    count_candidates,
    count_in_period,
    programme_progress,
    stage_table,
    trainees_in_social_return,
    training_kpi,
    training_stages,
)
from pipeline.indicators.valuation import add_months, value_lines

__all__ = [
    "STAGES",
    "STATUSES",
    "add_months",
    "aggregate_blocks",
    "aggregate_contracts",
    "bench_value_lines",
    "contributions",
    "count_candidates",
    "count_in_period",
    "elapsed_share",
    "fulfilment",
    "fulfilment_status",
    "future_tenders",
    "headline_figures",
    "obligation_eur",
    "person_lines",
    "programme_progress",
    "rates_for_contracts",
    "region_totals",
    "stage_table",
    "trainees_in_social_return",
    "training_kpi",
    "training_stages",
    "trend",
    "trend_table",
    "value_lines",
]

TREND_COLUMNS = [
    "periode",
    "verplichting_eur",
    "gerealiseerd_eur",
    "verwacht_eur",
    "duurzaam",
    "opdrachten",
    "kandidaten",
]


def headline_from(contracts: pd.DataFrame, valued_lines: pd.DataFrame, stages: pd.DataFrame) -> dict:
    """A period's headline figures from its computed tables (the trend's row)."""
    return {
        "verplichting_eur": float(contracts["verplichting_eur"].sum()),
        "gerealiseerd_eur": float(contracts["gerealiseerd_eur"].sum()),
        "verwacht_eur": float(contracts["verwacht_eur"].sum()),
        "duurzaam": int(stages.loc[stages["duurzaam"], "kandidaat_id"].nunique()),
        "opdrachten": int(len(contracts)),
        "kandidaten": int(person_lines(valued_lines)["kandidaat_id"].nunique()),
    }


def headline_figures(tables: Mapping[str, pd.DataFrame], period: str, card: pd.DataFrame, settings: Settings) -> dict:
    """Headline figures of one period, computed from that period's own clean tables
    (``opdrachten, inzet, trajecten, partners``) at that period's peildatum."""
    peil = parse_period(period).peildatum
    lines = value_lines(tables["inzet"], tables["opdrachten"], card, peil, settings)
    contracts = fulfilment(tables["opdrachten"], lines, tables["partners"], card, peil, settings)
    stages = training_stages(tables["trajecten"], peil, settings)
    return headline_from(contracts, lines, stages)


def trend_table(periods: Sequence[str], figures_for: Callable[[str], Mapping | None]) -> pd.DataFrame:
    """One row per period whose figures are available (``figures_for`` returns None to skip)."""
    rows = []
    for q in periods:
        figures = figures_for(q)
        if figures is not None:
            rows.append({"periode": q, **{k: figures[k] for k in TREND_COLUMNS[1:]}})
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    return out.astype({"duurzaam": "int64", "opdrachten": "int64", "kandidaten": "int64"})


def trend(
    periods: Sequence[str],
    load_clean: Callable[[str], Mapping[str, pd.DataFrame] | None],
    card: pd.DataFrame,
    settings: Settings,
) -> pd.DataFrame:
    """Headline figures for every period, each from that period's own clean tables.

    Args:
        periods: period codes in order.
        load_clean: returns a period's clean tables, or None when it has none (the period is
            skipped; the caller reports which).
    """

    def figures_for(q: str) -> dict | None:
        tables = load_clean(q)
        return None if tables is None else headline_figures(tables, q, card, settings)

    return trend_table(periods, figures_for)


def bench_value_lines(n: int = 200_000, contracts: int = 2_000, seed: int = 1) -> float:
    """Seconds to value ``n`` synthetic lines on ``contracts`` contracts (printed too).

    Run: ``python -c "from pipeline.indicators import bench_value_lines; bench_value_lines()"``
    """
    rng = np.random.default_rng(seed)
    card, settings = load_rate_card(), load_settings()
    ids = pd.array([f"C{i:05d}" for i in range(contracts)], dtype="string")
    day0 = np.datetime64("2018-01-01")
    c_start = day0 + rng.integers(0, 1200, contracts).astype("timedelta64[D]")
    opdrachten = pd.DataFrame(
        {
            "partner_id": pd.array(["gemeente-a"] * contracts, dtype="string"),
            "opdracht_id": ids,
            "gunningsdatum": (c_start - 30).astype("datetime64[ns]"),
            "startdatum": c_start.astype("datetime64[ns]"),
            "einddatum": (c_start + rng.integers(90, 1500, contracts).astype("timedelta64[D]")).astype(
                "datetime64[ns]"
            ),
        }
    )
    which = rng.integers(0, contracts, n)
    blocks = card["bouwblok"].unique()
    l_start = c_start[which] + rng.integers(-60, 400, n).astype("timedelta64[D]")
    l_end = (l_start + rng.integers(1, 900, n).astype("timedelta64[D]")).astype("datetime64[ns]")
    l_end[rng.random(n) < 0.3] = np.datetime64("NaT")
    inzet = pd.DataFrame(
        {
            "partner_id": pd.array(["bouwbedrijf-a"] * n, dtype="string"),
            "regel_id": pd.array(np.arange(n).astype(str), dtype="string"),
            "opdrachtgever": pd.array(["gemeente-a"] * n, dtype="string"),
            "opdracht_id": ids[which],
            "bouwblok": pd.array(rng.choice(blocks, n), dtype="string"),
            "kandidaat_id": pd.array(rng.integers(0, n // 3, n).astype(str), dtype="string"),
            "startdatum": l_start.astype("datetime64[ns]"),
            "einddatum": l_end,
            "uren_per_week": rng.integers(4, 41, n).astype(float),
            "vijftig_plus": pd.array(rng.random(n) < 0.2, dtype="boolean"),
            "bedrag": rng.integers(0, 50_000, n).astype(float),
            "bron_bestand": pd.array(["inzet.csv"] * n, dtype="string"),
            "bron_rij": np.arange(n) + 2,
        }
    )
    started = time.perf_counter()
    value_lines(inzet, opdrachten, card, dt.date(2021, 9, 30), settings)
    seconds = time.perf_counter() - started
    print(f"value_lines: {n} regels/lines in {seconds:.3f} s")
    return seconds
