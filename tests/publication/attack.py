"""The attacker of issue 15, as code: everything published, turned into linear constraints on the true counts, and
each protected count bounded from below and above by linear programming (scipy's HiGHS).

What the attacker knows (everything public):
- the method and its parameters (cell-key rounding to `base`, publication/cell_key.py), so each published figure v
  says the true count is in possible_counts(v); the algorithm-aware search (`achievable`) checks, for every
  figure, that each count in that interval really can be published as v by some cell key, so the method itself
  excludes nothing more;
- every table of every release: the cells, the totals by row and by column, the grand total, and the same counts by
  force area, each read as its own rounding of the sum of that area's neighbourhood cells, as are each
  neighbourhood's total and each area's total (so the attacker can difference any of them against their cells); a cell published in several releases must have one true
  value in all of them (so a revision would narrow it);
- the public pages: meetings announced there are counted exactly (`announced_meetings`), so the attacker subtracts
  them and only the rest is protected;
- and, as the attacker of issue 15 may, that a cell whose figure is 0 could still be non-zero (we assume nothing else).

A protected count is "pinned" when the attacker's interval for it holds fewer than `base` values."""
import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import linprog

from publication import cell_key

ALL = "all"
PROTECTED_TABLES = {
    # dataset: (row field, measure, exactly-known part)
    "concerns-by-category-neighbourhood-quarter": ("category", "concerns", None),
    "engagements-by-type-neighbourhood-quarter": ("engagement_type", "engagements", "announced_meetings"),
}

# The force-area tables: each figure is published as the rounding of its area's neighbourhood counts added up, so the
# attacker reads it as bounds on that sum and subtracts it from, or adds it to, the neighbourhood cells at will.
AREA_TABLES = {
    # dataset: (its neighbourhood table, row field, measure, exactly-known part)
    "concerns-by-category-force-area-quarter": ("concerns-by-category-neighbourhood-quarter", "category", "concerns", None),
    "engagements-by-type-force-area-quarter": ("engagements-by-type-neighbourhood-quarter", "engagement_type", "engagements",
                                               "announced_meetings"),
}


@dataclass
class Knowledge:
    """Linear constraints lo <= sum(x[cells]) <= hi on the protected (unannounced) true counts, x >= 0."""

    base: int
    variables: dict[tuple, int] = field(default_factory=dict)  # (dataset, quarter, row, neighbourhood) -> index
    constraints: list[tuple[list[int], int, int]] = field(default_factory=list)
    truth_keys: list[tuple] = field(default_factory=list)

    def variable(self, key: tuple) -> int:
        if key not in self.variables:
            self.variables[key] = len(self.variables)
            self.truth_keys.append(key)
        return self.variables[key]


def achievable(published: int, base: int) -> set[int]:
    """Every true count some cell key would publish as `published` (brute force over all keys and counts)."""
    return {count for count in range(published + 2 * base) for key in range(cell_key.KEY_RANGE)
            if cell_key.rounded(count, key, base) == published}


def read_release(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Grid:
    """The full table the attacker reconstructs: the public vocabularies (categories, types) and the neighbourhoods
    (from the API), by quarter. A combination the release does not list was published as 0."""

    rows: dict[str, list[str]]  # dataset -> row keys (category slugs or engagement types)
    places: list[str]
    quarters: list[str]
    areas: dict[str, list[str]] = field(default_factory=dict)  # force area code -> its neighbourhoods' codes


def gather(release_folders: list[Path], base: int, grid: Grid) -> Knowledge:
    """Everything published in every release, as constraints."""
    knowledge = Knowledge(base=base)
    intervals = {count: (min(achievable(count, base)), max(achievable(count, base))) for count in range(0, 100, base)}

    def interval(figure: int) -> tuple[int, int]:
        if figure not in intervals:
            intervals[figure] = cell_key.possible_counts(figure, base)
        return intervals[figure]

    for folder in release_folders:
        for name, (row_field, measure, known_field) in PROTECTED_TABLES.items():
            listed = {(row["quarter"], row[row_field], row["neighbourhood"]):
                      int(row[measure]) - (int(row[known_field]) if known_field else 0) for row in read_release(folder, name)}
            for quarter in grid.quarters:
                lines = defaultdict(list)  # (row or ALL, place or ALL) -> variable indexes of the cells it adds up
                cell_bounds, figure_sums = {}, defaultdict(int)
                for kind in grid.rows[name]:
                    for place in grid.places:
                        figure = listed.get((quarter, kind, place), 0)
                        index = knowledge.variable((name, quarter, kind, place))
                        cell_bounds[index] = interval(figure)
                        knowledge.constraints.append(([index], *cell_bounds[index]))
                        for line in ((kind, ALL), (ALL, place), (ALL, ALL)):
                            lines[line].append(index)
                            figure_sums[line] += figure
                for line, cells in lines.items():
                    figure = listed.get((quarter, *line), 0)
                    if figure == figure_sums[line]:
                        # The method publishes a total as the sum of the published figures: the true total lies between
                        # the sums of the cells' bounds.
                        low, high = sum(cell_bounds[i][0] for i in cells), sum(cell_bounds[i][1] for i in cells)
                    else:  # a total that is not that sum: the worst case is that it is exact
                        low = high = figure
                    knowledge.constraints.append((cells, low, high))
                    if line[0] == ALL and line[1] != ALL and figure % knowledge.base == 0:
                        # A neighbourhood's total is rounded as its own count too (cell_key.rounded_table): the attacker
                        # reads it as bounds on the sum of its cells, to subtract them from it.
                        knowledge.constraints.append((cells, *interval(figure)))
        for name, (cells_table, row_field, measure, known_field) in AREA_TABLES.items():
            listed = {(row["quarter"], row[row_field], row["force"]):
                      int(row[measure]) - (int(row[known_field]) if known_field else 0) for row in read_release(folder, name)}
            for quarter in grid.quarters:
                for area, places in grid.areas.items():
                    everything, figure_sum, bound_sum = [], 0, [0, 0]
                    for kind in grid.rows[cells_table]:
                        figure = listed.get((quarter, kind, area), 0)
                        cells = [knowledge.variable((cells_table, quarter, kind, place)) for place in places]
                        low, high = interval(figure)
                        knowledge.constraints.append((cells, low, high))
                        everything += cells
                        figure_sum += figure
                        bound_sum = [bound_sum[0] + low, bound_sum[1] + high]
                    figure = listed.get((quarter, ALL, area), 0)
                    low, high = bound_sum if figure == figure_sum else (figure, figure)
                    knowledge.constraints.append((everything, low, high))
                    if figure % knowledge.base == 0:  # the area's total, rounded as its own count
                        knowledge.constraints.append((everything, *interval(figure)))
    return knowledge


@dataclass
class Bound:
    key: tuple
    low: int
    high: int

    @property
    def width(self) -> int:
        return self.high - self.low


def bounds(knowledge: Knowledge) -> list[Bound]:
    """The attacker's tightest interval for every protected count, from all constraints together. Constraints join only
    counts of one table and quarter (across releases too), so each table-quarter is solved on its own: the same bounds,
    on far smaller programs."""
    groups = defaultdict(list)
    for key, index in knowledge.variables.items():
        groups[key[:2]].append(index)
    result = []
    for indexes in groups.values():
        local = {index: position for position, index in enumerate(indexes)}
        rows, upper = [], []
        for cells, low, high in knowledge.constraints:
            if cells[0] not in local:
                continue
            vector = np.zeros(len(indexes))
            vector[[local[i] for i in cells]] = 1
            rows.append(vector), upper.append(high)
            rows.append(-vector), upper.append(-low)
        a_ub, b_ub = np.array(rows), np.array(upper)
        for index in indexes:
            objective = np.zeros(len(indexes))
            objective[local[index]] = 1
            lowest = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
            highest = linprog(-objective, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
            key = knowledge.truth_keys[index]
            assert lowest.status == 0 and highest.status == 0, f"the published figures contradict each other at {key}"
            # Counts are whole numbers: round the LP's bounds inwards.
            result.append(Bound(key, int(np.ceil(lowest.fun - 1e-9)), int(np.floor(-highest.fun + 1e-9))))
    return result


def pinned(knowledge: Knowledge) -> list[Bound]:
    """Protected counts the attacker can pin to fewer than `base` possible values."""
    return [bound for bound in bounds(knowledge) if bound.width < knowledge.base - 1]


def informative_share(release_folder: Path, grid: Grid) -> dict[str, tuple[float, float]]:
    """Per protected table: the share of listed cells (not totals) whose figure is not 0, and the share of the full
    grid (every category or type, neighbourhood or force area, and quarter) whose figure is not 0."""
    shares = {}
    tables = {name: (name, row_field, measure, "neighbourhood", len(grid.places)) for name, (row_field, measure, _) in PROTECTED_TABLES.items()}
    tables |= {name: (cells_table, row_field, measure, "force", len(grid.areas)) for name, (cells_table, row_field, measure, _) in AREA_TABLES.items()}
    for name, (cells_table, row_field, measure, place_field, places) in tables.items():
        cells = [row for row in read_release(release_folder, name) if row[row_field] != ALL and row[place_field] != ALL]
        informative = sum(int(row[measure]) > 0 for row in cells)
        full = len(grid.rows[cells_table]) * places * len(grid.quarters)
        shares[name] = (informative / len(cells) if cells else 0.0, informative / full if full else 0.0)
    return shares
