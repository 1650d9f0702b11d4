"""A delivery compared with the previous period's: rows added, removed and changed (docs/reports.md,
kwaliteit.html: "comparison with the previous period's delivery (rows added, removed, changed) so
a shrinking or suspicious delivery stands out").

Rows are matched on the dataset's key (``config/datasets.yaml``: ``opdracht_id``, ``regel_id``,
``traject_id``, ``aanbesteding_id``) within one partner. A row is *changed* when a column of the
standard differs (provenance such as file name and Excel row is not compared: a row that only
moved in the file is the same row). Both sides are the clean rows each period's report used, so a
carried-forward delivery compares equal to itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.schema import PROVENANCE_COLUMNS, dataset_spec

COLUMNS = [
    "partner_id",
    "dataset",
    "levering_vorige",
    "levering_nu",
    "rijen_vorige",
    "rijen_nu",
    "toegevoegd",
    "verwijderd",
    "gewijzigd",
    "krimp",
]
SHRINK_SHARE = 0.5  # a delivery with fewer than half the rows of the previous one stands out


def _comparable(frame: pd.DataFrame, dataset: str) -> list[str]:
    spec = dataset_spec(dataset)
    skip = set(PROVENANCE_COLUMNS) | set(spec.key)
    # the BSN is pseudonymised into kandidaat_id in the clean tables: compare that instead
    wanted = [c for c in spec.columns if c not in skip] + ["kandidaat_id"]
    return [c for c in dict.fromkeys(wanted) if c in frame.columns]


def _differs(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Per row whether two aligned columns hold different values: missing equals missing, a
    number equals the same number (8 and 8.0), a date the same day; anything else compares as
    text. Whole columns at once."""
    if all(isinstance(c.dtype, np.dtype) and c.dtype.kind == "M" for c in (left, right)):
        # the same day: compared as day numbers, a missing date equal to a missing one
        a, b = (c.to_numpy().astype("datetime64[D]") for c in (left, right))
        return ~((a == b) | (np.isnat(a) & np.isnat(b)))
    if all(pd.api.types.is_datetime64_any_dtype(c.dtype) for c in (left, right)):
        a, b = (c.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object) for c in (left, right))
        return a != b
    if all(pd.api.types.is_numeric_dtype(c.dtype) and not pd.api.types.is_bool_dtype(c.dtype) for c in (left, right)):
        a, b = (c.astype("float64").to_numpy(dtype="float64", na_value=np.nan) for c in (left, right))
        return ~((a == b) | (np.isnan(a) & np.isnan(b)))
    # as text, compared by Arrow position by position (the two come from different frames)
    a, b = (c.astype("string").fillna("").array for c in (left, right))
    return (a != b).to_numpy(dtype=bool)


def _keyed(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Partner, key as one text and row position of every row with a partner; a key twice
    within one partner (not possible after validation): the first row counts."""
    if frame.empty or "partner_id" not in frame:
        return pd.DataFrame({"partner_id": pd.Series(dtype=object), "_sleutel": pd.Series(dtype=object), "_rij": []})
    text = frame[key].astype(str)
    joined = text[key[0]]
    for column in key[1:]:
        joined = joined + "\x1f" + text[column]
    out = pd.DataFrame(
        {"partner_id": frame["partner_id"].to_numpy(), "_sleutel": joined.to_numpy(), "_rij": range(len(frame))}
    )
    out = out[out["partner_id"].notna()]
    return out.drop_duplicates(["partner_id", "_sleutel"], keep="first")


def _per_partner_periods(frame: pd.DataFrame) -> dict[str, str]:
    if frame.empty or "levering_periode" not in frame or "partner_id" not in frame:
        return {}
    pairs = frame[["partner_id", "levering_periode"]].dropna().astype(str).drop_duplicates()
    return {p: ", ".join(sorted(g)) for p, g in pairs.groupby("partner_id")["levering_periode"]}


def _row_counts(frame: pd.DataFrame) -> dict[str, int]:
    if frame.empty or "partner_id" not in frame:
        return {}
    return {str(k): int(v) for k, v in frame["partner_id"].dropna().value_counts().items()}


def compare_dataset(now: pd.DataFrame, before: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Per partner: rows of ``before`` and ``now``, added, removed, changed (:data:`COLUMNS`).

    One pass over each side for all partners together (a join on partner and key), so the cost
    grows with the rows, not with rows × partners.

    >>> b = pd.DataFrame({"partner_id": ["p"] * 3, "regel_id": ["1", "2", "3"], "uren_per_week": [8.0, 10.0, 20.0]})
    >>> n = pd.DataFrame({"partner_id": ["p"] * 2, "regel_id": ["2", "4"], "uren_per_week": [12.0, 20.0]})
    >>> compare_dataset(n, b, "inzet")[["rijen_vorige", "rijen_nu", "toegevoegd", "verwijderd", "gewijzigd"]].iloc[0].tolist()
    [3, 2, 1, 2, 1]
    """
    key = list(dataset_spec(dataset).key)
    n_rows, b_rows = _row_counts(now), _row_counts(before)
    partners = sorted(set(n_rows) | set(b_rows))
    if not partners:
        return pd.DataFrame(columns=COLUMNS)
    joined = _keyed(now, key).merge(
        _keyed(before, key), on=["partner_id", "_sleutel"], how="outer", suffixes=("_nu", "_vorige"), indicator=True
    )
    side = joined["_merge"].astype(str)
    added = joined.loc[side == "left_only", "partner_id"].value_counts()
    removed = joined.loc[side == "right_only", "partner_id"].value_counts()
    both = joined[side == "both"]
    columns = [c for c in _comparable(now, dataset) if c in before.columns] if len(now) and len(before) else []
    changed = pd.Series(dtype=int)
    if len(both) and columns:
        left = now.iloc[both["_rij_nu"].astype(int).to_numpy()]
        right = before.iloc[both["_rij_vorige"].astype(int).to_numpy()]
        differs = np.zeros(len(both), dtype=bool)
        for c in columns:
            differs |= _differs(left[c], right[c])
        changed = pd.Series(differs.astype(int), index=both["partner_id"].to_numpy()).groupby(level=0).sum()
    n_periods, b_periods = _per_partner_periods(now), _per_partner_periods(before)
    rows = [
        {
            "partner_id": partner,
            "dataset": dataset,
            "levering_vorige": b_periods.get(partner, ""),
            "levering_nu": n_periods.get(partner, ""),
            "rijen_vorige": b_rows.get(partner, 0),
            "rijen_nu": n_rows.get(partner, 0),
            "toegevoegd": int(added.get(partner, 0)),
            "verwijderd": int(removed.get(partner, 0)),
            "gewijzigd": int(changed.get(partner, 0)),
            "krimp": bool(b_rows.get(partner, 0) and n_rows.get(partner, 0) < SHRINK_SHARE * b_rows.get(partner, 0)),
        }
        for partner in partners
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def compare_periods(now: dict[str, pd.DataFrame], before: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """:func:`compare_dataset` for every dataset either period has, sorted by partner and dataset."""
    parts = [
        compare_dataset(now.get(d, pd.DataFrame()), before.get(d, pd.DataFrame()), d)
        for d in sorted(set(now) | set(before))
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return (
        pd.concat(parts, ignore_index=True).sort_values(["partner_id", "dataset"], kind="stable").reset_index(drop=True)
    )
