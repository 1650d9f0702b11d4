"""Load what the compute and validate steps wrote for a period, once per kernel."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.core import csvsafe
from pipeline.core.paths import clean_dir, report_data_dir
from pipeline.core.periods import Period, parse_period

_CACHE: dict[tuple, "PageData"] = {}


@dataclass(frozen=True)
class PageData:
    period: Period
    opdrachten: pd.DataFrame
    kpi: dict
    regio: dict
    per_opdrachtgever: pd.DataFrame
    per_opdrachtnemer: pd.DataFrame
    per_sector: pd.DataFrame
    per_bouwblok: pd.DataFrame
    stadia: pd.DataFrame
    voortgang: pd.DataFrame
    aanbestedingen: pd.DataFrame
    bijdragen: pd.DataFrame
    trend: pd.DataFrame
    inzet_nul: pd.DataFrame
    partners: pd.DataFrame
    leveringen: pd.DataFrame
    bestanden: pd.DataFrame
    afgekeurd: pd.DataFrame
    bevindingen: pd.DataFrame
    meldingen: pd.DataFrame
    validatie: dict
    vorige_bestanden: pd.DataFrame | None
    # per (table, column): the table sorted by that column (stable, so each value's rows keep the
    # table's order) and value -> (first, end) position in it; built on first use and kept for the
    # kernel's next pages, so a page finds its own rows as one slice, without scanning or copying
    # the period's tables (a slice shares the sorted table's memory: ten times cheaper than a take)
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    # results a page asks for more than once (its own contracts), per kernel
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def rows(self, table: str, value: str, column: str = "partner_id") -> pd.DataFrame:
        """The rows of ``table`` whose ``column`` is ``value``, in the table's order and with its
        index labels (what ``frame[frame[column] == value]`` gives), found through an index built
        once per kernel.

        >>> from dataclasses import fields
        >>> none = {f.name: None for f in fields(PageData) if f.init}
        >>> t = pd.DataFrame({"partner_id": ["b", "a", None, "b", "a"], "n": [1, 2, 3, 4, 5]})
        >>> d = PageData(**none | {"bestanden": t})
        >>> d.rows("bestanden", "a")["n"].tolist(), d.rows("bestanden", "b").index.tolist()
        ([2, 5], [0, 3])
        >>> len(d.rows("bestanden", "zz")), len(d.rows("bestanden", "a", "x"))
        (0, 0)
        """
        frame = getattr(self, table)
        if frame is None or column not in frame:
            return pd.DataFrame() if frame is None else frame.iloc[0:0]
        found = self._index.get((table, column))
        if found is None:
            keys = frame[column].astype("string")
            codes, uniques = pd.factorize(keys, use_na_sentinel=True)  # an empty key is -1
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))  # where each code starts
            spans = {str(u): (int(bounds[i]), int(bounds[i + 1])) for i, u in enumerate(uniques)}
            found = (frame.iloc[order], spans)
            self._index[(table, column)] = found
        ordered, spans = found
        first, end = spans.get(value, (0, 0))
        return ordered.iloc[first:end]

    def partner(self, partner_id: str) -> pd.Series:
        """The register row of one partner (raises a clear error for an unknown id)."""
        rows = self.rows("partners", partner_id)
        if rows.empty:
            raise ValueError(f"onbekende partner {partner_id!r} / unknown partner {partner_id!r}")
        return rows.iloc[0]


# csvsafe.read_csv: text as delivered, without the quote that keeps a formula from running in Excel
def _csv(path: Path, **kw) -> pd.DataFrame:
    return csvsafe.read_csv(path, keep_default_na=False, na_values=[""], **kw) if path.exists() else pd.DataFrame()


def _text_csv(path: Path) -> pd.DataFrame:
    return csvsafe.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()


def load(period: str) -> PageData:
    """Everything the pages of ``period`` read (cached per kernel: one load for all pages)."""
    p = parse_period(period)
    data_dir, cdir = report_data_dir(p.code), clean_dir(p.code)
    stamp = (str(data_dir), (data_dir / "regio.json").stat().st_mtime_ns)
    if stamp in _CACHE:
        return _CACHE[stamp]
    previous = clean_dir(p.previous().code) / "bestanden.csv"
    data = PageData(
        period=p,
        opdrachten=_csv(data_dir / "opdrachten.csv", dtype={"opdracht_id": str, "opdrachtnemer": str}),
        kpi=json.loads((data_dir / "trajecten_kpi.json").read_text(encoding="utf-8")),
        regio=json.loads((data_dir / "regio.json").read_text(encoding="utf-8")),
        per_opdrachtgever=_csv(data_dir / "per_opdrachtgever.csv"),
        per_opdrachtnemer=_csv(data_dir / "per_opdrachtnemer.csv"),
        per_sector=_csv(data_dir / "per_sector.csv"),
        per_bouwblok=_csv(data_dir / "per_bouwblok.csv"),
        stadia=_csv(data_dir / "trajecten_stadia.csv", dtype={"waarde": str}),
        voortgang=_csv(data_dir / "programma_voortgang.csv"),
        aanbestedingen=_csv(data_dir / "aanbestedingen.csv"),
        bijdragen=_csv(data_dir / "bijdragen.csv"),
        trend=_csv(data_dir / "trend.csv"),
        inzet_nul=_csv(data_dir / "inzet_nul.csv", dtype=str),
        partners=pd.read_parquet(cdir / "partners.parquet"),
        leveringen=_text_csv(cdir / "leveringen.csv"),
        bestanden=_text_csv(cdir / "bestanden.csv"),
        afgekeurd=_text_csv(cdir / "afgekeurd.csv"),
        bevindingen=_text_csv(cdir / "bevindingen.csv"),
        meldingen=_text_csv(cdir / "meldingen.csv"),
        validatie=json.loads((cdir / "validatie.json").read_text(encoding="utf-8")),
        vorige_bestanden=_text_csv(previous) if previous.exists() else None,
    )
    _CACHE.clear()
    _CACHE[stamp] = data
    return data
