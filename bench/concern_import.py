"""Benchmark: importing a file of partner concerns.

    .venv/bin/python bench/concern_import.py                    # 100,000 rows; memory on 1,000,000
    .venv/bin/python bench/concern_import.py --rows 20000 --memory-rows 100000   # a quick run

Builds its own database (`engagement_hub_bench_import`, copied from the PostGIS template database
like the test databases, and migrated; never the development database): a force with a force area
(a boundary of a few hundred vertices), a partner organisation and its user. It generates a CSV
of --rows concerns (every row good, one in two with a reference) and times, on the same rows,
each from an empty concerns table with its history triggers on:

1. the hub's path: the dry run and the commit, the functions the Celery tasks call
   (`concern_import_check`, `concern_import_commit`);
2. django-import-export's default row-by-row path: a plain ModelResource's `import_data`
   (not a dry run). If that would take more than --default-max-seconds, it is timed on a
   sample and extrapolated linearly, and the output says so;
3. a raw PostgreSQL COPY of the same rows into the concerns table.

The commit places every new row in its neighbourhood and LSOA and links its near-duplicates in its own
transaction (issue 14: `place_staged`, `find_near_duplicates_staged` and `link_staged` in partners.imports.writer):
the database holds bench/concern_assign.py's force of 600 neighbourhoods and 2,400 LSOAs (about 290 vertices per
boundary) over the rows' area. The commit is timed side by side on the same file: with those steps doing nothing
(the rows written unplaced), as the hub runs it, and without again; the goal is the time placing adds to the mean
of the two commits without.

Then, for memory, the hub's path runs in a subprocess on a --memory-rows file (and on the
--rows file, to show the peak does not grow with the file), reporting its peak resident size.
It ends with one GOAL line per goal. The file size limit for uploads is not applied here
(the benchmark calls the services the tasks call, after the upload page).
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database_name, parse_with_tiny_mode, recreate_database  # noqa: E402

BENCH_DB = bench_database_name("import")
WORK = ROOT / "var" / "bench" / "concern_import"
WEST, SOUTH, EAST, NORTH = -3.40, 54.00, -3.00, 54.30
GOAL_COPY_RATIO, GOAL_DEFAULT_SPEEDUP, GOAL_MEMORY_MB = 5.0, 10.0, 500
GOAL_PLACEMENT_SHARE = 0.20  # placing at the commit adds at most 20% to the commit of 100,000 rows (issue 14)
WORDS = ("bags", "rubbish", "youths", "shouting", "car", "parked", "late", "night", "music", "graffiti", "shelter", "needles",
         "alley", "speeding", "school", "drinking", "bench", "park", "fence", "broken", "smell", "dog", "fouling", "bins")


def say(message: str) -> None:
    print(message, flush=True)


def create_database() -> None:
    """Drop and recreate the benchmark's own database from the PostGIS template, as the tests do."""
    recreate_database(BENCH_DB)


def setup_django() -> None:
    # Before Django reads its settings: every connection goes to the benchmark's database.
    os.environ["HUB_DB_NAME"] = BENCH_DB
    os.environ["DJANGO_SETTINGS_MODULE"] = "engagement_hub.settings.local"
    os.environ.setdefault("HUB_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    assert settings.DATABASES["default"]["NAME"] == BENCH_DB, "refusing to run outside the benchmark database"
    settings.MEDIA_ROOT = str(WORK)  # uploads read from the benchmark's folder, not the hub's media


def build() -> None:
    from django.core.management import call_command
    from django.db import connection

    from organisations.models import Membership, Organisation, OrganisationKind, User
    from access.roles import Role
    from geo.models import ForceArea

    say("Migrating the benchmark database…")
    call_command("migrate", verbosity=0, interactive=False)
    force = Organisation.objects.create(name="Bench Constabulary", slug="bench-constabulary", kind=OrganisationKind.POLICE_FORCE)
    area = ForceArea.objects.create(force=force, code="bench", name="Bench force area")
    with connection.cursor() as cursor:
        # A boundary with a vertex every ~60 m, like a real force's.
        cursor.execute(
            "UPDATE geo_forcearea SET boundary = ST_Multi(ST_Segmentize(ST_MakeEnvelope(%s, %s, %s, %s, 4326), 0.002)) WHERE id = %s",
            [WEST - 0.01, SOUTH - 0.01, EAST + 0.01, NORTH + 0.01, area.pk],
        )
    with connection.cursor() as cursor:
        # The neighbourhoods and LSOAs the commit places the rows in; statistics so that the placement is planned for them.
        from bench.concern_assign import build_boundaries

        build_boundaries(cursor, area.pk)
        cursor.execute("ANALYZE geo_neighbourhood")
        cursor.execute("ANALYZE geo_smallarea")
    council = Organisation.objects.create(name="Bench Borough Council", slug="bench-council", kind=OrganisationKind.COUNCIL)
    user = User.objects.create_user(username="bench-partner", password=None, first_name="Bench", last_name="Partner")
    Membership.objects.create(user=user, organisation=council, role=Role.PARTNER_USER)


def partner():
    from organisations.models import Organisation, User

    return Organisation.objects.get(slug="bench-council"), User.objects.get(username="bench-partner")


def generate(rows: int, path: Path) -> None:
    """A CSV of `rows` good concerns in the hub's columns; streamed, so memory stays flat."""
    from crm.models import IssueCategory
    from partners.imports.resources import COLUMNS

    names = list(IssueCategory.objects.filter(is_active=True).values_list("name", flat=True))
    chance = random.Random(5)
    start = datetime.datetime(2025, 1, 1, 8, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(rows):
            occurred = start + datetime.timedelta(minutes=chance.randrange(0, 500 * 24 * 60))
            writer.writerow([
                chance.choice(names), f"{chance.uniform(SOUTH, NORTH):.6f}", f"{chance.uniform(WEST, EAST):.6f}", f"{n % 400} Bench Street",
                occurred.strftime("%Y-%m-%d %H:%M"), (occurred + datetime.timedelta(hours=chance.randrange(1, 72))).strftime("%Y-%m-%d %H:%M"),
                chance.choice(("Phone call", "Email", "In person", "Councillor surgery")),
                f"Report {n}: " + " ".join(chance.choice(WORDS) for _ in range(12)), "no",
                "A. Resident" if n % 3 == 0 else "", f"resident{n}@example.org" if n % 3 == 0 else "", "",
                "OFFICIAL-SENSITIVE" if n % 10 == 0 else "OFFICIAL", f"BENCH-{n}" if n % 2 == 0 else "",
            ])


def empty_concerns() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE partners_concern, partners_concernevent, partners_concernimportjob, crm_auditevent CASCADE")
        cursor.execute("ANALYZE partners_concern")


@contextlib.contextmanager
def timing_placement(*, place: bool = True):
    """Time the placement the commit runs (the writer's own `place_staged`, `find_near_duplicates_staged` and
    `link_staged`, each wrapped in a clock): yields a list to which their seconds are appended. With `place=False`
    they do nothing instead, so the commit writes its rows unplaced and links nothing: the commit without placing."""
    from partners.imports import writer

    spent: list[float] = []
    steps = {name: getattr(writer, name) for name in ("place_staged", "find_near_duplicates_staged", "link_staged")}

    def clocked(step):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return step(*args, **kwargs) if place else 0
            finally:
                spent.append(time.perf_counter() - started)
        return timed

    try:
        for name, step in steps.items():
            setattr(writer, name, clocked(step))
        yield spent
    finally:
        for name, step in steps.items():
            setattr(writer, name, step)


def hub_import(path: Path, *, place: bool = True) -> tuple[float, float, int, list[float], int]:
    """(seconds for the dry run, seconds for the commit, concerns created, seconds of the commit spent placing them,
    finding their near-duplicates and linking them, concerns placed), through the tasks' own functions; with `place=False`, the
    commit without placing (see timing_placement)."""
    from partners.imports.services import concern_import_check, concern_import_commit
    from partners.models import Concern, ConcernImportJob, ImportJobStatus

    organisation, user = partner()
    job = ConcernImportJob.objects.create(
        organisation=organisation, created_by=user, original_name=path.name, file_format="csv", file_size=path.stat().st_size,
        file_sha256="bench", upload=str(path.relative_to(WORK)),
    )
    started = time.perf_counter()
    job = concern_import_check(job_id=job.pk)
    checked = time.perf_counter()
    assert job.status == ImportJobStatus.CHECKED, job.errors[:5]
    # What the confirm button does (without queueing a task on the hub's real broker).
    ConcernImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.IMPORTING)
    with timing_placement(place=place) as placing:
        job = concern_import_commit(job_id=job.pk)
    done = time.perf_counter()
    assert job.status == ImportJobStatus.IMPORTED, job.errors[:5]
    placed = Concern.objects.filter(import_job=job, neighbourhood__isnull=False, lsoa__isnull=False).count()
    return checked - started, done - checked, job.created_count, list(placing), placed


def model_rows(path: Path, limit: int | None = None):
    """The file's rows as the concerns table's columns (category by id, place as EWKT), with their fingerprints."""
    from crm.models import IssueCategory
    from partners.imports.resources import ConcernResource
    from partners.services import concern_fingerprint

    organisation, user = partner()
    resource = ConcernResource()
    widgets = {name: resource.fields[name].widget for name in resource.fields}
    categories = {c.name: c.pk for c in IssueCategory.objects.all()}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for n, cells in enumerate(reader):
            if limit is not None and n >= limit:
                return
            values = {name: widgets[name].clean(cells[name]) for name in widgets}
            latitude, longitude = values["latitude"], values["longitude"]
            values["category"] = categories[cells["category"]]
            yield {
                "organisation": organisation.pk, "created_by": user.pk, "category": values["category"],
                "location": f"SRID=4326;POINT({longitude} {latitude})", "place": values["place"],
                "occurred_at": values["occurred_at"], "reported_at": values["reported_at"], "channel": values["channel"],
                "description": values["description"], "holds_personal_data": values["holds_personal_data"],
                "reporter_name": values["reporter_name"], "reporter_email": values["reporter_email"], "reporter_phone": values["reporter_phone"],
                "classification": values["classification"], "status": "new", "external_reference": values["external_reference"],
                "fingerprint": concern_fingerprint(
                    organisation_id=organisation.pk, category_id=values["category"], longitude=longitude, latitude=latitude,
                    occurred_at=values["occurred_at"], description=values["description"], external_reference=values["external_reference"],
                ),
            }


def default_path(path: Path, rows: int) -> float:
    """Seconds for django-import-export's default path: a plain ModelResource, import_data, row by row."""
    import tablib
    from django.db import connection, transaction
    from import_export import resources

    from partners.models import Concern

    class PlainConcernResource(resources.ModelResource):
        class Meta:
            model = Concern
            fields = ("id", "organisation", "created_by", "category", "location", "place", "occurred_at", "reported_at", "channel",
                      "description", "holds_personal_data", "reporter_name", "reporter_email", "reporter_phone", "classification",
                      "status", "external_reference", "fingerprint")

    data = [{"id": "", **row} for row in model_rows(path, rows)]
    headers = list(data[0])
    # Dates as import-export's DateTimeWidget reads them by default (local time, a DATETIME_INPUT_FORMATS pattern).
    cell = lambda value: value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime.datetime) else value  # noqa: E731
    dataset = tablib.Dataset(*[tuple(cell(row[h]) for h in headers) for row in data], headers=headers)
    started = time.perf_counter()
    with transaction.atomic():
        # As the hub's path does (see partners.imports.writer.write): without it, every row's history trigger makes
        # PostgreSQL rescan all the deferred foreign-key checks queued so far, and the time grows with the square of the rows.
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        result = PlainConcernResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors()
    assert Concern.objects.count() == rows, Concern.objects.count()
    return seconds


def raw_copy(path: Path) -> tuple[float, int]:
    """Seconds for a raw COPY of the same rows into the concerns table (prepared as COPY text before timing)."""
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    copy_file = path.with_suffix(".copy.tsv")
    now = timezone.now().isoformat()
    columns = ("organisation_id", "created_by_id", "created_at", "updated_at", "category_id", "location", "place", "occurred_at",
               "reported_at", "channel", "description", "holds_personal_data", "reporter_name", "reporter_email", "reporter_phone",
               "classification", "status", "external_reference", "fingerprint", "open311_token")
    count = 0
    with open(copy_file, "w", encoding="utf-8") as out:
        for row in model_rows(path):
            values = [row["organisation"], row["created_by"], now, now, row["category"], row["location"], row["place"],
                      row["occurred_at"].isoformat(), row["reported_at"].isoformat(), row["channel"], row["description"],
                      "t" if row["holds_personal_data"] else "f", row["reporter_name"], row["reporter_email"], row["reporter_phone"],
                      row["classification"], row["status"], row["external_reference"], row["fingerprint"], uuid.uuid4()]
            out.write("\t".join(str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n") for v in values) + "\n")
            count += 1
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with transaction.atomic():
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as the hub's path does (see default_path)
            with cursor.cursor.copy(f"COPY partners_concern ({', '.join(columns)}) FROM STDIN") as copy, open(copy_file, "rb") as source:
                while chunk := source.read(1024 * 1024):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
    copy_file.unlink()
    return seconds, count


def memory_child(path: Path) -> None:
    """Run in a subprocess: the hub's path on `path`; print the peak resident size."""
    import resource

    setup_django()
    empty_concerns()
    check, commit, created, _placing, _placed = hub_import(path)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mb": peak_kb / 1024, "check": check, "commit": commit, "created": created}), flush=True)


def measure_memory(path: Path) -> dict:
    output = subprocess.run([sys.executable, __file__, "--memory-child", str(path)], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--default-max-seconds", type=float, default=600, help="time the default path on a sample past this estimate")
    parser.add_argument("--default-sample", type=int, default=2000)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    arguments = parse_with_tiny_mode(parser, rows=500, memory_rows=1000, default_sample=100, default_max_seconds=1)
    if arguments.memory_child:
        memory_child(Path(arguments.memory_child))
        return 0

    create_database()
    setup_django()
    build()
    rows = arguments.rows
    file = WORK / f"concerns-{rows}.csv"
    say(f"Generating {rows:,} rows…")
    generate(rows, file)
    say(f"  {file.stat().st_size / 1024 / 1024:.1f} MB")

    # Side by side, on the same file: the commit without placing (the writer's placing steps do nothing), with
    # placing, and without again; the two runs without are averaged, so a load that rises or falls during the three
    # weighs on both sides alike.
    unplaced_commits = []
    for place in (False, True, False):
        empty_concerns()
        run_check, run_commit, created, run_placing, placed = hub_import(file, place=place)
        assert created == rows, created
        if not place:
            assert placed == 0, placed
            unplaced_commits.append(run_commit)
            say(f"Hub path without placing: dry run {run_check:.1f} s + commit {run_commit:.1f} s")
            continue
        check, commit, placing = run_check, run_commit, run_placing
        assert placed == rows, f"{placed:,} of {rows:,} rows placed at the commit"
        say(f"Hub path: dry run {check:.1f} s + commit {commit:.1f} s, of which placing {placing[0]:.1f} s, finding near-duplicates "
            f"{placing[1]:.1f} s, linking them {placing[2]:.1f} s ({placed:,} rows placed)")
    placing, hub = sum(placing), check + commit
    unplaced_commit = sum(unplaced_commits) / len(unplaced_commits)

    empty_concerns()
    copy_seconds, copied = raw_copy(file)
    assert copied == rows
    say(f"Raw COPY: {copy_seconds:.1f} s")

    empty_concerns()
    sample = min(arguments.default_sample, rows)
    sample_seconds = default_path(file, sample)
    estimate = sample_seconds * rows / sample
    if sample < rows and estimate <= arguments.default_max_seconds:
        empty_concerns()
        default_seconds, default_note = default_path(file, rows), f"all {rows:,} rows"
    else:
        default_seconds = estimate
        default_note = (f"EXTRAPOLATED linearly from a {sample:,}-row sample ({sample_seconds:.1f} s), the full run being estimated "
                        f"past {arguments.default_max_seconds:.0f} s" if sample < rows else f"all {rows:,} rows")
    say(f"Default row-by-row path: {default_seconds:.1f} s ({default_note})")

    say(f"Peak memory of the hub's path (subprocess), {rows:,} rows…")
    small = measure_memory(file)
    memory_rows = arguments.memory_rows
    big_file = WORK / f"concerns-{memory_rows}.csv"
    say(f"Generating {memory_rows:,} rows…")
    generate(memory_rows, big_file)
    say(f"  {big_file.stat().st_size / 1024 / 1024:.1f} MB; peak memory, {memory_rows:,} rows…")
    big = measure_memory(big_file)

    say("")
    say(f"{'Importing ' + format(rows, ',') + ' concerns':<44}{'seconds':>10}{'rows/s':>12}{'vs COPY':>10}")
    for label, seconds in (("hub (dry run + commit, all or nothing)", hub), ("  of which the dry run", check), ("  of which the commit", commit),
                           ("    of which placing and near-duplicates", placing), ("  the commit without placing", unplaced_commit),
                           ("django-import-export default path", default_seconds), ("raw PostgreSQL COPY", copy_seconds)):
        say(f"{label:<44}{seconds:>10.1f}{rows / seconds:>12,.0f}{seconds / copy_seconds:>9.1f}×")
    say(f"(default path: {default_note})")
    say("")
    say(f"Peak resident memory of the hub's path: {small['peak_mb']:.0f} MB for {rows:,} rows, {big['peak_mb']:.0f} MB for {memory_rows:,} rows "
        f"({big['check'] + big['commit']:.0f} s)")
    for leftover in (file, big_file):
        leftover.unlink(missing_ok=True)

    copy_ratio, speedup = hub / copy_seconds, default_seconds / hub
    share = (commit - unplaced_commit) / unplaced_commit
    say(f"GOAL import-within-5x-copy: measured {copy_ratio:.2f} (goal ≤ {GOAL_COPY_RATIO}) {'MET' if copy_ratio <= GOAL_COPY_RATIO else 'NOT MET'}")
    extrapolated = " (default path extrapolated)" if "EXTRAPOLATED" in default_note else ""
    say(f"GOAL import-10x-faster-than-default: measured {speedup:.1f}{extrapolated} (goal ≥ {GOAL_DEFAULT_SPEEDUP}) "
        f"{'MET' if speedup >= GOAL_DEFAULT_SPEEDUP else 'NOT MET'}")
    say(f"GOAL import-commit-placement-{rows // 1000}k-rows: measured {share:.1%} added to the commit ({commit:.1f} s placing, "
        f"{unplaced_commit:.1f} s without: {' and '.join(f'{c:.1f}' for c in unplaced_commits)} s) (goal ≤ {GOAL_PLACEMENT_SHARE:.0%}) {'MET' if share <= GOAL_PLACEMENT_SHARE else 'NOT MET'}")
    say(f"GOAL import-memory-{memory_rows // 1000}k-rows: measured {big['peak_mb']:.0f} MB (goal < {GOAL_MEMORY_MB} MB) "
        f"{'MET' if big['peak_mb'] < GOAL_MEMORY_MB else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
