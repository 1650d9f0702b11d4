"""Obligation, expected progress and fulfilment status per contract, and their aggregates
(docs/domain.md: "Obligation", "Fulfilment status per contract")."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pipeline.core.settings import Settings
from pipeline.indicators.ratecard import BONUS_BLOCK, card_version_on
from pipeline.indicators.valuation import CONTRACT_KEY, active_on_peildatum, column_or_empty

STATUSES = ("voldaan", "niet_voldaan", "nog_niet_gestart", "op_schema", "achterstand", "risico")
# Money compared with >= is computed in floating point (e.g. 36500 × 273/365); a difference
# below a millionth of a cent is noise, not a shortfall, and must not flip a status.
_EPS_EUR = 1e-8

CONTRACT_COLUMNS = [
    # docs/outputs.md columns first, in its order
    "opdrachtgever",
    "opdracht_id",
    "opdrachtnemer",
    "verplichting_eur",
    "gerealiseerd_eur",
    "verwacht_eur",
    "realisatie_pct",
    "status",
    "kandidaten",
    # docs/architecture.md Stage 3
    "omschrijving",
    "soort",
    "sector",
    "opdrachtnemer_naam",
    "gunningsdatum",
    "startdatum",
    "einddatum",
    "tariefversie",
    "nog_te_realiseren_eur",
    "fte",
    # extensions
    "achterstand_eur",
    "opdrachtwaarde_eur",
    "sr_percentage",
    "looptijd_dagen",
    "verstreken",
    "opdrachtnemer_kvk",
    "inzet_regels",
    # fulfilment without netting (docs/reports.md, regio.html: verdict first)
    "ingevuld_eur",
    "meer_dan_verplicht_eur",
]
# The statuses a steering group must act on (docs/reports.md: "Contracts needing attention").
ATTENTION_STATUSES = ("risico", "achterstand", "niet_voldaan")
AGGREGATE_COLUMNS = [
    "verplichting_eur",
    "gerealiseerd_eur",
    "verwacht_eur",
    "realisatie_pct",
    "opdrachten",
    "kandidaten",
    "fte",
    "nog_te_realiseren_eur",
    "achterstand_eur",
]


def obligation_eur(opdrachtwaarde, sr_percentage):
    """``verplichting_eur = opdrachtwaarde × sr_percentage / 100`` (docs/domain.md).

    >>> obligation_eur(2_000_000, 5)
    100000.0
    """
    if isinstance(opdrachtwaarde, pd.Series):
        return opdrachtwaarde.astype(float) * sr_percentage / 100
    return float(opdrachtwaarde) * float(sr_percentage) / 100


def elapsed_share(startdatum: pd.Series, einddatum: pd.Series, peildatum: dt.date):
    """``looptijd_dagen`` and ``verstreken`` (docs/domain.md, inclusive day counts, clamped 0..1).

    >>> d = lambda s: pd.Series(pd.to_datetime([s]))
    >>> looptijd, verstreken = elapsed_share(d("2021-01-01"), d("2021-12-31"), dt.date(2021, 1, 1))
    >>> int(looptijd[0]), float(verstreken[0]) == 1 / 365   # 365-day term, on day 1: 1/365
    (365, True)
    """
    start = pd.to_datetime(startdatum).to_numpy(dtype="datetime64[D]")
    eind = pd.to_datetime(einddatum).to_numpy(dtype="datetime64[D]")
    peil = np.datetime64(peildatum, "D")
    looptijd = (eind - start).astype("timedelta64[D]").astype(float) + 1
    done = (np.minimum(eind, peil) - start).astype("timedelta64[D]").astype(float) + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        # a term that ends before it starts is rejected at validation; guard anyway
        share = np.clip(done / np.maximum(looptijd, 1), 0.0, 1.0)
    return looptijd, share


def fulfilment_status(
    gerealiseerd, verplichting, verwacht, startdatum, einddatum, peildatum: dt.date, drempel: float
) -> np.ndarray:
    """Status per contract; first match wins in docs/domain.md's order.

    >>> d = lambda s: pd.Series(pd.to_datetime([s] * 3))
    >>> fulfilment_status(np.array([100.0, 60.0, 50.0]), 100.0, 80.0, d("2021-01-01"),
    ...                   d("2021-12-31"), dt.date(2021, 9, 30), 0.75).tolist()
    ['voldaan', 'achterstand', 'risico']
    """
    ger = np.asarray(gerealiseerd, dtype=float)
    verplichting = np.broadcast_to(np.asarray(verplichting, dtype=float), ger.shape)
    verwacht = np.broadcast_to(np.asarray(verwacht, dtype=float), ger.shape)
    peil = pd.Timestamp(peildatum)
    eind = pd.to_datetime(einddatum).to_numpy()
    start = pd.to_datetime(startdatum).to_numpy()
    return np.select(
        [
            ger >= verplichting - _EPS_EUR,
            eind < peil.to_datetime64(),
            start > peil.to_datetime64(),
            ger >= verwacht - _EPS_EUR,
            ger >= drempel * verwacht - _EPS_EUR,
        ],
        list(STATUSES[:5]),
        default=STATUSES[5],
    )


def _opdrachtnemers(kvk: pd.Series, partners: pd.DataFrame) -> pd.DataFrame:
    """The contractor of each contract: partner with that KvK and rol opdrachtnemer."""
    register = partners[partners["rol"] == "opdrachtnemer"].sort_values("partner_id")
    register = register.assign(kvk=register["kvk"].astype("string").str.strip())
    register = register.drop_duplicates("kvk")[["kvk", "partner_id", "naam"]]
    found = pd.DataFrame({"kvk": kvk.astype("string").str.strip()}).merge(register, on="kvk", how="left")
    return found.set_axis(kvk.index)


def fulfilment(
    opdrachten: pd.DataFrame,
    valued_lines: pd.DataFrame,
    partners: pd.DataFrame,
    card: pd.DataFrame,
    peildatum: dt.date,
    settings: Settings,
) -> pd.DataFrame:
    """One row per contract at the peildatum: obligation, realised, expected, status.

    Args:
        opdrachten: clean opdrachten (``partner_id`` = authority).
        valued_lines: output of :func:`pipeline.indicators.valuation.value_lines`.
        partners: the partner register (``partner_id, naam, rol, kvk``).
        card: validated rate card (for ``tariefversie``).
        peildatum: reference date.
        settings: ``status.achterstand_drempel``.

    Returns:
        ``CONTRACT_COLUMNS``, sorted by ``opdrachtgever, opdracht_id``. ``opdrachtnemer`` is ""
        when the KvK is not a registered contractor; ``opdrachtnemer_naam`` is the register's
        name when known, else the name the authority wrote. ``fte`` = sum of the fte of counting
        person jaar lines whose counted days include the peildatum.
    """
    c = (
        pd.DataFrame(
            {
                "opdrachtgever": column_or_empty(opdrachten, "partner_id", "string"),
                "opdracht_id": column_or_empty(opdrachten, "opdracht_id", "string"),
                **{
                    col: column_or_empty(opdrachten, col, "string")
                    for col in ("omschrijving", "soort", "sector", "opdrachtnemer_kvk", "opdrachtnemer_naam")
                },
                **{
                    col: column_or_empty(opdrachten, col, "datetime64[ns]")
                    for col in ("gunningsdatum", "startdatum", "einddatum")
                },
                "opdrachtwaarde_eur": column_or_empty(opdrachten, "opdrachtwaarde", "float64"),
                "sr_percentage": column_or_empty(opdrachten, "sr_percentage", "float64"),
            }
        )
        .drop_duplicates(CONTRACT_KEY)
        .reset_index(drop=True)
    )
    nemer = _opdrachtnemers(c["opdrachtnemer_kvk"], partners)
    c["opdrachtnemer"] = nemer["partner_id"].fillna("").astype("string")
    c["opdrachtnemer_naam"] = nemer["naam"].astype("string").fillna(c["opdrachtnemer_naam"])
    c["verplichting_eur"] = obligation_eur(c["opdrachtwaarde_eur"], c["sr_percentage"])
    c["looptijd_dagen"], c["verstreken"] = elapsed_share(c["startdatum"], c["einddatum"], peildatum)
    c["looptijd_dagen"] = c["looptijd_dagen"].astype("Int64")
    c["verwacht_eur"] = c["verplichting_eur"] * c["verstreken"]
    c = c.merge(_line_totals(valued_lines, peildatum), on=CONTRACT_KEY, how="left")
    c[["gerealiseerd_eur", "fte"]] = c[["gerealiseerd_eur", "fte"]].fillna(0.0)
    c[["kandidaten", "inzet_regels"]] = c[["kandidaten", "inzet_regels"]].fillna(0).astype("int64")
    c["realisatie_pct"] = _pct(c["gerealiseerd_eur"], c["verplichting_eur"])
    c["status"] = pd.array(
        fulfilment_status(
            c["gerealiseerd_eur"],
            c["verplichting_eur"],
            c["verwacht_eur"],
            c["startdatum"],
            c["einddatum"],
            peildatum,
            settings.status.achterstand_drempel,
        ),
        dtype="string",
    )
    c["nog_te_realiseren_eur"] = (c["verplichting_eur"] - c["gerealiseerd_eur"]).clip(lower=0)
    # "what is needed to get back on schedule" (docs/reports.md, contractor page)
    c["achterstand_eur"] = (c["verwacht_eur"] - c["gerealiseerd_eur"]).clip(lower=0)
    c["tariefversie"] = card_version_on(card, c["gunningsdatum"])
    c["ingevuld_eur"], c["meer_dan_verplicht_eur"] = fulfilled_without_netting(
        c["gerealiseerd_eur"], c["verplichting_eur"]
    )
    return c[CONTRACT_COLUMNS].sort_values(CONTRACT_KEY, kind="stable").reset_index(drop=True)


def fulfilled_without_netting(gerealiseerd: pd.Series, verplichting: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per contract: the part of the obligation that is filled, and what was realised beyond it.

    ``ingevuld = min(gerealiseerd, verplichting)`` and ``meer_dan_verplicht = max(gerealiseerd -
    verplichting, 0)`` (docs/reports.md, regio.html: fulfilment without netting; over-realisation
    never pays another contract's debt). ``ingevuld + meer_dan_verplicht == gerealiseerd``.

    >>> a, b = fulfilled_without_netting(pd.Series([50.0, 300.0]), pd.Series([100.0, 100.0]))
    >>> a.tolist(), b.tolist()
    ([50.0, 100.0], [0.0, 200.0])
    """
    ger, verpl = gerealiseerd.astype(float), verplichting.astype(float)
    return ger.where(ger < verpl, verpl), (ger - verpl).clip(lower=0)


def _pct(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator × 100, NaN where the denominator is 0."""
    return (numerator / denominator.where(denominator != 0)) * 100


def _line_totals(valued: pd.DataFrame, peildatum: dt.date) -> pd.DataFrame:
    """Per contract: realised (sum, unrounded), distinct person candidates, fte at peildatum."""
    lines = valued.assign(_fte_peil=valued["fte"].where(active_on_peildatum(valued, peildatum), 0.0))
    totals = lines.groupby(CONTRACT_KEY, dropna=False).agg(
        gerealiseerd_eur=("totaal_eur", "sum"), fte=("_fte_peil", "sum"), inzet_regels=("totaal_eur", "size")
    )
    persons = person_lines(valued).groupby(CONTRACT_KEY)["kandidaat_id"].nunique()
    return totals.join(persons.rename("kandidaten")).reset_index()


def person_lines(valued: pd.DataFrame) -> pd.DataFrame:
    """Counting lines of person blocks with a candidate: the basis of every persons count."""
    mask = valued["telt"] & (valued["soort"] == "persoon").fillna(False) & valued["kandidaat_id"].notna()
    return valued[mask.astype(bool)]


def aggregate_contracts(contracts: pd.DataFrame, valued_lines: pd.DataFrame, by: str) -> pd.DataFrame:
    """Sum contracts per ``by`` (``opdrachtgever``, ``opdrachtnemer``, ``sector``).

    Money and fte are summed over the group's contracts; ``kandidaten`` is the number of
    distinct candidates across the group's contracts (a person on two contracts counts once).
    """
    groups = contracts.assign(**{by: contracts[by].fillna("")})
    sums = groups.groupby(by).agg(
        verplichting_eur=("verplichting_eur", "sum"),
        gerealiseerd_eur=("gerealiseerd_eur", "sum"),
        verwacht_eur=("verwacht_eur", "sum"),
        opdrachten=("opdracht_id", "size"),
        fte=("fte", "sum"),
        nog_te_realiseren_eur=("nog_te_realiseren_eur", "sum"),
        achterstand_eur=("achterstand_eur", "sum"),
    )
    key_and_group = list(dict.fromkeys(CONTRACT_KEY + [by]))
    persons = person_lines(valued_lines)[CONTRACT_KEY + ["kandidaat_id"]].merge(groups[key_and_group], on=CONTRACT_KEY)
    sums["kandidaten"] = persons.groupby(by)["kandidaat_id"].nunique().reindex(sums.index).fillna(0)
    sums["realisatie_pct"] = _pct(sums["gerealiseerd_eur"], sums["verplichting_eur"])
    sums = sums.astype({"kandidaten": "int64", "opdrachten": "int64"})
    return sums.reset_index().sort_values(by, kind="stable")[[by] + AGGREGATE_COLUMNS].reset_index(drop=True)


def aggregate_blocks(valued_lines: pd.DataFrame, card: pd.DataFrame, peildatum: dt.date) -> pd.DataFrame:
    """The building-block mix: realised value per block (which effort realises the value).

    The 50+ bonus is shown as its own row ``toeslag_50plus`` so the rows add up to the region's
    realised total. Obligation and expected value are not defined per block (left empty);
    ``aandeel_pct`` is the block's share of everything realised.
    """
    lines = valued_lines[valued_lines["telt"]]
    active = active_on_peildatum(lines, peildatum)
    rows = lines.assign(_fte=lines["fte"].where(active, 0.0), _value=lines["waarde_eur"])
    bonus = lines[lines["toeslag_eur"] > 0].assign(bouwblok=BONUS_BLOCK, _fte=np.nan, _value=lambda x: x["toeslag_eur"])
    both = pd.concat([rows, bonus], ignore_index=True)
    blocks = card.drop_duplicates("bouwblok", keep="last").set_index("bouwblok")[["soort", "eenheid"]]
    grouped = both.groupby("bouwblok")
    out = pd.DataFrame(index=blocks.index.union(pd.Index(both["bouwblok"].unique())).rename("bouwblok"))
    out = out.join(blocks)
    out["gerealiseerd_eur"] = grouped["_value"].sum().reindex(out.index).fillna(0.0)
    out["opdrachten"] = both.drop_duplicates(["bouwblok"] + CONTRACT_KEY).groupby("bouwblok").size()
    out["kandidaten"] = both[both["soort"] == "persoon"].groupby("bouwblok")["kandidaat_id"].nunique()
    out[["opdrachten", "kandidaten"]] = out[["opdrachten", "kandidaten"]].fillna(0).astype("int64")
    out["fte"] = grouped["_fte"].sum(min_count=1).reindex(out.index)
    out.loc[out.index != BONUS_BLOCK, "fte"] = out["fte"].fillna(0.0)
    out["verplichting_eur"] = np.nan
    out["verwacht_eur"] = np.nan
    out["realisatie_pct"] = np.nan
    out["nog_te_realiseren_eur"] = np.nan
    out["achterstand_eur"] = np.nan
    total = out["gerealiseerd_eur"].sum()
    out["aandeel_pct"] = out["gerealiseerd_eur"] / total * 100 if total else np.nan
    return out.reset_index()[["bouwblok"] + AGGREGATE_COLUMNS + ["aandeel_pct", "soort", "eenheid"]]


def fulfilment_verdict(contracts: pd.DataFrame) -> dict:
    """The region's fulfilment without netting (docs/reports.md, regio.html "verdict first").

    ``ingevuld_eur`` = Σ min(gerealiseerd, verplichting) per contract; as a share of the total
    obligation (``ingevuld_pct``) and of the total expected (``ingevuld_vs_verwacht_pct``).
    Over-realisation is kept apart: ``meer_dan_verplicht_eur`` = Σ max(gerealiseerd -
    verplichting, 0) on ``opdrachten_meer_dan_verplicht`` contracts. ``opdrachten_aandacht``:
    contracts with a status of :data:`ATTENTION_STATUSES`. ``niet_voldaan_eur``: the part of
    ``nog_te_realiseren_eur`` on ended contracts that fell short (status ``niet_voldaan``).
    """
    if "ingevuld_eur" in contracts:
        filled, over = contracts["ingevuld_eur"], contracts["meer_dan_verplicht_eur"]
    else:
        filled, over = fulfilled_without_netting(contracts["gerealiseerd_eur"], contracts["verplichting_eur"])
    verplichting = float(contracts["verplichting_eur"].sum())
    verwacht = float(contracts["verwacht_eur"].sum())
    ingevuld = float(filled.sum())
    return {
        "ingevuld_eur": ingevuld,
        "ingevuld_pct": ingevuld / verplichting * 100 if verplichting else None,
        "ingevuld_vs_verwacht_pct": ingevuld / verwacht * 100 if verwacht else None,
        "meer_dan_verplicht_eur": float(over.sum()),
        "opdrachten_meer_dan_verplicht": int((over > 0).sum()),
        "opdrachten_aandacht": int(contracts["status"].isin(ATTENTION_STATUSES).sum()),
        "niet_voldaan_eur": float(contracts.loc[contracts["status"] == "niet_voldaan", "nog_te_realiseren_eur"].sum()),
    }


def region_totals(contracts: pd.DataFrame, valued_lines: pd.DataFrame) -> dict:
    """Headline figures of the region: money, contracts per status, persons, FTE."""
    verplichting = float(contracts["verplichting_eur"].sum())
    gerealiseerd = float(contracts["gerealiseerd_eur"].sum())
    verwacht = float(contracts["verwacht_eur"].sum())
    per_status = contracts["status"].value_counts()
    return {
        "verplichting_eur": verplichting,
        "gerealiseerd_eur": gerealiseerd,
        "verwacht_eur": verwacht,
        "realisatie_pct": gerealiseerd / verplichting * 100 if verplichting else None,
        "realisatie_vs_verwacht_pct": gerealiseerd / verwacht * 100 if verwacht else None,
        "nog_te_realiseren_eur": float(contracts["nog_te_realiseren_eur"].sum()),
        "achterstand_eur": float(contracts["achterstand_eur"].sum()),
        "opdrachten": int(len(contracts)),
        "opdrachten_per_status": {s: int(per_status.get(s, 0)) for s in STATUSES},
        **fulfilment_verdict(contracts),
        "kandidaten": int(person_lines(valued_lines)["kandidaat_id"].nunique()),
        "fte": float(contracts["fte"].sum()),
    }
