"""Supply and demand ("vraag en aanbod") for job centres and training institutes (docs/domain.md,
"Supply and demand").

Demand is what social return still needs people for, in person-years of the configured block
(``programme.jaren_person_year_block``, the rate-card version valid on the peildatum, as for
future tenders):

- contracts that have not ended at the peildatum and are not yet fulfilled (running, and awarded
  but not yet started): what they still have to realise (``nog_te_realiseren_eur``), of which
  behind schedule (``achterstand_eur``), per sector and per authority;
- tenders in the calendar published after the period's quarter, in the quarter their work is
  expected to start (``verwachte_start``; when empty, ``verwachte_publicatie`` plus
  ``programme.start_na_publicatie_maanden``), since that is when candidates are needed.

Supply is the candidates in the pipeline, each counted once per group: in training (started, not
ended, not placed) and completed but not placed, per sector and per training partner.
Person counts are suppressed on the pages, not here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pipeline.core.periods import period_of
from pipeline.indicators.ratecard import rate_on
from pipeline.indicators.tenders import person_years
from pipeline.indicators.valuation import add_months, column_or_empty

OPEN_STATUSES = ("op_schema", "achterstand", "risico", "nog_niet_gestart")
DEMAND_COLUMNS = ["sector", "opdrachtgever", "opdrachten", "nog_te_realiseren_eur", "achterstand_eur", "persoonsjaren"]
TENDER_DEMAND_COLUMNS = ["sector", "kwartaal", "aanbestedingen", "sr_waarde_eur", "persoonsjaren"]
SUPPLY_COLUMNS = ["sector", "opleider", "in_opleiding", "afgerond_niet_geplaatst", "kandidaten"]


def contract_demand(opdrachten: pd.DataFrame, person_year_eur: float | None) -> pd.DataFrame:
    """What open contracts still need, per sector × authority (``DEMAND_COLUMNS``).

    ``opdrachten`` has the columns of opdrachten.csv. A contract is open when its status is one
    of :data:`OPEN_STATUSES` (not fulfilled, not ended short). ``persoonsjaren`` =
    ``nog_te_realiseren_eur`` / ``person_year_eur``.
    """
    open_ = opdrachten[opdrachten["status"].isin(OPEN_STATUSES)]
    out = open_.groupby(["sector", "opdrachtgever"], as_index=False).agg(
        opdrachten=("opdracht_id", "size"),
        nog_te_realiseren_eur=("nog_te_realiseren_eur", "sum"),
        achterstand_eur=("achterstand_eur", "sum"),
    )
    out["persoonsjaren"] = person_years(out["nog_te_realiseren_eur"], person_year_eur)
    out["opdrachten"] = out["opdrachten"].astype("int64")
    return out[DEMAND_COLUMNS].sort_values(["sector", "opdrachtgever"]).reset_index(drop=True)


def tender_start(kalender: pd.DataFrame, lead_months: int) -> pd.Series:
    """When a tender's work is expected to start: ``verwachte_start``, else publication + lead.

    >>> k = pd.DataFrame({"verwachte_publicatie": pd.to_datetime(["2021-11-15", "2022-01-31"]),
    ...                   "verwachte_start": pd.to_datetime(["2022-03-01", None])})
    >>> [d.date().isoformat() for d in tender_start(k, 6)]
    ['2022-03-01', '2022-07-31']
    """
    publicatie = column_or_empty(kalender, "verwachte_publicatie", "datetime64[ns]")
    start = column_or_empty(kalender, "verwachte_start", "datetime64[ns]")
    shifted = pd.Series(
        add_months(publicatie.to_numpy(dtype="datetime64[D]"), np.full(len(publicatie), lead_months)),
        index=publicatie.index,
    ).astype("datetime64[ns]")
    return start.fillna(shifted.where(publicatie.notna()))


def tender_demand(
    kalender: pd.DataFrame, person_year_eur: float | None, peildatum: dt.date, lead_months: int
) -> pd.DataFrame:
    """Tenders published after the period's quarter, per sector × quarter of their expected start."""
    publicatie = column_or_empty(kalender, "verwachte_publicatie", "datetime64[ns]")
    current = period_of(peildatum)
    quarter_index = publicatie.dt.year * 4 + (publicatie.dt.month - 1) // 3
    ahead = (quarter_index > current.year * 4 + current.quarter - 1).fillna(False).to_numpy(dtype=bool)
    start = tender_start(kalender, lead_months)
    t = pd.DataFrame(
        {
            "sector": column_or_empty(kalender, "sector", "string").fillna("onbekend"),
            "kwartaal": (
                start.dt.year.astype("Int64").astype("string")
                + "Q"
                + ((start.dt.month - 1) // 3 + 1).astype("Int64").astype("string")
            ),
            "sr_waarde_eur": column_or_empty(kalender, "geraamde_waarde", "float64")
            * column_or_empty(kalender, "sr_percentage", "float64")
            / 100,
        }
    )[ahead]
    t = t[t["kwartaal"].notna()]
    out = t.groupby(["sector", "kwartaal"], as_index=False).agg(
        aanbestedingen=("sr_waarde_eur", "size"), sr_waarde_eur=("sr_waarde_eur", "sum")
    )
    out["persoonsjaren"] = person_years(out["sr_waarde_eur"], person_year_eur)
    out["aanbestedingen"] = out["aanbestedingen"].astype("int64")
    return out[TENDER_DEMAND_COLUMNS].sort_values(["sector", "kwartaal"]).reset_index(drop=True)


def _pipeline_flags(stages: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    known = stages[stages["kandidaat_id"].notna()]
    flags = known.groupby([*keys, "kandidaat_id"])[["gestart", "afgerond", "uitgevallen", "geplaatst"]].any()
    flags["in_opleiding"] = flags["gestart"] & ~flags["afgerond"] & ~flags["uitgevallen"] & ~flags["geplaatst"]
    flags["afgerond_niet_geplaatst"] = flags["afgerond"] & ~flags["geplaatst"]
    return flags


def supply(stages: pd.DataFrame) -> pd.DataFrame:
    """Candidates in the pipeline per sector × training partner (``SUPPLY_COLUMNS``); a candidate
    counts once per group, and once in ``kandidaten`` even when in both columns' situations on
    different trajectories of the group (then it is "in opleiding": it is still training)."""
    flags = _pipeline_flags(stages, ["sector", "opleider"])
    flags["afgerond_niet_geplaatst"] &= ~flags["in_opleiding"]
    flags["kandidaten"] = flags["in_opleiding"] | flags["afgerond_niet_geplaatst"]
    out = flags.groupby(["sector", "opleider"])[["in_opleiding", "afgerond_niet_geplaatst", "kandidaten"]].sum()
    out = out[out["kandidaten"] > 0].reset_index()
    for c in ("in_opleiding", "afgerond_niet_geplaatst", "kandidaten"):
        out[c] = out[c].astype("int64")
    return out[SUPPLY_COLUMNS].sort_values(["sector", "opleider"]).reset_index(drop=True)


def supply_per_sector(stages: pd.DataFrame) -> pd.DataFrame:
    """Like :func:`supply` per sector only: a candidate with two training partners counts once."""
    flags = _pipeline_flags(stages, ["sector"])
    flags["afgerond_niet_geplaatst"] &= ~flags["in_opleiding"]
    flags["kandidaten"] = flags["in_opleiding"] | flags["afgerond_niet_geplaatst"]
    out = flags.groupby("sector")[["in_opleiding", "afgerond_niet_geplaatst", "kandidaten"]].sum().reset_index()
    for c in ("in_opleiding", "afgerond_niet_geplaatst", "kandidaten"):
        out[c] = out[c].astype("int64")
    return out


def per_sector(
    opdrachten: pd.DataFrame,
    kalender: pd.DataFrame,
    stages: pd.DataFrame,
    card: pd.DataFrame,
    peildatum: dt.date,
    block: str,
    lead_months: int,
) -> pd.DataFrame:
    """One row per sector: demand now (open contracts), demand ahead (tenders), supply."""
    rate = rate_on(card, block, peildatum)
    now = (
        contract_demand(opdrachten, rate)
        .groupby("sector")[["nog_te_realiseren_eur", "achterstand_eur", "persoonsjaren"]]
        .sum()
    )
    ahead = tender_demand(kalender, rate, peildatum, lead_months).groupby("sector")[["persoonsjaren"]].sum()
    have = supply_per_sector(stages).set_index("sector")
    out = pd.DataFrame(index=sorted(set(now.index) | set(ahead.index) | set(have.index)))
    out.index.name = "sector"
    out["vraag_opdrachten_persoonsjaren"] = now["persoonsjaren"]
    out["achterstand_eur"] = now["achterstand_eur"]
    out["vraag_aanbestedingen_persoonsjaren"] = ahead["persoonsjaren"]
    for c in ("in_opleiding", "afgerond_niet_geplaatst", "kandidaten"):
        out[c] = have[c] if c in have else 0
    money = ["vraag_opdrachten_persoonsjaren", "achterstand_eur", "vraag_aanbestedingen_persoonsjaren"]
    out[money] = out[money].fillna(0.0)
    for c in ("in_opleiding", "afgerond_niet_geplaatst", "kandidaten"):
        out[c] = out[c].fillna(0).astype("int64")
    out["vraag_persoonsjaren"] = out["vraag_opdrachten_persoonsjaren"] + out["vraag_aanbestedingen_persoonsjaren"]
    return out.reset_index()
