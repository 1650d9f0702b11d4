"""Small-count suppression for partner and regional pages (docs/domain.md: privacy and disclosure).

Any count of persons from 1 to ``drempel - 1`` (``settings.disclosure.drempel``, 5) is shown as
``<5``; 0 stays 0. Totals are computed *before* suppression, so a total shows the true number.
That alone would let a reader recover a hidden cell by subtraction (total 23, visible 20 →
hidden 3), so a second cell is hidden too ("secondary suppression").

The algorithm (a simple greedy form of the usual complementary cell suppression used by
statistics offices):

1. A *group* is a set of cells that add up to a total in the same table: a count column over the
   body rows together with its cell in the total row (per block when ``groups`` is given), and a
   row's count cells together with its cell in the row-total column.
2. Primary: every count cell with ``0 < value < drempel`` is hidden as ``<drempel``.
3. Repeat until nothing changes: a group whose hidden cells could be worked out from what is
   shown needs one more hidden cell. That is the case when exactly one cell of the group is
   hidden, or when every hidden cell is a primary one, the total is shown, and the difference
   (total minus the visible cells) can only be split one way over cells of 1..drempel-1
   (all ones, or all ``drempel - 1``, e.g. two cells ``<5`` adding up to 8).
   The extra cell is a non-zero visible body cell of that group: preferably one whose other
   group already has a single hidden cell (so one extra cell protects two groups), and not one
   whose other group had none hidden yet; then the smallest; then the first in table order.
   Failing such a cell, the group's total; failing that, a visible zero.
4. Secondary cells show ``×`` (``SECONDARY_MARKER``), not ``<5``: they may hold any number, and
   printing ``<5`` over a 20 would tell the reader something false. Pages explain both marks
   with :func:`suppression_note_nl`.

Each step hides one more cell, so the loop ends. The result: no count 1..drempel-1 is shown,
and no group with a total has exactly one hidden cell.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.core.settings import settings
from pipeline.report.formatting import is_missing

SECONDARY_MARKER = "×"
PRIMARY = "primair"
SECONDARY = "secundair"


def suppression_note_nl(threshold: int | None = None) -> str:
    """The legend pages print under a suppressed table (once per page: the page renderer keeps
    the first and drops the rest, and drops it where nothing is suppressed).

    >>> suppression_note_nl(5)
    '<5: 1 tot en met 4 personen, niet precies getoond. ×: niet getoond, omdat anders een klein aantal elders in de tabel terug te rekenen is.'
    """
    drempel = _threshold(threshold)
    return (
        f"<{drempel}: 1 tot en met {drempel - 1} personen, niet precies getoond. "
        f"{SECONDARY_MARKER}: niet getoond, omdat anders een klein aantal elders in de tabel "
        "terug te rekenen is."
    )


def _threshold(threshold: int | None) -> int:
    # docs/domain.md, "Suppression of small counts": the threshold is configuration
    return int(settings().disclosure.drempel if threshold is None else threshold)


def suppress_count(n: object, threshold: int | None = None) -> str | int | object:
    """One count of persons for display: ``'<5'`` for 1..4, else the count (missing stays missing).

    >>> [suppress_count(n, 5) for n in [0, 1, 4, 5, 12.0]]
    [0, '<5', '<5', 5, 12]
    """
    if is_missing(n):
        return n
    drempel = _threshold(threshold)
    if 0 < float(n) < drempel:
        return f"<{drempel}"
    return int(n) if float(n).is_integer() else n


@dataclass(frozen=True)
class _Group:
    body: tuple[tuple[int, int], ...]  # (row position, column position)
    total: tuple[int, int]


def _groups(
    n_rows: int,
    columns: Sequence[int],
    total_row: int | None,
    total_col: int | None,
    blocks: Sequence[Sequence[int]],
) -> list[_Group]:
    groups = []
    if total_row is not None:
        for col in [*columns, *([total_col] if total_col is not None else [])]:
            for block in blocks:
                groups.append(_Group(tuple((r, col) for r in block), (total_row, col)))
    if total_col is not None:
        for row in range(n_rows):
            groups.append(_Group(tuple((row, c) for c in columns), (row, total_col)))
    return groups


def _needs_more(group: _Group, values, hidden, primary, drempel: int) -> bool:
    cells = [*group.body, group.total]
    hidden_cells = [c for c in cells if hidden[c]]
    if len(hidden_cells) == 1:
        return True
    if not hidden_cells or hidden[group.total]:
        return False
    if not all(primary[c] for c in hidden_cells):
        return False
    # What a reader computes: total minus visible body cells; NA counts as nothing.
    visible = sum(values[c] for c in group.body if not hidden[c] and not is_missing(values[c]))
    remainder = values[group.total] - visible
    k = len(hidden_cells)
    return remainder in (k, k * (drempel - 1))


def _pick(group: _Group, values, hidden, member_of) -> tuple[int, int] | None:
    visible_body = [c for c in group.body if not hidden[c] and not is_missing(values[c])]
    nonzero = [c for c in visible_body if values[c] != 0]
    if nonzero:
        return min(nonzero, key=lambda c: _cost(c, group, values, hidden, member_of))
    if not hidden[group.total] and not is_missing(values[group.total]):
        return group.total
    zeros = [c for c in visible_body if values[c] == 0]
    return zeros[0] if zeros else None


def _cost(cell, group: _Group, values, hidden, member_of) -> tuple:
    """Prefer a cell that also fixes another group (one hidden cell there already) over one
    that opens a new group (none hidden there yet); then the smallest value, then table order."""
    opened = fixed = 0
    for other in member_of[cell]:
        if other is group:
            continue
        n_hidden = sum(hidden[c] for c in (*other.body, other.total))
        opened += n_hidden == 0
        fixed += n_hidden == 1
    return (opened, -fixed, values[cell], cell)


def suppression_mask(
    table: pd.DataFrame,
    count_columns: list[str],
    threshold: int | None = None,
    total_row: Hashable | None = None,
    total_column: str | None = None,
    groups: str | None = None,
    forced: Iterable[tuple[Hashable, str]] = (),
) -> pd.DataFrame:
    """Which count cells to hide: ``'primair'``, ``'secundair'`` or ``''`` (same shape as
    ``table[count_columns (+ total_column)]``). See :func:`suppress_small_counts`.

    ``forced``: cells ``(row label, column)`` hidden from the start because another table of the
    page hides the same count (:func:`suppress_linked`); the groups they sit in get secondary
    cells like any other.
    """
    drempel = _threshold(threshold)
    cols = [c for c in count_columns if c != total_column]
    all_cols = cols + ([total_column] if total_column is not None else [])
    numbers = table[all_cols].apply(pd.to_numeric, errors="coerce")
    n_rows = len(table)
    values = {(r, c): numbers.iat[r, c] for r in range(n_rows) for c in range(len(all_cols))}
    total_pos = None
    if total_row is not None:
        positions = [i for i, label in enumerate(table.index) if label == total_row]
        if len(positions) != 1:
            raise ValueError(f"total_row {total_row!r} must label exactly one row")
        total_pos = positions[0]
    body_rows = [r for r in range(n_rows) if r != total_pos]
    if groups is None:
        blocks = [body_rows]
    else:
        keys = [str(k) for k in table[groups].tolist()]  # str: NaN keys form one block too
        blocks = [[r for r in body_rows if keys[r] == k] for k in dict.fromkeys(keys[r] for r in body_rows)]
    group_list = _groups(
        n_rows,
        range(len(cols)),
        total_pos,
        len(cols) if total_column is not None else None,
        blocks,
    )

    member_of: dict[tuple[int, int], list[_Group]] = {cell: [] for cell in values}
    for group in group_list:
        for cell in (*group.body, group.total):
            member_of[cell].append(group)

    primary = {cell: (not is_missing(v)) and 0 < v < drempel for cell, v in values.items()}
    hidden = dict(primary)
    for label, column in forced:
        cell = (table.index.get_loc(label), all_cols.index(column))
        if not is_missing(values[cell]):
            hidden[cell] = True
    changed = True
    while changed:
        changed = False
        for group in group_list:
            if _needs_more(group, values, hidden, primary, drempel):
                cell = _pick(group, values, hidden, member_of)
                if cell is not None:
                    hidden[cell] = True
                    changed = True

    mask = pd.DataFrame("", index=table.index, columns=all_cols, dtype=object)
    for (r, c), is_hidden in hidden.items():
        if is_hidden:
            mask.iat[r, c] = PRIMARY if primary[(r, c)] else SECONDARY
    return mask


def _with_totals(
    table: pd.DataFrame, cols: list[str], total_row: Hashable | None, total_column: str | None
) -> pd.DataFrame:
    """Add the total column / total row when missing, from the unsuppressed counts."""
    out = table.copy()
    if total_column is not None and total_column not in out.columns:
        out[total_column] = out[cols].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1)
    if total_row is not None and total_row not in out.index:
        counted = [*cols, *([total_column] if total_column is not None else [])]
        sums = out[counted].apply(pd.to_numeric, errors="coerce").sum(axis=0, min_count=1)
        row = pd.DataFrame([sums], index=[total_row]).reindex(columns=out.columns)
        labels = [c for c in out.columns if c not in counted]
        if labels:  # name the row in the first label column too, for pages without the index
            row[labels[0]] = str(total_row)
        out = pd.concat([out.astype({c: object for c in labels}), row], axis=0)
    return out


def suppress_small_counts(
    table: pd.DataFrame,
    count_columns: list[str],
    threshold: int | None = None,
    total_row: Hashable | None = None,
    total_column: str | None = None,
    groups: str | None = None,
    secondary_marker: str = SECONDARY_MARKER,
) -> pd.DataFrame:
    """A display copy of ``table`` with small counts of persons hidden (module docstring).

    Args:
        table: one row per category; counts of persons in ``count_columns``.
        count_columns: the columns holding counts of persons (only these are changed).
        threshold: counts ``1 .. threshold-1`` are hidden; default ``settings.disclosure.drempel``.
        total_row: index label of the row holding the column totals. Added (as the sum of the
            body rows, its label also in the first non-count column) when ``table`` has no such
            row.
        total_column: name of the column holding each row's total of ``count_columns``; it is a
            count column too. Added when missing.
        groups: for long tables (e.g. ``trajecten_stadia`` with ``dimensie``): the body rows of
            each value of this column add up to ``total_row`` on their own.
        secondary_marker: what a secondarily hidden cell shows.

    Returns:
        A copy with the count columns as ``object``: numbers, ``'<5'`` or the secondary marker.
        Missing counts stay missing.

    >>> t = pd.DataFrame({"sector": ["bouw", "zorg", "groen"], "n": [3, 20, 9]})
    >>> suppress_small_counts(t, ["n"], threshold=5, total_row="totaal")["n"].tolist()
    ['<5', 20, '×', 32]
    """
    drempel = _threshold(threshold)
    cols = [c for c in count_columns if c != total_column]
    full = _with_totals(table, cols, total_row, total_column)
    mask = suppression_mask(full, cols, drempel, total_row, total_column, groups)
    return _shown(full, mask, drempel, secondary_marker)


def _shown(full: pd.DataFrame, mask: pd.DataFrame, drempel: int, secondary_marker: str) -> pd.DataFrame:
    """``full`` with the masked cells replaced by their marks, counts as ints."""
    out = full.copy()
    for col in mask.columns:
        shown = []
        for value, flag in zip(full[col].tolist(), mask[col].tolist()):
            if flag == PRIMARY:
                shown.append(f"<{drempel}")
            elif flag == SECONDARY:
                shown.append(secondary_marker)
            elif not is_missing(value) and float(value).is_integer():
                shown.append(int(value))
            else:
                shown.append(value)
        out[col] = pd.Series(shown, index=out.index, dtype=object)
    return out


@dataclass(frozen=True)
class CountTable:
    """One table of a page for :func:`suppress_linked` (arguments as :func:`suppress_small_counts`).

    Row labels (the index) must be unique: links name cells by ``(row label, column)``.
    """

    frame: pd.DataFrame
    count_columns: tuple[str, ...]
    total_row: Hashable | None = None
    total_column: str | None = None
    groups: str | None = None


#: A cell of a page: (position of its table in the list, row label, column).
Cell = tuple[int, Hashable, str]


def suppress_linked(
    tables: Sequence[CountTable],
    links: Iterable[Iterable[Cell]],
    threshold: int | None = None,
    secondary_marker: str = SECONDARY_MARKER,
) -> list[pd.DataFrame]:
    """Suppress every table of one page consistently (docs/domain.md: a suppressed cell must not be
    recoverable, docs/reports.md: "same suppression").

    Each link names cells of different tables that show the same count of persons (a partner's
    placements in the per-partner breakdown and in the contributions table; a stage's total in
    each breakdown and in the funnel). Differencing two tables would recover a cell that one
    hides and the other shows, so a cell hidden in one table is hidden in every linked table,
    and each table then gets the secondary cells its own totals need; repeated until nothing
    changes (cells are only ever added, so it ends).

    >>> a = CountTable(pd.DataFrame({"n": [40, 20, 3]}, index=["z", "w", "s"]), ("n",), total_row="Totaal")
    >>> b = CountTable(pd.DataFrame({"n": [40, 20, 3]}, index=["z", "w", "s"]), ("n",))
    >>> shown = suppress_linked([a, b], [[(0, p, "n"), (1, p, "n")] for p in "zws"], threshold=5)
    >>> shown[0]["n"].tolist(), shown[1]["n"].tolist()
    ([40, '×', '<5', 63], [40, '×', '<5'])
    """
    drempel = _threshold(threshold)
    fulls, columns = [], []
    for t in tables:
        cols = [c for c in t.count_columns if c != t.total_column]
        fulls.append(_with_totals(t.frame, cols, t.total_row, t.total_column))
        columns.append(cols)
    for full in fulls:
        if not full.index.is_unique:
            raise ValueError("suppress_linked: row labels must be unique")
    groups = [[(i, r, c) for i, r, c in link if r in fulls[i].index and c in fulls[i].columns] for link in links]
    forced: list[set[tuple[Hashable, str]]] = [set() for _ in tables]
    while True:
        masks = [
            suppression_mask(full, cols, drempel, t.total_row, t.total_column, t.groups, forced=f)
            for full, cols, t, f in zip(fulls, columns, tables, forced)
        ]
        added = False
        for group in groups:
            if any(masks[i].at[r, c] for i, r, c in group):
                for i, r, c in group:
                    if not masks[i].at[r, c] and (r, c) not in forced[i] and not is_missing(fulls[i].at[r, c]):
                        forced[i].add((r, c))
                        added = True
        if not added:
            return [_shown(full, mask, drempel, secondary_marker) for full, mask in zip(fulls, masks)]
