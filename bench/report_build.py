"""Benchmark: an engagement-coverage report over 600 neighbourhoods and a million engagements.

    .venv/bin/python bench/report_build.py                          # 1,000,000 engagements
    .venv/bin/python bench/report_build.py --engagements 100000     # a quicker run
    .venv/bin/python bench/report_build.py --render-neighbourhoods 600   # render the whole force's PDF

Builds its own database (`engagement_hub_bench_reports`, copied from the PostGIS template database
like the test databases, and migrated; never the development database): one force, 600 grid-square
neighbourhoods each with an LSOA and a demographic profile, a year of engagements written by
generate_series (with officers at beat meetings, groups reached and issues raised), two years of
partner concerns, and priorities with actions. Then, in one run:

1. aggregation: the report's `report_figures()` (the ORM through visible_to) against one hand-written
   SQL query computing the same figures, each run three times, interleaved, best kept; the two are
   checked to agree;
2. rendering: in a fresh subprocess, the PDF of the first N neighbourhoods (default 100) rendered by
   the report's own path (static-only fetcher, PDF/UA), timed in pages per second, with the growth of
   the process's peak resident memory divided by the pages.

It ends with one GOAL line per goal.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database_name, parse_with_tiny_mode, recreate_database, system_work  # noqa: E402

BENCH_DB = bench_database_name("reports")
GOAL_AGGREGATION_RATIO = 1.5
GOAL_PAGES_PER_SECOND = 20
GOAL_MB_PER_PAGE = 1.0
COLUMNS, ROWS = 24, 25  # 600 neighbourhoods
WEST, SOUTH, SIZE = -3.60, 54.00, 0.03


def say(message: str) -> None:
    print(message, flush=True)


def create_database() -> None:
    """Drop and recreate the benchmark's own database from the PostGIS template, as the tests do."""
    recreate_database(BENCH_DB)


def setup_django() -> None:
    os.environ["HUB_DB_NAME"] = BENCH_DB
    os.environ["DJANGO_SETTINGS_MODULE"] = "engagement_hub.settings.local"
    os.environ.setdefault("HUB_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    system_work("report benchmark")
    from django.conf import settings

    assert settings.DATABASES["default"]["NAME"] == BENCH_DB, "refusing to run outside the benchmark database"


def build(engagements: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from organisations.models import Membership, Organisation, OrganisationKind, User
    from access.roles import Role

    call_command("migrate", verbosity=0, interactive=False)
    force = Organisation.objects.create(name="Bench Constabulary", slug="bench-constabulary", kind=OrganisationKind.POLICE_FORCE)
    team = Organisation.objects.create(name="Bench team", slug="bench-team", kind=OrganisationKind.NEIGHBOURHOOD_TEAM, parent=force)
    council = Organisation.objects.create(name="Bench council", slug="bench-council", kind=OrganisationKind.COUNCIL)
    manager = User.objects.create_user("bench-manager", "bench-manager@example.org", "x", first_name="Bench", last_name="Manager")
    Membership.objects.create(user=manager, organisation=force, role=Role.MANAGER)
    officers = [User.objects.create_user(f"bench-officer-{i}", f"bench-officer-{i}@example.org", "x") for i in range(50)]
    for officer in officers:
        Membership.objects.create(user=officer, organisation=team, role=Role.OFFICER, warranted=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute("INSERT INTO geo_forcearea (code, name, force_id) VALUES ('bench', 'Bench force area', %s) RETURNING id", [force.pk])
        force_area_id = cursor.fetchone()[0]
        say(f"  {COLUMNS * ROWS} neighbourhoods, each with an LSOA and a profile")
        cursor.execute("""
            INSERT INTO geo_neighbourhood (code, name, boundary, description, force_area_id, team_id)
            SELECT 'N' || lpad(i::text, 3, '0'), 'Neighbourhood ' || lpad(i::text, 3, '0'),
                   ST_Multi(ST_MakeEnvelope(%(west)s + (i %% %(cols)s) * %(size)s, %(south)s + (i / %(cols)s) * %(size)s,
                                            %(west)s + (i %% %(cols)s + 1) * %(size)s, %(south)s + (i / %(cols)s + 1) * %(size)s, 4326)),
                   '', %(area)s, %(team)s
              FROM generate_series(0, %(n)s - 1) AS i
        """, {"west": WEST, "south": SOUTH, "size": SIZE, "cols": COLUMNS, "n": COLUMNS * ROWS, "area": force_area_id, "team": team.pk})
        cursor.execute("""
            INSERT INTO geo_smallarea (kind, code, name, boundary, neighbourhood_id)
            SELECT 'lsoa', 'E01' || lpad((900000 + id)::text, 6, '0'), name || 'A', boundary, id FROM geo_neighbourhood
        """, {})
        cursor.execute("""
            INSERT INTO geo_demographicprofile (source, population_by_age_band, ethnicity, disability, main_language, bsl_users, area_id)
            SELECT 'Synthetic (benchmark)',
                   jsonb_build_object('0-15', 300, '16-24', 150 + id %% 100, '25-44', 400, '45-64', 350, '65-74', 150, '75+', 100),
                   jsonb_build_object('asian', 30, 'black', 20, 'mixed', 20, 'white', 1370 + id %% 100, 'other', 10),
                   jsonb_build_object('limited_a_lot', 150, 'limited_a_little', 200, 'not_disabled', 1100 + id %% 100),
                   jsonb_build_object('English', 1400, 'Polish', 20),
                   id %% 5, id FROM geo_smallarea
        """, {})
        say(f"  {engagements:,} engagements over a year")
        for table in ("crm_engagement", "crm_engagementissue", "partners_concern", "crm_priority", "crm_priorityaction"):
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")  # history triggers: not what is measured here
        cursor.execute("""
            INSERT INTO crm_engagement (created_at, updated_at, kind, title, status, starts_at, location, venue_name, venue_kind,
                                        online_link, objectives, objectives_met, turnout, adjustments, streets, notes,
                                        neighbourhood_id, organisation_id)
            SELECT now(), now(), k.kind, initcap(replace(k.kind, '_', ' ')) || ' ' || g.seq, 'held', t.at,
                   ST_SetSRID(ST_MakePoint(%(west)s + (n.i %% %(cols)s + 0.5) * %(size)s, %(south)s + (n.i / %(cols)s + 0.5) * %(size)s), 4326),
                   '', CASE WHEN k.kind IN ('online_meeting', 'social_media') THEN 'online' ELSE 'community_centre' END,
                   '', '', 'not_assessed', (random() * 40)::int, '{}', '{}', '', n.id, %(team)s
              FROM generate_series(1::bigint, %(count)s) AS g(seq)
              CROSS JOIN LATERAL (SELECT (ARRAY['public_meeting','pact_meeting','beat_meeting','street_meeting','surgery','postcard',
                                                'eva','door_to_door','online_meeting','social_media','iag_consultation'])[1 + (g.seq * 7) %% 11] AS kind) AS k
              -- A time for each row: random() must take g.seq, or PostgreSQL runs the subquery once for all rows
              -- (every engagement in one month, as the benchmark had until 27 November 2026).
              CROSS JOIN LATERAL (SELECT now() - interval '1 hour' - (random() * interval '364 days') + 0 * g.seq * interval '1 s' AS at) AS t
              CROSS JOIN LATERAL (SELECT (g.seq * 7919) %% %(nbs)s AS slot) AS ni
              JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM geo_neighbourhood) AS n ON n.i = ni.slot
        """, {"west": WEST, "south": SOUTH, "size": SIZE, "cols": COLUMNS, "count": engagements, "nbs": COLUMNS * ROWS, "team": team.pk})
        ids = [o.pk for o in officers]
        cursor.execute("""
            INSERT INTO crm_engagement_officers (engagement_id, user_id)
            SELECT id, (%(ids)s::bigint[])[1 + id %% 50] FROM crm_engagement WHERE kind = 'beat_meeting' AND id %% 10 <> 0
        """, {"ids": ids})
        cursor.execute("""
            INSERT INTO crm_engagement_groups_reached (engagement_id, underrepresentedgroup_id)
            SELECT e.id, g.id FROM crm_engagement e
              JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i, count(*) OVER () AS n FROM crm_underrepresentedgroup) g
                ON g.i = e.id %% g.n
             WHERE e.id %% 10 = 0
        """, {})
        cursor.execute("""
            INSERT INTO crm_engagementissue (description, engagement_id, category_id)
            SELECT 'Raised at the meeting', e.id, c.id FROM crm_engagement e
              JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i, count(*) OVER () AS n FROM crm_issuecategory) c
                ON c.i = (e.id / 5) %% c.n
             WHERE e.id %% 5 = 0
        """, {})
        concerns = max(engagements // 10, 1000)
        say(f"  {concerns:,} partner concerns over two years, 3,000 priorities with actions")
        cursor.execute("""
            INSERT INTO partners_concern (created_at, updated_at, location, place, occurred_at, reported_at, channel, description,
                                          holds_personal_data, reporter_name, reporter_email, reporter_phone, classification, status,
                                          external_reference, fingerprint, open311_token, category_id, neighbourhood_id, lsoa_id,
                                          organisation_id)
            SELECT now(), now(), ST_Centroid(s.boundary), '', t.at, t.at, 'phone', 'Reported by phone', false, '', '', '',
                   CASE WHEN g.seq %% 500 = 0 THEN 'official_sensitive' ELSE 'official' END, 'collated', '', md5(g.seq::text),
                   gen_random_uuid(), c.id, s.neighbourhood_id, s.id, CASE WHEN g.seq %% 3 = 0 THEN %(council)s ELSE %(team)s END
              FROM generate_series(1::bigint, %(count)s) AS g(seq)
              CROSS JOIN LATERAL (SELECT now() - interval '1 hour' - (random() * interval '729 days') + 0 * g.seq * interval '1 s' AS at) AS t
              JOIN (SELECT id, boundary, neighbourhood_id, row_number() OVER (ORDER BY id) - 1 AS i FROM geo_smallarea) s
                ON s.i = (g.seq * 31) %% %(nbs)s
              JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i, count(*) OVER () AS n FROM crm_issuecategory) c ON c.i = g.seq %% 7
        """, {"count": concerns, "nbs": COLUMNS * ROWS, "team": team.pk, "council": council.pk})
        cursor.execute("""
            INSERT INTO crm_priority (created_at, updated_at, issue, issue_date, status, outcome, category_id, neighbourhood_id, organisation_id)
            SELECT now(), now(), 'Residents asked for action on ' || c.name || ' near the shops.', current_date - (k * 60), 'in_progress', '',
                   c.id, n.id, %(team)s
              FROM geo_neighbourhood n CROSS JOIN generate_series(0, 4) AS k
              JOIN (SELECT id, name, row_number() OVER (ORDER BY id) - 1 AS i FROM crm_issuecategory) c ON c.i = k
        """, {"team": team.pk})
        cursor.execute("""
            INSERT INTO crm_priorityaction (action, action_date, status, withdrawn_reason, priority_id)
            SELECT 'Patrols and a letter drop to every home on the street.', issue_date + 10,
                   CASE WHEN id %% 2 = 0 THEN 'done' ELSE 'in_progress' END, '', id FROM crm_priority
        """, {})
        for table in ("crm_engagement", "crm_engagementissue", "partners_concern", "crm_priority", "crm_priorityaction"):
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        cursor.execute("ANALYZE")


HAND_WRITTEN = """
WITH held AS (
  SELECT id, neighbourhood_id, kind, starts_at, venue_kind, turnout, title
    FROM crm_engagement
   WHERE status = 'held' AND starts_at >= %(starts)s AND starts_at < %(ends)s
     AND neighbourhood_id = ANY(%(nbs)s) AND organisation_id = ANY(%(orgs)s)
), counts AS (
  SELECT neighbourhood_id, kind, date_trunc('month', starts_at AT TIME ZONE %(tz)s)::date AS month, count(*) AS n,
         count(*) FILTER (WHERE kind = ANY(%(online_kinds)s) OR venue_kind = 'online') AS online, sum(turnout) AS people,
         count(*) FILTER (WHERE kind = ANY(%(meeting_kinds)s) AND turnout < %(low)s) AS low
    FROM held GROUP BY 1, 2, 3
), marks AS (
  SELECT neighbourhood_id, (starts_at AT TIME ZONE %(tz)s)::date AS day FROM held WHERE kind = 'beat_meeting'
  UNION ALL SELECT id, %(start)s::date FROM unnest(%(nbs)s::bigint[]) AS id
  UNION ALL SELECT id, %(end)s::date FROM unnest(%(nbs)s::bigint[]) AS id
), gaps AS (
  SELECT neighbourhood_id, day - lag(day) OVER (PARTITION BY neighbourhood_id ORDER BY day) AS gap FROM marks
), gap_summary AS (
  SELECT neighbourhood_id, count(*) - 2 AS beat_meetings, max(gap) AS longest, count(*) FILTER (WHERE gap > %(policy)s) AS over_policy
    FROM gaps GROUP BY 1
), attendance AS (
  SELECT h.neighbourhood_id, count(*) AS attendances, count(DISTINCT o.user_id) AS officers, count(DISTINCT o.engagement_id) AS meetings
    FROM crm_engagement_officers o JOIN held h ON h.id = o.engagement_id AND h.kind = 'beat_meeting' GROUP BY 1
), reach AS (
  SELECT h.neighbourhood_id, g.underrepresentedgroup_id, count(*) AS n
    FROM crm_engagement_groups_reached g JOIN held h ON h.id = g.engagement_id GROUP BY 1, 2
), profile AS (
  SELECT s.neighbourhood_id, t.name, kv.key, sum(kv.value::int) AS n
    FROM geo_demographicprofile p JOIN geo_smallarea s ON s.id = p.area_id
    CROSS JOIN LATERAL (VALUES ('age', p.population_by_age_band), ('ethnicity', p.ethnicity), ('disability', p.disability),
                               ('language', p.main_language), ('bsl', jsonb_build_object('bsl', p.bsl_users))) AS t(name, doc)
    CROSS JOIN LATERAL jsonb_each_text(t.doc) AS kv
   WHERE s.neighbourhood_id = ANY(%(nbs)s) GROUP BY 1, 2, 3
), advice AS (
  SELECT h.neighbourhood_id, a.response, count(*) AS n
    FROM crm_advisoryadvice a JOIN held h ON h.id = a.consultation_id AND h.kind = 'iag_consultation'
   WHERE a.organisation_id = ANY(%(orgs)s) GROUP BY 1, 2
), low_examples AS (
  SELECT neighbourhood_id, title, kind, starts_at, turnout FROM (
    SELECT *, row_number() OVER (PARTITION BY neighbourhood_id ORDER BY starts_at DESC, id DESC) AS rank
      FROM held WHERE kind = ANY(%(meeting_kinds)s) AND turnout < %(low)s) AS ranked
   WHERE rank <= 3
), repeated AS (
  SELECT h.neighbourhood_id, c.name, count(DISTINCT i.engagement_id) AS meetings
    FROM crm_engagementissue i JOIN held h ON h.id = i.engagement_id JOIN crm_issuecategory c ON c.id = i.category_id
   GROUP BY 1, 2 HAVING count(DISTINCT i.engagement_id) >= %(repeated)s
), concerns AS (
  SELECT neighbourhood_id, category_id, lsoa_id, reported_at >= %(starts)s AS current,
         date_trunc('month', reported_at AT TIME ZONE %(tz)s)::date AS month, classification
    FROM partners_concern
   WHERE neighbourhood_id = ANY(%(nbs)s) AND reported_at >= %(previous)s AND reported_at < %(ends)s
     AND organisation_id = ANY(%(orgs)s)
), concern_counts AS (
  SELECT neighbourhood_id, c.name, month, count(*) FILTER (WHERE current) AS now, count(*) FILTER (WHERE NOT current) AS before,
         count(*) FILTER (WHERE current AND classification = 'official_sensitive') AS sensitive
    FROM concerns JOIN crm_issuecategory c ON c.id = concerns.category_id GROUP BY 1, 2, 3
), places AS (
  SELECT concerns.neighbourhood_id, c.name, s.code, count(*) AS n
    FROM concerns JOIN crm_issuecategory c ON c.id = concerns.category_id JOIN geo_smallarea s ON s.id = concerns.lsoa_id
   WHERE current GROUP BY 1, 2, 3 HAVING count(*) >= %(hot)s
), in_period AS (
  SELECT p.* FROM crm_priority p
   WHERE p.neighbourhood_id = ANY(%(nbs)s) AND p.organisation_id = ANY(%(orgs)s)
     AND (p.issue_date BETWEEN %(start)s AND %(end)s
          OR EXISTS (SELECT 1 FROM crm_priorityaction a WHERE a.priority_id = p.id AND a.action_date BETWEEN %(start)s AND %(end)s))
), shown AS (
  SELECT * FROM (SELECT in_period.*, row_number() OVER (PARTITION BY neighbourhood_id ORDER BY issue_date DESC, id DESC) AS rank
                   FROM in_period) AS ranked WHERE rank <= %(shown)s
), priority_counts AS (
  SELECT neighbourhood_id, count(*) AS n FROM in_period GROUP BY 1
), done AS (
  SELECT p.neighbourhood_id, count(*) AS n FROM crm_priorityaction a JOIN crm_priority p ON p.id = a.priority_id
   WHERE p.neighbourhood_id = ANY(%(nbs)s) AND p.organisation_id = ANY(%(orgs)s) AND a.status = 'done'
     AND a.action_date BETWEEN %(start)s AND %(end)s GROUP BY 1
)
SELECT json_build_object(
  'counts', (SELECT json_agg(counts) FROM counts), 'gaps', (SELECT json_agg(gap_summary) FROM gap_summary),
  'attendance', (SELECT json_agg(attendance) FROM attendance), 'reach', (SELECT json_agg(reach) FROM reach),
  'profile', (SELECT json_agg(profile) FROM profile), 'advice', (SELECT json_agg(advice) FROM advice),
  'low_examples', (SELECT json_agg(low_examples) FROM low_examples), 'repeated', (SELECT json_agg(repeated) FROM repeated),
  'concerns', (SELECT json_agg(concern_counts) FROM concern_counts), 'places', (SELECT json_agg(places) FROM places),
  'priorities', (SELECT json_agg(json_build_object('id', s.id, 'neighbourhood_id', s.neighbourhood_id, 'issue', s.issue,
                  'issue_date', s.issue_date, 'actions', (SELECT json_agg(a ORDER BY a.action_date, a.id) FROM crm_priorityaction a
                                                          WHERE a.priority_id = s.id))) FROM shown s),
  'priority_counts', (SELECT json_agg(priority_counts) FROM priority_counts), 'done', (SELECT json_agg(done) FROM done)
)::text
"""


def scope_and_user():
    import datetime

    from django.utils import timezone

    from organisations.models import User
    from geo.models import Neighbourhood
    from reports.figures import ReportScope

    today = timezone.localdate()
    scope = ReportScope(period_start=today - datetime.timedelta(days=364), period_end=today,
                        neighbourhood_ids=tuple(Neighbourhood.objects.order_by("name").values_list("pk", flat=True)))
    return scope, User.objects.get(username="bench-manager")


def time_ours(scope, user):
    from django.db import reset_queries

    from reports.figures import report_figures

    reset_queries()
    started = time.perf_counter()
    figures = report_figures(user=user, scope=scope)
    return time.perf_counter() - started, figures


def time_hand_written(scope, user):
    from django.conf import settings
    from django.db import connection

    from crm.models.engagements import MEETING_KINDS, ONLINE_KINDS
    from access.visibility import membership_organisation_ids
    from reports.figures import HOT_SPOT_MINIMUM, PRIORITIES_SHOWN

    orgs = list(membership_organisation_ids(user))  # the same rows visible_to gives
    params = {
        "starts": scope.starts, "ends": scope.ends, "previous": scope.previous_starts, "start": scope.period_start,
        "end": scope.period_end, "nbs": list(scope.neighbourhood_ids), "orgs": orgs, "tz": settings.TIME_ZONE,
        "online_kinds": [str(k) for k in ONLINE_KINDS], "meeting_kinds": [str(k) for k in MEETING_KINDS],
        "low": settings.ENGAGEMENT_LOW_TURNOUT, "policy": settings.BEAT_MEETING_INTERVAL_DAYS,
        "repeated": settings.ENGAGEMENT_REPEATED_ISSUE_MEETINGS, "hot": HOT_SPOT_MINIMUM, "shown": PRIORITIES_SHOWN,
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN, params)
        result = json.loads(cursor.fetchone()[0])
    return time.perf_counter() - started, result


def check_agreement(figures, hand) -> None:
    """The two paths give the same figures, neighbourhood by neighbourhood."""
    from collections import Counter

    engagements, beat, longest, attendances, concerns, priorities = Counter(), {}, {}, Counter(), Counter(), Counter()
    for row in hand["counts"] or []:
        engagements[row["neighbourhood_id"]] += row["n"]
    for row in hand["gaps"] or []:
        beat[row["neighbourhood_id"]], longest[row["neighbourhood_id"]] = row["beat_meetings"], row["longest"]
    for row in hand["attendance"] or []:
        attendances[row["neighbourhood_id"]] = row["attendances"]
    for row in hand["concerns"] or []:
        concerns[row["neighbourhood_id"]] += row["now"]
    for row in hand["priority_counts"] or []:
        priorities[row["neighbourhood_id"]] = row["n"]
    for n in figures.neighbourhoods:
        ours = (n.engagements, n.beat_meetings, n.longest_gap_days, n.officer_attendances, n.concerns, n.priorities_total)
        theirs = (engagements[n.pk], beat[n.pk], longest[n.pk], attendances[n.pk], concerns[n.pk], priorities[n.pk])
        assert ours == theirs, f"{n.name}: report {ours} != hand-written {theirs}"


RENDER_CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
os.environ["HUB_DB_NAME"] = sys.argv[2]
os.environ["DJANGO_SETTINGS_MODULE"] = "engagement_hub.settings.local"
os.environ.setdefault("HUB_LOG_LEVEL", "WARNING")
import django
django.setup()
from bench import benchdb
getattr(benchdb, "system_work", lambda name: None)("report benchmark")  # a checkout from before row-level security has none
from bench.report_build import scope_and_user
from reports.figures import ReportScope, report_figures
from reports.rendering import render_pdf, report_html
import reports.rendering
try:  # the report's own path: on two cores when there are two (an earlier copy of the code, for --compare-with, may not have it)
    from reports.parallel_pdf import render_report_pdf
except ImportError:
    render_report_pdf = render_pdf

def status(name):
    for line in open("/proc/self/status"):
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024

scope, user = scope_and_user()
scope = ReportScope(period_start=scope.period_start, period_end=scope.period_end, neighbourhood_ids=scope.neighbourhood_ids[:int(sys.argv[3])])
figures = report_figures(user=user, scope=scope)
started = time.perf_counter()
html, drawings = report_html(figures=figures, area_label="Bench force", requested_by="Bench Manager", protocols=[], include_maps=True)
html_seconds = time.perf_counter() - started
render_pdf('<html lang="en-GB"><head><title>warm</title><link rel="stylesheet" href="https://engagement-hub.invalid/static/hub/report-print.css"></head><body><p>Warm up fonts <svg viewBox="0 0 10 10" width="10" height="10"><text x="1" y="9">1</text></svg></p></body></html>')
baseline = status("VmRSS")
started, cpu_started = time.perf_counter(), time.process_time()
pdf, pages = render_report_pdf(html, drawings)
seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
children = resource.getrusage(resource.RUSAGE_CHILDREN)
# A forked half's peak counts too: its resident peak (ru_maxrss, in kB) less what it started with (this process's).
child_growth = max(children.ru_maxrss * 1024 - baseline, 0) if children.ru_maxrss else 0
cpu_seconds += children.ru_utime + children.ru_stime
print(json.dumps({"pages": pages, "seconds": seconds, "html_seconds": html_seconds,
                  "peak_growth": status("VmHWM") - baseline + child_growth, "child_growth": child_growth, "processes": 2 if children.ru_maxrss else 1,
                  "rss_growth": status("VmRSS") - baseline, "bytes": len(pdf), "load": os.getloadavg()[0], "cpu_seconds": cpu_seconds,
                  "code": os.path.dirname(os.path.dirname(reports.rendering.__file__))}))
"""


def render_in_subprocess(neighbourhoods: int, code: Path = ROOT) -> dict:
    """One report's render, request to finished PDF, in a fresh process running the hub's code in `code`."""
    result = subprocess.run([sys.executable, "-c", RENDER_CHILD, str(code), BENCH_DB, str(neighbourhoods)],
                            check=True, capture_output=True, text=True, cwd=code)
    render = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(render["code"]).resolve() == code.resolve(), f"rendered with {render['code']}, not {code}"
    return render


def compare_renders(neighbourhoods: int, baseline: Path, rounds: int) -> None:
    """The same report rendered by an earlier copy of the code and by this one, back to back, `rounds` times: on a
    shared machine the load changes from minute to minute, so only renders run side by side compare, and the CPU time
    each took (which waiting for a core does not lengthen) compares more steadily than the elapsed time."""
    say(f"Before and after, back to back ({rounds} rounds; before = the code in {baseline}):")
    wall, cpu = [], []
    for index in range(rounds):
        before = render_in_subprocess(neighbourhoods, baseline)
        after = render_in_subprocess(neighbourhoods, ROOT)
        wall.append(before["seconds"] / after["seconds"])
        cpu.append(before["cpu_seconds"] / after["cpu_seconds"])
        say(f"  round {index + 1}: before {before['pages'] / before['seconds']:.1f} pages/s, {before['cpu_seconds']:.1f} s of CPU "
            f"(load {before['load']:.1f}); after {after['pages'] / after['seconds']:.1f} pages/s, {after['cpu_seconds']:.1f} s of CPU "
            f"(load {after['load']:.1f}): {wall[-1]:.2f} times as fast elapsed, {cpu[-1]:.2f} in CPU time")
    wall.sort()
    cpu.sort()
    say(f"  median: {wall[len(wall) // 2]:.2f} times as fast elapsed, {cpu[len(cpu) // 2]:.2f} times in CPU time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engagements", type=int, default=1_000_000)
    parser.add_argument("--render-neighbourhoods", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="reuse the benchmark database already built")
    parser.add_argument("--compare-with", type=Path, metavar="DIR",
                        help="also render with the code in DIR (e.g. `git worktree add DIR <commit>`), back to back with this code")
    parser.add_argument("--rounds", type=int, default=3, help="before/after pairs for --compare-with")
    args = parse_with_tiny_mode(parser, engagements=2000, render_neighbourhoods=2)

    if not args.keep:
        say(f"Building {BENCH_DB}")
        create_database()
    setup_django()
    if not args.keep:
        started = time.perf_counter()
        build(args.engagements)
        say(f"  built in {time.perf_counter() - started:.0f} s")

    from django.db import connection

    scope, user = scope_and_user()
    ours, hand = [], []
    for _ in range(3):
        seconds, figures = time_ours(scope, user)
        ours.append(seconds)
        seconds, result = time_hand_written(scope, user)
        hand.append(seconds)
    check_agreement(figures, result)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM crm_engagement")
        total = cursor.fetchone()[0]
    best_ours, best_hand = min(ours), min(hand)
    say(f"Aggregation over {len(scope.neighbourhood_ids)} neighbourhoods, {total:,} engagements, a year:")
    say(f"  report_figures (ORM, visible_to): {best_ours:.3f} s   (runs: {', '.join(f'{s:.3f}' for s in ours)})")
    say(f"  one hand-written SQL query:       {best_hand:.3f} s   (runs: {', '.join(f'{s:.3f}' for s in hand)})")
    say(f"  engagements counted: {figures.total('engagements'):,}; both paths agree neighbourhood by neighbourhood")

    render = render_in_subprocess(args.render_neighbourhoods)
    pages_per_second = render["pages"] / render["seconds"]
    mb_per_page = render["peak_growth"] / render["pages"] / 1_000_000
    say(f"Rendering {args.render_neighbourhoods} neighbourhoods in a fresh process: {render['pages']} pages in {render['seconds']:.1f} s "
        f"(HTML, maps and charts: {render['html_seconds']:.2f} s), PDF {render['bytes'] / 1_000_000:.1f} MB")
    if render.get("processes", 1) == 2:
        say(f"  on two cores: the second half of the neighbourhoods laid out and drawn in a forked process, the two PDFs joined "
            f"(reports/parallel_pdf.py); memory below counts both processes (the child's part: {render['child_growth'] / 1_000_000:.0f} MB)")
    else:
        say("  in one process")
    say(f"  peak memory growth {render['peak_growth'] / 1_000_000:.0f} MB, resident after {render['rss_growth'] / 1_000_000:.0f} MB; "
        f"CPU {render['cpu_seconds']:.1f} s (both processes); load average at the end {render['load']:.1f}")

    if args.compare_with:
        compare_renders(args.render_neighbourhoods, args.compare_with.resolve(), args.rounds)

    ratio = best_ours / best_hand
    say(f"GOAL aggregation vs hand-written SQL: measured {ratio:.2f}x (goal <= {GOAL_AGGREGATION_RATIO}x) "
        f"{'MET' if ratio <= GOAL_AGGREGATION_RATIO else 'NOT MET'}")
    say(f"GOAL rendering speed: measured {pages_per_second:.1f} pages/s (goal >= {GOAL_PAGES_PER_SECOND} pages/s) "
        f"{'MET' if pages_per_second >= GOAL_PAGES_PER_SECOND else 'NOT MET'}")
    say(f"GOAL rendering memory: measured {mb_per_page:.2f} MB/page (goal < {GOAL_MB_PER_PAGE} MB/page) "
        f"{'MET' if mb_per_page < GOAL_MB_PER_PAGE else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
