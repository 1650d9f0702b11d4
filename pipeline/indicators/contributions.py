"""Who contributes what (docs/reports.md: "every partner, its role, and its contribution this
period"), made visible to all partners."""

from __future__ import annotations

import pandas as pd

CONTRIBUTION_COLUMNS = [
    "partner_id",
    "naam",
    "rol",
    "geleverd",
    "opdrachten",
    "verplichting_eur",
    "gerealiseerd_eur",
    "trajecten",
    "plaatsingen",
    "levering_periode",
    "duurzaam",
]


def contributions(
    partners: pd.DataFrame, contracts: pd.DataFrame, stages: pd.DataFrame, leveringen: pd.DataFrame
) -> pd.DataFrame:
    """One row per register partner: delivery status and contribution at the peildatum.

    Args:
        partners: the register (``partner_id, naam, rol``).
        contracts: output of :func:`pipeline.indicators.fulfilment.fulfilment`.
        stages: output of :func:`pipeline.indicators.training.training_stages`.
        leveringen: ``partner_id, status, levering_periode`` per delivered dataset
            (``leveringen.csv``: status ``geleverd`` = delivered for this period).

    Returns:
        ``CONTRIBUTION_COLUMNS`` sorted by ``partner_id``. An authority's contracts are those it
        awarded, a contractor's those whose KvK is its own; ``trajecten`` = trajectory rows a
        training institute / job centre / sheltered employer delivered, ``plaatsingen`` and
        ``duurzaam`` = distinct candidates placed / durably placed on them.
        ``levering_periode`` = the latest delivery used ("" if none).
    """
    out = partners[["partner_id", "naam", "rol"]].astype("string").drop_duplicates("partner_id")
    out = out.set_index("partner_id")
    as_authority = contracts.groupby("opdrachtgever")
    as_contractor = contracts[contracts["opdrachtnemer"] != ""].groupby("opdrachtnemer")
    is_authority = out["rol"] == "opdrachtgever"
    is_contractor = out["rol"] == "opdrachtnemer"
    for column, how in (("opdrachten", "size"), ("verplichting_eur", "sum"), ("gerealiseerd_eur", "sum")):
        source = "verplichting_eur" if column == "opdrachten" else column
        by_authority = as_authority[source].agg(how).reindex(out.index)
        by_contractor = as_contractor[source].agg(how).reindex(out.index)
        out[column] = by_authority.where(is_authority, by_contractor.where(is_contractor)).fillna(0)
    out["opdrachten"] = out["opdrachten"].astype("int64")
    by_partner = stages.groupby("opleider")
    out["trajecten"] = by_partner.size().reindex(out.index).fillna(0).astype("int64")
    placed = stages[stages["geplaatst"]].groupby("opleider")["kandidaat_id"].nunique()
    durable = stages[stages["duurzaam"]].groupby("opleider")["kandidaat_id"].nunique()
    out["plaatsingen"] = placed.reindex(out.index).fillna(0).astype("int64")
    out["duurzaam"] = durable.reindex(out.index).fillna(0).astype("int64")
    delivered = leveringen[leveringen["status"] == "geleverd"]["partner_id"].unique()
    out["geleverd"] = out.index.isin(delivered)
    latest = leveringen.dropna(subset=["levering_periode"]).groupby("partner_id")["levering_periode"].max()
    out["levering_periode"] = latest.reindex(out.index).fillna("").astype("string")
    return out.reset_index()[CONTRIBUTION_COLUMNS].sort_values("partner_id").reset_index(drop=True)
