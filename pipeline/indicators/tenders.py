"""Future tenders (docs/domain.md: "Future tenders (aanbestedingskalender)"): the social-return value
coming in each quarter ahead, in euros and in person-years, for training institutes to plan."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pipeline.core.periods import period_of
from pipeline.indicators.ratecard import rate_on
from pipeline.indicators.valuation import column_or_empty

TENDER_COLUMNS = [
    "opdrachtgever",
    "kwartaal",
    "sector",
    "sr_waarde_eur",
    "persoonsjaren",
    "aanbestedingen",
    "geraamde_waarde_eur",
]


def person_years(sr_waarde_eur, person_year_eur: float | None):
    """Social-return value expressed as person-years of one block.

    >>> person_years(2_000_000 * 5 / 100, 40000)   # 100,000 / 40,000
    2.5
    """
    if not person_year_eur:
        return np.nan * np.asarray(sr_waarde_eur, dtype=float)
    return sr_waarde_eur / person_year_eur


def future_tenders(
    kalender: pd.DataFrame, card: pd.DataFrame, peildatum: dt.date, person_year_block: str = "pwet_lang"
) -> pd.DataFrame:
    """Expected social-return value per authority × quarter ahead × sector.

    Only tenders whose ``verwachte_publicatie`` falls in a quarter after the peildatum's
    quarter are counted. ``sr_waarde_eur = geraamde_waarde × sr_percentage / 100``;
    ``persoonsjaren = sr_waarde_eur / waarde_eur`` of ``person_year_block``
    (``settings.programme.jaren_person_year_block``) in the version valid on the peildatum
    (the tenders are not awarded yet, so today's card is the best estimate).

    Returns:
        ``TENDER_COLUMNS`` sorted by ``opdrachtgever, kwartaal, sector``.
    """
    publicatie = column_or_empty(kalender, "verwachte_publicatie", "datetime64[ns]")
    current = period_of(peildatum)
    # quarter index year*4 + (quarter-1) makes "after the period" one comparison
    quarter_index = publicatie.dt.year * 4 + (publicatie.dt.month - 1) // 3
    ahead = (quarter_index > current.year * 4 + current.quarter - 1).fillna(False).astype(bool)
    t = pd.DataFrame(
        {
            "opdrachtgever": column_or_empty(kalender, "partner_id", "string"),
            "kwartaal": (
                publicatie.dt.year.astype("Int64").astype("string")
                + "Q"
                + ((publicatie.dt.month - 1) // 3 + 1).astype("Int64").astype("string")
            ),
            "sector": column_or_empty(kalender, "sector", "string").fillna("onbekend"),
            "geraamde_waarde_eur": column_or_empty(kalender, "geraamde_waarde", "float64"),
            "sr_percentage": column_or_empty(kalender, "sr_percentage", "float64"),
        }
    )[ahead.to_numpy()]
    t["sr_waarde_eur"] = t["geraamde_waarde_eur"] * t["sr_percentage"] / 100
    out = t.groupby(["opdrachtgever", "kwartaal", "sector"], as_index=False).agg(
        sr_waarde_eur=("sr_waarde_eur", "sum"),
        aanbestedingen=("sr_waarde_eur", "size"),
        geraamde_waarde_eur=("geraamde_waarde_eur", "sum"),
    )
    out["persoonsjaren"] = person_years(out["sr_waarde_eur"], rate_on(card, person_year_block, peildatum))
    out["aanbestedingen"] = out["aanbestedingen"].astype("int64")
    return out[TENDER_COLUMNS].sort_values(["opdrachtgever", "kwartaal", "sector"]).reset_index(drop=True)
