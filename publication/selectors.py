"""The one door for public reads: every public page, the police.uk-compatible API, the
iCalendar feeds and the open-data releases read the hub only through these functions.

Why not `visible_to`: a public read has no user, and `visible_to(None)` rightly sees
nothing. This module is instead narrow by construction. It returns:

- public geography (forces, neighbourhoods, boundaries), which is not sensitive;
- the public wording of priorities, actions and planned meetings, and only a wording that
  has passed screening (cleared automatically, or approved by a reviewer) for its exact
  text: anything flagged, rejected, edited since screening or not yet screened is left out;
- officers' names and ranks only from a `PublicProfile` they have published themselves;
- counts grouped by category, type, status, neighbourhood and quarter or month, from columns that hold
  nothing personal (with the ids of concerns and engagements, for the cell keys of disclosure control).

Nothing here reads notes, descriptions of concerns, reporters, contacts or addresses, and
querysets load only the public columns (`only()`), so a template cannot reach the rest."""
import datetime as dt

from django.contrib.gis.geos import Point
from django.db.models import Count, Exists, OuterRef, Prefetch, Value
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone

from crm.models import Engagement, EngagementKind, EngagementStatus, Priority, PriorityAction
from organisations.models import OrganisationKind
from access.roles import Role
from geo.models import ForceArea, Neighbourhood, SmallAreaKind
from publication.models import PUBLIC_FIELDS, PublicProfile, Screening, Subject, TextHash

# Meetings the public may come to. Door-to-door, postcards, audits and IAG consultations are not invitations.
PUBLIC_MEETING_KINDS = (
    EngagementKind.PUBLIC_MEETING, EngagementKind.PACT_MEETING, EngagementKind.BEAT_MEETING,
    EngagementKind.STREET_MEETING, EngagementKind.SURGERY, EngagementKind.ONLINE_MEETING,
)
MEETING_PUBLIC_COLUMNS = (
    "pk", "kind", "title", "status", "starts_at", "ends_at", "venue_name", "venue_kind", "online_link", "objectives",
    "adjustments", "neighbourhood_id", "organisation_id",
)
TEAM_ROLES = (Role.OFFICER, Role.MANAGER)


def with_public_hash(queryset, subject: Subject):
    """Annotate each row with the hash of its current public wording."""
    return queryset.annotate(public_hash=TextHash(*PUBLIC_FIELDS[subject]))


def screened(queryset, subject: Subject):
    """Only rows whose current public wording was cleared or approved."""
    passed = Screening.objects.publishable().filter(subject=subject, object_id=OuterRef("pk"), content_hash=OuterRef("public_hash"))
    return with_public_hash(queryset, subject).filter(Exists(passed))


# --- Geography -------------------------------------------------------------------------------------------------------

def forces():
    return ForceArea.objects.only("pk", "code", "name").order_by("name")


def force(code: str) -> ForceArea | None:
    return ForceArea.objects.select_related("force").filter(code=code).first()


def neighbourhoods(force_area: ForceArea):
    return Neighbourhood.objects.filter(force_area=force_area).only("pk", "code", "name", "force_area_id").order_by("name")


def all_neighbourhoods():
    return Neighbourhood.objects.select_related("force_area").only(
        "pk", "code", "name", "force_area__code", "force_area__name",
    ).order_by("force_area__name", "name")


def neighbourhood(force_code: str, code: str) -> Neighbourhood | None:
    return (
        Neighbourhood.objects.select_related("force_area", "team").filter(force_area__code=force_code, code=code).first()
    )


def locate_neighbourhood(*, latitude: float, longitude: float) -> Neighbourhood | None:
    point = Point(longitude, latitude, srid=4326)
    return Neighbourhood.objects.select_related("force_area").containing(point).order_by("pk").first()


def population(neighbourhood_: Neighbourhood) -> int:
    """Residents of the neighbourhood's LSOAs, from their demographic profiles (0 without profiles)."""
    from geo.models import DemographicProfile

    profiles = DemographicProfile.objects.filter(area__neighbourhood=neighbourhood_, area__kind=SmallAreaKind.LSOA)
    return sum(profile.total_population for profile in profiles.only("population_by_age_band"))


# --- People ----------------------------------------------------------------------------------------------------------

def with_public_bio(profiles):
    """Each profile with `public_bio`: its biography if that wording passed screening, else empty (held until it does)."""
    from django.db.models import Case, CharField, When

    passed = Screening.objects.publishable().filter(subject=Subject.PROFILE, object_id=OuterRef("pk"),
                                                    content_hash=OuterRef("public_hash"))
    return with_public_hash(profiles, Subject.PROFILE).annotate(
        public_bio=Case(When(Exists(passed), then="bio"), default=Value(""), output_field=CharField()),
    )


def team_people(neighbourhood_: Neighbourhood):
    """The neighbourhood team's officers who chose to be shown, by name (`public_bio`: the screened biography)."""
    if neighbourhood_.team_id is None:
        return PublicProfile.objects.none()
    return with_public_bio(PublicProfile.objects.filter(
        published=True, user__is_active=True,
        user__memberships__organisation_id=neighbourhood_.team_id, user__memberships__role__in=TEAM_ROLES,
    ).only("display_name", "rank", "bio").distinct().order_by("display_name"))


def force_people(force_area: ForceArea):
    """The force's own officers (not a team's) who chose to be shown: police.uk's 'senior officers'."""
    return with_public_bio(PublicProfile.objects.filter(
        published=True, user__is_active=True,
        user__memberships__organisation_id=force_area.force_id, user__memberships__organisation__kind=OrganisationKind.POLICE_FORCE,
        user__memberships__role__in=TEAM_ROLES,
    ).only("display_name", "rank", "bio").distinct().order_by("display_name"))


# --- Meetings, priorities and actions ----------------------------------------------------------------------------------

def public_meetings(neighbourhood_: Neighbourhood, *, now: dt.datetime | None = None):
    """Planned meetings the public may come to, from now on, soonest first, whose wording passed screening."""
    meetings = Engagement.objects.filter(
        neighbourhood=neighbourhood_, kind__in=PUBLIC_MEETING_KINDS, status=EngagementStatus.PLANNED,
        starts_at__gte=now or timezone.now(),
    ).only(*MEETING_PUBLIC_COLUMNS).order_by("starts_at", "pk")
    return screened(meetings, Subject.MEETING)


def with_revisions(meetings):
    """Annotate each meeting with how many times it was changed (from its history), for iCalendar's SEQUENCE."""
    from django.db.models import IntegerField, Subquery
    from django.db.models.functions import Coalesce as _Coalesce

    changes = (Engagement.pgh_event_models["update"].objects.filter(pgh_obj_id=OuterRef("pk"), pgh_label="update")
               .order_by().values("pgh_obj_id").annotate(n=Count("pgh_id")).values("n"))
    return meetings.annotate(revisions=_Coalesce(Subquery(changes, output_field=IntegerField()), 0))


def published_actions():
    actions = PriorityAction.objects.filter(withdrawn_at__isnull=True).only("pk", "priority_id", "action", "action_date", "status")
    return screened(actions, Subject.ACTION).order_by(
        "action_date", "pk",
    )


def published_priorities(neighbourhood_: Neighbourhood | None = None):
    """Priorities whose issue passed screening, newest first, each with `public_actions` (screened, oldest first)
    and `outcome_published` (whether its outcome's current wording passed screening too)."""
    priorities = Priority.objects.select_related("category").only(
        "pk", "issue", "issue_date", "status", "outcome", "neighbourhood_id", "organisation_id", "category__name", "category__slug",
    )
    if neighbourhood_ is not None:
        priorities = priorities.filter(neighbourhood=neighbourhood_)
    outcome_passed = Screening.objects.publishable().filter(
        subject=Subject.OUTCOME, object_id=OuterRef("pk"), content_hash=OuterRef("outcome_hash"),
    )
    return screened(priorities, Subject.PRIORITY).annotate(
        outcome_hash=TextHash(*PUBLIC_FIELDS[Subject.OUTCOME]),
    ).annotate(outcome_published=Exists(outcome_passed)).prefetch_related(
        Prefetch("actions", queryset=published_actions(), to_attr="public_actions"),
    ).order_by("-issue_date", "-pk")


def public_priority_wording(priority_id: int) -> dict | None:
    """One priority's status, and its issue and outcome as far as their current wording passed screening
    (blank where not): what a partner is told of the priority its concern went into. One query."""
    from crm.models import FINISHED_STATUSES, PriorityStatus

    def passed(subject, hash_name):
        return Exists(Screening.objects.publishable().filter(subject=subject, object_id=OuterRef("pk"), content_hash=OuterRef(hash_name)))

    # The reader may not read the priority itself (row-level security): this one row is read as the public pages
    # read, in their named context, and only its status and screened wording leave this function.
    from row_security.context import system_context

    with system_context("public pages: a priority's status and screened wording", audit=False):
        row = (Priority.objects.filter(pk=priority_id)
               .annotate(issue_hash=TextHash(*PUBLIC_FIELDS[Subject.PRIORITY]), outcome_hash=TextHash(*PUBLIC_FIELDS[Subject.OUTCOME]))
               .annotate(issue_public=passed(Subject.PRIORITY, "issue_hash"), outcome_public=passed(Subject.OUTCOME, "outcome_hash"))
               .values("status", "issue", "outcome", "issue_public", "outcome_public").first())
    if row is None:
        return None
    return {
        "status": dict(PriorityStatus.choices)[row["status"]], "finished": row["status"] in FINISHED_STATUSES,
        "issue": row["issue"] if row["issue_public"] else "", "outcome": row["outcome"] if row["outcome_public"] and row["outcome"] else "",
    }


# --- Records for the open data (nothing personal: id, category, type, status, neighbourhood, date) -------------------
# Concerns and engagements come with their ids, grouped: the ids make the cell keys of the disclosure control
# (publication/cell_key.py) and never leave the hub.

def concern_cells(*, start: dt.date, end: dt.date):
    """OFFICIAL concerns reported in [start, end) that collation placed in a neighbourhood, by quarter, category and
    neighbourhood (OFFICIAL-SENSITIVE ones stay out of open data altogether). Rows: quarter, category slug,
    neighbourhood id, ids."""
    from partners.models import Concern
    from sharing_protocols.models import Classification

    return (
        Concern.objects.filter(
            reported_at__date__gte=start, reported_at__date__lt=end, neighbourhood__isnull=False,
            classification=Classification.OFFICIAL,
        )
        .annotate(quarter=TruncQuarter("reported_at"))
        .values("quarter", "category__slug", "neighbourhood_id")
        .annotate(ids=ArrayAgg("pk"))
        .order_by("quarter", "category__slug", "neighbourhood_id")
    )


def collated_up_to():
    """The last day the daily collation has covered (None before the first collation): concerns reported up to then
    have been placed in neighbourhoods, or could not be (outside the force)."""
    from partners.models import CollationRun

    return CollationRun.objects.filter(finished_at__isnull=False).order_by("-period_end").values_list("period_end", flat=True).first()


def announced(queryset):
    """Annotate engagements with whether their wording passed screening for the public pages at some time, that is,
    whether they were listed publicly as a meeting to come."""
    shown = Screening.objects.publishable().filter(subject=Subject.MEETING, object_id=OuterRef("pk"))
    return queryset.annotate(announced=Exists(shown))


def engagement_cells(*, start: dt.date, end: dt.date):
    """Engagements held in [start, end) by quarter, type, neighbourhood and whether they were announced publicly.
    Rows: quarter, kind, neighbourhood id, announced, ids."""
    held = Engagement.objects.filter(
        status=EngagementStatus.HELD, starts_at__date__gte=start, starts_at__date__lt=end, neighbourhood__isnull=False,
    )
    return (
        announced(held)
        .annotate(quarter=TruncQuarter("starts_at"))
        .values("quarter", "kind", "neighbourhood_id", "announced")
        .annotate(ids=ArrayAgg("pk"))
        .order_by("quarter", "kind", "neighbourhood_id", "announced")
    )


def published_priority_counts(*, start: dt.date, end: dt.date):
    """Priorities the public pages list (their issue passed screening), agreed in [start, end), by month, category,
    status and neighbourhood. Rows: month, category slug, status, neighbourhood id, count."""
    priorities = screened(Priority.objects.filter(issue_date__gte=start, issue_date__lt=end), Subject.PRIORITY)
    return (
        priorities.annotate(month=TruncMonth("issue_date"))
        .values("month", "category__slug", "status", "neighbourhood_id")
        .annotate(count=Count("pk"))
        .order_by("month", "category__slug", "status", "neighbourhood_id")
    )


def published_action_counts(*, start: dt.date, end: dt.date):
    """Actions the public pages list (their wording and their priority's passed screening), dated in [start, end),
    by month, the priority's category and neighbourhood, and status.
    Rows: month, priority category slug, status, priority neighbourhood id, count."""
    listed_priorities = screened(Priority.objects.all(), Subject.PRIORITY).values("pk")
    actions = screened(PriorityAction.objects.filter(action_date__gte=start, action_date__lt=end, priority__in=listed_priorities),
                       Subject.ACTION)
    return (
        actions.annotate(month=TruncMonth("action_date"))
        .values("month", "priority__category__slug", "status", "priority__neighbourhood_id")
        .annotate(count=Count("pk"))
        .order_by("month", "priority__category__slug", "status", "priority__neighbourhood_id")
    )


def issue_categories():
    from crm.models import IssueCategory

    return IssueCategory.objects.only("slug", "name").order_by("slug")

