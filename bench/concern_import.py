"""Benchmark: importing a file of partner concerns.

    .venv/bin/python bench/concern_import.py                    # 100,000 rows; memory on 1,000,000
    .venv/bin/python bench/concern_import.py --rows 20000 --memory-rows 100000   # a quick run
    .venv/bin/python bench/concern_import.py --memory-rows 100000 --default-sample 500   # the placement goal, about 20 minutes at load 10

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
boundary) over the rows' area. The commit (`concern_import_commit`, the confirm button's task) is timed side by
side on the same file, interleaved in --rounds rounds whose order alternates (without placing, with | with,
without | ...): without placing, the writer's three placing steps do nothing and the rows are written unplaced.
Each side is summarised by its median and spread; every commit's phases are measured (`measure_phases`: the
staging, each placing step, the ids, the INSERT and, from PostgreSQL's EXPLAIN ANALYZE of it, its foreign-key
checks and history trigger, the linking, the history context), so the time placing adds is attributed. The
goal is the median with placing against the median without.

The dry run and each commit run in a process of their own, whose peak resident size is the memory the hub's
path needs for the file; for memory, the whole path also runs on a --memory-rows file (unless it is --rows), to
show the peak does not grow with the file.
It ends with one GOAL line per goal. The file size limit for uploads is not applied here
(the benchmark calls the services the tasks call, after the upload page).
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database_name, parse_with_tiny_mode, recreate_database, system_work  # noqa: E402

BENCH_DB = bench_database_name("import")
WORK = ROOT / "var" / "bench" / "concern_import" / BENCH_DB  # one folder per database: two runs never delete each other's files
WARM_UP, WARM_UP_ROWS = WORK / "warm-up.csv", 20  # committed untimed before each timed commit (see child)
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
    system_work("concern import benchmark")
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


PLACING_STEPS = ("place_staged", "find_near_duplicates_staged", "link_staged")
# The phases of a commit, in order (see measure_phases). "insert" is the INSERT ... SELECT as a whole; its parts
# are read from PostgreSQL's own account of it (EXPLAIN ANALYZE): the foreign-key checks, the history trigger.
PHASES = (
    ("staging", "staging: read and check the file again, COPY, set checks"),
    ("place_staged", "placing in neighbourhoods and LSOAs (staging table)"),
    ("ids", "taking ids from the sequence"),
    ("find_near_duplicates_staged", "finding near-duplicates"),
    ("insert", "the INSERT ... SELECT, of which:"),
    ("insert:fk_placed", "  foreign-key checks: neighbourhood and LSOA"),
    ("insert:fk_other", "  foreign-key checks: the five others"),
    ("insert:history", "  the history trigger (one event per row)"),
    ("insert:rows", "  writing the rows and their indexes"),
    ("link_staged", "linking near-duplicates"),
    ("context", "attaching the history context"),
    ("other", "the rest: lock, job, audit, COMMIT"),
)
ADDED_BY_PLACING = ("place_staged", "find_near_duplicates_staged", "link_staged", "insert:fk_placed")


@contextlib.contextmanager
def measure_phases(*, place: bool = True):
    """Time the phases of one commit, without changing what it does: yields a dict filled with seconds per phase.

    The writer's own `stage` and placing steps (`place_staged`, `find_near_duplicates_staged`, `link_staged`) are
    wrapped in a clock; with `place=False` the placing steps do nothing instead, so the commit writes its rows
    unplaced and links nothing: the commit without placing. Every SQL statement is timed through Django's
    execute_wrapper; the INSERT ... SELECT runs as EXPLAIN (ANALYZE) of itself, which executes it and reports the
    time spent in each trigger (its count is then read back, so the writer sees the same result)."""
    from django.db import connection

    from partners.imports import writer
    from partners.models import Concern

    spent: dict[str, float] = {}
    cpu: dict[str, list[float]] = {}  # phase: [the process's CPU seconds, its PostgreSQL backend's]
    table = Concern._meta.db_table
    originals = {name: getattr(writer, name) for name in ("stage", *PLACING_STEPS)}

    def add(phase: str, seconds: float, cpu_started: tuple[float, float] | None = None) -> None:
        spent[phase] = spent.get(phase, 0.0) + seconds
        if cpu_started is not None:
            client, server = cpu_now()
            kept = cpu.setdefault(phase, [0.0, 0.0])
            kept[0] += client - cpu_started[0]
            kept[1] += server - cpu_started[1]

    def clocked(name, step):
        def timed(*args, **kwargs):
            started, cpu_started = time.perf_counter(), cpu_now()
            try:
                return step(*args, **kwargs) if place or name == "stage" else 0
            finally:
                add("staging" if name == "stage" else name, time.perf_counter() - started, cpu_started)
        return timed

    def statements(execute, sql, params, many, context):
        started, cpu_started = time.perf_counter(), cpu_now()
        try:
            if sql.lstrip().startswith("WITH inserted AS") and f"INSERT INTO {table}" in sql:
                execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params, many, context)
                account = context["cursor"].fetchone()[0]
                account = json.loads(account) if isinstance(account, str) else account
                triggers = account[0].get("Triggers", [])
                placed_keys = sum(t["Time"] for t in triggers if "_neighbourhood_id_" in t.get("Constraint Name", "") or "_lsoa_id_" in t.get("Constraint Name", ""))
                other_keys = sum(t["Time"] for t in triggers if t.get("Constraint Name")) - placed_keys
                history = sum(t["Time"] for t in triggers if t["Trigger Name"].startswith("pgtrigger_insert"))
                add("insert:fk_placed", placed_keys / 1000)
                add("insert:fk_other", other_keys / 1000)
                add("insert:history", history / 1000)
                # What the statement itself returns: the rows this job wrote, and how many of them are placed.
                return execute(f"SELECT count(*), count(neighbourhood_id) FROM {table} WHERE import_job_id = %s", [params[-1]], False, context)
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - started
            if "SET id = nextval" in sql:
                add("ids", seconds, cpu_started)
            elif sql.lstrip().startswith("WITH inserted AS"):
                add("insert", seconds, cpu_started)
            elif "SET pgh_context_id" in sql:
                add("context", seconds, cpu_started)

    connection.ensure_connection()
    whole_cpu = cpu_now()
    try:
        for name, step in originals.items():
            setattr(writer, name, clocked(name, step))
        with connection.execute_wrapper(statements):
            yield spent
    finally:
        for name, step in originals.items():
            setattr(writer, name, step)
    known = sum(seconds for phase, seconds in spent.items() if ":" not in phase)
    spent["insert:rows"] = spent.get("insert", 0.0) - sum(spent.get(p, 0.0) for p in ("insert:fk_placed", "insert:fk_other", "insert:history"))
    spent["_known"] = known
    client, server = cpu_now()
    cpu[""] = [client - whole_cpu[0], server - whole_cpu[1]]  # the whole commit
    spent["cpu"] = cpu


def cpu_now() -> tuple[float, float]:
    """CPU seconds so far of this process and of its PostgreSQL backend (read from /proc: the benchmark runs on the
    database's own machine). Unlike the wall clock, they hardly move with the load other work puts on the machine,
    so a phase slower on one side by its CPU did more work there; slower by the clock alone, it waited its turn."""
    from django.db import connection

    client = time.process_time()
    try:
        fields = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime, in clock ticks
    except (AttributeError, OSError, IndexError, ValueError):  # no connection yet, or PostgreSQL on another machine
        server = 0.0
    return client, server


def new_job(path: Path, *, status: str):
    from partners.models import ConcernImportJob

    organisation, user = partner()
    return ConcernImportJob.objects.create(
        organisation=organisation, created_by=user, original_name=path.name, file_format="csv", file_size=path.stat().st_size,
        file_sha256="bench", upload=str(path.relative_to(WORK)), status=status,
    )


def dry_run(path: Path) -> float:
    """Seconds for the dry run (`concern_import_check`) of the file."""
    from partners.imports.services import concern_import_check
    from partners.models import ImportJobStatus

    job = new_job(path, status=ImportJobStatus.QUEUED)
    started = time.perf_counter()
    job = concern_import_check(job_id=job.pk)
    seconds = time.perf_counter() - started
    assert job.status == ImportJobStatus.CHECKED, job.errors[:5]
    return seconds


@dataclasses.dataclass
class Commit:
    place: bool
    seconds: float
    phases: dict
    placed: int


def commit(path: Path, *, place: bool, rows: int) -> Commit:
    """One commit of the file (`concern_import_commit`, what the confirm button's task runs) into an empty concerns
    table, its phases measured (measure_phases); with `place=False`, the commit without placing."""
    from partners.imports.services import concern_import_commit
    from partners.models import Concern, ImportJobStatus

    empty_concerns()
    job = new_job(path, status=ImportJobStatus.IMPORTING)  # as the confirm button leaves it (no task queued on the hub's broker)
    with measure_phases(place=place) as phases:
        started = time.perf_counter()
        job = concern_import_commit(job_id=job.pk)
        seconds = time.perf_counter() - started
    assert job.status == ImportJobStatus.IMPORTED, job.errors[:5]
    assert job.created_count == rows, job.created_count
    placed = Concern.objects.filter(import_job=job, neighbourhood__isnull=False, lsoa__isnull=False).count()
    assert placed == (rows if place else 0), f"{placed:,} of {rows:,} rows placed at the commit"
    phases["other"] = seconds - phases.pop("_known")
    cpu = phases["cpu"]
    cpu["other"] = [cpu[""][side] - sum(spent[side] for phase, spent in cpu.items() if phase and ":" not in phase) for side in (0, 1)]
    return Commit(place=place, seconds=seconds, phases=phases, placed=placed)


def hub_import(path: Path) -> tuple[float, float, int]:
    """(seconds for the dry run, seconds for the commit, concerns created): the memory run's whole path."""
    from partners.imports.services import concern_import_commit
    from partners.models import ConcernImportJob, ImportJobStatus

    check = dry_run(path)
    job = ConcernImportJob.objects.filter(original_name=path.name).latest("pk")
    ConcernImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.IMPORTING)
    started = time.perf_counter()
    job = concern_import_commit(job_id=job.pk)
    assert job.status == ImportJobStatus.IMPORTED, job.errors[:5]
    return check, time.perf_counter() - started, job.created_count


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
            # PostgreSQL refuses COPY FROM into a table under row-level security; the floor is the raw COPY, so
            # the benchmark's own database lifts FORCE for this transaction only (the owner then bypasses policies).
            cursor.execute("ALTER TABLE partners_concern NO FORCE ROW LEVEL SECURITY")
            with cursor.cursor.copy(f"COPY partners_concern ({', '.join(columns)}) FROM STDIN") as copy, open(copy_file, "rb") as source:
                while chunk := source.read(1024 * 1024):
                    copy.write(chunk)
            cursor.execute("ALTER TABLE partners_concern FORCE ROW LEVEL SECURITY")
        seconds = time.perf_counter() - started
    copy_file.unlink()
    return seconds, count


def child(arguments) -> None:
    """Run in a subprocess, so that each measurement starts from a fresh process and its peak resident size is its
    own: the dry run, one commit (with or without placing), or the whole path (dry run and commit); prints JSON."""
    import resource

    setup_django()
    path = Path(arguments.child_path)
    if arguments.child == "dry-run":
        result = {"check": dry_run(path)}
    elif arguments.child == "commit":
        # First a commit of a few rows, untimed: a fresh process's first commit also imports and loads what the
        # hub's long-running worker already holds (the notifications, their templates: several seconds).
        commit(WARM_UP, place=arguments.place, rows=WARM_UP_ROWS)
        run = commit(path, place=arguments.place, rows=arguments.rows)
        result = {"seconds": run.seconds, "phases": run.phases, "placed": run.placed}
    else:
        empty_concerns()
        check, commit_seconds, created = hub_import(path)
        result = {"check": check, "commit": commit_seconds, "created": created}
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result), flush=True)


def in_child(kind: str, path: Path, *, place: bool = False, rows: int = 0) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--child-path", str(path), "--rows", str(rows)]
    finished = subprocess.run(command + (["--place"] if place else []), capture_output=True, text=True)
    if finished.returncode:
        raise SystemExit(f"The benchmark's {kind} run failed:\n{finished.stderr[-3000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def cpu_of(run: Commit, phase: str = "") -> float:
    """CPU seconds of a commit's phase (the whole commit by default): the process's and its PostgreSQL backend's."""
    return sum(run.phases.get("cpu", {}).get(phase, (0.0, 0.0)))


def phase_split(run: Commit) -> str:
    """A commit's phases, as seconds on the clock (and CPU seconds where measured)."""
    parts = []
    for phase, _label in PHASES:
        cpu = f" (CPU {cpu_of(run, phase):.1f})" if ":" not in phase else ""
        parts.append(f"{phase} {run.phases.get(phase, 0):.1f}{cpu}")
    return ", ".join(parts)


def load_now() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def spread(runs: list) -> str:
    seconds = sorted(run.seconds for run in runs)
    return f"median {statistics.median(seconds):.1f} s, {seconds[0]:.1f} to {seconds[-1]:.1f} s ({(seconds[-1] - seconds[0]) / statistics.median(seconds):.0%} apart)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--default-max-seconds", type=float, default=600, help="time the default path on a sample past this estimate")
    parser.add_argument("--default-sample", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the commit without and with placing, interleaved")
    parser.add_argument("--child", choices=("dry-run", "commit", "whole"), help=argparse.SUPPRESS)
    parser.add_argument("--child-path", help=argparse.SUPPRESS)
    parser.add_argument("--place", action="store_true", help=argparse.SUPPRESS)
    arguments = parse_with_tiny_mode(parser, rows=500, memory_rows=1000, default_sample=100, default_max_seconds=1, rounds=1)
    if arguments.child:
        child(arguments)
        return 0

    create_database()
    setup_django()
    build()
    rows = arguments.rows
    file = WORK / f"concerns-{rows}.csv"
    say(f"Generating {rows:,} rows…")
    generate(rows, file)
    say(f"  {file.stat().st_size / 1024 / 1024:.1f} MB")
    generate(WARM_UP_ROWS, WARM_UP)

    # Side by side, on the same file, interleaved: the commit without placing (the writer's placing steps do nothing)
    # and with it, in rounds whose order alternates (without, with | with, without | ...), so that a load rising or
    # falling during the run weighs on both sides alike; each side is summarised by its median.
    # Each run in a fresh process (in_child): its peak resident size is the memory the hub's path needs for the file.
    say("Dry run…")
    checked = in_child("dry-run", file)
    check, peaks = checked["check"], [checked["peak_mb"]]
    say(f"  dry run {check:.1f} s")
    # First a commit of the whole file, untimed, so that every timed commit follows one: what a commit of 100,000 rows
    # leaves the machine to do afterwards (writing back its pages and WAL) otherwise falls on every commit but the
    # first, which then ran faster, and the first is a commit without placing. Without placing, so that in 2 or 3
    # rounds each side follows the same mix of commits (3 rounds: each side follows one with and two without).
    say("A first commit, untimed…")
    in_child("commit", file, place=False, rows=rows)
    commits: list[Commit] = []
    for round_number in range(arguments.rounds):
        for place in ((False, True) if round_number % 2 == 0 else (True, False)):
            result = in_child("commit", file, place=place, rows=rows)
            run = Commit(place=place, seconds=result["seconds"], phases=result["phases"], placed=result["placed"])
            commits.append(run)
            peaks.append(result["peak_mb"])
            say(f"  round {round_number + 1}: commit {'with' if place else 'without'} placing {run.seconds:.1f} s, CPU {cpu_of(run):.1f} s "
                f"(load {load_now()})")
            say(f"    {phase_split(run)}")
    placed_runs = [c for c in commits if c.place]
    unplaced_runs = [c for c in commits if not c.place]
    commit_seconds = statistics.median(c.seconds for c in placed_runs)
    unplaced_commit = statistics.median(c.seconds for c in unplaced_runs)
    hub = check + commit_seconds
    # Each round's own share (its commit with placing against its commit without, run next to each other).
    round_shares = [(with_.seconds - without.seconds) / without.seconds
                    for with_, without in zip(placed_runs, unplaced_runs)]
    # The share attributed: the time the placing steps and the placed rows' two foreign-key checks took, measured
    # inside each commit with placing, against the commit without. It moves with the load far less than the
    # difference of two whole commits does.
    attributed = statistics.median(sum(c.phases.get(p, 0) for p in ADDED_BY_PLACING) for c in placed_runs)
    attributed_share = attributed / unplaced_commit

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

    small = {"peak_mb": max(peaks)}  # the dry run's and every commit's, each in its own process
    memory_rows = arguments.memory_rows
    big_file = WORK / f"concerns-{memory_rows}.csv"
    if memory_rows == rows:
        big = {**small, "check": check, "commit": commit_seconds}
    else:
        say(f"Generating {memory_rows:,} rows…")
        generate(memory_rows, big_file)
        say(f"  {big_file.stat().st_size / 1024 / 1024:.1f} MB; peak memory, {memory_rows:,} rows…")
        big = in_child("whole", big_file)

    say("")
    say(f"{'Importing ' + format(rows, ',') + ' concerns':<44}{'seconds':>10}{'rows/s':>12}{'vs COPY':>10}")
    for label, seconds in (("hub (dry run + commit, all or nothing)", hub), ("  of which the dry run", check),
                           ("  of which the commit (median)", commit_seconds), ("  the commit without placing (median)", unplaced_commit),
                           ("django-import-export default path", default_seconds), ("raw PostgreSQL COPY", copy_seconds)):
        say(f"{label:<44}{seconds:>10.1f}{rows / seconds:>12,.0f}{seconds / copy_seconds:>9.1f}×")
    say(f"(default path: {default_note})")
    say("")
    say(f"The commit's phases, median seconds of {len(unplaced_runs)} commits each side (interleaved):")
    say(f"{'':<56}{'without':>9}{'with':>9}{'added':>9}   CPU: {'without':>9}{'with':>9}{'added':>9}")
    for phase, label in PHASES + (("", "the whole commit"),):
        without = statistics.median(c.phases.get(phase, 0) if phase else c.seconds for c in unplaced_runs)
        with_ = statistics.median(c.phases.get(phase, 0) if phase else c.seconds for c in placed_runs)
        line = f"{label:<56}{without:>9.1f}{with_:>9.1f}{with_ - without:>+9.1f}"
        if ":" not in phase:
            cpu_without = statistics.median(cpu_of(c, phase) for c in unplaced_runs)
            cpu_with = statistics.median(cpu_of(c, phase) for c in placed_runs)
            line += f"        {cpu_without:>9.1f}{cpu_with:>9.1f}{cpu_with - cpu_without:>+9.1f}"
        say(line)
    cpu_without, cpu_with = statistics.median(cpu_of(c) for c in unplaced_runs), statistics.median(cpu_of(c) for c in placed_runs)
    say(f"CPU (this process and its PostgreSQL backend, which hardly moves with the load): the commit with placing takes "
        f"{(cpu_with - cpu_without) / cpu_without:+.1%} more (medians {cpu_with:.1f} s against {cpu_without:.1f} s); on a quiet machine "
        f"the wall clock approaches it")
    say(f"Commits without placing: {spread(unplaced_runs)}; with placing: {spread(placed_runs)}")
    say(f"Each round's share (with against without, side by side): {', '.join(f'{share:+.1%}' for share in round_shares)}")
    say("")
    say(f"Peak resident memory of the hub's path: {small['peak_mb']:.0f} MB for {rows:,} rows, {big['peak_mb']:.0f} MB for {memory_rows:,} rows "
        f"({big['check'] + big['commit']:.0f} s)")
    for leftover in (file, big_file, WARM_UP):
        leftover.unlink(missing_ok=True)

    copy_ratio, speedup = hub / copy_seconds, default_seconds / hub
    share = (commit_seconds - unplaced_commit) / unplaced_commit
    say(f"GOAL import-within-5x-copy: measured {copy_ratio:.2f} (goal ≤ {GOAL_COPY_RATIO}) {'MET' if copy_ratio <= GOAL_COPY_RATIO else 'NOT MET'}")
    extrapolated = " (default path extrapolated)" if "EXTRAPOLATED" in default_note else ""
    say(f"GOAL import-10x-faster-than-default: measured {speedup:.1f}{extrapolated} (goal ≥ {GOAL_DEFAULT_SPEEDUP}) "
        f"{'MET' if speedup >= GOAL_DEFAULT_SPEEDUP else 'NOT MET'}")
    agree = all(share <= GOAL_PLACEMENT_SHARE for share in round_shares) or all(share > GOAL_PLACEMENT_SHARE for share in round_shares)
    say(f"GOAL import-commit-placement-{rows // 1000}k-rows: measured {share:.1%} added to the commit (median of {len(placed_runs)} "
        f"commits with placing {commit_seconds:.1f} s against median of {len(unplaced_runs)} without {unplaced_commit:.1f} s, interleaved; "
        f"rounds {min(round_shares):+.1%} to {max(round_shares):+.1%}{'' if agree else ', on both sides of the goal'}; attributed to the "
        f"placing steps and their foreign-key checks {attributed_share:.1%}; load {load_now()}) (goal ≤ {GOAL_PLACEMENT_SHARE:.0%}) "
        f"{'MET' if share <= GOAL_PLACEMENT_SHARE else 'NOT MET'}")
    say(f"GOAL import-memory-{memory_rows // 1000}k-rows: measured {big['peak_mb']:.0f} MB (goal < {GOAL_MEMORY_MB} MB) "
        f"{'MET' if big['peak_mb'] < GOAL_MEMORY_MB else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
