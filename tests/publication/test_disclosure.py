"""Disclosure control: no published count under the threshold, and no suppressed count that can
be worked out from the published counts and totals."""
from hypothesis import given, settings, strategies as st

from publication.disclosure import Table, alternative, suppress

counts = st.integers(min_value=0, max_value=30) | st.integers(min_value=0, max_value=6)
tables = st.integers(1, 6).flatmap(lambda columns: st.lists(st.lists(counts, min_size=columns, max_size=columns), min_size=1, max_size=6))


def full_grid(table: Table, values: dict) -> dict:
    """Every cell of the table (counts and totals), with `values` in place of the true ones."""
    return {cell: values.get(cell, table.value(cell)) for cell in table.cells()}


def consistent(table: Table, grid: dict) -> bool:
    """The grid is a real table: counts of 0 or more whose rows and columns add up to its totals."""
    rows, columns = table.rows, table.columns
    if any(value < 0 or value != int(value) for value in grid.values()):
        return False
    return (
        all(sum(grid[(i, j)] for j in range(columns)) == grid[(i, columns)] for i in range(rows + 1))
        and all(sum(grid[(i, j)] for i in range(rows)) == grid[(rows, j)] for j in range(columns + 1))
    )


@settings(max_examples=400, deadline=None)
@given(tables, st.integers(min_value=2, max_value=10))
def test_no_published_cell_is_under_the_threshold_and_none_can_be_recovered(counts_, threshold):
    table = Table(counts_)
    hidden = suppress(table, threshold)
    shown = {cell: table.value(cell) for cell in table.cells() if cell not in hidden}
    assert not any(0 < value < threshold for value in shown.values())
    for cell in hidden:
        # A different table that agrees with everything shown proves the hidden cell cannot be worked out.
        values = alternative(table, hidden, cell)
        assert values is not None, f"cell {cell} of {counts_} could be recovered"
        grid = full_grid(table, values)
        assert consistent(table, grid)
        assert all(grid[c] == v for c, v in shown.items())
        assert grid[cell] != table.value(cell)


@settings(max_examples=200, deadline=None)
@given(tables, st.integers(min_value=2, max_value=10))
def test_no_row_or_column_has_a_single_suppressed_cell(counts_, threshold):
    """The simplest attack, checked independently: a line with one hidden cell gives it away by subtraction."""
    table = Table(counts_)
    hidden = suppress(table, threshold)
    for i in range(table.rows + 1):
        assert sum((i, j) in hidden for j in range(table.columns + 1)) != 1
    for j in range(table.columns + 1):
        assert sum((i, j) in hidden for i in range(table.rows + 1)) != 1


def test_a_single_small_count_takes_others_with_it():
    table = Table([[3, 10], [12, 20]])
    hidden = suppress(table, 5)
    assert (0, 0) in hidden and len(hidden) >= 4
    assert (2, 2) not in hidden  # the grand total is kept when other cells can protect the small one


def test_zeros_are_published():
    table = Table([[0, 10], [12, 20]])
    assert suppress(table, 5) == set()
