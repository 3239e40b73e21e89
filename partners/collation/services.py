"""The daily collation of partner concerns: place each one, link near-duplicates, tell each
neighbourhood team what is new, and take concerns into PACT priorities.

Placement and linking are set-based SQL (one statement each, on the GiST indexes), because
the collation has to keep up with a million concerns; everything else uses the ORM."""
from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from row_security.context import system_context
from organisations import audit
from organisations.models import Membership, Organisation
from access.roles import Role
from geo.models import PIECE_EDGE_DEGREES, BoundaryPiece, BoundaryPieceKind, Neighbourhood, SmallArea
from jobs.dispatch import job_dispatch_on_commit
from jobs.worker import job_is_still_mine
from partners.collation import selectors
from partners.models import CollationRun, CollationStatus, Concern, ConcernLink, ConcernStatus, NeighbourhoodDigest
from sharing_protocols.disclosures import disclosure_record_many
from sharing_protocols.explain import shared_disclosures

logger = logging.getLogger(__name__)

# Two collations at once would race on the same rows: the second waits for the first.
COLLATION_LOCK = 0x5EED_C011  # any constant unique to this lock

# Who reads a team's digest.
DIGEST_ROLES = (Role.OFFICER, Role.MANAGER)


@dataclass(frozen=True)
class Placement:
    placed: int
    unplaced: int


@dataclass(frozen=True)
class Window:
    """Concerns reported in [start, end) are checked for near-duplicates (against any concern)."""

    start: datetime
    end: datetime


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Target:
    """Which concerns a placement or a near-duplicate check works on: those reported since a time, a few by
    id (a concern just reported), or one import's rows. As SQL over the alias `alias`, with its parameters."""

    since: datetime | None = None
    concern_ids: tuple[int, ...] | None = None
    import_job_id: int | None = None

    def sql(self, alias: str) -> tuple[str, dict]:
        if self.concern_ids is not None:
            return f"{alias}.id = ANY(%(target_ids)s)", {"target_ids": list(self.concern_ids)}
        if self.import_job_id is not None:
            return f"{alias}.import_job_id = %(target_job)s", {"target_job": self.import_job_id}
        if self.since is not None:
            return f"{alias}.reported_at >= %(target_since)s", {"target_since": self.since}
        return "TRUE", {}


def concerns_place(*, since: datetime | None = None, target: Target | None = None) -> Placement:
    """Put every concern not yet placed (reported since `since`, or the `target` ones) in the neighbourhood
    and the LSOA that hold its point (`place_rows`). Concerns that no neighbourhood holds stay unplaced and are
    counted, to be tried again after the next boundary import."""
    target = target or Target(since=since)
    concern = Concern._meta.db_table
    target_sql, params = target.sql("c")
    with connection.cursor() as cursor:
        if target.concern_ids is None:
            # The collation's rows may be many (a day's web forms, Open311 requests and imports left unplaced) with no
            # statistics yet, and a plan made for a few rows looks each point up on its own rather than each boundary
            # piece's points together (see place_rows): the table is analysed first (ANALYZE counts rows written in
            # this transaction too). A few concerns by id (one just reported) need not: the plan for a few rows is
            # the right one, and intake must stay quick.
            cursor.execute(f"ANALYZE {concern}")
        placed = place_rows(cursor, table=concern, where=lambda alias: target.sql(alias)[0], params=params,
                            many=target.concern_ids is None)
        cursor.execute(f"SELECT count(*) FROM {concern} AS c WHERE c.neighbourhood_id IS NULL AND {target_sql}", params)
        unplaced = cursor.fetchone()[0]
    return Placement(placed=placed, unplaced=unplaced)


def place_rows(cursor, *, table: str, key: str = "id", where=lambda alias: "TRUE", params: dict | None = None, many: bool = True) -> int:
    """The hub's one placement, for any table with a `location` point, a unique `key` column and `neighbourhood_id`
    and `lsoa_id` columns (the concerns, or an import's staging table before its rows are written): set the
    neighbourhood and the LSOA that hold each point of the rows not yet placed that `where(alias)` chooses, in one
    statement on the GiST indexes. Returns the rows placed.

    An area holds a point on its edge (ST_Intersects), so a point on an edge two areas share is in both: it takes
    the one with the lowest id (as geo.selectors.neighbourhood_for_point does). A point no neighbourhood holds
    stays unplaced, even in an LSOA; a point in a neighbourhood and no LSOA is placed with no LSOA.

    The points are looked up among the boundaries cut into small pieces (geo.models.BoundaryPiece, kept by the
    boundary tables' triggers), not the whole boundaries: a piece has a few dozen vertices, not hundreds, and
    nothing is cut at placing time. The pieces give the whole boundaries' answer exactly: a point well inside a
    piece is inside its area, one well outside every piece of an area is outside it, and one within
    PIECE_EDGE_DEGREES of a piece's edge (on the area's edge, or on a cut) is tested against the whole boundary,
    so the cuts' rounded corners never decide. A few points (intake) look up the pieces by their index; many (an
    import, the collation) are found piece by piece on the points' index, each piece tested against many points in
    a row (PostGIS then prepares it once). `many`: the rows may be many (see placing_settings); a few concerns
    by id (intake) are placed without the two statements that set them."""
    with placing_settings(cursor) if many else nullcontext():
        cursor.execute(
            f"""
            UPDATE {table} AS c
               SET neighbourhood_id = placed.neighbourhood_id, lsoa_id = placed.lsoa_id
              FROM ({placing_sql(table=table, key=key, where=lambda alias: f"{alias}.neighbourhood_id IS NULL AND {where(alias)}")}) AS placed
             WHERE c.{key} = placed.row_key
            """,
            {**PLACING_PARAMS, **(params or {})},
        )
        return cursor.rowcount


@contextmanager
def placing_settings(cursor):
    """The settings the placing statement runs under, put back afterwards (if it fails, its transaction's rollback
    puts them back). Without JIT: its estimate for many rows is large enough for PostgreSQL to compile it, which
    took longer than placing 100,000 rows (3 s of 6.7 s under load). With room to group a row's areas in memory."""
    cursor.execute("SELECT current_setting('jit'), current_setting('work_mem'), set_config('jit', 'off', false), "
                   "set_config('work_mem', '64MB', false)")
    jit, work_mem, _, _ = cursor.fetchone()
    yield
    cursor.execute("SELECT set_config('jit', %s, false), set_config('work_mem', %s, false)", [jit, work_mem])


PLACING_PARAMS = {"edge": PIECE_EDGE_DEGREES, "neighbourhood": BoundaryPieceKind.NEIGHBOURHOOD.value, "lsoa": BoundaryPieceKind.LSOA.value}


def placing_sql(*, table: str, key: str, where=lambda alias: "TRUE") -> str:
    """The placement `place_rows` makes, as a SELECT (with PLACING_PARAMS): `row_key` (the `key` of each row of
    `table` that `where(alias)` chooses and a neighbourhood holds), `neighbourhood_id` and `lsoa_id`. An import
    keeps it apart from its staged rows (partners.imports.writer.place_staged), so they are not rewritten."""
    neighbourhood, small_area, pieces = Neighbourhood._meta.db_table, SmallArea._meta.db_table, BoundaryPiece._meta.db_table
    return f"""
        WITH held AS MATERIALIZED (
            SELECT t.{key} AS row_key, p.kind, p.area_id
              FROM {pieces} AS p
              -- The same box test twice, so that either index may find the pairs: the pieces' (a few points) or the points' (many).
              JOIN {table} AS t ON t.location && ST_Expand(p.piece, %(edge)s) AND p.piece && ST_Expand(t.location, %(edge)s)
             WHERE {where("t")}
               AND CASE WHEN p.edge IS NOT NULL AND NOT ST_DWithin(p.edge, t.location, %(edge)s)
                        THEN ST_Intersects(p.piece, t.location)
                        WHEN p.kind = %(neighbourhood)s
                        THEN EXISTS (SELECT 1 FROM {neighbourhood} AS n WHERE n.id = p.area_id AND ST_Intersects(n.boundary, t.location))
                        ELSE EXISTS (SELECT 1 FROM {small_area} AS s WHERE s.id = p.area_id AND ST_Intersects(s.boundary, t.location))
                    END
        )
        SELECT row_key, min(area_id) FILTER (WHERE kind = %(neighbourhood)s) AS neighbourhood_id,
               min(area_id) FILTER (WHERE kind = %(lsoa)s) AS lsoa_id
          FROM held GROUP BY row_key
        HAVING min(area_id) FILTER (WHERE kind = %(neighbourhood)s) IS NOT NULL"""


def concerns_link_near_duplicates(*, run: CollationRun | None, window: Window | None = None, target: Target | None = None,
                                  metres: int | None = None, days: int | None = None) -> int:
    """Link pairs that look like the same thing (`near_duplicates_sql`). At least one of each pair was reported
    in the window (or is a `target` concern). Pairs already linked are kept as they are (ON CONFLICT DO
    NOTHING). Returns the new links."""
    concern = Concern._meta.db_table
    if window is not None:
        chosen_sql, params = "a.reported_at >= %(start)s AND a.reported_at < %(end)s", {"start": window.start, "end": window.end}
    else:
        chosen_sql, params = (target or Target()).sql("a")
    pairs_sql, pair_params = near_duplicates_sql(chosen=concern, where=chosen_sql, metres=metres, days=days)
    with connection.cursor() as cursor:
        return near_duplicates_link(cursor, pairs_sql=pairs_sql, params={**pair_params, **params}, run=run)


def near_duplicates_link(cursor, *, pairs_sql: str, params: dict | None = None, run: CollationRun | None = None) -> int:
    """Link the pairs a SELECT gives (the columns of `near_duplicates_sql`), found by `run` (or at intake: none).
    Pairs already linked are kept as they are. Returns the new links."""
    cursor.execute(
        f"""
        INSERT INTO {ConcernLink._meta.db_table} (first_id, second_id, distance_metres, days_apart, found_by_id)
        SELECT first_id, second_id, distance_metres, days_apart, %(run)s FROM ({pairs_sql}) AS pairs
        ON CONFLICT (first_id, second_id) DO NOTHING
        """,
        {"run": run.pk if run else None, **(params or {})},
    )
    return cursor.rowcount


def near_duplicates_sql(*, chosen: str, where: str = "TRUE", metres: int | None = None, days: int | None = None) -> tuple[str, dict]:
    """The hub's one rule for near-duplicates, as a SELECT and its parameters: each concern of `chosen` (a table
    or a subquery, as `a`, with id, category_id, organisation_id, location_bng and occurred_at; `where` chooses
    among them) paired with each concern held that has the same category, comes from another partner, is within
    `metres` (ST_DWithin on the indexed EPSG:27700 point, so in metres) and happened within `days` of it.
    Columns: first_id and second_id (the lower id first, each pair once), distance_metres, days_apart, and
    chosen_id (the `a` of the pair).

    The concerns near each chosen one are found on the GiST index alone: OFFSET 0 keeps the category and
    partner tests out of that scan. Given them, PostgreSQL ANDed the point's index with the category's (some
    5,000 entries for every point: 100,000 rows took over a minute instead of seconds)."""
    metres = settings.COLLATION_DUPLICATE_METRES if metres is None else metres
    days = settings.COLLATION_DUPLICATE_DAYS if days is None else days
    concern = Concern._meta.db_table
    sql = f"""
        SELECT DISTINCT ON (LEAST(a.id, b.id), GREATEST(a.id, b.id))
               LEAST(a.id, b.id) AS first_id, GREATEST(a.id, b.id) AS second_id,
               ST_Distance(a.location_bng, b.location_bng) AS distance_metres,
               abs(extract(epoch FROM a.occurred_at - b.occurred_at)) / 86400.0 AS days_apart,
               a.id AS chosen_id
          FROM {chosen} AS a
          JOIN LATERAL (SELECT near.id, near.category_id, near.organisation_id, near.location_bng, near.occurred_at
                          FROM {concern} AS near
                         WHERE ST_DWithin(a.location_bng, near.location_bng, %(metres)s) OFFSET 0) AS b
            ON b.id <> a.id
           AND b.category_id = a.category_id
           AND b.organisation_id <> a.organisation_id
           AND b.occurred_at BETWEEN a.occurred_at - %(days)s AND a.occurred_at + %(days)s
         WHERE {where}
         ORDER BY LEAST(a.id, b.id), GREATEST(a.id, b.id)"""
    return sql, {"metres": float(metres), "days": timedelta(days=days)}


# Placing reads the boundaries, and linking compares the new concerns with every partner's (near-duplicates
# across organisations are the point): system work, whoever reported them.
@system_context("placing new concerns and linking their near-duplicates")
def concerns_place_at_intake(*, concern_ids: list[int]) -> Placement:
    """Place concerns the moment they arrive and link their near-duplicates: the same SQL as the daily
    collation, narrowed to the new rows. Call inside the transaction that saves them, so a concern is
    never held unplaced when a neighbourhood holds it (the collation still places what is left: points
    outside every neighbourhood, until the boundaries change). An import's rows are placed before they are
    written, by the same SQL on its staging table (partners.imports.writer.place_staged)."""
    target = Target(concern_ids=tuple(concern_ids))
    placement = concerns_place(target=target)
    concerns_link_near_duplicates(run=None, target=target)
    return placement


def collation_queue(*, period_end: date, requested_by=None, dispatched: bool = False) -> CollationRun:
    """Save a collation asked for (waiting to start), so the job sweeper watches it until it is done."""
    period_start = period_end - timedelta(days=settings.COLLATION_PERIOD_DAYS - 1)
    return CollationRun.objects.create(period_start=period_start, period_end=period_end, requested_by=requested_by,
                                       status=CollationStatus.QUEUED, dispatched_at=timezone.now() if dispatched else None)


@system_context("daily collation")
def collation_run(*, period_end: date, requested_by=None, run: CollationRun | None = None, attempt: int | None = None) -> CollationRun:
    """One collation of every concern reported up to `period_end`, all or nothing: place, link,
    mark what was new as collated, find hot spots and rising topics, and write one digest per
    neighbourhood with a team. The digests are emailed once the transaction commits.
    `run` is the queued run to fill in (made here if not given); `attempt` is the worker's claim
    (jobs.worker): a worker superseded by a newer attempt collates nothing."""
    period_days = settings.COLLATION_PERIOD_DAYS
    period_start = period_end - timedelta(days=period_days - 1)
    if run is not None:
        CollationRun.objects.filter(pk=run.pk, status__in=CollationRun.JOB_OPEN_STATUSES).update(status=CollationStatus.RUNNING)
    with transaction.atomic(), pghistory.context(user=getattr(requested_by, "pk", None), via="collation"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COLLATION_LOCK])
        if run is None:
            run = CollationRun.objects.create(period_start=period_start, period_end=period_end, requested_by=requested_by)
        elif not job_is_still_mine(CollationRun, run.pk, attempt):
            run.refresh_from_db()
            return run
        placement = concerns_place()
        linked = concerns_link_near_duplicates(run=run, window=Window(start=day_start(period_start), end=day_start(period_end + timedelta(days=1))))
        collated_at = timezone.now()
        collated = Concern.objects.filter(status=ConcernStatus.NEW, neighbourhood__isnull=False,
                                          reported_at__lt=day_start(period_end + timedelta(days=1))).update(
            status=ConcernStatus.COLLATED, collated_at=collated_at)

        # The collation is the hub's own work over every concern (the run's summary); each digest counts only what its
        # team may see, so a count never tells a team more than its lists would (issue 15).
        signals = selectors.collation_signals(concerns=Concern.objects.all(), period_end=period_end)
        hot_spots, rising = signals.hot_spots, signals.rising_topics
        digests, team_signals = [], {}
        for neighbourhood in Neighbourhood.objects.filter(team__isnull=False, team__is_active=True).select_related("team", "force_area"):
            digests.append(NeighbourhoodDigest(run=run, neighbourhood=neighbourhood, organisation=neighbourhood.team, content=_digest_content(
                neighbourhood, run=run, collated_at=collated_at, period_start=period_start, period_end=period_end, cache=team_signals,
            )))
        NeighbourhoodDigest.objects.bulk_create(digests)
        disclosure_record_many([entry for digest in digests for entry in _digest_disclosures(digest, collated_at=collated_at)])

        run.summary = {
            "placed": placement.placed, "unplaced": placement.unplaced, "linked": linked, "collated": collated,
            "hot_spots": len(hot_spots), "rising_topics": len(rising), "digests": len(digests),
            "by_force": _summary_by_force(run, collated_at, hot_spots, rising),
        }
        run.finished_at, run.status = timezone.now(), CollationStatus.DONE
        run.save(update_fields=["summary", "finished_at", "status"])
        summary = (f"Partner concerns collated to {period_end:%d %B %Y}: {placement.placed} placed, {placement.unplaced} unplaced, "
                   f"{linked} near-duplicates linked, {len(digests)} digests")
        forces = Organisation.objects.filter(pk__in={digest.organisation.parent_id for digest in digests})
        for force in forces or [None]:
            audit.record(actor=requested_by, organisation=force, action="partners.collation_run", summary=summary,
                         run=run.pk, **{key: value for key, value in run.summary.items() if key != "by_force"})
        digest_ids = [digest.pk for digest in digests]
        transaction.on_commit(lambda: digests_send(digest_ids=digest_ids))
    return run


def _digest_content(neighbourhood, *, run, collated_at, period_start, period_end, cache: dict) -> dict:
    """A team's digest for one neighbourhood, counted over the concerns the team may see (Concern.visible_to(team)):
    not those of an organisation with no protocol with it, nor OFFICIAL-SENSITIVE ones beyond its protocols."""
    team = neighbourhood.team
    visible = Concern.objects.visible_to(team)
    key = (team.pk, neighbourhood.force_area_id)
    if key not in cache:  # the force area's signals, as the team sees them (its rising topics cover the force area)
        cache[key] = selectors.collation_signals(
            concerns=visible, period_end=period_end,
            neighbourhoods=Neighbourhood.objects.filter(force_area_id=neighbourhood.force_area_id).values("pk"),
        )
    signals = cache[key]
    new = [{"category": row["category__name"], "count": row["count"]} for row in (
        visible.filter(status=ConcernStatus.COLLATED, collated_at=collated_at, neighbourhood=neighbourhood)
        .values("category__name").annotate(count=Count("pk")).order_by("-count", "category__name"))]
    seen = visible.values("pk")
    # Links this run found, and those found at intake between the concerns it collated.
    new_links = Q(found_by=run) | Q(found_by__isnull=True, first__collated_at=collated_at) | Q(found_by__isnull=True, second__collated_at=collated_at)
    links = ConcernLink.objects.filter(new_links, first__neighbourhood=neighbourhood, first__in=seen, second__in=seen).count()
    return {
        "neighbourhood": neighbourhood.name,
        "period_start": period_start.isoformat(), "period_end": period_end.isoformat(),
        "new_concerns": new, "new_total": sum(row["count"] for row in new),
        "hot_spot": next((asdict(spot) for spot in signals.hot_spots if spot.neighbourhood_id == neighbourhood.pk), None),
        "rising_topics": [asdict(topic) for topic in signals.rising_topics
                          if topic.neighbourhood_id == neighbourhood.pk
                          or (topic.neighbourhood_id is None and topic.force_area_id == neighbourhood.force_area_id)],
        "links": links,
    }


def _digest_disclosures(digest, *, collated_at) -> list:
    """One disclosure entry for each other organisation's concern a digest counts, the team its reader (issue 15)."""
    team = digest.organisation
    counted = (Concern.objects.visible_to(team).filter(status=ConcernStatus.COLLATED, collated_at=collated_at, neighbourhood=digest.neighbourhood)
               .only("pk", "organisation_id"))
    return shared_disclosures(reader=team, records=list(counted), details={"digest": digest.pk},
                              purpose=f"Counted in the digest of partner concerns in {digest.neighbourhood.name}, emailed to {team.name}")


def _summary_by_force(run, collated_at, hot_spots, rising) -> dict[str, dict]:
    """The run's counts for each force, so a force's page shows its own figures and no one else's."""
    force_of_area = dict(Neighbourhood.objects.values_list("force_area_id", "force_area__force_id").distinct())
    by_force: dict[str, dict] = defaultdict(lambda: {"collated": 0, "linked": 0, "hot_spots": 0, "rising_topics": 0})
    for row in (Concern.objects.filter(status=ConcernStatus.COLLATED, collated_at=collated_at)
                .values("neighbourhood__force_area__force_id").annotate(count=Count("pk"))):
        by_force[str(row["neighbourhood__force_area__force_id"])]["collated"] += row["count"]
    for row in ConcernLink.objects.filter(found_by=run).values("first__neighbourhood__force_area__force_id").annotate(count=Count("pk")):
        if row["first__neighbourhood__force_area__force_id"]:
            by_force[str(row["first__neighbourhood__force_area__force_id"])]["linked"] += row["count"]
    for spot in hot_spots:
        by_force[str(force_of_area[spot.force_area_id])]["hot_spots"] += 1
    for topic in rising:
        by_force[str(force_of_area[topic.force_area_id])]["rising_topics"] += 1
    return dict(by_force)


def digests_send(*, digest_ids: list[int]) -> int:
    """Email each digest to its team's officers and managers; mark it sent. Returns the emails sent."""
    digests = list(NeighbourhoodDigest.objects.filter(pk__in=digest_ids, sent_at__isnull=True).select_related("neighbourhood", "organisation", "run"))
    if not digests:
        return 0
    recipients: dict[int, list[str]] = defaultdict(list)
    for organisation_id, email in (Membership.objects.filter(organisation__in=[d.organisation_id for d in digests], role__in=DIGEST_ROLES,
                                                             user__is_active=True).exclude(user__email="")
                                   .values_list("organisation_id", "user__email").distinct().order_by("organisation_id", "user__email")):
        recipients[organisation_id].append(email)
    messages, sent_ids = [], []
    for digest in digests:
        if not recipients[digest.organisation_id]:
            continue
        context = {"digest": digest, "content": digest.content}
        subject = f"Partner concerns in {digest.neighbourhood.name}: digest to {digest.run.period_end:%d %B %Y}"
        message = EmailMultiAlternatives(subject=subject, body=render_to_string("partners/email/digest.txt", context),
                                         to=recipients[digest.organisation_id])
        message.attach_alternative(render_to_string("partners/email/digest.html", context), "text/html")
        messages.append(message)
        sent_ids.append(digest.pk)
    with get_connection() as mail:
        mail.send_messages(messages)
    NeighbourhoodDigest.objects.filter(pk__in=sent_ids).update(sent_at=timezone.now())
    return len(messages)


def collation_request(*, requested_by, period_end: date | None = None) -> CollationRun:
    """Queue a collation now (the page's button): the run is saved, and its task sent once the
    request's transaction commits (or by the job sweeper, if the broker does not answer)."""
    period_end = period_end or timezone.localdate()
    with transaction.atomic():
        run = collation_queue(period_end=period_end, requested_by=requested_by)
        audit.record(actor=requested_by, organisation=_force_of(requested_by), action="partners.collation_requested",
                     summary=f"Collation of partner concerns to {period_end:%d %B %Y} requested", run=run.pk)
        job_dispatch_on_commit(run)
    return run


def _force_of(user):
    membership = (Membership.objects.filter(user=user, organisation__is_active=True, organisation__kind__in=["police_force", "neighbourhood_team"])
                  .select_related("organisation", "organisation__parent").order_by("pk").first())
    return membership.organisation.force if membership else None
