"""The figures an engagement-coverage report holds, read only through `visible_to(user)`.

Every figure is computed for all the report's neighbourhoods at once, in a fixed number of
grouped queries (not one set per neighbourhood), so a force of 600 neighbourhoods costs the
same number of round trips as one. The signals reuse the neighbourhood page's definitions
(crm.effectiveness and the HUB_ENGAGEMENT_* settings), applied to the report's period.
"""
from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, DateField, F, Max, Q, Value, When, Window
from django.db.models.functions import RowNumber, TruncDate, TruncMonth
from django.utils import timezone

from crm.effectiveness import PROFILE_SECTORS, SHARE_OF
from crm.models import (
    AdviceResponse, AdvisoryAdvice, Engagement, EngagementIssue, EngagementKind, EngagementStatus, Priority, PriorityAction,
    UnderRepresentedGroup,
)
from crm.models.engagements import MEETING_KINDS, ONLINE_KINDS, VenueKind
from digital.models import MeetingQuestion
from geo.models import AGE_BANDS, DISABILITY_STATUSES, ETHNIC_GROUPS, DemographicProfile, Neighbourhood
from geo.selectors import PROFILE_TABLES

# A category is a hot spot when it has at least this many concerns in the period and has risen
# by at least half on the period before (or is new).
HOT_SPOT_MINIMUM = 3
HOT_SPOT_RISE = 1.5
# Examples listed under a signal in the PDF (the CSV holds the counts in full).
EXAMPLES_SHOWN = 3
PRIORITIES_SHOWN = 8


@dataclass(frozen=True)
class ReportScope:
    period_start: datetime.date
    period_end: datetime.date
    neighbourhood_ids: tuple[int, ...]
    include_concerns: bool = True

    @property
    def starts(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.period_start, datetime.time.min))

    @property
    def ends(self) -> datetime.datetime:
        """The first instant after the period (the period's last day is included whole)."""
        return timezone.make_aware(datetime.datetime.combine(self.period_end + datetime.timedelta(days=1), datetime.time.min))

    @property
    def previous_starts(self) -> datetime.datetime:
        """The start of the period of the same length just before, for trends."""
        return self.starts - (self.ends - self.starts)

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.period_start.replace(day=1)
        while month <= self.period_end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1


@dataclass
class NeighbourhoodFigures:
    pk: int
    code: str
    name: str
    engagements: int = 0
    turnout: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_month: Counter = field(default_factory=Counter)
    online: int = 0
    face_to_face: int = 0
    questions_in_advance: int = 0  # a third channel of engagement, beside online and face to face
    beat_meetings: int = 0
    longest_gap_days: int = 0
    gaps_over_policy: int = 0
    officer_attendances: int = 0
    distinct_officers: int = 0
    beat_meetings_with_officer: int = 0
    population: int | None = None
    profile_sources: list = field(default_factory=list)
    reach: list = field(default_factory=list)
    iag_consultations: int = 0
    advice_by_response: Counter = field(default_factory=Counter)
    low_turnout_meetings: int = 0
    low_turnout_examples: list = field(default_factory=list)
    repeated_issues: list = field(default_factory=list)
    concerns: int = 0
    concerns_previous: int = 0
    concerns_by_month: Counter = field(default_factory=Counter)
    concern_categories: list = field(default_factory=list)
    hot_spots: list = field(default_factory=list)
    priorities: list = field(default_factory=list)
    priorities_total: int = 0
    actions_done: int = 0

    @property
    def meets_beat_policy(self) -> bool:
        return self.beat_meetings > 0 and self.gaps_over_policy == 0

    @property
    def beat_meetings_without_officer(self) -> int:
        return self.beat_meetings - self.beat_meetings_with_officer

    @property
    def per_thousand_residents(self) -> float | None:
        return round(self.engagements * 1000 / self.population, 1) if self.population else None

    @property
    def kind_rows(self) -> list[tuple[str, int]]:
        return [(label, self.by_kind[value]) for value, label in EngagementKind.choices if self.by_kind[value]]

    @property
    def concern_change(self) -> int:
        return self.concerns - self.concerns_previous


@dataclass
class ReportFigures:
    scope: ReportScope
    neighbourhoods: list[NeighbourhoodFigures]
    beat_policy_days: int
    low_turnout_threshold: int
    repeated_issue_meetings: int
    official_sensitive: bool = False

    def total(self, name: str) -> int:
        return sum(getattr(n, name) for n in self.neighbourhoods)

    @property
    def by_kind(self) -> list[tuple[str, int]]:
        totals = Counter()
        for n in self.neighbourhoods:
            totals.update(n.by_kind)
        return [(label, totals[value]) for value, label in EngagementKind.choices if totals[value]]

    @property
    def by_month(self) -> list[tuple[datetime.date, int]]:
        totals = Counter()
        for n in self.neighbourhoods:
            totals.update(n.by_month)
        return [(month, totals[month]) for month in self.scope.months]

    @property
    def meeting_beat_policy(self) -> int:
        return sum(1 for n in self.neighbourhoods if n.meets_beat_policy)

    @property
    def without_engagement(self) -> list[NeighbourhoodFigures]:
        return [n for n in self.neighbourhoods if n.engagements == 0]

    @property
    def thinnest(self) -> list[NeighbourhoodFigures]:
        """The five neighbourhoods with the fewest engagements per 1,000 residents."""
        ranked = [n for n in self.neighbourhoods if n.per_thousand_residents is not None]
        return sorted(ranked, key=lambda n: (n.per_thousand_residents, n.name))[:5]

    @property
    def with_signals(self) -> int:
        return sum(1 for n in self.neighbourhoods if n.low_turnout_meetings or n.repeated_issues or not n.meets_beat_policy)


def report_figures(*, user, scope: ReportScope) -> ReportFigures:
    """Every figure of the report for the neighbourhoods in `scope`, as `user` may see them."""
    figures = {
        row["pk"]: NeighbourhoodFigures(pk=row["pk"], code=row["code"], name=row["name"])
        for row in Neighbourhood.objects.filter(pk__in=scope.neighbourhood_ids).order_by("name").values("pk", "code", "name")
    }
    held = held_engagements(user=user, scope=scope)
    _engagement_counts(figures, held)
    _questions_in_advance(figures, user=user, scope=scope)
    _beat_meetings(figures, held, scope=scope)
    _reach(figures, held)
    _advice(figures, held, user=user)
    _signals(figures, held, user=user)
    official_sensitive = False
    if scope.include_concerns:
        official_sensitive = _concerns(figures, user=user, scope=scope)
    _priorities(figures, user=user, scope=scope)
    return ReportFigures(
        scope=scope, neighbourhoods=list(figures.values()), beat_policy_days=settings.BEAT_MEETING_INTERVAL_DAYS,
        low_turnout_threshold=settings.ENGAGEMENT_LOW_TURNOUT, repeated_issue_meetings=settings.ENGAGEMENT_REPEATED_ISSUE_MEETINGS,
        official_sensitive=official_sensitive,
    )


def held_engagements(*, user, scope: ReportScope):
    return Engagement.objects.visible_to(user).filter(
        status=EngagementStatus.HELD, starts_at__gte=scope.starts, starts_at__lt=scope.ends,
        neighbourhood_id__in=scope.neighbourhood_ids,
    )


def _engagement_counts(figures, held) -> None:
    """Counts by type and by month for every neighbourhood, in one pass over the visible engagements' SQL (so the read
    still goes through visible_to). GROUPING SETS give a row per neighbourhood and type and one per neighbourhood
    and month (about 14,000 for 600 neighbourhoods) instead of one per all three (about 80,000 to read in Python)."""
    online = Q(kind__in=ONLINE_KINDS) | Q(venue_kind=VenueKind.ONLINE)
    low = Q(kind__in=MEETING_KINDS, turnout__lt=settings.ENGAGEMENT_LOW_TURNOUT)
    rows_sql, params = held.values("neighbourhood_id", "kind", "turnout").annotate(
        month=TruncMonth("starts_at", output_field=DateField()),
        is_online=Case(When(online, then=Value(1)), default=Value(0)), is_low=Case(When(low, then=Value(1)), default=Value(0)),
    ).order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT neighbourhood_id, kind, month::date, count(*), sum(is_online), sum(turnout), sum(is_low)
              FROM ({rows_sql}) AS held
             GROUP BY GROUPING SETS ((neighbourhood_id, kind), (neighbourhood_id, month))
        """, params)
        rows = cursor.fetchall()
    for neighbourhood_id, kind, month, count, online_count, people, low_count in rows:
        n = figures[neighbourhood_id]
        if kind is None:  # a (neighbourhood, month) row: the month's count only, the rest is in the type rows
            n.by_month[month] += count  # truncated in the hub's time zone, as a date
            continue
        n.engagements += count
        n.by_kind[kind] += count
        n.online += online_count
        n.face_to_face += count - online_count
        n.turnout += people or 0
        n.low_turnout_meetings += low_count


def _questions_in_advance(figures, *, user, scope: ReportScope) -> None:
    """Questions residents sent before a meeting are engagement too, by a channel of their own: those received in
    the period, for a meeting in one of the report's neighbourhoods (whatever became of the meeting)."""
    rows = (
        MeetingQuestion.objects.visible_to(user)
        .filter(created_at__gte=scope.starts, created_at__lt=scope.ends, engagement__neighbourhood_id__in=scope.neighbourhood_ids)
        .values("engagement__neighbourhood_id").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        figures[row["engagement__neighbourhood_id"]].questions_in_advance = row["n"]


def _beat_meetings(figures, held, *, scope: ReportScope) -> None:
    """Regularity against the force's policy: the gaps between beat meetings, counting from the
    period's start to the first and from the last to the period's end. The gaps are measured in the
    database, over the visible beat meetings' SQL (so the read still goes through visible_to)."""
    policy = settings.BEAT_MEETING_INTERVAL_DAYS
    beat = held.filter(kind=EngagementKind.BEAT_MEETING)
    days_sql, days_params = beat.annotate(day=TruncDate("starts_at")).values("neighbourhood_id", "day").order_by().query.sql_with_params()
    ids = list(figures)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH marks AS (
              SELECT neighbourhood_id, day, true AS meeting FROM ({days_sql}) AS beat
              UNION ALL SELECT id, %s::date, false FROM unnest(%s::bigint[]) AS id
              UNION ALL SELECT id, %s::date, false FROM unnest(%s::bigint[]) AS id
            ), gaps AS (
              SELECT neighbourhood_id, meeting, day, day - lag(day) OVER (PARTITION BY neighbourhood_id ORDER BY day) AS gap FROM marks
            )
            SELECT neighbourhood_id, count(*) FILTER (WHERE meeting), max(gap), count(*) FILTER (WHERE gap > %s)
              FROM gaps GROUP BY neighbourhood_id
        """, [*days_params, scope.period_start, ids, scope.period_end, ids, policy])
        for neighbourhood_id, meetings, longest, over in cursor.fetchall():
            n = figures[neighbourhood_id]
            n.beat_meetings, n.longest_gap_days, n.gaps_over_policy = meetings, longest, over
    attendance = (
        Engagement.officers.through.objects.filter(engagement__in=beat).values("engagement__neighbourhood_id")
        .annotate(attendances=Count("pk"), officers=Count("user_id", distinct=True), meetings=Count("engagement_id", distinct=True))
        .order_by()
    )
    for row in attendance:
        n = figures[row["engagement__neighbourhood_id"]]
        n.officer_attendances, n.distinct_officers, n.beat_meetings_with_officer = row["attendances"], row["officers"], row["meetings"]


def neighbourhood_profiles(neighbourhood_ids) -> dict[int, dict]:
    """Each neighbourhood's demographic profile (the sum of its small areas'), in one query,
    in the shape of geo.selectors.neighbourhood_profile."""
    totals = defaultdict(lambda: {name: Counter() for name in PROFILE_TABLES})
    extra = defaultdict(lambda: {"bsl_users": 0, "sources": set(), "areas": 0})
    profiles = DemographicProfile.objects.filter(area__neighbourhood_id__in=neighbourhood_ids).annotate(
        neighbourhood_id=F("area__neighbourhood_id")).only(*PROFILE_TABLES, "bsl_users", "source")
    for profile in profiles:
        for name in PROFILE_TABLES:
            totals[profile.neighbourhood_id][name].update(getattr(profile, name))
        extra[profile.neighbourhood_id]["bsl_users"] += profile.bsl_users
        extra[profile.neighbourhood_id]["sources"].add(profile.source)
        extra[profile.neighbourhood_id]["areas"] += 1
    result = {}
    for pk, tables in totals.items():
        population = sum(tables["population_by_age_band"].values())

        def table(counter, order):
            keys = order if order is not None else [key for key, _ in counter.most_common()]
            return [{"label": k, "count": counter.get(k, 0), "share": counter.get(k, 0) / population if population else 0} for k in keys]

        result[pk] = {
            "population": population, "areas": extra[pk]["areas"], "sources": sorted(extra[pk]["sources"]),
            "age_bands": table(tables["population_by_age_band"], AGE_BANDS), "ethnicity": table(tables["ethnicity"], ETHNIC_GROUPS),
            "disability": table(tables["disability"], DISABILITY_STATUSES), "main_language": table(tables["main_language"], None),
            "bsl_users": extra[pk]["bsl_users"],
        }
    return result


def _reach(figures, held) -> None:
    """Groups reached against who lives there: for each sector the profile can measure, its share of
    residents against the share of engagements that reached it."""
    reached = Counter()
    rows = (
        Engagement.groups_reached.through.objects.filter(engagement__in=held)
        .values("engagement__neighbourhood_id", "underrepresentedgroup_id").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        reached[(row["engagement__neighbourhood_id"], row["underrepresentedgroup_id"])] = row["n"]
    groups = {g.slug: g for g in UnderRepresentedGroup.objects.filter(slug__in=[slug for slug, _, _ in PROFILE_SECTORS])}
    profiles = neighbourhood_profiles(list(figures))
    for pk, n in figures.items():
        profile = profiles.get(pk)
        if not profile or not profile["population"]:
            continue
        n.population, n.profile_sources = profile["population"], profile["sources"]
        for slug, _, _ in PROFILE_SECTORS:
            if slug not in groups:
                continue
            engagements = reached[(pk, groups[slug].pk)]
            n.reach.append({
                "group": groups[slug].name, "residents_share": SHARE_OF[slug](profile), "engagements": engagements,
                "engagement_share": engagements / n.engagements if n.engagements else 0,
            })


def _advice(figures, held, *, user) -> None:
    rows = (
        AdvisoryAdvice.objects.visible_to(user).filter(consultation__in=held.filter(kind=EngagementKind.IAG_CONSULTATION))
        .values("consultation__neighbourhood_id", "response").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        figures[row["consultation__neighbourhood_id"]].advice_by_response[row["response"]] += row["n"]
    for n in figures.values():
        n.iag_consultations = n.by_kind[EngagementKind.IAG_CONSULTATION]


def _signals(figures, held, *, user) -> None:
    """The neighbourhood page's low-turnout and same-issues-again signals, over the report's period."""
    low = (
        held.filter(kind__in=MEETING_KINDS, turnout__lt=settings.ENGAGEMENT_LOW_TURNOUT)
        .annotate(rank=Window(RowNumber(), partition_by=F("neighbourhood_id"), order_by=[F("starts_at").desc(), F("pk").desc()]))
        .filter(rank__lte=EXAMPLES_SHOWN).values("neighbourhood_id", "title", "kind", "starts_at", "turnout")
    )
    for row in low:
        row["kind"] = EngagementKind(row["kind"]).label
        row["date"] = timezone.localtime(row["starts_at"]).date()
        figures[row["neighbourhood_id"]].low_turnout_examples.append(row)
    repeated = (
        EngagementIssue.objects.visible_to(user).filter(engagement__in=held)
        .values("engagement__neighbourhood_id", "category__name").annotate(meetings=Count("engagement_id", distinct=True))
        .filter(meetings__gte=settings.ENGAGEMENT_REPEATED_ISSUE_MEETINGS).order_by("-meetings", "category__name")
    )
    for row in repeated:
        figures[row["engagement__neighbourhood_id"]].repeated_issues.append((row["category__name"], row["meetings"]))


def visible_concerns(*, user, scope: ReportScope):
    """Concerns in the report's neighbourhoods, from the start of the previous period to the end of this one."""
    from partners.models import Concern

    return Concern.objects.visible_to(user).filter(
        neighbourhood_id__in=scope.neighbourhood_ids, reported_at__gte=scope.previous_starts, reported_at__lt=scope.ends,
    )


def _concerns(figures, *, user, scope: ReportScope) -> bool:
    """Concerns by category this period against the one before, by month, and hot spots (rising
    categories, and the small areas where a category gathered). Returns whether any included
    concern is OFFICIAL-SENSITIVE."""
    from sharing_protocols.models import Classification

    concerns = visible_concerns(user=user, scope=scope)
    current = Q(reported_at__gte=scope.starts)
    rows = (
        concerns.annotate(month=TruncMonth("reported_at", output_field=DateField())).values("neighbourhood_id", "category__name", "month")
        .annotate(current=Count("pk", filter=current), previous=Count("pk", filter=~current),
                  sensitive=Count("pk", filter=current & Q(classification=Classification.OFFICIAL_SENSITIVE)))
        .order_by()
    )
    categories = defaultdict(lambda: [0, 0])
    official_sensitive = False
    for row in rows:
        n = figures[row["neighbourhood_id"]]
        month = row["month"]
        n.concerns += row["current"]
        n.concerns_previous += row["previous"]
        if row["current"]:
            n.concerns_by_month[month] += row["current"]
        categories[(row["neighbourhood_id"], row["category__name"])][0] += row["current"]
        categories[(row["neighbourhood_id"], row["category__name"])][1] += row["previous"]
        official_sensitive = official_sensitive or row["sensitive"] > 0
    for (pk, name), (now, before) in sorted(categories.items(), key=lambda item: (-item[1][0], item[0][1])):
        n = figures[pk]
        n.concern_categories.append((name, now, before))
        # A hot spot is a rise against a baseline: a category with nothing in the period before is not "rising".
        if before > 0 and now >= HOT_SPOT_MINIMUM and now >= before * HOT_SPOT_RISE:
            n.hot_spots.append({"category": name, "where": None, "now": now, "before": before})
    places = (
        concerns.filter(current, lsoa__isnull=False).values("neighbourhood_id", "category__name", "lsoa__name", "lsoa__code")
        .annotate(n=Count("pk")).filter(n__gte=HOT_SPOT_MINIMUM).order_by("-n", "lsoa__code")
    )
    for row in places:
        n = figures[row["neighbourhood_id"]]
        if not n.concerns_previous:
            continue  # no period before to compare with: where concerns gather is shown only against a baseline
        if sum(1 for spot in n.hot_spots if spot["where"]) < EXAMPLES_SHOWN:
            n.hot_spots.append({"category": row["category__name"], "where": f"{row['lsoa__name']} ({row['lsoa__code']})", "now": row["n"], "before": None})
    return official_sensitive


def _priorities(figures, *, user, scope: ReportScope) -> None:
    """You said, we did: priorities agreed in the period, or acted on in it, with their actions."""
    actions = PriorityAction.objects.visible_to(user)
    in_period = Q(issue_date__range=(scope.period_start, scope.period_end)) | Q(
        pk__in=actions.filter(action_date__range=(scope.period_start, scope.period_end)).values("priority_id"))
    priorities = (
        Priority.objects.visible_to(user).filter(in_period, neighbourhood_id__in=scope.neighbourhood_ids)
        .annotate(rank=Window(RowNumber(), partition_by=F("neighbourhood_id"), order_by=[F("issue_date").desc(), F("pk").desc()]))
        .select_related("category").order_by("neighbourhood_id", "-issue_date", "-pk")
    )
    counts = (
        Priority.objects.visible_to(user).filter(in_period, neighbourhood_id__in=scope.neighbourhood_ids)
        .values("neighbourhood_id").annotate(n=Count("pk")).order_by()
    )
    for row in counts:
        figures[row["neighbourhood_id"]].priorities_total = row["n"]
    shown = [p for p in priorities.filter(rank__lte=PRIORITIES_SHOWN)]
    by_priority = defaultdict(list)
    for action in actions.filter(priority__in=[p.pk for p in shown]).order_by("action_date", "pk"):
        by_priority[action.priority_id].append(action)
    for priority in shown:
        priority.report_actions = by_priority[priority.pk]
        figures[priority.neighbourhood_id].priorities.append(priority)
    done = (
        actions.filter(priority__neighbourhood_id__in=scope.neighbourhood_ids, status="done",
                       action_date__range=(scope.period_start, scope.period_end))
        .values("priority__neighbourhood_id").annotate(n=Count("pk")).order_by()
    )
    for row in done:
        figures[row["priority__neighbourhood_id"]].actions_done = row["n"]


def shared_records_in(figures: ReportFigures, *, user) -> list:
    """The other organisations' records a report's files carry or count, for the disclosure log: the concerns
    counted, the engagements counted (and named as low-turnout examples) and the priorities listed. Only their ids
    and holders are read."""
    scope = figures.scope
    records = [engagement for engagement in held_engagements(user=user, scope=scope).only("pk", "organisation_id") if engagement.is_shared]
    if scope.include_concerns:
        records += [concern for concern in visible_concerns(user=user, scope=scope).only("pk", "organisation_id") if concern.is_shared]
    records += [priority for n in figures.neighbourhoods for priority in n.priorities if getattr(priority, "is_shared", False)]
    return records


def data_fingerprint(*, user, scope: ReportScope, protocol_ids=()) -> str:
    """A hash of the counts and last changes of every input the report reads, as `user` may see them:
    equal fingerprints mean a finished report still holds the same figures."""
    import hashlib

    from django.apps import apps

    held = held_engagements(user=user, scope=scope)
    parts = [
        held.aggregate(n=Count("pk"), last=Max("updated_at")),
        Engagement.officers.through.objects.filter(engagement__in=held).aggregate(n=Count("pk"), last=Max("pk")),
        Engagement.groups_reached.through.objects.filter(engagement__in=held).aggregate(n=Count("pk"), last=Max("pk")),
        apps.get_model("crm", "EngagementIssueEvent").objects.filter(engagement_id__in=held.values("pk")).aggregate(last=Max("pgh_id")),
        AdvisoryAdvice.objects.visible_to(user).filter(consultation__in=held).aggregate(n=Count("pk"), last=Max("updated_at")),
        Priority.objects.visible_to(user).filter(neighbourhood_id__in=scope.neighbourhood_ids).aggregate(n=Count("pk"), last=Max("updated_at")),
        apps.get_model("crm", "PriorityActionEvent").objects.filter(
            priority_id__in=Priority.objects.visible_to(user).filter(neighbourhood_id__in=scope.neighbourhood_ids).values("pk"),
        ).aggregate(last=Max("pgh_id")),
        DemographicProfile.objects.filter(area__neighbourhood_id__in=scope.neighbourhood_ids).aggregate(n=Count("pk"), last=Max("pk")),
        sorted(protocol_ids),
        [settings.BEAT_MEETING_INTERVAL_DAYS, settings.ENGAGEMENT_LOW_TURNOUT, settings.ENGAGEMENT_REPEATED_ISSUE_MEETINGS],
    ]
    if scope.include_concerns:
        parts.append(visible_concerns(user=user, scope=scope).aggregate(n=Count("pk"), last=Max("updated_at")))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


ADVICE_LABELS = dict(AdviceResponse.choices)
