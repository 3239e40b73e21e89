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


def rounded_together(cells: dict, base: int) -> dict:
    """Round a group of cells (key -> the record keys of the records it counts) so that their figures add up to the
    group's own rounded count: the group (a force area's neighbourhoods, for one category and quarter) is published as
    one more table, and since its figure is exactly the sum of its cells' figures, subtracting them from it tells an
    attacker nothing (tests/publication/test_attack.py); yet small counts spread over many neighbourhoods add up before
    rounding, so the group's figure is within base - 1 of its true count.

    Each cell is still rounded to the multiple of `base` just below or just above its count (so every figure keeps its
    interval); the group's figure is rounded by its own cell key, the sum of its records' keys as in any other table.
    The cells that go up are those whose own cell key leans up the most (as `rounded` would send them, where that adds
    up), so a group of one cell is published exactly as `rounded` publishes it, and the same records always give the
    same figures."""
    counts = {key: len(record_keys) for key, record_keys in cells.items()}
    keys = {key: cell_key(record_keys) for key, record_keys in cells.items()}
    group_figure = rounded(sum(counts.values()), sum(keys.values()) % KEY_RANGE, base)
    figures = {key: count - count % base for key, count in counts.items()}
    # The sum of the cells' floors <= the group's floor <= its figure <= its ceiling <= the sum of the cells' ceilings,
    # so 0 <= ups <= the number of cells that are not already a multiple of base.
    ups = (group_figure - sum(figures.values())) // base
    leaning = sorted((key for key, count in counts.items() if count % base),
                     key=lambda key: (keys[key] * base - (counts[key] % base) * KEY_RANGE, str(key)))
    for key in leaning[:ups]:
        figures[key] += base
    return figures
