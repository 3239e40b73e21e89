"""Statistical disclosure control for the open data: cell-key random rounding.

The method is the cell-key method the ONS used for Census 2021, with unbiased random rounding as
its perturbation table:

- every record has a *record key*, a number from 0 to KEY_RANGE - 1 that looks random and never
  changes (an HMAC of the record's kind and id under a secret kept beside the hub's settings, so no
  column is needed and nobody outside can work a key out);
- a cell's *cell key* is the sum of the record keys of the records it counts, modulo KEY_RANGE, so
  the same records always make the same cell key, in any table and any release;
- the *perturbation table* rounds a count to a multiple of `base`: a count that is already a
  multiple stays as it is; any other count goes up to the next multiple when its cell key falls
  in the first (remainder / base) of the key range, and down otherwise. Rounding is unbiased (on
  average a figure is the true count) and the same cell is always rounded the same way.

What a reader, or an attacker, can say about a published figure `v`: the true count lies between
v - (base - 1) and v + (base - 1) (never below 0). So a published 0 means "fewer than `base`,
possibly none", and no count of 1 to base - 1 is ever shown as it is. Totals are published as the
sum of the rounded figures they add up, so they add nothing an attacker could subtract with.

Within a force area the cells are rounded together (`rounded_table`): each still to the multiple just below or
above its count, but chosen so that every row, column and total is itself its count rounded; the cell keys decide
wherever the totals leave a choice. So a single cell is no longer exactly unbiased, but the totals are as close to
the truth as a rounded figure can be, and no total can be played against its cells.

Why rounding and not suppression: a suppressed cell tells the attacker it is not zero, and the
pattern of suppression, the totals and a second release can each pin it (issue 15). A rounded
figure says the same thing about a true 0 as about a true 4.

The attacker we hold against knows this method and `base`, reads every public page, the API and
every release, and compares releases. Only the record keys are secret (as the ONS keeps its
record keys): without them a rounded figure is as likely to come from any count in its interval
as the rounding probabilities allow. tests/publication/test_attack.py bounds every cell by linear
programming from everything published and checks that no count is pinned more narrowly."""
import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings

KEY_RANGE = 256  # as the ONS: record keys and cell keys run from 0 to 255


def record_key(kind: str, pk: int) -> int:
    """The record's key: stable for its life, unguessable without the secret."""
    secret = (settings.OPEN_DATA_RECORD_KEY_SECRET or f"open-data-record-keys:{settings.SECRET_KEY}").encode("utf-8")
    digest = hmac.new(secret, f"{kind}:{pk}".encode("ascii"), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") % KEY_RANGE


def cell_key(record_keys: Iterable[int]) -> int:
    return sum(record_keys) % KEY_RANGE


def rounded(count: int, key: int, base: int) -> int:
    """The published figure for a true `count` whose cell key is `key`: a multiple of `base`."""
    if count < 0:
        raise ValueError("Counts cannot be negative.")
    remainder = count % base
    if remainder == 0:
        return count
    goes_up = key * base < remainder * KEY_RANGE  # a share remainder / base of the keys rounds up
    return count - remainder + (base if goes_up else 0)


def possible_counts(published: int, base: int) -> tuple[int, int]:
    """The smallest and largest true count that could have been published as `published`."""
    if published % base:
        raise ValueError(f"{published} is not a multiple of {base}: it cannot be a published figure.")
    return max(0, published - (base - 1)), published + (base - 1)


def rounded_table(cells: dict, base: int) -> dict:
    """Round a two-way table ((row, column) -> the record keys of the records the cell counts; a force area's categories
    by its neighbourhoods) so that every row, every column and the whole table add up to a figure that is itself its
    count rounded to a multiple of `base` (controlled rounding, as statistical offices round two-way tables). The
    force-area table publishes the row sums, and the neighbourhood tables' 'all categories' rows the column sums: each
    within base - 1 of its true count, so small counts spread over many cells add up before rounding; and since every
    total is exactly the sum of its cells' figures, subtracting cells from totals tells an attacker nothing
    (tests/publication/test_attack.py).

    Every cell, row, column and the table is rounded to the multiple of `base` just below or just above its count, so
    each figure keeps its interval; a figure that is already a multiple stays. Among the roundings that add up (one
    always exists for a two-way table: Causey, Cox and Ernst 1985), the one chosen follows the cell keys as far as
    it can: the table's total, then each row and column, then each cell goes the way its own cell key (the sum of its
    records' keys, as in `rounded`) sends it. Solved as a small integer programme by HiGHS (scipy), deterministic, so
    the same records always give the same figures."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    cells = {key: record_keys for key, record_keys in cells.items() if record_keys}
    figures = {key: len(record_keys) - len(record_keys) % base for key, record_keys in cells.items()}
    loose = sorted((key for key, record_keys in cells.items() if len(record_keys) % base), key=str)
    if not loose:
        return figures
    # One 0/1 variable per cell that is not a multiple of base (1: rounded up), then per row, column and the table
    # whose count is not a multiple of base (1: its figure is the multiple above).
    lines = {"table": list(cells)}
    for key in cells:
        lines.setdefault(("row", key[0]), []).append(key)
        lines.setdefault(("column", key[1]), []).append(key)
    position = {("cell", key): n for n, key in enumerate(loose)}
    costs, equations = [], []

    def preference(count: int, keys) -> float:
        """How strongly the cell key sends this count up (positive) or down (negative), from -1 to 1."""
        return 2 * rounded(count, cell_key(keys), base) / base - 2 * (count // base) - 1

    for key in loose:
        costs.append(-preference(len(cells[key]), cells[key]))
    weights = {"table": 10_000}
    for name, members in sorted(lines.items(), key=lambda item: str(item[0])):
        everything = [k for member in members for k in cells[member]]
        count, floor_sum = len(everything), sum(figures[member] for member in members)
        ups_below = (count - count % base - floor_sum) // base  # the cells that go up when the line rounds down
        members_loose = [position[("cell", member)] for member in members if ("cell", member) in position]
        if count % base:
            position[("line", name)] = len(costs)
            costs.append(-preference(count, everything) * weights.get(name, 100))
            equations.append((members_loose, position[("line", name)], ups_below))
        else:
            equations.append((members_loose, None, ups_below))
    size = len(costs)
    matrix, targets = [], []
    for members_loose, line, ups_below in equations:
        row = np.zeros(size)
        row[members_loose] = 1
        if line is not None:
            row[line] = -1
        matrix.append(row), targets.append(ups_below)
    # A tiny tie-break per variable, so the optimum is unique and the same records always round the same way.
    tie_break = np.array([(n + 1) * 1e-7 for n in range(size)])
    result = milp(np.array(costs) + tie_break, integrality=np.ones(size), bounds=Bounds(0, 1),
                  constraints=LinearConstraint(np.array(matrix), targets, targets), options={"mip_rel_gap": 0})
    if result.status != 0:
        raise RuntimeError("No controlled rounding was found for a table; this should not happen (see the docstring).")
    for key in loose:
        if round(result.x[position[("cell", key)]]) == 1:
            figures[key] += base
    return figures
