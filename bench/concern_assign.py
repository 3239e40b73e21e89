"""Benchmark: placing a million partner concerns in their neighbourhoods and LSOAs.

    .venv/bin/python bench/concern_assign.py            # 1,000,000 concerns
    .venv/bin/python bench/concern_assign.py --rows 50000   # a quick run

Builds its own database (`engagement_hub_bench_assign`, copied from the PostGIS template database
like the test databases, and migrated; never the development database), a grid of 600 neighbourhoods
each split into four LSOAs over a Cumbria-sized area (edges densified, so each boundary has a few
hundred vertices like a real one), and the concerns (one in a hundred outside every neighbourhood),
written by generate_series. It then times the hub's `concerns_place()` against one hand-written
PostGIS join UPDATE doing the same assignment: the same data before each run (the table is reloaded
from a snapshot and analysed), each run twice, interleaved, the best of each kept. The history
triggers are off for both unless --with-history (they add the same per-row cost to both, which only
brings the ratio towards 1). It checks both give the same assignment, prints the figures side by side
and ends with the goal line. --reuse skips the build when the database already holds the same rows.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database_name, parse_with_tiny_mode, recreate_database, system_work  # noqa: E402

BENCH_DB = bench_database_name("assign")
GOAL_RATIO = 1.2
# The area: 24 columns by 25 rows of neighbourhoods, from Walney to Penrith and Barrow to Carlisle.
WEST, SOUTH, EAST, NORTH = -3.60, 54.00, -2.40, 54.90
COLUMNS, ROWS = 24, 25
SEGMENT_DEGREES = 0.0006  # edges densified to one vertex every ~40-60 m

HAND_WRITTEN = """
UPDATE partners_concern AS c
   SET neighbourhood_id = n.id, lsoa_id = s.id
  FROM geo_neighbourhood AS n, geo_smallarea AS s
 WHERE c.neighbourhood_id IS NULL
   AND ST_Intersects(n.boundary, c.location)
   AND s.kind = 'lsoa' AND ST_Intersects(s.boundary, c.location)
"""


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
    system_work("concern assignment benchmark")
    from django.conf import settings

    assert settings.DATABASES["default"]["NAME"] == BENCH_DB, "refusing to run outside the benchmark database"


def say_leakproof() -> None:
    """Whether this database has the PostGIS functions row-level security needs LEAKPROOF for the concerns' spatial
    indexes (row_security/leakproof.sql, marked in the template by scripts/hub): without them the figures measure
    whole-table scans."""
    from django.db import connection

    from row_security import leakproof

    with connection.cursor() as cursor:
        missing = leakproof.missing(cursor)
    say("PostGIS functions LEAKPROOF (row_security/leakproof.sql): " + (
        "yes" if not missing else f"NO, {', '.join(missing)} not marked: spatial filters on concerns cannot use their indexes"))


def build_boundaries(cursor, force_area_id: int) -> None:
    """The force's 600 grid-square neighbourhoods, each split into four LSOAs, edges densified to real vertex counts
    (also used by bench/concern_import.py to place an import's rows)."""
    width, height = (EAST - WEST) / COLUMNS, (NORTH - SOUTH) / ROWS
    say(f"Building {COLUMNS * ROWS} neighbourhoods and {COLUMNS * ROWS * 4} LSOAs…")
    cursor.execute(
        """
        INSERT INTO geo_neighbourhood (force_area_id, code, name, boundary, description)
        SELECT %(area)s, 'N' || i || '-' || j, 'Neighbourhood ' || i || '-' || j,
           ST_Multi(ST_Segmentize(ST_MakeEnvelope(%(west)s + i * %(w)s, %(south)s + j * %(h)s,
                                                  %(west)s + (i + 1) * %(w)s, %(south)s + (j + 1) * %(h)s, 4326), %(seg)s)), ''
          FROM generate_series(0, %(cols)s - 1) AS i, generate_series(0, %(rows)s - 1) AS j
        """,
        {"area": force_area_id, "west": WEST, "south": SOUTH, "w": width, "h": height, "seg": SEGMENT_DEGREES, "cols": COLUMNS, "rows": ROWS},
    )
    cursor.execute(
        """
        INSERT INTO geo_smallarea (kind, code, name, boundary)
        SELECT 'lsoa', 'E01' || lpad((row_number() OVER (ORDER BY i, j))::text, 6, '0'), 'Bench LSOA ' || i || '-' || j,
           ST_Multi(ST_Segmentize(ST_MakeEnvelope(%(west)s + i * %(w)s, %(south)s + j * %(h)s,
                                                  %(west)s + (i + 1) * %(w)s, %(south)s + (j + 1) * %(h)s, 4326), %(seg)s))
          FROM generate_series(0, 2 * %(cols)s - 1) AS i, generate_series(0, 2 * %(rows)s - 1) AS j
        """,
        {"west": WEST, "south": SOUTH, "w": width / 2, "h": height / 2, "seg": SEGMENT_DEGREES, "cols": COLUMNS, "rows": ROWS},
    )
    cursor.execute("SELECT avg(ST_NPoints(boundary))::int FROM geo_neighbourhood")
    say(f"  {cursor.fetchone()[0]} vertices per neighbourhood boundary on average")


def build(rows: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from crm.models import IssueCategory
    from organisations.models import Organisation, OrganisationKind
    from geo.models import ForceArea

    say("Migrating the benchmark database…")
    call_command("migrate", verbosity=0, interactive=False)
    force = Organisation.objects.create(name="Bench Constabulary", slug="bench-constabulary", kind=OrganisationKind.POLICE_FORCE)
    partners = [Organisation.objects.create(name=f"Bench partner {i}", slug=f"bench-partner-{i}", kind=OrganisationKind.COUNCIL) for i in range(5)]
    area = ForceArea.objects.create(force=force, code="bench", name="Bench force area")
    categories = list(IssueCategory.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        build_boundaries(cursor, area.pk)
        say(f"Writing {rows:,} concerns (generate_series)…")
        started = time.perf_counter()
        # History triggers are off while the data is built (it is not what is measured), on for the runs.
        cursor.execute("ALTER TABLE partners_concern DISABLE TRIGGER USER")
        cursor.execute(
            """
            INSERT INTO partners_concern (organisation_id, created_at, updated_at, category_id, location, place, occurred_at, reported_at,
                                          channel, description, holds_personal_data, reporter_name, reporter_email, reporter_phone,
                                          classification, status, external_reference, fingerprint, open311_token)
            SELECT (%(partners)s::bigint[])[1 + g %% 5], now(), now(), (%(categories)s::bigint[])[1 + g %% %(ncat)s],
                   CASE WHEN g %% 100 = 0  -- one in a hundred outside every neighbourhood
                        THEN ST_SetSRID(ST_MakePoint(%(east)s + 0.05 + random() * 0.3, %(south)s + random() * (%(north)s - %(south)s)), 4326)
                        ELSE ST_SetSRID(ST_MakePoint(%(west)s + random() * (%(east)s - %(west)s), %(south)s + random() * (%(north)s - %(south)s)), 4326)
                   END,
                   'Bench place ' || g, now() - (g %% 60) * interval '1 day', now() - (g %% 60) * interval '1 day',
                   'phone', 'Bench concern ' || g, false, '', '', '', 'official', 'new', '', md5(g::text), gen_random_uuid()
              FROM generate_series(1, %(rows)s) AS g
            """,
            {"partners": [p.pk for p in partners], "categories": categories, "ncat": len(categories), "rows": rows,
             "west": WEST, "south": SOUTH, "east": EAST, "north": NORTH},
        )
        cursor.execute("ALTER TABLE partners_concern ENABLE TRIGGER USER")
        cursor.execute("CREATE TABLE bench_concern_snapshot AS SELECT * FROM partners_concern")
        cursor.execute("ALTER TABLE bench_concern_snapshot DROP COLUMN location_bng")
        say(f"  written in {time.perf_counter() - started:.1f} s")
    connection.close()


def database_holds(rows: int) -> bool:
    import psycopg

    from engagement_hub.env import env_int, env_str

    try:
        with psycopg.connect(dbname=BENCH_DB, user=env_str("HUB_DB_USER", "engagement_hub"), password=env_str("HUB_DB_PASSWORD", "engagement_hub_local"),
                             host=env_str("HUB_DB_HOST", "127.0.0.1"), port=env_int("HUB_DB_PORT", 5432)) as connection:
            return connection.execute("SELECT count(*) FROM bench_concern_snapshot").fetchone()[0] == rows
    except psycopg.Error:
        return False


def reset(*, with_history: bool) -> None:
    """The same data before every run: the table reloaded from the snapshot, the history emptied, statistics fresh.
    The history triggers (pghistory: one event row per changed row, the same on both sides) are off unless asked for,
    so that what is timed is the assignment itself: the stricter comparison."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns "
                       "WHERE table_name = 'bench_concern_snapshot'")
        columns = cursor.fetchone()[0]
        cursor.execute("TRUNCATE partners_concern, partners_concernevent CASCADE")
        cursor.execute("ALTER TABLE partners_concern DISABLE TRIGGER USER")
        cursor.execute(f"INSERT INTO partners_concern ({columns}) SELECT {columns} FROM bench_concern_snapshot")
        if with_history:
            cursor.execute("ALTER TABLE partners_concern ENABLE TRIGGER USER")
        cursor.execute("ANALYZE partners_concern")


def time_ours() -> tuple[float, tuple]:
    from django.db import transaction

    from partners.collation.services import concerns_place

    started = time.perf_counter()
    with transaction.atomic():
        placement = concerns_place()
    return time.perf_counter() - started, (placement.placed, placement.unplaced)


def time_hand_written() -> tuple[float, tuple]:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN)
        placed = cursor.rowcount
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM partners_concern WHERE neighbourhood_id IS NULL")
        unplaced = cursor.fetchone()[0]
    return elapsed, (placed, unplaced)


def assignment_checksum() -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(neighbourhood_id), count(lsoa_id), sum(neighbourhood_id * 7919 + lsoa_id) FROM partners_concern")
        return cursor.fetchone()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="how many concerns (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=2, help="runs of each, the best kept (default 2)")
    parser.add_argument("--with-history", action="store_true",
                        help="keep the history triggers on during the timed runs (the same cost, row for row, on both sides)")
    parser.add_argument("--reuse", action="store_true", help="reuse the benchmark database if it already holds the same rows")
    args = parse_with_tiny_mode(parser, rows=500, runs=1)

    reused = args.reuse and database_holds(args.rows)
    if not reused:
        say(f"Creating the database {BENCH_DB} from the template…")
        create_database()
    setup_django()
    if reused:
        say(f"Reusing {BENCH_DB}: it already holds the same {args.rows:,} concerns.")
    else:
        build(args.rows)
    say_leakproof()

    results = {"ours": [], "hand": []}
    checksums = {}
    outcomes = {}
    for attempt in range(args.runs):
        for name, runner in (("ours", time_ours), ("hand", time_hand_written)):
            reset(with_history=args.with_history)
            elapsed, outcome = runner()
            results[name].append(elapsed)
            outcomes[name] = outcome
            checksums[name] = assignment_checksum()
            say(f"  run {attempt + 1}: {'concerns_place()' if name == 'ours' else 'hand-written join'}: {elapsed:.2f} s "
                f"({outcome[0]:,} placed, {outcome[1]:,} unplaced)")

    ours, hand = min(results["ours"]), min(results["hand"])
    ratio = ours / hand
    same = checksums["ours"] == checksums["hand"]
    say("")
    say(f"Placing {args.rows:,} concerns in {COLUMNS * ROWS} neighbourhoods and {COLUMNS * ROWS * 4} LSOAs (best of {args.runs}, "
        f"history triggers {'on' if args.with_history else 'off'}):")
    say(f"  {'path':<42} {'seconds':>9} {'rows/s':>12}")
    say(f"  {'concerns_place() (the hub)':<42} {ours:>9.2f} {args.rows / ours:>12,.0f}")
    say(f"  {'hand-written PostGIS join UPDATE':<42} {hand:>9.2f} {args.rows / hand:>12,.0f}")
    say(f"  same assignment: {'yes' if same else 'NO'} (placed, with LSOA, checksum: {checksums['ours']} vs {checksums['hand']})")
    met = ratio <= GOAL_RATIO and same
    if args.rows < 1_000_000:
        say(f"  (a quick run of {args.rows:,} rows: the goal is for 1,000,000)")
    say(f"GOAL assign-1M: measured {ratio:.2f} (goal ≤ {GOAL_RATIO}) {'MET' if met else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
