"""Stage 3: compute. Read a period's clean tables, write every machine-readable figure.

``write_outputs(period)`` reads ``data/clean/<P>/`` (via :mod:`pipeline.core.paths`), the rate card
and the settings, and writes into ``reports/<P>/data/`` the files listed in
docs/architecture.md (Stage 3). Report pages only read these files.

Determinism: rows sorted on their keys, a fixed column order, CSV in UTF-8 with ``,``, ``.``
decimals, ISO dates, ``\\n`` line ends and ``true``/``false`` booleans; JSON with sorted keys,
indent 2, ``ensure_ascii=False``. Numbers are rounded once, on writing: money (``*_eur``) and
percentages (``*_pct``) to 2 decimals, other fractions (fte, person-years, pace) to 6
decimals; everything is computed unrounded. No pseudonym or BSN is written.

Trend: one row per period from the first period that has clean data (``data/clean/<Q>/*.parquet``)
up to P, each computed from that period's own clean tables at its own peildatum. A period
without clean data is made with ``ensure_clean(q)`` when the caller passes that hook, else
skipped and listed in ``regio.json`` (``trend_overgeslagen``). Headline figures per period are
cached in ``data/clean/<Q>/kerncijfers.json`` under a key hashing that period's parquet files,
the rate card, the settings and :data:`FIGURES_VERSION`, so unchanged periods aren't recomputed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from pipeline import indicators as ind
from pipeline.core import csvsafe
from pipeline.core.paths import clean_dir, clean_root, raw_dir, report_data_dir
from pipeline.core.periods import is_period, parse_period, periods_between
from pipeline.core.schema import DATASETS
from pipeline.core.settings import Settings
from pipeline.core.settings import settings as region_settings
from pipeline.indicators import supply_demand
from pipeline.indicators.ratecard import load_rate_card, rate_card_path, rate_on

FIGURES_VERSION = "1"  # bump when headline_figures changes meaning: invalidates every cache
CACHE_FILE = "kerncijfers.json"
PARTNER_COLUMNS = ["partner_id", "naam", "rol", "kvk"]
NUL_COLUMNS = [
    "opdrachtnemer",
    "opdrachtgever",
    "opdracht_id",
    "regel_id",
    "bestand",
    "rij",
    "reden_nl",
    "reason_en",
    "bouwblok",
    "reden",
]


def has_clean(period: str) -> bool:
    """Whether the period has clean tables (any dataset's parquet in ``data/clean/<P>/``)."""
    return any((clean_dir(period) / f"{d}.parquet").is_file() for d in DATASETS)


def load_clean(period: str) -> dict[str, pd.DataFrame] | None:
    """A period's clean tables (``opdrachten, inzet, trajecten, aanbestedingskalender,
    partners``, plus ``leveringen`` when present), or None when the period has no clean data.
    A dataset without a parquet file is an empty table."""
    folder = clean_dir(period)
    if not has_clean(period):
        return None
    tables = {d: _read_parquet(folder / f"{d}.parquet") for d in DATASETS}
    partners = _read_parquet(folder / "partners.parquet")
    tables["partners"] = (
        partners if len(partners.columns) else pd.DataFrame({c: pd.Series(dtype="string") for c in PARTNER_COLUMNS})
    )
    leveringen = folder / "leveringen.csv"
    if leveringen.is_file():
        tables["leveringen"] = csvsafe.read_csv(leveringen, dtype="string", keep_default_na=False)
    return tables


def _read_parquet(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.is_file() else pd.DataFrame()


def deliveries(tables: Mapping[str, pd.DataFrame], period: str) -> pd.DataFrame:
    """``partner_id, status, levering_periode`` per delivery: ``leveringen.csv`` when the clean
    folder has it, otherwise derived from the tables' provenance columns."""
    if "leveringen" in tables and {"partner_id", "status"} <= set(tables["leveringen"].columns):
        found = tables["leveringen"]
        periods = found["levering_periode"] if "levering_periode" in found else pd.NA
        return pd.DataFrame(
            {"partner_id": found["partner_id"], "status": found["status"], "levering_periode": periods}
        ).replace("", pd.NA)
    parts = [
        t[["partner_id", "levering_periode"]]
        for d, t in tables.items()
        if d in DATASETS and {"partner_id", "levering_periode"} <= set(t.columns)
    ]
    used = pd.concat(parts).drop_duplicates() if parts else pd.DataFrame(columns=["partner_id", "levering_periode"])
    status = np.where(used["levering_periode"] == period, "geleverd", "overgenomen")
    return used.assign(status=status).astype("string")


def supply_and_demand(
    contracts: pd.DataFrame,
    kalender: pd.DataFrame,
    stages: pd.DataFrame,
    card: pd.DataFrame,
    peil: dt.date,
    settings: Settings,
) -> dict[str, pd.DataFrame]:
    """The "vraag en aanbod" tables (pipeline/indicators/supply_demand.py), in person-years of
    the configured block at the peildatum's rate."""
    block = settings.programme.jaren_person_year_block
    lead = settings.programme.start_na_publicatie_maanden
    rate = rate_on(card, block, peil)
    return {
        "vraag_aanbod.csv": supply_demand.per_sector(contracts, kalender, stages, card, peil, block, lead),
        "vraag_opdrachten.csv": supply_demand.contract_demand(contracts, rate),
        "vraag_aanbestedingen.csv": supply_demand.tender_demand(kalender, rate, peil, lead),
        "aanbod_opleiders.csv": supply_demand.supply(stages),
    }


def compute_outputs(
    tables: Mapping[str, pd.DataFrame], period: str, card: pd.DataFrame, settings: Settings
) -> dict[str, Any]:
    """Every Stage 3 table of one period (pure: file name -> DataFrame or JSON document),
    except ``trend.csv``. Also returns the period's headline figures under ``_kerncijfers``."""
    p = parse_period(period)
    peil = p.peildatum
    lines = ind.value_lines(tables["inzet"], tables["opdrachten"], card, peil, settings)
    contracts = ind.fulfilment(tables["opdrachten"], lines, tables["partners"], card, peil, settings)
    stages = ind.training_stages(tables["trajecten"], peil, settings)
    sr_candidates = ind.person_lines(lines)["kandidaat_id"]
    names = tables["partners"].drop_duplicates("partner_id").set_index("partner_id")["naam"]

    def per(by: str) -> pd.DataFrame:
        table = ind.aggregate_contracts(contracts, lines, by)
        return table.assign(naam=table[by].map(names).fillna("").astype("string"))

    regio = {
        "periode": p.code,
        "peildatum": peil.isoformat(),
        **ind.region_totals(contracts, lines),
        "inzet_regels": int(len(lines)),
        "inzet_regels_nul": int((~lines["telt"]).sum()),
        "tariefversies": sorted(contracts["tariefversie"].dropna().unique().tolist()),
        "koppeling_programma": ind.trainees_in_social_return(sr_candidates, stages),
    }
    nul = lines[~lines["telt"]]
    return {
        "opdrachten.csv": contracts,
        "trajecten_kpi.json": ind.training_kpi(stages, period, settings, sr_candidates),
        "inzet_nul.csv": pd.DataFrame(
            {
                "opdrachtnemer": nul["partner_id"],
                "opdrachtgever": nul["opdrachtgever"],
                "opdracht_id": nul["opdracht_id"],
                "regel_id": nul["regel_id"],
                "bestand": nul["bron_bestand"],
                "rij": nul["bron_rij"],
                "reden_nl": nul["reden_nl"],
                "reason_en": nul["reason_en"],
                "bouwblok": nul["bouwblok"],
                "reden": nul["reden"],
            },
            columns=NUL_COLUMNS,
        ).sort_values(["opdrachtnemer", "bestand", "rij", "regel_id"]),
        "per_opdrachtgever.csv": per("opdrachtgever"),
        "per_opdrachtnemer.csv": per("opdrachtnemer"),
        "per_sector.csv": ind.aggregate_contracts(contracts, lines, "sector"),
        "per_bouwblok.csv": ind.aggregate_blocks(lines, card, peil),
        "regio.json": regio,
        "trajecten_stadia.csv": ind.stage_table(stages),
        "programma_voortgang.csv": ind.programme_progress(stages, period, settings),
        "aanbestedingen.csv": ind.future_tenders(
            tables["aanbestedingskalender"], card, peil, settings.programme.jaren_person_year_block
        ),
        **supply_and_demand(contracts, tables["aanbestedingskalender"], stages, card, peil, settings),
        "bijdragen.csv": ind.contributions(tables["partners"], contracts, stages, deliveries(tables, period)),
        "_kerncijfers": ind.headline_from(contracts, lines, stages),
    }


def write_outputs(period: str, ensure_clean: Callable[[str], object] | None = None) -> None:
    """Compute and write every Stage 3 file of ``period`` into ``reports/<P>/data/``.

    Args:
        period: ``YYYYQn``.
        ensure_clean: optional hook that makes an earlier period's clean data (e.g. runs its
            ingest and validation) when the trend needs a period that has none.

    Raises:
        PipelineError: invalid period, no clean data for it, invalid rate card.
    """
    from pipeline.core.errors import PipelineError

    p = parse_period(period)
    tables = load_clean(p.code)
    if tables is None:
        raise PipelineError(
            f"geen schone data voor {p.code}: draai eerst de stappen inlezen en valideren",
            f"no clean data for {p.code}: run the ingest and validate steps first",
        )
    card, config = load_rate_card(), region_settings()
    outputs = compute_outputs(tables, p.code, card, config)
    figures = outputs.pop("_kerncijfers")
    key = figures_key(clean_dir(p.code), config)
    _store_figures(clean_dir(p.code), key, figures)

    def figures_for(q: str) -> dict | None:
        return figures if q == p.code else cached_figures(q, card, config, ensure_clean)

    periods = trend_periods(p.code, include_raw=ensure_clean is not None)
    trend = ind.trend_table(periods, figures_for)
    outputs["regio.json"]["trend_perioden"] = trend["periode"].tolist()
    outputs["regio.json"]["trend_overgeslagen"] = [q for q in periods if q not in set(trend["periode"])]
    outputs["trend.csv"] = trend

    out_dir = report_data_dir(p.code)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, content in sorted(outputs.items()):
        if name.endswith(".json"):
            write_json(out_dir / name, content)
        else:
            write_csv(out_dir / name, content)


# -- trend: which periods, cached headline figures ---------------------------------------------


def trend_periods(period: str, include_raw: bool = False) -> list[str]:
    """Every period from the first with clean data (with ``include_raw`` also: the first with a
    raw delivery folder) up to ``period``, gaps included."""
    current = parse_period(period)
    found = {q for q in _period_dirs(clean_root()) if has_clean(q)}
    if include_raw:
        found |= set(_period_dirs(raw_dir()))
    earlier = sorted(q for q in found if parse_period(q) < current)
    first = parse_period(earlier[0]) if earlier else current
    return [q.code for q in periods_between(first, current)]


def _period_dirs(root: Path) -> list[str]:
    return sorted(d.name for d in root.iterdir() if d.is_dir() and is_period(d.name)) if root.is_dir() else []


def figures_key(folder: Path, settings: Settings, card_path: Path | None = None) -> str:
    """Hash of what a period's headline figures depend on: its clean parquet files, the rate
    card, the settings and :data:`FIGURES_VERSION`."""
    digest = hashlib.sha256(f"kerncijfers-v{FIGURES_VERSION}\n".encode())
    for path in sorted(folder.glob("*.parquet")):
        digest.update(f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    digest.update(hashlib.sha256(Path(card_path or rate_card_path()).read_bytes()).hexdigest().encode())
    digest.update(settings.model_dump_json().encode())
    return digest.hexdigest()


def cached_figures(
    q: str, card: pd.DataFrame, settings: Settings, ensure_clean: Callable[[str], object] | None = None
) -> dict | None:
    """Headline figures of period ``q``: from its cache when the key matches, else computed
    from its clean tables (made first with ``ensure_clean`` if missing) and cached."""
    folder = clean_dir(q)
    if not has_clean(q) and ensure_clean is not None:
        ensure_clean(q)
    if not has_clean(q):
        return None
    key = figures_key(folder, settings)
    cache = folder / CACHE_FILE
    if cache.is_file():
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored.get("sleutel") == key:
            return stored["kerncijfers"]
    figures = ind.headline_figures(load_clean(q), q, card, settings)
    _store_figures(folder, key, figures)
    return figures


def _store_figures(folder: Path, key: str, figures: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{CACHE_FILE}.{os.getpid()}"
    tmp.write_text(
        json.dumps({"sleutel": key, "kerncijfers": figures}, sort_keys=True, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    tmp.replace(folder / CACHE_FILE)  # atomic: a concurrent reader never sees half a file


# -- writing -----------------------------------------------------------------------------------


def _decimals(name: str) -> int:
    return 2 if name.endswith(("_eur", "_pct")) else 6


def to_machine_table(df: pd.DataFrame) -> pd.DataFrame:
    """A table as written: rounded floats, ISO dates, ``true``/``false``, text for the rest."""
    out = pd.DataFrame(index=df.index)
    for name in df.columns:
        col = df[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype("string")
        if pd.api.types.is_bool_dtype(col.dtype):
            out[name] = col.map({True: "true", False: "false"}).astype("string")
        elif pd.api.types.is_datetime64_any_dtype(col.dtype):
            out[name] = col.dt.strftime("%Y-%m-%d").astype("string")
        elif pd.api.types.is_float_dtype(col.dtype):
            out[name] = col.astype("float64").round(_decimals(name))
        else:
            out[name] = col
    return out.reset_index(drop=True)


def write_csv(path: Path, df: pd.DataFrame) -> None:
    """Machine-readable CSV (docs/outputs.md): UTF-8, comma, '.' decimals, ISO dates, '\\n'; text that
    Excel would run as a formula gets a leading quote, numbers stay numbers (:mod:`pipeline.core.csvsafe`)."""
    csvsafe.write_csv(to_machine_table(df), path)


def _json_ready(value: Any, key: str = "") -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v, key) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), _decimals(key))
    if value is pd.NA or value is None:
        return None
    return value


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    """JSON with sorted keys, indent 2, UTF-8 text, newline at the end; floats rounded."""
    path.write_text(
        json.dumps(_json_ready(document), sort_keys=True, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
