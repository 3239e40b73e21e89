"""Disclosure control: no published count under the threshold, and no suppressed count that can
be worked out from the published counts and totals."""
import datetime as dt
from types import SimpleNamespace

from hypothesis import given, settings, strategies as st

from crm.models import PriorityStatus
from publication.disclosure import Table, alternative, suppress
from publication.releases import neighbourhood_count_rows

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


# --- The priorities and actions tables of a release, as published rows --------------------------------------------------

PLACES = {pk: SimpleNamespace(code=f"N{pk}", name=f"Neighbourhood {pk}", force_area=SimpleNamespace(code="cumbria")) for pk in range(1, 5)}
STATUSES = dict(PriorityStatus.choices)
MONTHS = [dt.date(2025, 1, 1), dt.date(2025, 2, 1)]


@st.composite
def priority_counts(draw):
    """Counts by (month, (category, status), neighbourhood): mostly zero, some small, some large."""
    categories = {slug: slug.title() for slug in draw(st.sets(st.sampled_from(["fly-tipping", "noise", "speeding"]), min_size=1))}
    places = {pk: PLACES[pk] for pk in range(1, draw(st.integers(1, 4)) + 1)}
    months = MONTHS[: draw(st.integers(1, 2))]
    keys = [(month, (category, status), place) for month in months for category in categories for status in STATUSES for place in places]
    values = draw(st.lists(st.integers(0, 0) | st.integers(1, 6) | st.integers(0, 25), min_size=len(keys), max_size=len(keys)))
    return months, categories, places, dict(zip(keys, values))


@settings(max_examples=150, deadline=None)
@given(priority_counts(), st.integers(min_value=2, max_value=10))
def test_no_published_priority_count_is_under_the_threshold_and_none_can_be_recovered_from_the_margins(drawn, threshold):
    months, categories, places, counts = drawn
    published = neighbourhood_count_rows(months=months, categories=categories, statuses=STATUSES, places=places, counts=counts,
                                         threshold=threshold, measure="priorities")
    row_keys = [(category, status) for category in sorted(categories) for status in STATUSES]
    codes = [place.code for place in places.values()]
    for month in months:
        # Read the month's table back from the published rows alone: (row, column) -> count, or None when suppressed.
        cells = {}
        for row in (r for r in published if r["month"] == f"{month:%Y-%m}"):
            i = len(row_keys) if row["category"] == "all" else row_keys.index((row["category"], row["status"]))
            j = len(codes) if row["neighbourhood"] == "all" else codes.index(row["neighbourhood"])
            assert row["suppressed"] is (row["priorities"] is None)
            cells[(i, j)] = row["priorities"]
        table = Table([[counts[(month, key, pk)] for pk in places] for key in row_keys])
        assert set(cells) == set(table.cells())
        hidden = {cell for cell, value in cells.items() if value is None}
        shown = {cell: value for cell, value in cells.items() if value is not None}
        assert all(value == table.value(cell) for cell, value in shown.items())  # what is shown is true
        assert not any(0 < value < threshold for value in shown.values())
        for cell in hidden:
            values = alternative(table, hidden, cell)
            assert values is not None, f"cell {cell} of {month} could be recovered"
            grid = full_grid(table, values)
            assert consistent(table, grid) and all(grid[c] == v for c, v in shown.items()) and grid[cell] != table.value(cell)


def test_a_table_with_no_categories_yet_publishes_zero_totals_by_neighbourhood():
    published = neighbourhood_count_rows(months=MONTHS[:1], categories={}, statuses=STATUSES, places={1: PLACES[1]}, counts={},
                                         threshold=5, measure="priorities")
    assert [(r["category"], r["status"], r["neighbourhood"], r["priorities"], r["suppressed"]) for r in published] == [
        ("all", "all", "N1", 0, False), ("all", "all", "all", 0, False),
    ]
