"""Benchmark: the nightly retention job over many records due.

    .venv/bin/python bench/retention.py                 # 50,000 contacts due
    .venv/bin/python bench/retention.py --rows 5000     # a quick run
    .venv/bin/python bench/retention.py --rows 2000 --profile   # and where the real run's time goes

Builds its own database (`engagement_hub_bench_retention`, or under $HUB_BENCH_DB_PREFIX; copied from the PostGIS
template and migrated; never the development database): one force with a neighbourhood team holding
`--rows` contacts last changed three years ago (each with its history row, written by the pghistory
trigger), plus as many recent contacts that are not due. It times the job's two passes through
`retention.enforcement.enforce`, the path the Celery task takes: the dry run (adopts the default
schedules, lists every due record) and the real run (anonymises them set-based, a batch at a time: one
UPDATE of the contacts and one of their history rows per batch, the decisions in one INSERT). It counts the
real run's queries, checks that every due contact was anonymised and no other, then ends with one GOAL line
per goal. `--profile` also prints the real run's costliest functions (cProfile).

Goal: the real run anonymises at least 100 records a second, so 100,000 falling due on one night take
under 17 minutes of the night's window.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database_name, parse_with_tiny_mode, recreate_database, system_work  # noqa: E402

BENCH_DB = bench_database_name("retention")
GOAL_PER_SECOND = 100


def say(message: str) -> None:
    print(message, flush=True)


def setup_django() -> None:
    os.environ["HUB_DB_NAME"] = BENCH_DB
    os.environ["DJANGO_SETTINGS_MODULE"] = "engagement_hub.settings.local"
    os.environ.setdefault("HUB_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    system_work("retention benchmark")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(rows: int) -> None:
    import datetime

    from django.utils import timezone

    from crm.models import Contact, LawfulBasis
    from organisations.models import Organisation, OrganisationKind

    force = Organisation.objects.create(name="Bench Constabulary", slug="bench-force", kind=OrganisationKind.POLICE_FORCE)
    team = Organisation.objects.create(name="Bench team", slug="bench-team", kind=OrganisationKind.NEIGHBOURHOOD_TEAM, parent=force)
    retain = timezone.localdate() + datetime.timedelta(days=365)
    for start in range(0, 2 * rows, 5000):
        Contact.objects.bulk_create([
            Contact(organisation=team, first_name=f"First{n}", last_name=f"Last{n}", email=f"person{n}@example.org", phone="01229 555000",
                    postcode="LA14 2QE", notes=f"Notes naming person {n}", lawful_basis=LawfulBasis.PUBLIC_TASK, retain_until=retain)
            for n in range(start, min(start + 5000, 2 * rows))])
    old = timezone.now() - datetime.timedelta(days=3 * 365)
    Contact.objects.filter(pk__in=Contact.objects.order_by("pk").values("pk")[:rows]).update(updated_at=old)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000, help="contacts falling due (as many again are not)")
    parser.add_argument("--profile", action="store_true", help="print the real run's 15 costliest functions (cumulative time)")
    args = parse_with_tiny_mode(parser, rows=200)
    recreate_database(BENCH_DB)
    setup_django()
    from django.conf import settings
    from django.db import connection

    from crm.models import Contact
    from retention.enforcement import enforce
    from retention.models import DueItem, EndAction, RecordClass, RetentionDecision, RetentionSchedule

    started = time.monotonic()
    build(args.rows)
    say(f"Built {2 * args.rows:,} contacts ({args.rows:,} due) in {time.monotonic() - started:.1f} s")

    started = time.monotonic()
    enforce(dry_run=True)
    dry_seconds = time.monotonic() - started
    listed = DueItem.objects.filter(record_class=RecordClass.CONTACTS).count()
    say(f"Dry run: listed {listed:,} in {dry_seconds:.1f} s ({listed / dry_seconds:,.0f} a second)")

    RetentionSchedule.objects.filter(record_class=RecordClass.CONTACTS).update(end_action=EndAction.ANONYMISE)
    DueItem.objects.update(end_action=EndAction.ANONYMISE)
    settings.RETENTION_NOTICE_DAYS = 0
    queries = []
    profiler = cProfile.Profile() if args.profile else None
    with connection.execute_wrapper(lambda execute, sql, params, many, context: queries.append(1) or execute(sql, params, many, context)):
        started = time.monotonic()
        if profiler:
            profiler.enable()
        enforce(dry_run=False)
        if profiler:
            profiler.disable()
        real_seconds = time.monotonic() - started
    done = RetentionDecision.objects.filter(record_class=RecordClass.CONTACTS).count()
    anonymised = Contact.objects.filter(first_name="Anonymised").count()
    correct = listed == args.rows == done == anonymised
    rate = done / real_seconds
    say(f"Real run: anonymised {done:,} in {real_seconds:.1f} s ({rate:,.0f} a second; batches of {settings.RETENTION_BATCH_SIZE})")
    say(f"Queries in the real run: {len(queries):,} ({len(queries) / max(done, 1):.2f} a record)")
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(15)
    say(f"Every due contact anonymised and no other: {'yes' if correct else 'NO'}")
    met = rate >= GOAL_PER_SECOND and correct
    say(f"GOAL retention-anonymise-rate: measured {rate:,.0f} a second (goal ≥ {GOAL_PER_SECOND}) {'MET' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
