"""Building an open-data release: count tables (concerns, engagements, priorities and actions; counts only, no free
text), each as CSV and JSON, described by a Frictionless `datapackage.json`.

Disclosure control (the method and the attacker it holds against: publication/cell_key.py):
- concerns and engagements are counted by closed quarter and neighbourhood, rounded by cell key, and a quarter's
  figures are fixed when first released (PublishedPeriod): no later release revises them, so comparing releases
  shows nothing; concerns wait until the collation has covered the whole quarter;
- so that small counts still say something, each is also published by force area: a force area's categories (or
  types) by neighbourhoods are rounded as one table (cell_key.rounded_table) so that each row, each neighbourhood's
  total and the area's total add up to their own count rounded, and the force-area table is the row sums. An attacker
  who subtracts cells from totals learns nothing (tests/publication/test_attack.py runs over both tables);
- priorities and actions are counted exactly, and only those the public pages list, so they tell no more than the
  pages (which list each one with its category, status and dates).

A release's files are stored (the "open_data" storage: a local folder, or S3) only once every table is built,
by the attempt that still owns the build, and are served only once it is published: a failed build leaves
nothing, and a published release's files never change."""
import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from row_security.context import system_context
from crm.models import ActionStatus, EngagementKind, PriorityStatus
from publication import selectors
from jobs.files import StoredFiles, files_stored_with_commit
from jobs.worker import job_is_still_mine
from publication import cell_key
from publication.models import PublishedPeriod, Release, ReleaseStatus
from read_routing.standby import reads_from_standby

LICENCE = {
    "name": "OGL-UK-3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "title": "Open Government Licence v3.0",
}
ALL = "all"  # the category, area or type of a total row
PACKAGE_TITLE = "Neighbourhood engagement and partner concerns (open data)"
PACKAGE_DESCRIPTION = (
    "Counts of partner concerns, of community engagement, and of the priorities agreed with communities and the actions "
    "taken on them. Counts only: no personal data, no free text, nothing finer than a neighbourhood. Concern and "
    "engagement counts are rounded to protect the people behind them."
)


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    fields: tuple[dict, ...]


MONTH = {"name": "month", "type": "yearmonth", "title": "Month", "constraints": {"required": True}}
QUARTER = {"name": "quarter", "type": "string", "title": "Quarter (such as 2026-Q3: July to September 2026)",
           "constraints": {"required": True, "pattern": "^[0-9]{4}-Q[1-4]$"}}
PLACE_FIELDS = (
    {"name": "force", "type": "string", "title": "Force (police.uk identifier, or 'all')", "constraints": {"required": True}},
    {"name": "neighbourhood", "type": "string", "title": "Neighbourhood (police.uk identifier, or 'all')",
     "constraints": {"required": True}},
    {"name": "neighbourhood_name", "type": "string", "title": "Neighbourhood"},
)
ROUNDED_NOTE = (
    "To protect the people behind them, these counts are rounded to a multiple of {base} (a count that is already a "
    "multiple stays as it is; others go up or down, the same way every time, so on average the figures are right). A "
    "published 0 means fewer than {base}, possibly none; any other figure is within {spread} of the true count. Rows named "
    "'all' are totals of the rounded figures. A quarter is published once it has ended and is never revised."
)
# Most combinations of category (or type) and neighbourhood have no count in a quarter; a table of zeros tells a reader
# little, so only figures that are not 0 are listed. Leaving out a 0 depends only on the published figure, so it tells an
# attacker nothing the figure would not.
LISTED_NOTE = (
    " Only figures that are not 0 are listed: a category (or type) and place missing from a quarter had a figure of "
    "0, that is fewer than {base}, possibly none."
)
EXACT_NOTE = (
    "These counts are exact: they count only what the neighbourhood pages and the police.uk-compatible API list "
    "(priorities and actions whose wording passed screening), so they tell no more than those pages. Rows named 'all' are totals."
)
CONCERNS = Dataset(
    "concerns-by-category-neighbourhood-quarter", "Concerns reported by partners, by category, neighbourhood and quarter",
    "Concerns heard by partner agencies (council, fire and rescue, housing and others), counted by issue category, "
    "neighbourhood and the quarter they were reported in, once the daily collation has placed them. OFFICIAL-SENSITIVE "
    "concerns are not counted.",
    (
        QUARTER,
        {"name": "category", "type": "string", "title": "Issue category (identifier, or 'all')", "constraints": {"required": True}},
        {"name": "category_name", "type": "string", "title": "Issue category"},
        *PLACE_FIELDS,
        {"name": "concerns", "type": "integer", "title": "Concerns (rounded)", "constraints": {"minimum": 0}},
    ),
)
ENGAGEMENTS = Dataset(
    "engagements-by-type-neighbourhood-quarter", "Community engagement by type, neighbourhood and quarter",
    "Engagements held by neighbourhood teams (beat meetings, PACT meetings, surgeries, door-to-door visits and others), "
    "counted by type, neighbourhood and quarter. Meetings announced beforehand on the public pages are counted exactly "
    "(announced_meetings); the rest are rounded, and engagements is the sum of the two.",
    (
        QUARTER,
        {"name": "engagement_type", "type": "string", "title": "Type (identifier, or 'all')", "constraints": {"required": True}},
        {"name": "engagement_type_name", "type": "string", "title": "Type"},
        *PLACE_FIELDS,
        {"name": "engagements", "type": "integer", "title": "Engagements (partly rounded)", "constraints": {"minimum": 0}},
        {"name": "announced_meetings", "type": "integer", "title": "Of which meetings announced on the public pages (exact)",
         "constraints": {"minimum": 0}},
    ),
)

AREA_FIELDS = (
    {"name": "force", "type": "string", "title": "Force area (police.uk identifier)", "constraints": {"required": True}},
    {"name": "force_name", "type": "string", "title": "Force area"},
)
AREA_NOTE = (
    " Each figure is the sum of the force area's neighbourhood figures in the neighbourhood table, which are rounded "
    "together so that this sum is the force area's own count rounded (as is each neighbourhood's total of every "
    "category or type): small counts spread over many neighbourhoods add up here before rounding."
)
CONCERNS_BY_AREA = Dataset(
    "concerns-by-category-force-area-quarter", "Concerns reported by partners, by category, force area and quarter",
    "The concerns of the neighbourhood table, counted by issue category, force area and quarter; the rows named 'all' "
    "are every category." + AREA_NOTE,
    (
        QUARTER,
        {"name": "category", "type": "string", "title": "Issue category (identifier, or 'all')", "constraints": {"required": True}},
        {"name": "category_name", "type": "string", "title": "Issue category"},
        *AREA_FIELDS,
        {"name": "concerns", "type": "integer", "title": "Concerns (rounded)", "constraints": {"minimum": 0}},
    ),
)
ENGAGEMENTS_BY_AREA = Dataset(
    "engagements-by-type-force-area-quarter", "Community engagement by type, force area and quarter",
    "The engagements of the neighbourhood table, counted by type, force area and quarter; the rows named 'all' are "
    "every type." + AREA_NOTE,
    (
        QUARTER,
        {"name": "engagement_type", "type": "string", "title": "Type (identifier, or 'all')", "constraints": {"required": True}},
        {"name": "engagement_type_name", "type": "string", "title": "Type"},
        *AREA_FIELDS,
        {"name": "engagements", "type": "integer", "title": "Engagements (partly rounded)", "constraints": {"minimum": 0}},
        {"name": "announced_meetings", "type": "integer", "title": "Of which meetings announced on the public pages (exact)",
         "constraints": {"minimum": 0}},
    ),
)


def _neighbourhood_count_fields(measure: str, title: str, status_title: str) -> tuple[dict, ...]:
    return (
        MONTH,
        {"name": "category", "type": "string", "title": "Issue category (identifier, or 'all')", "constraints": {"required": True}},
        {"name": "category_name", "type": "string", "title": "Issue category"},
        {"name": "status", "type": "string", "title": f"{status_title} (identifier, or 'all')", "constraints": {"required": True}},
        {"name": "status_name", "type": "string", "title": status_title},
        *PLACE_FIELDS,
        {"name": measure, "type": "integer", "title": title, "constraints": {"minimum": 0}},
    )


# Counts only: the wording of priorities and actions is reported back on the public pages and the
# police.uk-compatible API after screening, never in the open data (issue 7: no free text leaves).
NO_WORDING = (
    " The wording of priorities and actions is not in the open data: it is on each neighbourhood's public page "
    "and in the police.uk-compatible API once it has passed screening."
)
PRIORITIES = Dataset(
    "priorities-by-neighbourhood-category-status-month", "Neighbourhood priorities agreed, by neighbourhood, category, status and month",
    "Priorities agreed with communities (you said) and listed on the public pages, counted by the month they were agreed, "
    "issue category, status when the release was built and neighbourhood. Each table row is a category and status "
    "together; the totals are by neighbourhood (all categories and statuses) and by category and status (all "
    "neighbourhoods)." + NO_WORDING,
    _neighbourhood_count_fields("priorities", "Priorities", "Status of the priority"),
)
ACTIONS = Dataset(
    "actions-by-neighbourhood-category-status-month", "Actions taken on priorities, by neighbourhood, category, status and month",
    "Actions taken on the priorities agreed with communities (we did) and listed on the public pages, counted by the month "
    "of the action, the priority's issue category and neighbourhood, and the action's status when the release was built. "
    "Each table row is a category and status together; the totals are by neighbourhood and by category and status." + NO_WORDING,
    _neighbourhood_count_fields("actions", "Actions", "Status of the action"),
)

DATASETS = (CONCERNS, CONCERNS_BY_AREA, ENGAGEMENTS, ENGAGEMENTS_BY_AREA, PRIORITIES, ACTIONS)
PROTECTED = (CONCERNS, ENGAGEMENTS)  # rounded, published by closed quarter and never revised
# The force-area tables add up the neighbourhood tables' figures (so they follow their quarters, frozen or new).
BY_AREA = ((CONCERNS_BY_AREA, CONCERNS, "category", "category_name", ("concerns",)),
           (ENGAGEMENTS_BY_AREA, ENGAGEMENTS, "engagement_type", "engagement_type_name", ("engagements", "announced_meetings")))
ROUNDED = (*PROTECTED, CONCERNS_BY_AREA, ENGAGEMENTS_BY_AREA)


# --- Periods ------------------------------------------------------------------------------------------------------------

def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(start: dt.date) -> dt.date:
    return dt.date(start.year + 1, 1, 1) if start.month == 10 else dt.date(start.year, start.month + 3, 1)


def quarter_label(start: dt.date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def closed_quarters(today: dt.date, count: int) -> list[dt.date]:
    """The starts of the last `count` quarters that ended before `today`, oldest first."""
    starts, current = [], quarter_start(today)
    for _ in range(count):
        current = quarter_start(current - dt.timedelta(days=1))
        starts.append(current)
    return starts[::-1]


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], start
    while current < end:
        months.append(current)
        current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _first_of(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _place_fields(place) -> dict:
    if place is None:
        return {"force": ALL, "neighbourhood": ALL, "neighbourhood_name": "All neighbourhoods"}
    return {"force": place.force_area.code, "neighbourhood": place.code, "neighbourhood_name": place.name}


def _with_totals(cells: dict, row_keys: list, places: dict, measures: tuple[str, ...]) -> list[tuple]:
    """Every (row key, place) cell with its measures, then totals by row key, by place and overall, each the sum of the
    published figures (so a total adds nothing that could be subtracted). Yields (row key or ALL, place pk or None, values)."""
    zero = (0,) * len(measures)
    out = []
    for key in row_keys:
        for pk in places:
            out.append((key, pk, cells.get((key, pk), zero)))
    add = lambda values: tuple(map(sum, zip(*values))) if values else zero  # noqa: E731
    for key in row_keys:
        out.append((key, None, add([cells.get((key, pk), zero) for pk in places])))
    for pk in places:
        out.append((ALL, pk, add([cells.get((key, pk), zero) for key in row_keys])))
    out.append((ALL, None, add([cells.get((key, pk), zero) for key in row_keys for pk in places])))
    return out


# --- Protected tables: rounded by cell key ------------------------------------------------------------------------------

def _rounded_by_area(record_ids: dict, *, kind: str, base: int, places: dict) -> dict:
    """(row key, neighbourhood pk) -> record ids, rounded as one table per force area (cell_key.rounded_table), so
    that a force area's figure for a row key, a neighbourhood's total and the area's total are each their own count
    rounded."""
    groups = {}
    for (row_key, pk), ids in record_ids.items():
        groups.setdefault(places[pk].force_area_id, {})[(row_key, pk)] = [cell_key.record_key(kind, i) for i in ids]
    return {key: figure for group in groups.values() for key, figure in cell_key.rounded_table(group, base).items()}


def concern_quarter_rows(quarter: dt.date, *, base: int, categories: dict, places: dict) -> list[dict]:
    record_ids = {(row["category__slug"], row["neighbourhood_id"]): row["ids"]
                  for row in selectors.concern_cells(start=quarter, end=next_quarter(quarter))}
    cells = {key: (figure,) for key, figure in _rounded_by_area(record_ids, kind="concern", base=base, places=places).items()}
    label = quarter_label(quarter)
    return [
        {"quarter": label, "category": category, "category_name": categories.get(category, "All categories"),
         **_place_fields(places.get(pk)), "concerns": values[0]}
        for category, pk, values in _with_totals(cells, sorted(categories), places, ("concerns",))
        if any(values)  # listed only where the figure is not 0 (see LISTED_NOTE)
    ]


def engagement_quarter_rows(quarter: dt.date, *, base: int, kinds: dict, places: dict) -> list[dict]:
    """Announced meetings are public already (their page listed them), so they are counted exactly; only the
    engagements nobody outside saw listed are rounded."""
    announced_ids, other_ids = {}, {}
    for row in selectors.engagement_cells(start=quarter, end=next_quarter(quarter)):
        (announced_ids if row["announced"] else other_ids)[(row["kind"], row["neighbourhood_id"])] = row["ids"]
    rest = _rounded_by_area(other_ids, kind="engagement", base=base, places=places)
    cells = {}
    for key in announced_ids.keys() | other_ids.keys():
        listed = len(announced_ids.get(key, []))
        cells[key] = (listed + rest.get(key, 0), listed)
    label = quarter_label(quarter)
    return [
        {"quarter": label, "engagement_type": kind, "engagement_type_name": kinds.get(kind, "All types"),
         **_place_fields(places.get(pk)), "engagements": values[0], "announced_meetings": values[1]}
        for kind, pk, values in _with_totals(cells, list(kinds), places, ("engagements", "announced_meetings"))
        if any(values)  # listed only where the figure is not 0 (see LISTED_NOTE)
    ]


def area_rows(neighbourhood_rows: list[dict], *, row_field: str, name_field: str, measures: tuple[str, ...], area_names: dict) -> list[dict]:
    """A force-area table from its neighbourhood table: each (quarter, row key, force area) the sum of the listed
    neighbourhood figures (those not listed are 0), the neighbourhood table's 'all' rows giving the area's 'all' rows."""
    sums: dict[tuple, dict] = {}
    for row in neighbourhood_rows:
        if row["neighbourhood"] == ALL:
            continue
        key = (row["quarter"], row[row_field], row["force"])
        line = sums.setdefault(key, {"quarter": row["quarter"], row_field: row[row_field], name_field: row[name_field],
                                     "force": row["force"], "force_name": area_names.get(row["force"], row["force"]),
                                     **{measure: 0 for measure in measures}})
        for measure in measures:
            line[measure] += row[measure]
    return list(sums.values())


# --- Exact tables: what the public pages list --------------------------------------------------------------------------

def neighbourhood_count_rows(*, months, categories: dict, statuses: dict, places: dict, counts: dict, measure: str) -> list[dict]:
    """Each month's table of (category, status) rows by neighbourhood, with its totals.
    `counts` is keyed by (month, (category slug, status), neighbourhood pk)."""
    row_keys = [(category, status) for category in sorted(categories) for status in statuses]
    rows = []
    for month in months:
        cells = {(key, pk): (count,) for (m, key, pk), count in counts.items() if m == month}
        for key, pk, values in _with_totals(cells, row_keys, places, (measure,)):
            category, status = key if key != ALL else (ALL, ALL)
            rows.append({
                "month": f"{month:%Y-%m}", "category": category, "category_name": categories.get(category, "All categories"),
                "status": status, "status_name": statuses.get(status, "All statuses"), **_place_fields(places.get(pk)),
                measure: values[0],
            })
    return rows


def priority_count_rows(*, start, end, categories, places) -> list[dict]:
    counts = {(_first_of(row["month"]), (row["category__slug"], row["status"]), row["neighbourhood_id"]): row["count"]
              for row in selectors.published_priority_counts(start=start, end=end)}
    return neighbourhood_count_rows(months=month_starts(start, end), categories=categories, statuses=dict(PriorityStatus.choices),
                                    places=places, counts=counts, measure="priorities")


def action_count_rows(*, start, end, categories, places) -> list[dict]:
    counts = {(_first_of(row["month"]), (row["priority__category__slug"], row["status"]), row["priority__neighbourhood_id"]): row["count"]
              for row in selectors.published_action_counts(start=start, end=end)}
    return neighbourhood_count_rows(months=month_starts(start, end), categories=categories, statuses=dict(ActionStatus.choices),
                                    places=places, counts=counts, measure="actions")


@dataclass
class Tables:
    rows: dict[str, list[dict]]
    new_periods: list[tuple[str, dt.date, list[dict]]]  # protected quarters published for the first time
    withheld: list[str]
    start: dt.date
    end: dt.date  # exclusive


def tables(*, today: dt.date, base: int, quarters: int) -> Tables:
    """Every table of a release built on `today`. A protected quarter already released is copied from its first release;
    a new one is computed, unless its concerns are not all collated yet (then it waits, and the release says so)."""
    periods = closed_quarters(today, quarters)
    start, end = periods[0], next_quarter(periods[-1])
    categories = {c.slug: c.name for c in selectors.issue_categories()}
    places = {n.pk: n for n in selectors.all_neighbourhoods()}
    kinds = dict(EngagementKind.choices)
    frozen = {(p.dataset, p.period_start): p.rows
              for p in PublishedPeriod.objects.filter(dataset__in=[d.name for d in PROTECTED], period_start__in=periods)}
    collated = selectors.collated_up_to()
    result = Tables(rows={d.name: [] for d in DATASETS}, new_periods=[], withheld=[], start=start, end=end)
    for quarter in periods:
        for dataset in PROTECTED:
            rows = frozen.get((dataset.name, quarter))
            if rows is None:
                if dataset is CONCERNS:
                    rows = concern_quarter_rows(quarter, base=base, categories=categories, places=places)
                    if collated is None or collated < next_quarter(quarter) - dt.timedelta(days=1):
                        result.withheld.append(
                            f"Concerns for {quarter_label(quarter)} are not in this release: the daily collation has not yet "
                            "placed every concern of that quarter in its neighbourhood. They will be in the first release after it has."
                        )
                        continue
                else:
                    rows = engagement_quarter_rows(quarter, base=base, kinds=kinds, places=places)
                result.new_periods.append((dataset.name, quarter, rows))
            result.rows[dataset.name].extend(rows)
    area_names = {place.force_area.code: place.force_area.name for place in places.values()}
    for dataset, source, row_field, name_field, measures in BY_AREA:
        result.rows[dataset.name] = area_rows(result.rows[source.name], row_field=row_field, name_field=name_field,
                                              measures=measures, area_names=area_names)
    result.rows[PRIORITIES.name] = priority_count_rows(start=start, end=end, categories=categories, places=places)
    result.rows[ACTIONS.name] = action_count_rows(start=start, end=end, categories=categories, places=places)
    return result


def _csv_bytes(fields, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field["name"] for field in fields])
    for row in rows:
        writer.writerow(["" if row[f["name"]] is None else ("true" if row[f["name"]] is True else "false" if row[f["name"]] is False
                         else row[f["name"]]) for f in fields])
    return buffer.getvalue().encode("utf-8")


def _json_bytes(fields, rows) -> bytes:
    """Frictionless's tabular JSON: a header row, then one array per row (an empty table is still a valid file)."""
    names = [field["name"] for field in fields]
    lines = [json.dumps(names, ensure_ascii=False)] + [json.dumps([row[name] for name in names], ensure_ascii=False) for row in rows]
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode("utf-8")


def _schema(dataset: Dataset) -> dict:
    return {"fields": [dict(field) for field in dataset.fields], "missingValues": [""]}


@system_context("open-data release")
def build(release: Release, *, today: dt.date | None = None, attempt: int | None = None) -> Release:
    """Write the release's files and mark it published (or failed, with the reason, writing nothing).
    Only a release still to be built is built: a published one is never touched again. `attempt` is
    the worker's claim (jobs.worker): a build superseded by a newer attempt publishes nothing."""
    base = settings.OPEN_DATA_ROUNDING_BASE
    if not Release.objects.filter(pk=release.pk, status__in=Release.JOB_OPEN_STATUSES).update(status=ReleaseStatus.BUILDING):
        release.refresh_from_db()
        return release
    contents: dict[str, bytes] = {}  # the tables are counts (small): stored together once the build is sure to publish
    try:
        with reads_from_standby("open-data build", up_to_now=True):  # counts only: a standby may answer (issue 19)
            built = tables(today=today or timezone.localdate(), base=base, quarters=settings.OPEN_DATA_QUARTERS)
        files, resources = [], []
        for dataset in DATASETS:
            note = (ROUNDED_NOTE + LISTED_NOTE).format(base=base, spread=base - 1) if dataset in ROUNDED else EXACT_NOTE
            for fmt, content, mediatype in (
                ("csv", _csv_bytes(dataset.fields, built.rows[dataset.name]), "text/csv"),
                ("json", _json_bytes(dataset.fields, built.rows[dataset.name]), "application/json"),
            ):
                path = f"{dataset.name}.{fmt}"
                contents[path] = content
                digest = hashlib.sha256(content).hexdigest()
                files.append({"name": dataset.name, "title": dataset.title, "description": dataset.description + " " + note,
                              "path": path, "format": fmt, "mediatype": mediatype, "bytes": len(content), "sha256": digest,
                              "rows": len(built.rows[dataset.name])})
                resources.append({
                    "name": f"{dataset.name}-{fmt}", "path": path, "title": dataset.title, "description": dataset.description
                    + " " + note,
                    "profile": "tabular-data-resource", "format": fmt, "mediatype": mediatype, "encoding": "utf-8",
                    "licenses": [LICENCE], "schema": _schema(dataset),
                    # Frictionless checks size and hash of a CSV as it reads it (it parses JSON whole, so cannot).
                    **({"bytes": len(content), "hash": f"sha256:{digest}"} if fmt == "csv" else {}),
                })
        package = {
            "profile": "tabular-data-package",
            "name": "engagement-hub-open-data",
            "title": PACKAGE_TITLE,
            "description": PACKAGE_DESCRIPTION,
            "version": f"{release.version}.0.0",
            "created": timezone.now().replace(microsecond=0).isoformat(),
            "licenses": [LICENCE],
            "temporal": {"start": built.start.isoformat(), "end": (built.end - dt.timedelta(days=1)).isoformat()},
            "resources": resources,
        }
        content = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
        contents["datapackage.json"] = content
        files.append({"name": "datapackage", "title": "Data package description", "path": "datapackage.json", "format": "json",
                      "mediatype": "application/json", "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest(), "rows": None})
    except Exception as error:
        Release.objects.filter(pk=release.pk).update(status=ReleaseStatus.FAILED, error=str(error)[:2000])
        raise
    # The files are deleted again if this does not commit (jobs.files): a failed build leaves none behind.
    with files_stored_with_commit() as stored:
        if not job_is_still_mine(Release, release.pk, attempt):
            release.refresh_from_db()
            return release
        # Written while this attempt holds the release's row, so no other attempt writes at the same time; the
        # files are served only once the release is published, below.
        _store(release, contents, stored)
        # First publication fixes a quarter's figures for every later release.
        PublishedPeriod.objects.bulk_create(
            [PublishedPeriod(dataset=name, period_start=start, rows=rows, release_id=release.pk) for name, start, rows in built.new_periods],
            ignore_conflicts=True,
        )
        Release.objects.filter(pk=release.pk).update(
            status=ReleaseStatus.PUBLISHED, published_at=timezone.now(), period_start=built.start,
            period_end=built.end - dt.timedelta(days=1), threshold=base, files=files, withheld=built.withheld, error="",
        )
    release.refresh_from_db()
    return release


def release_file_name(release: Release, path: str) -> str:
    """The name in the "open_data" storage of one file of a release, from the name the release lists."""
    return f"{release.version}/{PurePosixPath(path).name}"


def _store(release: Release, contents: dict[str, bytes], stored: StoredFiles) -> None:
    """Write the release's files, replacing any left by a build that died before publishing (never served)."""
    storage = storages["open_data"]
    folder = str(release.version)
    try:
        leftovers = storage.listdir(folder)[1]
    except FileNotFoundError:  # a local folder not made yet (an object store lists nothing instead)
        leftovers = []
    for leftover in leftovers:
        storage.delete(f"{folder}/{leftover}")
    for path, content in contents.items():
        stored.save(storage, release_file_name(release, path), ContentFile(content))
