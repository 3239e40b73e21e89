"""What needs an officer's or a manager's attention, for the home page (home.attention gathers it).
Every read goes through visible_to; every count is capped (home.attention.capped_count)."""
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from crm.models import (
    Engagement, EngagementIssue, EngagementKind, EngagementStatus, Priority, PriorityAction, PriorityStatus,
)
from organisations.models import Membership
from access.roles import Role
from crm.models.engagements import MEETING_KINDS
from access.visibility import membership_organisation_ids
from geo.models import Neighbourhood
from home.attention import COUNT_CAP, Item, capped_count


SECTOR_CHECK_NEIGHBOURHOODS = 12


def my_neighbourhood_ids(user) -> list[int]:
    """The neighbourhoods of the teams the user belongs to; for someone at force level, every team's. One query."""
    if not hasattr(user, "_my_neighbourhood_ids"):
        direct = Membership.objects.filter(user=user, organisation__is_active=True).values("organisation_id")
        rows = list(Neighbourhood.objects.filter(team_id__in=membership_organisation_ids(user))
                    .annotate(direct=Exists(direct.filter(organisation_id=OuterRef("team_id")))).values_list("pk", "direct"))
        direct_ids = [pk for pk, is_direct in rows if is_direct]
        user._my_neighbourhood_ids = direct_ids or [pk for pk, _ in rows]
    return user._my_neighbourhood_ids


def _list(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params, doseq=True)}" if params else reverse(name)


def beat_meetings_due(user, neighbourhoods: list[int]) -> tuple[int, int, int | None]:
    """(overdue, due within a week, the first neighbourhood that is overdue or due) against the force's interval. One query."""
    today = timezone.localdate()
    interval = settings.BEAT_MEETING_INTERVAL_DAYS
    last = (Engagement.objects.visible_to(user).filter(neighbourhood_id__in=neighbourhoods, kind=EngagementKind.BEAT_MEETING,
                                                       status=EngagementStatus.HELD)
            .values("neighbourhood_id").annotate(last=Max("starts_at")))
    held = {row["neighbourhood_id"]: timezone.localdate(row["last"]) for row in last}
    overdue, soon, first = 0, 0, None
    for pk in neighbourhoods:
        due = held[pk] + timedelta(days=interval) if pk in held else today - timedelta(days=1)
        if due < today:
            overdue += 1
        elif due <= today + timedelta(days=7):
            soon += 1
        else:
            continue
        first = first or pk
    return overdue, soon, first


def officer_items(user) -> list[Item]:
    neighbourhoods = my_neighbourhood_ids(user)
    items: list[Item] = []
    overdue, soon, first = beat_meetings_due(user, neighbourhoods)
    where = reverse("geo:neighbourhood", args=[first]) if first else reverse("geo:neighbourhood-list")
    items.append({"kind": "beat-meetings-overdue", "label": "Neighbourhoods whose beat meeting is overdue", "count": overdue, "url": where,
                  "hint": f"The force holds one every {settings.BEAT_MEETING_INTERVAL_DAYS // 7} weeks."})
    items.append({"kind": "beat-meetings-due", "label": "Beat meetings due this week", "count": soon, "url": where})

    stale_before = timezone.localdate() - timedelta(weeks=settings.HUB_PRIORITY_STALE_WEEKS)
    open_priorities = Priority.objects.editable_by(user).filter(
        neighbourhood_id__in=neighbourhoods, status__in=(PriorityStatus.AGREED, PriorityStatus.IN_PROGRESS))
    no_action = open_priorities.filter(~Exists(PriorityAction.objects.filter(priority=OuterRef("pk"), withdrawn_at__isnull=True)))
    items.append({"kind": "priorities-without-action", "label": "Priorities with no action yet", "count": capped_count(no_action),
                  "url": _list("crm:priority-list", attention="no_action", mine="on")})
    quiet = open_priorities.annotate(latest=Max("actions__action_date", filter=Q(actions__withdrawn_at__isnull=True))).filter(
        latest__lt=stale_before, updated_at__date__lt=stale_before)
    items.append({"kind": "priorities-quiet", "label": f"Priorities with no update for {settings.HUB_PRIORITY_STALE_WEEKS} weeks",
                  "count": capped_count(quiet), "url": _list("crm:priority-list", attention="quiet", mine="on")})

    not_written_up = Engagement.objects.editable_by(user).filter(status=EngagementStatus.PLANNED, starts_at__lt=timezone.now())
    items.append({"kind": "meetings-not-written-up", "label": "Engagements past their date, not yet written up",
                  "count": capped_count(not_written_up), "url": _list("crm:engagement-list", status="planned", ended="on", mine="on")})

    # The "may need rethinking" signals of the neighbourhood pages, counted across my neighbourhoods.
    since = timezone.localdate() - timedelta(days=30 * settings.ENGAGEMENT_SIGNAL_MONTHS)
    held = Engagement.objects.visible_to(user).filter(neighbourhood_id__in=neighbourhoods, status=EngagementStatus.HELD,
                                                      starts_at__date__gte=since)
    # Counted and the newest one's neighbourhood found in one query: the link opens the page that lists it.
    low = list(held.filter(kind__in=MEETING_KINDS, turnout__lt=settings.ENGAGEMENT_LOW_TURNOUT).order_by("-starts_at", "-pk")
               .values_list("neighbourhood_id", flat=True)[:COUNT_CAP])
    items.append({"kind": "low-turnout", "label": "Meetings with low turnout (may need rethinking)", "count": len(low),
                  "url": reverse("geo:neighbourhood", args=[low[0]]) if low else reverse("geo:neighbourhood-list")})
    # A sector not reached: the neighbourhood page's selector (crm.effectiveness.missed_sectors), two queries a
    # neighbourhood, so checked for the first SECTOR_CHECK_NEIGHBOURHOODS of mine (a team has a handful).
    from crm.effectiveness import held_since, missed_sectors

    unreached = [pk for pk in neighbourhoods[:SECTOR_CHECK_NEIGHBOURHOODS]
                 if missed_sectors(neighbourhood=Neighbourhood(pk=pk), held=held_since(neighbourhood=pk, user=user, since=since))]
    items.append({"kind": "sectors-not-reached", "label": "Neighbourhoods with a group of residents no engagement reached (may need rethinking)",
                  "count": len(unreached), "url": reverse("geo:neighbourhood", args=[unreached[0]]) if unreached else reverse("geo:neighbourhood-list")})
    repeated = (EngagementIssue.objects.visible_to(user).filter(engagement__in=held)
                .values("engagement__neighbourhood_id", "category_id").annotate(meetings=Count("engagement", distinct=True))
                .filter(meetings__gte=settings.ENGAGEMENT_REPEATED_ISSUE_MEETINGS))
    repeated = list(repeated.order_by("engagement__neighbourhood_id", "category_id")[:100])
    # The link opens the (first) neighbourhood whose page lists the repeated issue.
    items.append({"kind": "repeated-issues", "label": "Issues raised again and again (may need rethinking)", "count": len(repeated),
                  "url": reverse("geo:neighbourhood", args=[repeated[0]["engagement__neighbourhood_id"]]) if repeated
                  else reverse("geo:neighbourhood-list")})
    return items


def manager_items(user) -> list[Item]:
    """Coverage gaps: neighbourhoods with no engagement held in the signal period."""
    since = timezone.now() - timedelta(days=30 * settings.ENGAGEMENT_SIGNAL_MONTHS)
    engaged = Engagement.objects.visible_to(user).filter(neighbourhood=OuterRef("pk"), status=EngagementStatus.HELD, starts_at__gte=since)
    gaps = Neighbourhood.objects.filter(team_id__in=membership_organisation_ids(user)).filter(~Exists(engaged))
    return [{"kind": "coverage-gaps", "label": f"Neighbourhoods with no engagement in {settings.ENGAGEMENT_SIGNAL_MONTHS} months",
             "count": capped_count(gaps), "url": reverse("reports:request")}]


def items_for(user) -> list[Item]:
    items: list[Item] = []
    if user.has_role(Role.OFFICER):
        items += officer_items(user)
    if user.has_role(Role.MANAGER):
        items += manager_items(user)
    return items
