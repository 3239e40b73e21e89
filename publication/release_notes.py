"""What changed in an open-data release since the one before it, in sentences a reader can follow.

Worked out from what both releases hold (their periods, their files' hashes and row counts, what they left out) and
from the quarters each published first, so every release has its note, older ones included, and the note can only say
what anyone comparing the two releases' files would see."""
from __future__ import annotations

from collections import defaultdict

from publication.models import PublishedPeriod, Release, ReleaseTrigger
from publication.releases import CONCERNS, ENGAGEMENTS, quarter_label

PROTECTED_TITLES = {CONCERNS.name: "concerns", ENGAGEMENTS.name: "engagement"}


def first_published(releases) -> dict[int, list[tuple[str, str]]]:
    """For each release, the protected quarters it published first, as (table, quarter label). One query."""
    found = defaultdict(list)
    rows = PublishedPeriod.objects.filter(release__in=[r.pk for r in releases]).order_by("period_start", "dataset")
    for release_id, dataset, start in rows.values_list("release_id", "dataset", "period_start"):
        found[release_id].append((dataset, quarter_label(start)))
    return found


def _tables(release: Release) -> dict[str, dict]:
    return {entry["name"]: entry for entry in release.files if entry.get("format") == "csv"}


def _date(day) -> str:
    return f"{day:%-d %B %Y}" if day else "an unknown date"


def release_changes(release: Release, previous: Release | None, first: list[tuple[str, str]]) -> list[str]:
    """Sentences saying what `release` changes against `previous` (the published release before it, or None)."""
    why = "Built on the monthly schedule." if release.trigger == ReleaseTrigger.SCHEDULE else "Built on demand, between scheduled releases."
    if previous is None:
        return ["The first release.", why]
    notes = [why]
    label = f"version {previous.version}"
    if (release.period_start, release.period_end) == (previous.period_start, previous.period_end):
        notes.append(f"Covers the same period as {label} ({_date(release.period_start)} to {_date(release.period_end)}).")
    else:
        notes.append(f"Covers {_date(release.period_start)} to {_date(release.period_end)}; "
                     f"{label} covered {_date(previous.period_start)} to {_date(previous.period_end)}.")
    added = defaultdict(list)
    for dataset, quarter in first:
        added[quarter].append(PROTECTED_TITLES.get(dataset, dataset))
    for quarter, tables in added.items():
        notes.append(f"Adds the {' and '.join(tables)} figures for {quarter} (published for the first time, and never revised).")
    if release.threshold != previous.threshold and release.threshold and previous.threshold:
        notes.append(f"Counts are now rounded to a multiple of {release.threshold} ({label}: {previous.threshold}).")
    ours, theirs = _tables(release), _tables(previous)
    changed = [entry for name, entry in ours.items() if name in theirs and entry["sha256"] != theirs[name]["sha256"]]
    for entry in changed:
        if entry["name"] in PROTECTED_TITLES:
            continue  # its quarters are told above: a published quarter's figures never change
        notes.append(f"{entry['title']}: counted again, as every release does, from what the public pages list now "
                     f"(priorities and actions agreed, moved on or closed since), so some figures differ from {label}'s.")
    for name in ours.keys() - theirs.keys():
        notes.append(f"New table: {ours[name]['title']}.")
    for name in theirs.keys() - ours.keys():
        notes.append(f"No longer released: {theirs[name]['title']}.")
    if not changed and ours.keys() == theirs.keys():
        notes.append(f"Every figure is the same as in {label}: its files and this release's are identical, byte for byte.")
    return notes


def notes_for(releases: list[Release], older: Release | None = None) -> dict[int, list[str]]:
    """The change notes of published `releases` (newest first), each against the one after it in the list, the last
    against `older` (the published release before them all, or None). One query."""
    first = first_published(releases)
    chain = [*releases, older]
    return {release.pk: release_changes(release, chain[index + 1], first.get(release.pk, [])) for index, release in enumerate(releases)}
