"""Disclosure control for two-way count tables published with their totals.

A table has R rows and C columns of counts, the row totals, the column totals and the grand
total. Each is a "cell" at (i, j) with i in 0..R and j in 0..C, where row R holds the column
totals and column C the row totals (so (R, C) is the grand total).

Primary suppression hides every published count from 1 to threshold - 1 (zeros are shown:
"nobody" is not a person). Secondary suppression then hides more cells until no hidden cell
can be worked out from what is shown. A hidden cell can be worked out exactly when its value
is the same in every table of non-negative counts that agrees with everything shown. We
keep hiding cells until, for every hidden cell, we can build such a table in which that cell
differs (`alternative`): moving one up and down round a cycle of hidden cells keeps every
row and column sum, so it is proof that the cell cannot be recovered from the margins.

The table's equations become "every line sums to zero" if the totals are counted negative
(y = -x for row and column totals; the grand total is counted twice, so it stays positive).
A cycle of hidden cells that alternates +1/-1 in y then keeps every equation."""
from collections import deque
from dataclasses import dataclass, field

Cell = tuple[int, int]


@dataclass
class Table:
    """Counts by row and column; totals are worked out from them."""

    counts: list[list[int]]
    rows: int = field(init=False)
    columns: int = field(init=False)

    def __post_init__(self):
        self.rows = len(self.counts)
        self.columns = len(self.counts[0]) if self.counts else 0
        if any(len(row) != self.columns for row in self.counts):
            raise ValueError("Every row of the table needs the same number of columns.")
        if any(value < 0 for row in self.counts for value in row):
            raise ValueError("Counts cannot be negative.")
        self._values = {cell: self._work_out(cell) for cell in self.cells()}

    def value(self, cell: Cell) -> int:
        return self._values[cell]

    def _work_out(self, cell: Cell) -> int:
        i, j = cell
        if i < self.rows and j < self.columns:
            return self.counts[i][j]
        if i < self.rows:
            return sum(self.counts[i])
        if j < self.columns:
            return sum(row[j] for row in self.counts)
        return sum(map(sum, self.counts))

    def cells(self) -> list[Cell]:
        return [(i, j) for i in range(self.rows + 1) for j in range(self.columns + 1)]

    def is_total(self, cell: Cell) -> bool:
        return cell[0] == self.rows or cell[1] == self.columns


def _sign(table: Table, cell: Cell) -> int:
    """+1 for a count and the grand total, -1 for a row or column total (see the module's note)."""
    i, j = cell
    return -1 if (i == table.rows) != (j == table.columns) else 1


class _HiddenGraph:
    """Hidden cells as edges between line nodes, kept up to date as cells are added."""

    def __init__(self, hidden: set[Cell]):
        self.by_row: dict[int, set[Cell]] = {}
        self.by_column: dict[int, set[Cell]] = {}
        for cell in hidden:
            self.add(cell)

    def add(self, cell: Cell) -> None:
        self.by_row.setdefault(cell[0], set()).add(cell)
        self.by_column.setdefault(cell[1], set()).add(cell)


def alternative(table: Table, hidden: set[Cell], cell: Cell) -> dict[Cell, int] | None:
    """Values for the hidden cells, all non-negative, agreeing with every shown count and total,
    in which `cell` differs from its true value; None if no single cycle gives one."""
    path = _alternative_path(table, _HiddenGraph(hidden), cell)
    if path is None:
        return None
    values = {c: table.value(c) for c in hidden}
    for edge, delta_y in path:
        values[edge] += delta_y * _sign(table, edge)
    return values


def _alternative_path(table: Table, graph: _HiddenGraph, cell: Cell) -> list[tuple[Cell, int]] | None:
    for direction in (1, -1):
        path = _cycle(table, graph, cell, direction)
        if path is not None:
            return path
    return None


def _cycle(table: Table, graph: _HiddenGraph, start: Cell, direction: int) -> list[tuple[Cell, int]] | None:
    """A cycle through `start` whose alternating moves keep every hidden cell at 0 or more.

    Nodes are lines: ("r", i) and ("c", j). A hidden cell (i, j) joins ("r", i) and ("c", j).
    `start` moves by `direction` in y; then a move out of a column node is -direction and a move
    out of a row node is +direction (the signs alternate round a bipartite cycle). Breadth-first
    search finds a shortest path, which is simple, so no cell is moved twice."""

    def allowed(edge: Cell, delta_y: int) -> bool:
        return table.value(edge) + delta_y * _sign(table, edge) >= 0

    if not allowed(start, direction):
        return None
    rows, columns = table.rows, table.columns
    value = table.value
    origin, goal = ("c", start[1]), ("r", start[0])
    previous: dict[tuple, tuple | None] = {origin: None}
    queue = deque([origin])
    while queue and goal not in previous:
        node = queue.popleft()
        kind, index = node
        delta_y = -direction if kind == "c" else direction
        for edge in graph.by_column.get(index, ()) if kind == "c" else graph.by_row.get(index, ()):
            if edge == start:
                continue
            following = ("r", edge[0]) if kind == "c" else ("c", edge[1])
            if following in previous:
                continue
            # allowed(edge, delta_y), inlined: only a zero moved down is refused (the hot loop of suppress()).
            is_margin = (edge[0] == rows) != (edge[1] == columns)
            if (delta_y < 0) != is_margin and value(edge) == 0:
                continue
            previous[following] = (node, edge, delta_y)
            queue.append(following)
    if goal not in previous:
        return None
    path = [(start, direction)]
    node = goal
    while previous[node] is not None:
        node, edge, delta_y = previous[node]
        path.append((edge, delta_y))
    return path


def suppress(table: Table, threshold: int) -> set[Cell]:
    """The cells to hide: every count and total from 1 to threshold - 1, and enough others that
    none of them can be recovered from what is shown.

    Hiding more cells never takes away a cell's alternative (its cycle is still there), so each
    cell is checked once, and again only after cells were added for it."""
    hidden = {cell for cell in table.cells() if 0 < table.value(cell) < threshold}
    graph = _HiddenGraph(hidden)
    pending = deque(sorted(hidden))
    while pending:
        cell = pending.popleft()
        if _alternative_path(table, graph, cell) is not None:
            continue
        additions = _cheapest_rectangle(table, hidden, cell)
        if not additions:  # cannot happen: with every cell hidden, any cell can move round a rectangle
            raise RuntimeError(f"No way to protect cell {cell}.")
        for added in sorted(additions):
            hidden.add(added)
            graph.add(added)
            pending.append(added)
        pending.appendleft(cell)
    return hidden


def _cheapest_rectangle(table: Table, hidden: set[Cell], cell: Cell) -> set[Cell]:
    """Three more cells that close a rectangle with `cell`, hiding as little as possible: cells
    already hidden cost nothing, zeros cost most (a zero cannot move down), then the grand total."""

    def cost(other: Cell) -> int:
        if other in hidden:
            return 0
        value = table.value(other)
        penalty = 10**9 if value == 0 else 10**6 if other == (table.rows, table.columns) else 0
        return penalty + value

    i, j = cell
    options = [
        (cost((i, j2)) + cost((i2, j)) + cost((i2, j2)), (i2, j2))
        for i2 in range(table.rows + 1) if i2 != i for j2 in range(table.columns + 1) if j2 != j
    ]
    additions = set()
    for _, (i2, j2) in sorted(options):
        additions = {(i, j2), (i2, j), (i2, j2)} - hidden
        if additions:
            return additions
    return set(table.cells()) - hidden  # nothing left to add but everything
