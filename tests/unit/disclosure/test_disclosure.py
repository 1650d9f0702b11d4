"""Small-count suppression (docs/domain.md: privacy and disclosure). Tables worked by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.disclosure import suppress as disclosure
from pipeline.disclosure.suppress import suppress_count, suppress_small_counts, suppression_mask

X = disclosure.SECONDARY_MARKER  # "×"


def test_single_small_cell_without_totals():
    # no total in the table: nothing to subtract from, only the 3 is hidden
    t = pd.DataFrame({"sector": ["bouw", "zorg", "groen"], "kandidaten": [3, 0, 12]})
    out = suppress_small_counts(t, ["kandidaten"], threshold=5)
    assert out["kandidaten"].tolist() == ["<5", 0, 12]
    assert out["sector"].tolist() == ["bouw", "zorg", "groen"]


def test_zero_is_not_suppressed_and_large_counts_stay():
    t = pd.DataFrame({"n": [0, 5, 0, 7]})
    out = suppress_small_counts(t, ["n"], threshold=5, total_row="Totaal")
    # 0 + 5 + 0 + 7 = 12; nothing in 1..4, nothing hidden
    assert out["n"].tolist() == [0, 5, 0, 7, 12]


def test_secondary_suppression_via_the_total_row():
    t = pd.DataFrame({"sector": ["bouw", "zorg", "groen"], "kandidaten": [3, 20, 9]})
    out = suppress_small_counts(t, ["kandidaten"], threshold=5, total_row="Totaal")
    # total 3 + 20 + 9 = 32 (computed before suppression). Showing only <5 for bouw would give
    # it away: 32 - 20 - 9 = 3. So the smallest other non-zero cell (groen, 9) is hidden too:
    # 32 - 20 = 12 = bouw + groen, which no longer pins bouw.
    assert out["kandidaten"].tolist() == ["<5", 20, X, 32]
    assert out["sector"].tolist() == ["bouw", "zorg", "groen", "Totaal"]
    assert out.index.tolist()[-1] == "Totaal"


def test_secondary_suppression_via_a_row_total_column():
    t = pd.DataFrame({"gemeente": ["Assen", "Emmen"], "man": [2, 11], "vrouw": [11, 14]})
    out = suppress_small_counts(t, ["man", "vrouw"], threshold=5, total_column="totaal")
    # Assen: totaal 2 + 11 = 13; 13 - 11 = 2 would give the man cell away → vrouw hidden too.
    # Emmen: 11 + 14 = 25, nothing small.
    assert out.loc[0, ["man", "vrouw", "totaal"]].tolist() == ["<5", X, 13]
    assert out.loc[1, ["man", "vrouw", "totaal"]].tolist() == [11, 14, 25]


def test_both_totals_hide_a_rectangle_of_four_cells():
    t = pd.DataFrame({"gemeente": ["A", "B", "C"], "man": [3, 10, 6], "vrouw": [7, 2, 8]})
    out = suppress_small_counts(t, ["man", "vrouw"], threshold=5, total_row="Totaal", total_column="totaal")
    # primary: A/man 3 and B/vrouw 2. Column man (total 19) needs a second hidden cell: B/man
    # (10) is chosen over C/man (6) because row B already has one hidden cell, so one extra
    # cell protects both. Likewise A/vrouw (7). The hidden cells form the rectangle A,B × man,
    # vrouw: a + b = 10, c + d = 12, a + c = 13, b + d = 9 has the solutions
    # (a, d) = (2, 1), (3, 2), (4, 3), so no cell can be worked out.
    assert out["man"].tolist() == ["<5", X, 6, 19]
    assert out["vrouw"].tolist() == [X, "<5", 8, 17]
    assert out["totaal"].tolist() == [10, 12, 14, 36]


def test_two_small_cells_that_pin_each_other_get_a_third():
    t = pd.DataFrame({"n": [4, 4, 10]})
    out = suppress_small_counts(t, ["n"], threshold=5, total_row="Totaal")
    # total 18; 18 - 10 = 8 over two cells of at most 4 → both must be 4. Hide the 10 too.
    assert out["n"].tolist() == ["<5", "<5", X, 18]


def test_a_small_total_is_itself_suppressed_and_protects_its_cell():
    t = pd.DataFrame({"n": [3, 0, 0]})
    out = suppress_small_counts(t, ["n"], threshold=5, total_row="Totaal")
    # total 3 is a count 1..4 itself: both hidden, the zeros say nothing about the 3
    assert out["n"].tolist() == ["<5", 0, 0, "<5"]


def test_groups_of_a_long_table_each_add_up_to_the_total_row():
    t = pd.DataFrame(
        {
            "dimensie": ["totaal", "sector", "sector", "doelgroep", "doelgroep"],
            "waarde": ["regio", "bouw", "zorg", "jongeren", "ouderen"],
            "gestart": [25, 22, 3, 10, 15],
        },
        index=["totaal", 1, 2, 3, 4],
    )
    out = suppress_small_counts(t, ["gestart"], threshold=5, total_row="totaal", groups="dimensie")
    # sector: 25 - 22 = 3 reveals zorg → bouw hidden too; doelgroep has nothing small
    assert out["gestart"].tolist() == [25, X, "<5", 10, 15]


def test_missing_counts_stay_missing():
    t = pd.DataFrame({"n": pd.array([2, pd.NA, 30], dtype="Int64")})
    out = suppress_small_counts(t, ["n"], threshold=5)
    assert out["n"].iloc[0] == "<5" and out["n"].iloc[1] is pd.NA and out["n"].iloc[2] == 30


def test_mask_tells_primary_from_secondary():
    t = pd.DataFrame({"n": [3, 20, 9, 32]}, index=["a", "b", "c", "Totaal"])
    mask = suppression_mask(t, ["n"], threshold=5, total_row="Totaal")
    assert mask["n"].tolist() == ["primair", "", "secundair", ""]


def test_threshold_comes_from_config(monkeypatch):
    t = pd.DataFrame({"n": [4, 5, 9, 12]})
    # settings.yaml: disclosure.drempel = 5
    assert suppress_small_counts(t, ["n"])["n"].tolist() == ["<5", 5, 9, 12]
    assert suppress_count(4) == "<5"
    fake = SimpleNamespace(disclosure=SimpleNamespace(drempel=10))
    monkeypatch.setattr(disclosure, "settings", lambda: fake)
    assert suppress_small_counts(t, ["n"])["n"].tolist() == ["<10", "<10", "<10", 12]
    assert suppress_count(9) == "<10"


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (17.0, 17)],
    ids=["zero_stays", "one", "four", "five_shown", "float_count"],
)
def test_suppress_count(n, expected):
    assert suppress_count(n, threshold=5) == expected


def test_suppress_count_keeps_missing():
    assert suppress_count(None, threshold=5) is None


def test_note_explains_both_marks():
    note = disclosure.suppression_note_nl(5)
    assert "<5" in note and X in note


# ---------------------------------------------------------------- property


def _is_hidden(value) -> bool:
    return isinstance(value, str)


@st.composite
def _tables(draw):
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 4))
    small_heavy = st.one_of(st.integers(0, 6), st.integers(0, 40))
    data = {f"c{j}": draw(st.lists(small_heavy, min_size=n_rows, max_size=n_rows)) for j in range(n_cols)}
    with_row = draw(st.booleans())
    with_col = draw(st.booleans())
    return pd.DataFrame(data), with_row, with_col


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@settings(max_examples=150, deadline=None)
@given(_tables())
def test_property_no_small_counts_and_no_lonely_hidden_cell(case):
    table, with_row, with_col = case
    cols = list(table.columns)
    out = suppress_small_counts(
        table,
        cols,
        threshold=5,
        total_row="Totaal" if with_row else None,
        total_column="totaal" if with_col else None,
    )
    counted = cols + (["totaal"] if with_col else [])
    for col in counted:
        for value in out[col]:
            assert _is_hidden(value) or not 1 <= value <= 4
    for col in cols:  # what is shown is the true count
        for shown, true in zip(out[col], table[col]):
            assert _is_hidden(shown) or shown == true
    if with_row:  # every column (with its total-row cell) is a group
        for col in counted:
            assert sum(_is_hidden(v) for v in out[col]) != 1
    if with_col:  # every row (with its row total) is a group
        for _, row in out[counted].iterrows():
            assert sum(_is_hidden(v) for v in row) != 1
