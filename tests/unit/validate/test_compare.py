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


def _by_hand(now: pd.DataFrame, before: pd.DataFrame) -> dict[str, tuple[int, int, int, int, int]]:
    """The rule in plain Python, one partner at a time: (rows before, rows now, added, removed,
    changed); the first row of a key counts, a value is the same when both are missing or equal."""

    def rows(frame):
        out: dict[str, dict[str, float | None]] = {}
        for p, k, u in zip(frame["partner_id"], frame["regel_id"], frame["uren_per_week"]):
            out.setdefault(p, {}).setdefault(k, None if pd.isna(u) else float(u))
        return out

    n, b = rows(now), rows(before)
    result = {}
    for p in sorted(set(n) | set(b)):
        nk, bk = n.get(p, {}), b.get(p, {})
        result[p] = (
            int((before["partner_id"] == p).sum()),
            int((now["partner_id"] == p).sum()),
            len(set(nk) - set(bk)),
            len(set(bk) - set(nk)),
            sum(1 for k in set(nk) & set(bk) if nk[k] != bk[k]),
        )
    return result


def test_many_partners_in_one_pass_give_what_each_partner_alone_gives():
    # 40 partners, keys shared between partners (a key is only the same row within one partner),
    # a duplicated key, missing hours on both sides; counted by hand per partner (_by_hand)
    import random

    rng = random.Random(7)
    before_rows, now_rows = [], []
    for i in range(40):
        p = f"p{i:02d}"
        for k in range(rng.randint(0, 12)):
            hours = rng.choice([8.0, 12.0, 16.0, None])
            before_rows.append((p, f"r{k}", hours))
            if rng.random() < 0.7:  # kept, sometimes changed
                now_rows.append((p, f"r{k}", hours if rng.random() < 0.8 else 40.0))
        for k in range(rng.randint(0, 4)):  # new rows
            now_rows.append((p, f"n{k}", 8.0))
    now_rows.append(now_rows[0])  # a key twice: the first row counts
    cols = ["partner_id", "regel_id", "uren_per_week"]
    now, before = pd.DataFrame(now_rows, columns=cols), pd.DataFrame(before_rows, columns=cols)
    out = compare_dataset(now, before, "inzet").set_index("partner_id")
    got = {
        p: tuple(int(v) for v in r)
        for p, r in out[["rijen_vorige", "rijen_nu", "toegevoegd", "verwijderd", "gewijzigd"]].iterrows()
    }
    assert got == _by_hand(now, before)
    assert len(got) >= 35  # most partners have rows on some side


def test_dates_strings_and_missing_values_compare_as_the_rule_says():
    # r1: the same day at another hour -> unchanged; r2: both dates missing -> unchanged;
    # r3: a date where there was none -> changed; r4: empty text and missing text -> unchanged;
    # r5: other text -> changed. Changed: r3 and r5 -> 2
    def frame(period, dates, texts):
        rows = _inzet("bouw-a", period, [(f"r{i}", 8.0) for i in range(1, 6)])
        return rows.assign(
            startdatum=pd.to_datetime(dates, format="ISO8601"),
            omschrijving=pd.Series(texts, dtype="string"),
        )

    before = frame("2021Q2", ["2021-01-01 00:00", None, None, "2021-01-04", "2021-01-05"], ["a", "b", "c", "", "e"])
    now = frame(
        "2021Q3", ["2021-01-01 15:30", None, "2021-01-03", "2021-01-04", "2021-01-05"], ["a", "b", "c", None, "E"]
    )
    row = compare_dataset(now, before, "inzet").iloc[0]
    assert row["gewijzigd"] == 2
