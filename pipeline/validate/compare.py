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


def _text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Values as text, missing as "" (so NaN equals NaN and 8 equals 8.0 as written)."""
    out = pd.DataFrame(index=frame.index)
    for c in columns:
        col = frame[c]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            out[c] = col.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_float_dtype(col.dtype):
            out[c] = col.map(lambda v: "" if pd.isna(v) else repr(float(v)))
        else:
            out[c] = col.astype("string").fillna("").astype(str)
    return out


def _periods(frame: pd.DataFrame) -> str:
    if "levering_periode" not in frame or frame.empty:
        return ""
    return ", ".join(sorted(frame["levering_periode"].dropna().astype(str).unique()))


def compare_dataset(now: pd.DataFrame, before: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Per partner: rows of ``before`` and ``now``, added, removed, changed (:data:`COLUMNS`).

    >>> b = pd.DataFrame({"partner_id": ["p"] * 3, "regel_id": ["1", "2", "3"], "uren_per_week": [8.0, 10.0, 20.0]})
    >>> n = pd.DataFrame({"partner_id": ["p"] * 2, "regel_id": ["2", "4"], "uren_per_week": [12.0, 20.0]})
    >>> compare_dataset(n, b, "inzet")[["rijen_vorige", "rijen_nu", "toegevoegd", "verwijderd", "gewijzigd"]].iloc[0].tolist()
    [3, 2, 1, 2, 1]
    """
    key = list(dataset_spec(dataset).key)
    rows = []
    partners = sorted(
        set(now.get("partner_id", pd.Series(dtype=str)).dropna())
        | set(before.get("partner_id", pd.Series(dtype=str)).dropna())
    )
    for partner in partners:
        n = now[now["partner_id"] == partner] if not now.empty else now
        b = before[before["partner_id"] == partner] if not before.empty else before
        n_keys = n[key].astype(str).agg("\x1f".join, axis=1) if len(n) else pd.Series(dtype=str)
        b_keys = b[key].astype(str).agg("\x1f".join, axis=1) if len(b) else pd.Series(dtype=str)
        # a key twice within one side (not possible after validation): the first row counts
        n_idx = pd.Series(n_keys.index, index=n_keys.values)
        b_idx = pd.Series(b_keys.index, index=b_keys.values)
        n_idx = n_idx[~n_idx.index.duplicated()]
        b_idx = b_idx[~b_idx.index.duplicated()]
        both = n_idx.index.intersection(b_idx.index)
        columns = [c for c in _comparable(n, dataset) if c in b.columns] if len(n) and len(b) else []
        changed = 0
        if len(both) and columns:
            left = _text(n.loc[n_idx[both].values], columns).reset_index(drop=True)
            right = _text(b.loc[b_idx[both].values], columns).reset_index(drop=True)
            changed = int((left != right).any(axis=1).sum())
        rows.append(
            {
                "partner_id": partner,
                "dataset": dataset,
                "levering_vorige": _periods(b),
                "levering_nu": _periods(n),
                "rijen_vorige": int(len(b)),
                "rijen_nu": int(len(n)),
                "toegevoegd": int(len(n_idx.index.difference(b_idx.index))),
                "verwijderd": int(len(b_idx.index.difference(n_idx.index))),
                "gewijzigd": changed,
                "krimp": bool(len(b) and len(n) < SHRINK_SHARE * len(b)),
            }
        )
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
