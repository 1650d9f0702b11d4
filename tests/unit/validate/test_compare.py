"""A delivery compared with the previous period's (docs/reports.md, kwaliteit.html); counts by hand."""

from __future__ import annotations

import pandas as pd

from pipeline.validate.compare import compare_dataset, compare_periods


def _inzet(partner: str, period: str, rows: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "partner_id": [partner] * len(rows),
            "regel_id": [r for r, _ in rows],
            "uren_per_week": [u for _, u in rows],
            "startdatum": pd.to_datetime(["2021-01-01"] * len(rows)),
            "bron_bestand": [f"{period}/{partner}/inzet_{period}.csv"] * len(rows),
            "bron_rij": list(range(2, 2 + len(rows))),
            "levering_periode": [period] * len(rows),
        }
    )


def test_added_removed_changed_per_partner():
    # before: r1 (8 h), r2 (10 h), r3 (20 h), r4 (24 h); now: r2 (12 h), r3 (20 h, other Excel row), r5 (16 h)
    # added: r5 -> 1; removed: r1, r4 -> 2; changed: r2 (10 -> 12) -> 1; r3 only moved -> unchanged
    before = _inzet("bouw-a", "2021Q2", [("r1", 8.0), ("r2", 10.0), ("r3", 20.0), ("r4", 24.0)])
    now = _inzet("bouw-a", "2021Q3", [("r2", 12.0), ("r5", 16.0), ("r3", 20.0)])
    row = compare_dataset(now, before, "inzet").iloc[0]
    assert (row["rijen_vorige"], row["rijen_nu"]) == (4, 3)
    assert (row["toegevoegd"], row["verwijderd"], row["gewijzigd"]) == (1, 2, 1)
    assert (row["levering_vorige"], row["levering_nu"]) == ("2021Q2", "2021Q3")
    assert not row["krimp"]  # 3 of 4 rows: not less than half


def test_a_delivery_that_more_than_halves_stands_out():
    # 4 rows before, 1 now: 1 < 4 / 2 -> shrinking; 3 removed
    before = _inzet("bouw-a", "2021Q2", [("r1", 8.0), ("r2", 10.0), ("r3", 20.0), ("r4", 24.0)])
    now = _inzet("bouw-a", "2021Q3", [("r1", 8.0)])
    row = compare_dataset(now, before, "inzet").iloc[0]
    assert row["krimp"] and row["verwijderd"] == 3 and row["gewijzigd"] == 0


def test_carried_forward_and_new_partner():
    # bouw-a did not deliver: its 2021Q2 rows are used again -> nothing added, removed or changed;
    # bouw-b is new: its 2 rows are added, 0 before
    carried = _inzet("bouw-a", "2021Q2", [("r1", 8.0)])
    new = _inzet("bouw-b", "2021Q3", [("x1", 8.0), ("x2", 8.0)])
    out = compare_periods({"inzet": pd.concat([carried, new])}, {"inzet": carried}).set_index("partner_id")
    assert out.loc["bouw-a", ["toegevoegd", "verwijderd", "gewijzigd"]].tolist() == [0, 0, 0]
    assert out.loc["bouw-a", "levering_nu"] == "2021Q2"
    assert out.loc["bouw-b", ["rijen_vorige", "rijen_nu", "toegevoegd"]].tolist() == [0, 2, 2]
