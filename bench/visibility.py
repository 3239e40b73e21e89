"""Benchmark: a partner user's first page of concerns, through the protocol rules, against no filter and django-guardian.

    .venv/bin/python bench/visibility.py                     # 1,000,000 concerns
    .venv/bin/python bench/visibility.py --concerns 50000    # a quick run

Builds its own database (`engagement_hub_bench_visibility`, copied from the PostGIS template
database like the test databases, and migrated; never the development database):

- 40 organisations: a force, 9 of its neighbourhood teams and 30 partner agencies;
- --concerns concerns (INSERT … SELECT generate_series, history triggers off while loading) spread
  over the 40 organisations, around Barrow-in-Furness, one in ten OFFICIAL-SENSITIVE, one in
  three with a reporter's name, one in twenty whose free text names someone;
- 200 protocols published through `protocol_publish_version` / `protocol_change_status`: active,
  suspended, terminated, draft, active but past their end date, not yet started; some with
  personal data, some allowing OFFICIAL-SENSITIVE. The measured partner user's agency is the
  recipient of concern flows in ten of them (in every state), and of random others;
- 1,000 one-off ConcernShare rows to that agency's group (fewer below 1,000 concerns), spread evenly over the
  concerns, a fifth of them expired (the count written is printed).

"Equivalent grants" for django-guardian: the set `Concern.objects.visible_to(user)` returns
(own rows, rows of live protocol flows at the right classification, unexpired one-off shares) is
written as one django-guardian object permission per row: a ConcernShare row (the direct-foreign-key
group permission model guardian itself picks for Concern) for `partners.view_concern`, on a group
`bench:guardian-equivalent` whose only member is the user, expiring in ten years. That group has no
organisation, so the hub's rule never matches these rows. The user is not a member of the agency's
own group (guardian knows no expiry and would count the expired one-off shares too). Before timing
guardian, the benchmark checks that `get_objects_for_user(user, "partners.view_concern", klass=Concern,
accept_global_perms=False)` counts exactly the rows `visible_to` counts, and that both match the rule
written independently in plain SQL. Guardian only answers which rows; it has no notion of withholding
personal fields, which the hub's page also does.

Timed, each repeated --repeat times (median, after one warm-up), all in one run; the first-page comparisons of goals 1
and 3 --page-runs times each (151 by default: a page takes about 10 ms, and a shared machine's jitter at that size
needs many runs for a stable median), in turn, each round in the other order. Each run is one request's
worth: inside a grant scope (what GrantScopeMiddleware opens), calling `visible_to(user)` inside the timing,
so reading the grant set is timed too: the answer kept across requests, checked against the grant-change
log in one small query (access/grants.py); a line "grants resolved afresh" drops the kept answers first.

1. the first page of 50 alone (`order_by("-reported_at", "-pk")[:50]`): through `visible_to`, and unfiltered
   (goal 1 compares these two);
2. the page plus what the concern list shows of the count (its CappedPaginator: at most 10,001 rows counted,
   "more than 10,000 concerns", and "Page 1" with no "of N"), and the page plus a full `count()`, for the hub
   and unfiltered;
then, once the equivalent grants are written (the share table now holds them too, as it would in a
hub that granted everything through guardian):
3. the page plus the same capped count over `get_objects_for_user(..., accept_global_perms=False)` (a list
   over guardian showing what the hub's list shows), and, for comparison, with a full `count()`;
4. the hub's page and list count again, in that same database (goal 2 compares 3's capped count with 4), and,
   timed in turn with them, the same page with the count as lists made it before they counted by the door's
   parts (one scan testing the policy and the door on every row until 10,001 pass: `page_and_scanned_count`).

Then the queries each takes for pages of 10, 50 and 200.

Row-level security (row_security/) is on throughout, as in the hub: each hub run reads in the partner user's
context (`viewer_context`, entered inside the timing, so the grant set is resolved and written to
`hub.grants` inside it too), and the unfiltered and guardian runs in named system contexts (guardian's grant rows
are in a share table, which a viewer reads only where addressed to its own organisations). Its own cost is measured by
5. the first page through `visible_to` with row-level security off: no context (nothing written to
   `hub.grants`) and the table's `FORCE ROW LEVEL SECURITY` lifted, so the table's owner (the hub's role) is
   not subject to its policies; then put back (goal 3 compares 1 with 5, timed alternately, in one run).

Ends with one GOAL line per goal.
"""
from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from functools import cache, cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database_name, parse_with_tiny_mode, recreate_database  # noqa: E402

BENCH_DB = bench_database_name("visibility")
GOAL_UNFILTERED_RATIO, GOAL_GUARDIAN_SPEEDUP, GOAL_RLS_COST = 1.3, 10.0, 0.10
PAGE = 50
PAGE_SIZES = (10, 50, 200)
PARTNER_KINDS = ("council", "fire_and_rescue", "environmental_health", "trading_standards", "licensing", "housing",
                 "park_rangers", "ward_councillor", "voluntary_sector")


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


def build_organisations():
    from organisations.models import Membership, Organisation, OrganisationKind, User
    from access.roles import Role

    force = Organisation.objects.create(name="Bench Constabulary", slug="bench-force", kind=OrganisationKind.POLICE_FORCE)
    teams = [Organisation.objects.create(name=f"Bench team {n}", slug=f"bench-team-{n}", kind=OrganisationKind.NEIGHBOURHOOD_TEAM, parent=force)
             for n in range(9)]
    partners = [Organisation.objects.create(name=f"Bench agency {n}", slug=f"bench-agency-{n}", kind=PARTNER_KINDS[n % len(PARTNER_KINDS)])
                for n in range(30)]
    user = User.objects.create_user(username="bench-partner", email="bench-partner@example.org", password=None)
    Membership.objects.create(user=user, organisation=partners[0], role=Role.PARTNER_USER)
    return force, teams, partners, user


def load_concerns(count: int, organisations) -> None:
    from django.db import connection

    from crm.models import IssueCategory

    categories = list(IssueCategory.objects.values_list("pk", flat=True))
    org_ids = [o.pk for o in organisations]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE partners_concern DISABLE TRIGGER USER")
        cursor.execute(
            """
            INSERT INTO partners_concern (
                organisation_id, created_at, updated_at, category_id, location, place, occurred_at, reported_at, channel,
                description, holds_personal_data, reporter_name, reporter_email, reporter_phone, classification, status,
                external_reference, fingerprint, open311_token)
            SELECT (%(orgs)s::int[])[1 + (n * 7919) %% %(norgs)s],
                   now(), now(), (%(cats)s::int[])[1 + n %% %(ncats)s],
                   ST_SetSRID(ST_MakePoint(-3.23 + ((n * 37) %% 1000 - 500) / 10000.0, 54.11 + ((n * 53) %% 1000 - 500) / 10000.0), 4326),
                   (n %% 400) || ' Bench Street', r - interval '1 day', r,
                   (ARRAY['phone','email','in_person','web_form','councillor_surgery'])[1 + n %% 5],
                   CASE WHEN n %% 20 = 0 THEN 'Zebedee Quartermain at number ' || n || ' dumps rubbish' ELSE 'Bags of rubbish, report ' || n END,
                   n %% 20 = 0,
                   CASE WHEN n %% 3 = 0 THEN 'Resident ' || n ELSE '' END,
                   CASE WHEN n %% 3 = 0 THEN 'resident' || n || '@example.org' ELSE '' END, '',
                   CASE WHEN n %% 10 = 0 THEN 'official_sensitive' ELSE 'official' END, 'new', '',
                   md5(n::text) || md5((n + 1)::text), gen_random_uuid()
            FROM (SELECT n, timestamptz '2026-11-01' - (n * 37 %% 31536000) * interval '1 second' AS r
                  FROM generate_series(1::bigint, %(count)s::bigint) AS n) AS g
            """,
            {"orgs": org_ids, "norgs": len(org_ids), "cats": categories, "ncats": len(categories), "count": count},
        )
        cursor.execute("ALTER TABLE partners_concern ENABLE TRIGGER USER")


def terms(chance: random.Random, status: str, *, personal: bool, sensitive: bool, starts_on, ends_on) -> dict:
    return {
        "purpose": "Collate concerns to set neighbourhood priorities.", "article_6_basis": "public_task",
        "legal_power": "Section 115 of the Crime and Disorder Act 1998", "includes_personal_data": personal,
        "highest_classification": "official_sensitive" if sensitive else "official",
        "retention_and_deletion": "Deleted after 12 months.", "security": "Hub only.", "starts_on": starts_on,
        "review_on": starts_on + datetime.timedelta(days=30), "ends_on": ends_on,
        "signatories": "Bench signatories", "signed_off_on": starts_on, "status": status,
    }


STATES = ("active", "active", "active", "active", "suspended", "terminated", "draft", "past_end", "not_started", "active")


def build_protocols(force, teams, partners, count: int = 200) -> None:
    """`count` protocols through the services; the first ten give partners[0] concerns in every state."""
    from django.utils import timezone

    from sharing_protocols.services import Flow, Party, protocol_change_status, protocol_publish_version

    chance = random.Random(2026)
    today = timezone.localdate()
    everyone = [force, *teams, *partners]
    for n in range(count):
        state = STATES[n % len(STATES)]
        if n < 10:
            parties = [partners[0], partners[n + 1], force]
            flows = [Flow("concerns", partners[n + 1], partners[0], "4.1"), Flow("concerns", partners[0], force, "4.2")]
        else:
            parties = chance.sample(everyone, 3)
            flows = [Flow(chance.choice(["concerns", "concerns", "contacts", "priorities"]), a, b, f"5.{i}")
                     for i, (a, b) in enumerate([(parties[0], parties[1]), (parties[1], parties[2])])]
        starts_on, ends_on = today - datetime.timedelta(days=60), today + datetime.timedelta(days=300)
        if state == "past_end":
            starts_on, ends_on = today - datetime.timedelta(days=400), today - datetime.timedelta(days=1)
        elif state == "not_started":
            starts_on, ends_on = today + datetime.timedelta(days=10), today + datetime.timedelta(days=300)
        first_status = "draft" if state == "draft" else "active"
        version = protocol_publish_version(
            acting_user=None, reference=f"bench-{n}", title=f"Bench protocol {n}", lead_organisation=force,
            terms=terms(chance, first_status, personal=n % 3 == 0, sensitive=n % 4 == 0, starts_on=starts_on, ends_on=ends_on),
            parties=[Party(p, "Contact", "contact@example.org") for p in parties], flows=flows,
        )
        if state in ("suspended", "terminated"):
            protocol_change_status(protocol=version.protocol, status=state, acting_user=None, reason="Bench")


def build_shares(user, partners, concerns: int) -> int:
    """1,000 one-off shares to the user's agency (fewer if there are fewer concerns), spread evenly over the
    concerns, a fifth of them expired, half with personal data; returns how many were written."""
    from django.db import connection

    from partners.models import Concern
    from sharing_protocols.shares import organisation_group, view_permission

    # The hub reads one-off shares by membership of the organisation, not of its group; the user is
    # left out of the agency's group so that guardian sees only the equivalent grants (guardian knows
    # no expiry, so it would also count the expired shares).
    group = organisation_group(partners[0])
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO sharing_protocols_concernshare (group_id, permission_id, content_object_id, reason, expires_at,
                                                          includes_personal_data, granted_at)
               SELECT %s, %s, id, 'Joint visit', now() + CASE WHEN k %% 5 = 0 THEN interval '-1 day' ELSE interval '30 days' END,
                      k %% 2 = 0, now()
               FROM (SELECT id, row_number() OVER (ORDER BY id) AS k
                     FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM partners_concern) AS every
                     WHERE n %% %s = 0 ORDER BY id LIMIT 1000) AS picked""",
            [group.pk, view_permission(Concern).pk, max(1, concerns // 1000)],
        )
        written = cursor.rowcount
        cursor.execute("VACUUM ANALYZE")
    return written


def grant_equivalent(user) -> None:
    """One guardian object permission (a ConcernShare row on the user's own group) per concern visible_to returns."""
    from django.contrib.auth.models import Group
    from django.db import connection

    from partners.models import Concern
    from sharing_protocols.shares import view_permission

    equivalent, _ = Group.objects.get_or_create(name="bench:guardian-equivalent")
    user.groups.add(equivalent)
    sql, params = Concern.objects.visible_to(user).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sharing_protocols_concernshare WHERE group_id = %s", [equivalent.pk])
        cursor.execute(
            f"""INSERT INTO sharing_protocols_concernshare (group_id, permission_id, content_object_id, reason, expires_at,
                                                           includes_personal_data, granted_at)
                SELECT %s, %s, v.*, 'Equivalent grant', now() + interval '10 years', false, now() FROM ({sql}) AS v""",
            [equivalent.pk, view_permission(Concern).pk, *params],
        )
        vacuum_share_table(cursor)


def vacuum_share_table(cursor) -> None:
    """VACUUM runs outside any transaction: with no context, nothing is written in front of it (a statement naming a
    share table, under row-level security, would otherwise carry the context's settings, in one transaction with it)."""
    from row_security.context import no_context

    with no_context():
        cursor.execute("VACUUM ANALYZE sharing_protocols_concernshare")


def drop_equivalent() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sharing_protocols_concernshare WHERE reason = 'Equivalent grant'")
        vacuum_share_table(cursor)


def independent_count(user, partners, teams, force) -> int:
    """The visible set counted from first principles in plain SQL, to check the rule is not trivially true or empty."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH live AS (
                SELECT f.provider_id, v.highest_classification, v.includes_personal_data
                FROM sharing_protocols_protocoldataflow f
                JOIN sharing_protocols_protocolversion v ON v.id = f.version_id
                JOIN sharing_protocols_sharingprotocol p ON p.current_version_id = v.id
                WHERE f.category = 'concerns' AND f.recipient_id = %(me)s AND v.status = 'active'
                  AND v.starts_on <= current_date AND (v.ends_on IS NULL OR v.ends_on >= current_date)
            ), providers AS (
                SELECT o.id, l.highest_classification FROM live l JOIN crm_organisation o ON o.id = l.provider_id OR o.parent_id = l.provider_id
            )
            SELECT count(*) FROM partners_concern c
            WHERE c.organisation_id = %(me)s
               OR EXISTS (SELECT 1 FROM providers p WHERE p.id = c.organisation_id
                          AND (c.classification = 'official' OR p.highest_classification = 'official_sensitive'))
               OR EXISTS (SELECT 1 FROM sharing_protocols_concernshare s JOIN auth_group g ON g.id = s.group_id
                          JOIN crm_organisation o ON o.group_id = g.id
                          WHERE s.content_object_id = c.id AND o.id = %(me)s AND s.expires_at > now())
            """,
            {"me": partners[0].pk},
        )
        return cursor.fetchone()[0]


def first_page(queryset, size: int = PAGE) -> tuple[list, str]:
    """The first page alone: what goal 1 compares."""
    return list(queryset.order_by("-reported_at", "-pk")[:size]), "no count"


def page_and_count(queryset, size: int = PAGE) -> tuple[list, str]:
    """The first page and a full count() (what Django's own paginator does)."""
    rows = list(queryset.order_by("-reported_at", "-pk")[:size])
    return rows, f"{queryset.count():,}"


def page_and_list_count(queryset, size: int = PAGE) -> tuple[list, str]:
    """The first page and what a hub list shows of the count: the lists' own CappedPaginator (access/pagination.py),
    which counts at most 10,001 rows ("more than 10,000")."""
    from access.pagination import CappedPaginator

    paginator = CappedPaginator(queryset.order_by("-reported_at", "-pk"), size)
    return list(paginator.page(1)), paginator.count_text


def page_and_scanned_count(queryset, size: int = PAGE) -> tuple[list, str]:
    """The first page and the capped count as lists made it before they counted a visible_to queryset by its
    door's parts (access/pagination.py `capped_rows`): one statement reading rows until 10,001 pass the policy and
    the door, for comparison in the same run."""
    from access.pagination import CappedPaginator

    class ScanningPaginator(CappedPaginator):
        @cached_property
        def count(self) -> int:
            return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    paginator = ScanningPaginator(queryset.order_by("-reported_at", "-pk"), size)
    return list(paginator.page(1)), paginator.count_text


def as_a_request(make_queryset, measure):
    """One run as one GET request reads: through GrantScopeMiddleware, as a GET (a kept grant set is checked against
    the grant-change log by a guard riding with the first statement on a protected table, or by a query of its own at
    the end if none ran; a stale one makes the middleware read the request again), inside the row-level security
    context RowSecurityMiddleware would enter, with visible_to(user) called inside, so reading the grant set,
    checking it, and writing it for row-level security are timed too."""
    from access.grants import GrantScopeMiddleware

    results = []

    def view(request):
        with reading_context(make_queryset)():
            results.append(measure(make_queryset()))

    GrantScopeMiddleware(view)(_GET_REQUEST())
    return results[-1]


@cache
def _GET_REQUEST():  # noqa: N802 - one request object, built once: the middleware only reads its method
    from django.test import RequestFactory

    return RequestFactory().get("/concerns/")


def median_seconds(make_queryset, repeat: int, measure) -> tuple[float, list, str]:
    as_a_request(make_queryset, measure)  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows, total = as_a_request(make_queryset, measure)
        times.append(time.perf_counter() - started)
    return statistics.median(times), rows, total


CONTEXTS = {}  # make_queryset -> the row-level security context it reads in (a function giving a context manager)


def reading_context(make_queryset):
    import contextlib

    return CONTEXTS.get(make_queryset, contextlib.nullcontext)


def force_row_security(on: bool) -> None:
    """FORCE on: the policies bind the table's owner (the hub's role) too. Off: the owner reads past them, for every
    session of that role while it lasts (ALTER TABLE commits at once here): hence one run at a time
    (`one_run_at_a_time`) and FORCE put back before the checks (`force_left_off`) and after each timing."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE partners_concern {'' if on else 'NO '}FORCE ROW LEVEL SECURITY")


RUN_LOCK = 0x76697369  # a session advisory lock: one run of this benchmark at a time in its database


def one_run_at_a_time() -> bool:
    """Take the benchmark's lock for this session; False if another run holds it (its "row-level security off"
    timings would let this run's checks and timings read past the policies)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK])
        return cursor.fetchone()[0]


def force_left_off() -> bool:
    """Whether a run killed during its "off" timings left FORCE lifted; if so, it is put back."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'partners_concern'::regclass")
        if cursor.fetchone()[0]:
            return False
    force_row_security(True)
    return True


def rls_cost(make_hub, make_off, runs: int) -> tuple[float, float]:
    """The first page through visible_to with row-level security on and off, timed alternately (so the
    shared machine's load falls on both alike; two warm-ups each): the medians of `runs` each, in seconds."""
    on_times, off_times = [], []
    try:
        for n in range(runs + 2):
            order = ((make_hub, on_times), (make_off, off_times))
            for make, times in order if n % 2 == 0 else reversed(order):
                force_row_security(make is make_hub)
                started = time.perf_counter()
                with reading_context(make)():
                    first_page(make())
                times.append(time.perf_counter() - started)
    finally:
        force_row_security(True)
    return statistics.median(on_times[2:]), statistics.median(off_times[2:])


def explain_split(make_hub, make_off, repeat: int) -> dict[str, tuple[float, float]]:
    """The database's share of goal 3: `EXPLAIN (ANALYZE, TIMING OFF)` of the first page through visible_to, row-level
    security on and off, alternately: the medians of planning and execution, in ms."""
    from django.db import connection

    from access.grants import grant_scope

    runs = {"on": ([], []), "off": ([], [])}
    try:
        for n in range(repeat * 2 + 2):
            order = (("on", make_hub), ("off", make_off))
            for name, make in order if n % 2 == 0 else reversed(order):
                force_row_security(name == "on")
                with grant_scope(), reading_context(make)():
                    sql, params = make().order_by("-reported_at", "-pk")[:PAGE].query.sql_with_params()
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, params)
                        plan = cursor.fetchone()[0]
                if n >= 2:
                    runs[name][0].append(plan[0]["Planning Time"])
                    runs[name][1].append(plan[0]["Execution Time"])
    finally:
        force_row_security(True)
    return {name: (statistics.median(planning), statistics.median(execution)) for name, (planning, execution) in runs.items()}


def queries_for(make_queryset, size: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        as_a_request(make_queryset, lambda queryset: page_and_list_count(queryset, size))
    return len(captured)


def time_side_by_side(sides: dict, repeat: int, results: dict, *, measure) -> None:
    """The goals' pairs, run in turn (A, B, B, A, A, B, …: each round in the other order; one warm-up each), so that
    a shared machine's load, which drifts over seconds, weighs on both sides alike and neither always runs
    first; the median of each."""
    whats = {first_page: f"first page of {PAGE}", page_and_list_count: f"page of {PAGE} + list's count",
             page_and_scanned_count: f"page of {PAGE} + scanned count"}
    # A side is a queryset maker (timed with `measure`) or a (maker, measure) pair.
    sides = {name: side if isinstance(side, tuple) else (side, measure) for name, side in sides.items()}
    times = {name: [] for name in sides}
    for name, (make, how) in sides.items():
        as_a_request(make, how)
    for round_number in range(repeat):
        for name, (make, how) in sides.items() if round_number % 2 == 0 else reversed(sides.items()):
            started = time.perf_counter()
            _rows, total = as_a_request(make, how)
            times[name].append(time.perf_counter() - started)
    for name, runs in times.items():
        results[name] = statistics.median(runs)
        say(f"  {name:52} {whats[sides[name][1]]:28}: median {results[name] * 1000:9.1f} ms over {repeat} runs, in turn")


def time_it(name: str, make, repeat: int, results: dict, *, measure=page_and_count) -> None:
    """The median of `repeat` runs."""
    what = {first_page: f"first page of {PAGE}", page_and_count: f"page of {PAGE} + count()",
            page_and_list_count: f"page of {PAGE} + list's count"}[measure]
    seconds, _rows, total = median_seconds(make, repeat, measure)
    results[name] = seconds
    say(f"  {name:52} {what:28}: median {seconds * 1000:9.1f} ms over {repeat} runs (count {total})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concerns", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--page-runs", type=int, default=151,
                        help="Runs of each side for the first-page goals (1 and 3): a page takes about 10 ms, and at that "
                             "size a shared machine's jitter needs many runs for a stable median.")
    parser.add_argument("--reuse", action="store_true", help="Time against the database the last run built (no rebuild).")
    args = parse_with_tiny_mode(parser, concerns=3000, repeat=1, page_runs=3)

    say(f"Load average at the start: {', '.join(f'{n:.2f}' for n in os.getloadavg())} (the machine is shared)")
    if not args.reuse:
        create_database()
    setup_django()
    from row_security.context import system_context

    # Everything but the timed reads (each in its own context) runs in a named system context: building the
    # data, checking the counts.
    with system_context("visibility benchmark", audit=False):
        if not one_run_at_a_time():
            say(f"Another run of this benchmark is using {BENCH_DB}: stopping (its row-level security \"off\" timings "
                "would let this run read past the policies). Wait for it, or give this run its own HUB_BENCH_DB_PREFIX.")
            return 1
        if args.reuse and force_left_off():
            say("A run killed during its row-level security \"off\" timings had left FORCE lifted on partners_concern: put back.")
        return build_and_measure(args)


def build_and_measure(args) -> int:
    from django.core.management import call_command
    from guardian.managers import GroupObjectPermissionManager
    from guardian.shortcuts import get_objects_for_user

    from access.grants import forget_kept_grants
    from organisations.models import Organisation, User
    from partners.models import Concern
    from row_security.context import no_context, system_context, viewer_context
    from sharing_protocols.models import ConcernShare, SharingProtocol

    if args.reuse:
        force = Organisation.objects.get(slug="bench-force")
        teams = list(Organisation.objects.filter(slug__startswith="bench-team-").order_by("pk"))
        partners = list(Organisation.objects.filter(slug__startswith="bench-agency-").order_by("pk"))
        user = User.objects.get(username="bench-partner")
        drop_equivalent()
    else:
        say("Migrating the benchmark database…")
        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        force, teams, partners, user = build_organisations()
        load_concerns(args.concerns, [force, *teams, *partners])
        say(f"Loaded {args.concerns:,} concerns in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        build_protocols(force, teams, partners)
        shares = build_shares(user, partners, args.concerns)
        say(f"Published 200 protocols and wrote {shares:,} one-off shares in {time.perf_counter() - started:.0f} s")

    if not hasattr(ConcernShare.objects, "is_generic"):
        # OneOffShare's manager replaces guardian's, which guardian asks `is_generic()`; without it
        # get_objects_for_user raises AttributeError. Lend guardian's method to the benchmark only.
        say("NOTE: ConcernShare.objects lacks guardian's is_generic() (get_objects_for_user raises AttributeError); "
            "the benchmark lends it guardian's.")
        type(ConcernShare.objects).is_generic = GroupObjectPermissionManager.is_generic

    user = User.objects.get(pk=user.pk)  # fresh: no cached groups or roles
    hub = lambda: Concern.objects.visible_to(user)  # noqa: E731
    unfiltered = lambda: Concern.objects.all()  # noqa: E731
    guardian = lambda: get_objects_for_user(user, "partners.view_concern", klass=Concern, accept_global_perms=False)  # noqa: E731
    hub_without_rls = lambda: Concern.objects.visible_to(user)  # noqa: E731

    def hub_resolving():
        forget_kept_grants()  # as if no request had read this user's grants since the last change
        return Concern.objects.visible_to(user)

    # guardian's grants are rows of a share table, which row-level security lets a viewer read only when they are
    # addressed to one of its organisations (row_security/policies.py share_spec); the equivalent grants' group is
    # no organisation's. guardian reads in a named system context: a hub built on guardian alone has no such lock.
    CONTEXTS.update({hub: lambda: viewer_context(user), hub_without_rls: no_context,
                     guardian: lambda: system_context("visibility benchmark: guardian", audit=False),
                     hub_resolving: lambda: viewer_context(user),
                     unfiltered: lambda: system_context("visibility benchmark: unfiltered", audit=False)})

    visible, independent = hub().count(), independent_count(user, partners, teams, force)
    say(f"Data: {Concern.objects.count():,} concerns, {Organisation.objects.count()} organisations, "
        f"{SharingProtocol.objects.count()} protocols, {ConcernShare.objects.count():,} one-off shares")
    say(f"The partner user sees {visible:,} concerns through visible_to; {independent:,} by the rule in plain SQL")
    if visible != independent or visible == 0:
        say("visible_to and the plain-SQL rule differ: stopping.")
        return 1
    with viewer_context(user):
        through_rls = set(Concern.objects.values_list("pk", flat=True))
    if len(through_rls) != visible:
        say(f"Row-level security alone lets the partner read {len(through_rls):,} concerns, visible_to {visible:,}: stopping.")
        return 1
    say(f"Row-level security alone (a bare Concern.objects in the partner's context) lets through the same {len(through_rls):,}.")
    withheld = sum(1 for row in first_page(hub())[0] if row.withheld_fields)
    say(f"On the first page, {withheld} of {PAGE} rows come back with personal fields withheld.")

    results = {}
    say("Before the guardian grants are written (the share table holds only the real one-off shares):")
    time_side_by_side({"hub visible_to": hub, "unfiltered": unfiltered}, args.page_runs, results, measure=first_page)
    time_it("hub visible_to, grants resolved afresh", hub_resolving, args.repeat, results, measure=first_page)
    time_it("hub visible_to (list)", hub, args.repeat, results, measure=page_and_list_count)
    time_it("hub visible_to (full count)", hub, args.repeat, results)
    time_it("unfiltered (full count)", unfiltered, args.repeat, results)
    on, off = rls_cost(hub, hub_without_rls, args.page_runs)
    results["rls on"], results["rls off"] = on, off
    say(f"  {'hub visible_to, row-level security on / off':52} {'first page of ' + str(PAGE):28}: median {on * 1000:.1f} ms / "
        f"{off * 1000:.1f} ms over {args.page_runs} alternate runs")
    split = explain_split(hub, hub_without_rls, args.repeat)
    say(f"  {'EXPLAIN (ANALYZE, TIMING OFF) of that page, on / off':52} {'planning, execution':28}: "
        f"{split['on'][0]:.2f} + {split['on'][1]:.2f} ms / {split['off'][0]:.2f} + {split['off'][1]:.2f} ms "
        f"(medians of {args.repeat * 2} alternate runs)")
    hub_pages = {size: queries_for(hub, size) for size in PAGE_SIZES}
    plain_pages = {size: queries_for(unfiltered, size) for size in PAGE_SIZES}

    started, shares_before = time.perf_counter(), ConcernShare.objects.count()
    grant_equivalent(user)
    granted = guardian().count()
    say(f"Wrote {ConcernShare.objects.count() - shares_before:,} equivalent guardian grants in {time.perf_counter() - started:.0f} s; "
        f"guardian's get_objects_for_user counts {granted:,}")
    if granted != visible:
        say("guardian's set differs from visible_to's: the comparison would be meaningless. Stopping.")
        return 1
    say("With the guardian grants in the share table (the same database for both):")
    time_it("guardian get_objects_for_user (full count)", guardian, args.repeat, results)
    time_side_by_side({"guardian get_objects_for_user (list)": guardian, "hub visible_to (list), share table with the grants": hub,
                       "hub visible_to (list), counted by a scan as before": (hub, page_and_scanned_count)},
                      args.repeat, results, measure=page_and_list_count)
    guardian_pages = {size: queries_for(guardian, size) for size in PAGE_SIZES}
    say("  queries for a page + the list's count, by page size: " + "; ".join(
        f"{size}: hub {hub_pages[size]}, unfiltered {plain_pages[size]}, guardian {guardian_pages[size]}" for size in PAGE_SIZES))

    ratio = results["hub visible_to"] / results["unfiltered"]
    # Both sides show what the list shows: the first page and the capped count ("more than 10,000").
    speedup = results["guardian get_objects_for_user (list)"] / results["hub visible_to (list), share table with the grants"]
    full_count = results["guardian get_objects_for_user (full count)"] / results["hub visible_to (list), share table with the grants"]
    same = len(set(hub_pages.values())) == 1
    say(f"  (against guardian counting every row, as Django's own paginator would: the hub is {full_count:.2f}x faster)")
    scanned = results["hub visible_to (list), counted by a scan as before"]
    say(f"  (the hub's list counting by its door's parts against counting by a scan, as before: {scanned / results['hub visible_to (list), share table with the grants']:.2f}x "
        f"faster; guardian against the scanned count: {results['guardian get_objects_for_user (list)'] / scanned:.2f}x)")
    say(f"GOAL visible-within-1.3x-unfiltered: measured {ratio:.2f} (goal ≤ {GOAL_UNFILTERED_RATIO}) "
        f"{'MET' if ratio <= GOAL_UNFILTERED_RATIO else 'NOT MET'}")
    say(f"GOAL visible-10x-faster-than-guardian: measured {speedup:.2f} (goal ≥ {GOAL_GUARDIAN_SPEEDUP}) "
        f"{'MET' if speedup >= GOAL_GUARDIAN_SPEEDUP else 'NOT MET'}")
    say(f"GOAL same-queries-every-page-size: measured {'/'.join(str(hub_pages[s]) for s in PAGE_SIZES)} for pages of "
        f"{'/'.join(str(s) for s in PAGE_SIZES)} (goal the same) {'MET' if same else 'NOT MET'}")
    cost = results["rls on"] / results["rls off"] - 1
    say(f"GOAL row-level-security-cost-within-10%: measured {cost:+.1%} on the first page (goal ≤ {GOAL_RLS_COST:.0%}) "
        f"{'MET' if cost <= GOAL_RLS_COST else 'NOT MET'}")
    say(f"Load average at the end: {', '.join(f'{n:.2f}' for n in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
