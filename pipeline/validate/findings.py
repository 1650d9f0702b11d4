"""Findings across datasets: rows are kept, the finding goes to ``bevindingen.csv``.

docs/exports.md: "A rule across datasets (unknown contract, double count, unknown contractor) is a
finding on the row: it is kept and reported in the data-quality report of the delivering
partner." Every function here is pure: tables in, finding lines out, with the columns of
:data:`pipeline.validate.stage.FINDING_COLUMNS` (``partner_id, dataset, bestand, rij, kolom, kolom_bestand,
waarde, regel, reden_nl, reason_en, severity``; ``kolom_bestand`` is left empty here and filled by
the stage, which knows each file's headers). A pseudonym (``kandidaat_id``) never appears in a line.

Single-dataset findings (unusual sr_percentage, dates after the peildatum, hours under the
minimum) are ``warning``/``info`` expectations in the suites, not here: each rule lives once.
"""

from __future__ import annotations

import pandas as pd

from pipeline.core.schema import DATASETS, ROLES, dataset_spec
from pipeline.core.settings import Settings

COLUMNS = (
    "partner_id",
    "dataset",
    "bestand",
    "rij",
    "kolom",
    "kolom_bestand",  # filled by the stage from kolommen.csv (pipeline.ingest.typecast.with_delivered_headers)
    "waarde",
    "regel",
    "reden_nl",
    "reason_en",
    "severity",
)
# Which datasets each role is asked for every quarter: datasets.yaml's `expected_from` (default
# `delivered_by`; docs/domain.md, "Which roles' trajectories count").
EXPECTED_DATASETS = {role: tuple(d for d in DATASETS if role in dataset_spec(d).expected_roles) for role in ROLES}
_FOREVER = pd.Timestamp("2262-04-11")


def eur(amount: float) -> str:
    """Money for a reason text, Dutch style.

    >>> eur(1234.5)
    '€ 1.234,50'
    """
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def _lines(
    rows: pd.DataFrame,
    dataset: str,
    kolom: str,
    waarde: pd.Series | str,
    regel: str,
    reden_nl: pd.Series | str,
    reason_en: pd.Series | str,
    severity: str = "warning",
) -> pd.DataFrame:
    """Finding lines for table rows (named by their provenance columns)."""
    out = pd.DataFrame(
        {
            "partner_id": rows["partner_id"].astype("string"),
            "dataset": dataset,
            "bestand": rows["bron_bestand"].astype("string"),
            "rij": rows["bron_rij"].astype("Int64"),
            "kolom": kolom,
            "kolom_bestand": "",
            "waarde": waarde,
            "regel": regel,
            "reden_nl": reden_nl,
            "reason_en": reason_en,
            "severity": severity,
        },
        index=rows.index,
    )
    return out.reindex(columns=list(COLUMNS)).reset_index(drop=True)


def empty() -> pd.DataFrame:
    """No findings, with the right columns."""
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "rij" else "string") for c in COLUMNS})


def _contract_key(frame: pd.DataFrame, authority: str) -> pd.Series:
    # docs/exports.md: the contract key across the region is <opdrachtgever partner_id>/<opdracht_id>
    return frame[authority].astype("string").fillna("") + "/" + frame["opdracht_id"].astype("string").fillna("")


def unknown_contracts(inzet: pd.DataFrame, opdrachten: pd.DataFrame) -> pd.DataFrame:
    """Inzet lines whose ``opdrachtgever`` + ``opdracht_id`` is not among the (kept) contracts."""
    known = set(_contract_key(opdrachten, "partner_id"))
    key = _contract_key(inzet, "opdrachtgever")
    rows = inzet[~key.isin(known)]
    if rows.empty:
        return empty()
    return _lines(
        rows,
        "inzet",
        "opdracht_id",
        rows["opdracht_id"],
        "inzet.opdracht.onbekend",
        "opdracht " + key[rows.index] + " staat niet in de opdrachten van die opdrachtgever; de regel telt voor 0 mee",
        "contract " + key[rows.index] + " is not among that authority's contracts (opdrachten); the line counts as 0",
    )


def outside_contract_term(inzet: pd.DataFrame, opdrachten: pd.DataFrame, factor_blocks: list[str]) -> pd.DataFrame:
    """Inzet lines on a known contract that share no day with the contract term (they count 0).

    A factor line is a single moment (its startdatum, docs/domain.md); other lines run from
    startdatum to einddatum (empty = still running).
    """
    contracts = opdrachten.assign(_key=_contract_key(opdrachten, "partner_id"))[["_key", "startdatum", "einddatum"]]
    lines = inzet.assign(_key=_contract_key(inzet, "opdrachtgever"), _pos=range(len(inzet)))
    merged = lines.merge(contracts.drop_duplicates("_key"), on="_key", suffixes=("", "_opdracht"))
    is_factor = merged["bouwblok"].isin(factor_blocks)
    line_end = merged["einddatum"].where(~is_factor, merged["startdatum"]).fillna(_FOREVER)
    outside = (merged["startdatum"] > merged["einddatum_opdracht"]) | (line_end < merged["startdatum_opdracht"])
    rows = merged[outside.fillna(False).astype(bool)].sort_values("_pos")
    if rows.empty:
        return empty()
    term = (
        rows["startdatum_opdracht"].dt.strftime("%d-%m-%Y")
        + " t/m "
        + rows["einddatum_opdracht"].dt.strftime("%d-%m-%Y")
    )
    return _lines(
        rows,
        "inzet",
        "startdatum",
        rows["startdatum"].dt.strftime("%Y-%m-%d"),
        "inzet.opdracht.buiten_looptijd",
        "de inzet valt helemaal buiten de looptijd van de opdracht (" + term + "); de regel telt voor 0 mee",
        "the line lies entirely outside the contract term (" + term + "); the line counts as 0",
    )


def unknown_contractors(opdrachten: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Contracts whose ``opdrachtnemer_kvk`` is not in the register as an opdrachtnemer."""
    known = set(partners.loc[partners["rol"] == "opdrachtnemer", "kvk"].dropna().astype(str))
    rows = opdrachten[~opdrachten["opdrachtnemer_kvk"].astype("string").fillna("").isin(known)]
    if rows.empty:
        return empty()
    kvk = rows["opdrachtnemer_kvk"].astype("string").fillna("")
    return _lines(
        rows,
        "opdrachten",
        "opdrachtnemer_kvk",
        kvk,
        "opdrachten.opdrachtnemer_kvk.onbekend",
        "KvK-nummer " + kvk + " staat niet als opdrachtnemer in het partnerregister; "
        "de realisatie van deze opdracht is niet te koppelen",
        "KvK number " + kvk + " is not in the partner register as a contractor (opdrachtnemer); "
        "realisation cannot be linked to this contract",
    )


def double_counts(inzet: pd.DataFrame) -> pd.DataFrame:
    """The same candidate on two different contracts over overlapping days (docs/domain.md).

    One line per involved inzet line, naming the other line(s) by file and row; both count.
    """
    cols = ["partner_id", "bron_bestand", "bron_rij", "kandidaat_id", "startdatum", "einddatum"]
    lines = inzet.loc[inzet["kandidaat_id"].notna() & inzet["startdatum"].notna(), cols].copy()
    lines["_key"] = _contract_key(inzet.loc[lines.index], "opdrachtgever")
    lines["_eind"] = lines["einddatum"].fillna(_FOREVER)
    pairs = lines.merge(lines, on="kandidaat_id", suffixes=("", "_ander"))
    pairs = pairs[
        (pairs["_key"] != pairs["_key_ander"])
        & (pairs["startdatum"] <= pairs["_eind_ander"])
        & (pairs["startdatum_ander"] <= pairs["_eind"])
    ]
    if pairs.empty:
        return empty()
    pairs = pairs.sort_values(["bron_bestand", "bron_rij", "bron_bestand_ander", "bron_rij_ander"])
    pairs["_ander"] = (
        "opdracht "
        + pairs["_key_ander"]
        + " ("
        + pairs["bron_bestand_ander"].astype(str)
        + " rij "
        + pairs["bron_rij_ander"].astype(str)
        + ")"
    )
    grouped = (
        pairs.groupby(["partner_id", "bron_bestand", "bron_rij", "_key"], sort=True)["_ander"]
        .agg("; ".join)
        .reset_index()
    )
    return _lines(
        grouped,
        "inzet",
        "kandidaat_bsn",
        "",
        "inzet.kandidaat.dubbeltelling",
        "dezelfde kandidaat staat in een overlappende periode ook op "
        + grouped["_ander"]
        + "; beide regels tellen mee, de coördinator beslist",
        "the same candidate is also on "
        + grouped["_ander"].str.replace(" rij ", " row ")
        + " over overlapping days; both lines count, the coordinator decides",
    )


def obligation_mismatches(opdrachten: pd.DataFrame, tolerance_eur: float) -> pd.DataFrame:
    """Contracts whose stated ``sr_verplichting`` differs from the computed obligation.

    docs/domain.md: verplichting_eur = opdrachtwaarde × sr_percentage / 100; a stated value must agree
    within the tolerance (EUR 1), otherwise a finding and the computed value is used.
    For 1.000.000 × 5 / 100 = 50.000, a stated 50.000,99 agrees and 50.001,01 does not.
    """
    computed = opdrachten["opdrachtwaarde"] * opdrachten["sr_percentage"] / 100
    stated = opdrachten["sr_verplichting"]
    off = (stated - computed).abs() > tolerance_eur
    rows = opdrachten[off.fillna(False).astype(bool)]
    if rows.empty:
        return empty()
    calc = computed[rows.index].map(eur)
    given = stated[rows.index]
    return _lines(
        rows,
        "opdrachten",
        "sr_verplichting",
        given.map(lambda x: f"{x:.2f}"),
        "opdrachten.sr_verplichting.afwijkend",
        "sr_verplichting "
        + given.map(eur)
        + " wijkt meer dan "
        + eur(tolerance_eur)
        + " af van opdrachtwaarde × sr_percentage / 100 = "
        + calc
        + "; de berekende waarde wordt gebruikt",
        "sr_verplichting "
        + given.map(eur)
        + " differs by more than "
        + eur(tolerance_eur)
        + " from opdrachtwaarde × sr_percentage / 100 = "
        + calc
        + "; the computed value is used",
    )


def _delivery_sizes(tables: dict[str, pd.DataFrame]) -> pd.Series:
    counts = {(p, d): n for d, t in tables.items() for p, n in t["partner_id"].astype(str).value_counts().items()}
    return pd.Series(counts, dtype="int64")


def shrunk_deliveries(current: dict[str, pd.DataFrame], previous: dict[str, pd.DataFrame] | None) -> pd.DataFrame:
    """Partner × dataset deliveries with fewer than half the rows of the previous period's."""
    if not previous:
        return empty()
    now, before = _delivery_sizes(current), _delivery_sizes(previous)
    rows = [(p, d, now.get((p, d), 0), n) for (p, d), n in sorted(before.items()) if now.get((p, d), 0) < n / 2]
    if not rows:
        return empty()
    frame = pd.DataFrame(rows, columns=["partner_id", "dataset", "nu", "vorige"])
    out = pd.DataFrame(
        {
            "partner_id": frame["partner_id"],
            "dataset": frame["dataset"],
            "bestand": "",
            "rij": pd.NA,
            "kolom": "",
            "kolom_bestand": "",
            "waarde": frame["vorige"].astype(str) + " → " + frame["nu"].astype(str),
            "regel": "levering.gekrompen",
            "reden_nl": "de levering "
            + frame["dataset"]
            + " heeft "
            + frame["nu"].astype(str)
            + " rijen, de vorige levering "
            + frame["vorige"].astype(str)
            + ": meer dan de helft minder; is er iets weggevallen?",
            "reason_en": "the "
            + frame["dataset"]
            + " delivery has "
            + frame["nu"].astype(str)
            + " rows, the previous delivery "
            + frame["vorige"].astype(str)
            + ": less than half; did something go missing?",
            "severity": "warning",
        }
    )
    return out.astype({"rij": "Int64"}).reindex(columns=list(COLUMNS))


def missing_deliveries(leveringen: pd.DataFrame) -> pd.DataFrame:
    """Partners expected to deliver a dataset (by role) that delivered nothing so far."""
    expected = (
        leveringen.apply(lambda r: r["dataset"] in EXPECTED_DATASETS.get(r["rol"], ()), axis=1)
        if len(leveringen)
        else pd.Series(dtype=bool)
    )
    rows = leveringen[expected.astype(bool) & (leveringen.get("status", pd.Series(dtype=str)) == "ontbreekt")]
    if rows.empty:
        return empty()
    out = pd.DataFrame(
        {
            "partner_id": rows["partner_id"],
            "dataset": rows["dataset"],
            "bestand": "",
            "rij": pd.NA,
            "kolom": "",
            "kolom_bestand": "",
            "waarde": "",
            "regel": "levering.ontbreekt",
            "reden_nl": "nog geen levering " + rows["dataset"] + " ontvangen (verwacht van rol " + rows["rol"] + ")",
            "reason_en": "no " + rows["dataset"] + " delivery received yet (expected from role " + rows["rol"] + ")",
            "severity": "warning",
        }
    )
    return out.astype({"rij": "Int64"}).reindex(columns=list(COLUMNS)).reset_index(drop=True)


def files_without_rows(bestanden: pd.DataFrame) -> pd.DataFrame:
    """Readable files with a header but not one data row (a template sent back empty, an export
    that stopped after the header): the partner hears of it, the file adds nothing."""
    if bestanden.empty:
        return empty()
    read = pd.to_numeric(bestanden["rijen_gelezen"], errors="coerce")
    rows = bestanden[(bestanden["status"] == "gelezen") & (read == 0)]
    if rows.empty:
        return empty()
    out = pd.DataFrame(
        {
            "partner_id": rows["partner_id"],
            "dataset": rows["dataset"],
            "bestand": rows["bestand"],
            "rij": pd.NA,
            "kolom": "",
            "kolom_bestand": "",
            "waarde": "",
            "regel": "levering.bestand_zonder_rijen",
            "reden_nl": "het bestand heeft een kopregel maar geen enkele rij met gegevens; is de export leeg gebleven?",
            "reason_en": "the file has a header but not a single data row; did the export come out empty?",
            "severity": "warning",
        }
    )
    return out.astype({"rij": "Int64"}).reindex(columns=list(COLUMNS)).reset_index(drop=True)


def all_findings(
    tables: dict[str, pd.DataFrame],
    partners: pd.DataFrame,
    leveringen: pd.DataFrame,
    previous: dict[str, pd.DataFrame] | None,
    config: Settings,
) -> pd.DataFrame:
    """Every cross-dataset finding of a period, on the kept (validated) rows."""
    from pipeline.validate.stage import rate_card_blocks

    inzet, opdrachten = tables["inzet"], tables["opdrachten"]
    parts = [
        unknown_contracts(inzet, opdrachten),
        outside_contract_term(inzet, opdrachten, rate_card_blocks()["bouwblokken_factor"]),
        double_counts(inzet),
        unknown_contractors(opdrachten, partners),
        obligation_mismatches(opdrachten, config.valuation.obligation_tolerance_eur),
        shrunk_deliveries(tables, previous),
        missing_deliveries(leveringen),
    ]
    return pd.concat([p for p in parts if len(p)] or [empty()], ignore_index=True)
