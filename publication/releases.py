"""Building an open-data release: count tables through disclosure control (concerns, engagements,
priorities and actions; counts only, no free text), each as CSV and JSON, described by a Frictionless `datapackage.json`.

A release is written to a temporary folder and renamed into place only when complete, so a
failed build leaves nothing half-written; a published release's files never change."""
import csv
import datetime as dt
import hashlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from crm.models import ActionStatus, EngagementKind, PriorityStatus
from publication import selectors
from publication.disclosure import Table, suppress
from jobs.worker import job_is_still_mine
from publication.models import Release, ReleaseStatus

LICENCE = {
    "name": "OGL-UK-3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "title": "Open Government Licence v3.0",
}
ALL = "all"  # the category, area or type of a total row


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    fields: tuple[dict, ...]


MONTH = {"name": "month", "type": "yearmonth", "title": "Month", "constraints": {"required": True}}
COUNT_NOTE = (
    "Counts from 1 to {threshold_minus_one} are suppressed (left empty, with suppressed true), and so are other counts "
    "where needed so that no suppressed count can be worked out from the totals. Rows named 'all' are totals."
)
CONCERNS = Dataset(
    "concerns-by-category-lsoa-month", "Concerns reported by partners, by category, LSOA and month",
    "Concerns heard by partner agencies (council, fire and rescue, housing and others), counted by issue category, "
    "lower layer super output area (LSOA) and month reported. OFFICIAL-SENSITIVE concerns are not counted.",
    (
        MONTH,
        {"name": "category", "type": "string", "title": "Issue category (identifier, or 'all')", "constraints": {"required": True}},
        {"name": "category_name", "type": "string", "title": "Issue category"},
        {"name": "lsoa_code", "type": "string", "title": "LSOA (ONS code, or 'all')",
         "constraints": {"required": True, "pattern": "^([EW]01[0-9]{6}|all)$"}},
        {"name": "lsoa_name", "type": "string", "title": "LSOA name"},
        {"name": "concerns", "type": "integer", "title": "Concerns", "constraints": {"minimum": 0}},
        {"name": "suppressed", "type": "boolean", "title": "Suppressed for disclosure control", "constraints": {"required": True}},
    ),
)
ENGAGEMENTS = Dataset(
    "engagements-by-type-neighbourhood-month", "Community engagement by type, neighbourhood and month",
    "Engagements held by neighbourhood teams (beat meetings, PACT meetings, surgeries, door-to-door visits and others), "
    "counted by type, neighbourhood and month.",
    (
        MONTH,
        {"name": "engagement_type", "type": "string", "title": "Type (identifier, or 'all')", "constraints": {"required": True}},
        {"name": "engagement_type_name", "type": "string", "title": "Type"},
        {"name": "force", "type": "string", "title": "Force (police.uk identifier, or 'all')", "constraints": {"required": True}},
        {"name": "neighbourhood", "type": "string", "title": "Neighbourhood (police.uk identifier, or 'all')",
         "constraints": {"required": True}},
        {"name": "neighbourhood_name", "type": "string", "title": "Neighbourhood"},
        {"name": "engagements", "type": "integer", "title": "Engagements", "constraints": {"minimum": 0}},
        {"name": "suppressed", "type": "boolean", "title": "Suppressed for disclosure control", "constraints": {"required": True}},
    ),
)
def _neighbourhood_count_fields(measure: str, title: str, status_title: str) -> tuple[dict, ...]:
    return (
        MONTH,
        {"name": "category", "type": "string", "title": "Issue category (identifier, or 'all')", "constraints": {"required": True}},
        {"name": "category_name", "type": "string", "title": "Issue category"},
        {"name": "status", "type": "string", "title": f"{status_title} (identifier, or 'all')", "constraints": {"required": True}},
        {"name": "status_name", "type": "string", "title": status_title},
        {"name": "force", "type": "string", "title": "Force (police.uk identifier, or 'all')", "constraints": {"required": True}},
        {"name": "neighbourhood", "type": "string", "title": "Neighbourhood (police.uk identifier, or 'all')",
         "constraints": {"required": True}},
        {"name": "neighbourhood_name", "type": "string", "title": "Neighbourhood"},
        {"name": measure, "type": "integer", "title": title, "constraints": {"minimum": 0}},
        {"name": "suppressed", "type": "boolean", "title": "Suppressed for disclosure control", "constraints": {"required": True}},
    )


# Counts only: the wording of priorities and actions is reported back on the public pages and the
# police.uk-compatible API after screening, never in the open data (issue 7: no free text leaves).
NO_WORDING = (
    " The wording of priorities and actions is not in the open data: it is on each neighbourhood's public page "
    "and in the police.uk-compatible API once it has passed screening."
)
PRIORITIES = Dataset(
    "priorities-by-neighbourhood-category-status-month", "Neighbourhood priorities agreed, by neighbourhood, category, status and month",
    "Priorities agreed with communities (you said), counted by the month they were agreed, issue category, status when the "
    "release was built and neighbourhood. Each table row is a category and status together; the totals are by "
    "neighbourhood (all categories and statuses) and by category and status (all neighbourhoods)." + NO_WORDING,
    _neighbourhood_count_fields("priorities", "Priorities", "Status of the priority"),
)
ACTIONS = Dataset(
    "actions-by-neighbourhood-category-status-month", "Actions taken on priorities, by neighbourhood, category, status and month",
    "Actions taken on the priorities agreed with communities (we did), counted by the month of the action, the priority's "
    "issue category and neighbourhood, and the action's status when the release was built. Each table row is a category "
    "and status together; the totals are by neighbourhood and by category and status." + NO_WORDING,
    _neighbourhood_count_fields("actions", "Actions", "Status of the action"),
)

DATASETS = (CONCERNS, ENGAGEMENTS, PRIORITIES, ACTIONS)


def release_period(today: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The last `months` whole months before `today`'s month: [start, end)."""
    end = today.replace(day=1)
    year, month = divmod(end.year * 12 + end.month - 1 - months, 12)
    return dt.date(year, month + 1, 1), end


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], start
    while current < end:
        months.append(current)
        current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def protected_rows(*, months, row_keys, column_keys, counts, threshold):
    """For each month, the full table of rows x columns with its totals, suppressed.
    Yields (month, row key or ALL, column key or ALL, count or None)."""
    for month in months:
        if not row_keys or not column_keys:  # no categories or no places yet: every cell is a total of nothing
            yield from ((month, row, column, 0) for row in [*row_keys, ALL] for column in [*column_keys, ALL])
            continue
        table = Table([[counts.get((month, row, column), 0) for column in column_keys] for row in row_keys])
        hidden = suppress(table, threshold)
        for i in range(len(row_keys) + 1):
            for j in range(len(column_keys) + 1):
                row = row_keys[i] if i < len(row_keys) else ALL
                column = column_keys[j] if j < len(column_keys) else ALL
                yield month, row, column, (None if (i, j) in hidden else table.value((i, j)))


def concern_rows(*, start, end, threshold) -> list[dict]:
    categories = {c.slug: c.name for c in selectors.issue_categories()}
    areas = {a.code: a.name for a in selectors.lsoas()}
    counts = {(row["month"].date().replace(day=1), row["category__slug"], row["lsoa__code"]): row["count"]
              for row in selectors.concern_counts(start=start, end=end)}
    return [
        {
            "month": f"{month:%Y-%m}", "category": category, "category_name": categories.get(category, "All categories"),
            "lsoa_code": lsoa, "lsoa_name": areas.get(lsoa, "All areas"), "concerns": value, "suppressed": value is None,
        }
        for month, category, lsoa, value in protected_rows(
            months=month_starts(start, end), row_keys=sorted(categories), column_keys=sorted(areas), counts=counts,
            threshold=threshold,
        )
    ]


def engagement_rows(*, start, end, threshold) -> list[dict]:
    places = {n.pk: n for n in selectors.all_neighbourhoods()}
    kinds = dict(EngagementKind.choices)
    counts = {(row["month"].date().replace(day=1), row["kind"], row["neighbourhood_id"]): row["count"]
              for row in selectors.engagement_counts(start=start, end=end)}
    rows = []
    for month, kind, place_pk, value in protected_rows(
        months=month_starts(start, end), row_keys=list(kinds), column_keys=list(places), counts=counts,
        threshold=threshold,
    ):
        place = places.get(place_pk)
        rows.append({
            "month": f"{month:%Y-%m}", "engagement_type": kind, "engagement_type_name": kinds.get(kind, "All types"),
            "force": place.force_area.code if place else ALL, "neighbourhood": place.code if place else ALL,
            "neighbourhood_name": place.name if place else "All neighbourhoods", "engagements": value, "suppressed": value is None,
        })
    return rows


def neighbourhood_count_rows(*, months, categories: dict, statuses: dict, places: dict, counts: dict, threshold: int,
                             measure: str) -> list[dict]:
    """Each month's table of (category, status) rows by neighbourhood columns, with its totals, suppressed.
    `counts` is keyed by (month, (category slug, status), neighbourhood pk); `places` maps pk to neighbourhood.
    Only these two margins are published (never totals by status alone), so the table's own suppression is enough."""
    row_keys = [(category, status) for category in sorted(categories) for status in statuses]
    rows = []
    for month, key, place_pk, value in protected_rows(
        months=months, row_keys=row_keys, column_keys=list(places), counts=counts, threshold=threshold,
    ):
        category, status = key if key != ALL else (ALL, ALL)
        place = places.get(place_pk)
        rows.append({
            "month": f"{month:%Y-%m}", "category": category, "category_name": categories.get(category, "All categories"),
            "status": status, "status_name": statuses.get(status, "All statuses"),
            "force": place.force_area.code if place else ALL, "neighbourhood": place.code if place else ALL,
            "neighbourhood_name": place.name if place else "All neighbourhoods", measure: value, "suppressed": value is None,
        })
    return rows


def _month(value) -> dt.date:
    return (value.date() if isinstance(value, dt.datetime) else value).replace(day=1)


def priority_count_rows(*, start, end, threshold) -> list[dict]:
    counts = {(_month(row["month"]), (row["category__slug"], row["status"]), row["neighbourhood_id"]): row["count"]
              for row in selectors.priority_counts(start=start, end=end)}
    return neighbourhood_count_rows(
        months=month_starts(start, end), categories={c.slug: c.name for c in selectors.issue_categories()},
        statuses=dict(PriorityStatus.choices), places={n.pk: n for n in selectors.all_neighbourhoods()}, counts=counts,
        threshold=threshold, measure="priorities",
    )


def action_count_rows(*, start, end, threshold) -> list[dict]:
    counts = {(_month(row["month"]), (row["priority__category__slug"], row["status"]), row["priority__neighbourhood_id"]): row["count"]
              for row in selectors.action_counts(start=start, end=end)}
    return neighbourhood_count_rows(
        months=month_starts(start, end), categories={c.slug: c.name for c in selectors.issue_categories()},
        statuses=dict(ActionStatus.choices), places={n.pk: n for n in selectors.all_neighbourhoods()}, counts=counts,
        threshold=threshold, measure="actions",
    )


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


def build(release: Release, *, today: dt.date | None = None, attempt: int | None = None) -> Release:
    """Write the release's files and mark it published (or failed, with the reason, writing nothing).
    Only a release still to be built is built: a published one is never touched again. `attempt` is
    the worker's claim (jobs.worker): a build superseded by a newer attempt publishes nothing."""
    threshold = settings.OPEN_DATA_MIN_COUNT
    start, end = release_period(today or timezone.localdate(), settings.OPEN_DATA_MONTHS)
    root = Path(settings.OPEN_DATA_DIR)
    final = root / str(release.version)
    partial = root / f".{release.version}.partial"
    if not Release.objects.filter(pk=release.pk, status__in=Release.JOB_OPEN_STATUSES).update(status=ReleaseStatus.BUILDING):
        release.refresh_from_db()
        return release
    try:
        if final.exists():
            # Left by a build whose worker died after renaming it into place: never served (the release is
            # not published), so it is built again. A published release's files are never replaced.
            shutil.rmtree(final)
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        tables = {
            CONCERNS.name: concern_rows(start=start, end=end, threshold=threshold),
            ENGAGEMENTS.name: engagement_rows(start=start, end=end, threshold=threshold),
            PRIORITIES.name: priority_count_rows(start=start, end=end, threshold=threshold),
            ACTIONS.name: action_count_rows(start=start, end=end, threshold=threshold),
        }
        files, resources = [], []
        for dataset in DATASETS:
            for fmt, content, mediatype in (
                ("csv", _csv_bytes(dataset.fields, tables[dataset.name]), "text/csv"),
                ("json", _json_bytes(dataset.fields, tables[dataset.name]), "application/json"),
            ):
                path = f"{dataset.name}.{fmt}"
                (partial / path).write_bytes(content)
                digest = hashlib.sha256(content).hexdigest()
                files.append({"name": dataset.name, "title": dataset.title, "description": dataset.description, "path": path,
                              "format": fmt, "mediatype": mediatype, "bytes": len(content), "sha256": digest,
                              "rows": len(tables[dataset.name])})
                resources.append({
                    "name": f"{dataset.name}-{fmt}", "path": path, "title": dataset.title, "description": dataset.description
                    + " " + COUNT_NOTE.format(threshold_minus_one=threshold - 1),
                    "profile": "tabular-data-resource", "format": fmt, "mediatype": mediatype, "encoding": "utf-8",
                    "licenses": [LICENCE], "schema": _schema(dataset),
                    # Frictionless checks size and hash of a CSV as it reads it (it parses JSON whole, so cannot).
                    **({"bytes": len(content), "hash": f"sha256:{digest}"} if fmt == "csv" else {}),
                })
        package = {
            "profile": "tabular-data-package",
            "name": "engagement-hub-open-data",
            "title": "Neighbourhood engagement and partner concerns (open data)",
            "description": "Counts of partner concerns, of community engagement, and of the priorities agreed with "
                           "communities and the actions taken on them. Counts only: no personal data, no free text, "
                           "nothing finer than an LSOA.",
            "version": f"{release.version}.0.0",
            "created": timezone.now().replace(microsecond=0).isoformat(),
            "licenses": [LICENCE],
            "temporal": {"start": start.isoformat(), "end": (end - dt.timedelta(days=1)).isoformat()},
            "resources": resources,
        }
        content = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
        (partial / "datapackage.json").write_bytes(content)
        files.append({"name": "datapackage", "title": "Data package description", "path": "datapackage.json", "format": "json",
                      "mediatype": "application/json", "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest(), "rows": None})
    except Exception as error:
        shutil.rmtree(partial, ignore_errors=True)
        Release.objects.filter(pk=release.pk).update(status=ReleaseStatus.FAILED, error=str(error)[:2000])
        raise
    with transaction.atomic():
        if not job_is_still_mine(Release, release.pk, attempt):
            shutil.rmtree(partial, ignore_errors=True)
            release.refresh_from_db()
            return release
        partial.rename(final)
        Release.objects.filter(pk=release.pk).update(
            status=ReleaseStatus.PUBLISHED, published_at=timezone.now(), period_start=start, period_end=end - dt.timedelta(days=1),
            threshold=threshold, files=files, error="",
        )
    release.refresh_from_db()
    return release


def release_directory(release: Release) -> Path:
    return Path(settings.OPEN_DATA_DIR) / str(release.version)
