"""Signals that a neighbourhood's engagement needs rethinking, from the data the user may see."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from crm.models import Engagement, EngagementIssue, EngagementKind, EngagementStatus, UnderRepresentedGroup
from access.roles import Role
from crm.models.engagements import MEETING_KINDS
from geo.selectors import neighbourhood_profile

# Which seeded under-represented group each part of the demographic profile stands for,
# and the share of residents above which a neighbourhood's engagement should reach it.
PROFILE_SECTORS = [
    ("deaf-bsl", "British Sign Language users live here", lambda p: p["bsl_users"] > 0),
    ("young-people", "16 to 24 year olds are {share:.0%} of residents", lambda p: _share(p["age_bands"], ("16-24",)) >= 0.10),
    ("older-people", "people aged 65 and over are {share:.0%} of residents", lambda p: _share(p["age_bands"], ("65-74", "75+")) >= 0.15),
    ("disabled-people", "disabled people are {share:.0%} of residents", lambda p: _share(p["disability"], ("limited_a_lot", "limited_a_little")) >= 0.15),
    ("minority-ethnic", "minority ethnic residents are {share:.0%} of residents", lambda p: _share(p["ethnicity"], ("asian", "black", "mixed", "other")) >= 0.05),
    ("other-language", "{share:.0%} of residents have a main language other than English", lambda p: 1 - _share(p["main_language"], ("English",)) >= 0.02),
]
SHARE_OF = {
    "deaf-bsl": lambda p: p["bsl_users"] / p["population"] if p["population"] else 0,
    "young-people": lambda p: _share(p["age_bands"], ("16-24",)),
    "older-people": lambda p: _share(p["age_bands"], ("65-74", "75+")),
    "disabled-people": lambda p: _share(p["disability"], ("limited_a_lot", "limited_a_little")),
    "minority-ethnic": lambda p: _share(p["ethnicity"], ("asian", "black", "mixed", "other")),
    "other-language": lambda p: 1 - _share(p["main_language"], ("English",)),
}


def _share(rows: list[dict], labels: tuple[str, ...]) -> float:
    return sum(row["share"] for row in rows if row["label"] in labels)


@dataclass
class Signals:
    since: date
    low_turnout: list = field(default_factory=list)
    missed_sectors: list = field(default_factory=list)
    repeated_issues: list = field(default_factory=list)
    last_beat_meeting: Engagement | None = None
    beat_meeting_overdue: bool = False

    @property
    def any(self) -> bool:
        return bool(self.low_turnout or self.missed_sectors or self.repeated_issues or self.beat_meeting_overdue)


def held_since(*, neighbourhood, user, since: date):
    return Engagement.objects.visible_to(user).filter(neighbourhood=neighbourhood, status=EngagementStatus.HELD, starts_at__date__gte=since)


def missed_sectors(*, neighbourhood, held, profile: dict | None = None) -> list[dict]:
    """The under-represented groups living in the neighbourhood in numbers (its profile) that none of `held`
    reached. Two queries: the profile (unless given) and the groups."""
    profile = profile if profile is not None else neighbourhood_profile(neighbourhood)
    if not profile or not profile["population"]:
        return []
    groups = {
        g.slug: g for g in UnderRepresentedGroup.objects.filter(slug__in=[slug for slug, _, _ in PROFILE_SECTORS], is_active=True)
        .annotate(reached=Exists(held.filter(groups_reached=OuterRef("pk"))))
    }
    return [{"group": groups[slug], "reason": reason.format(share=SHARE_OF[slug](profile))}
            for slug, reason, present in PROFILE_SECTORS if slug in groups and not groups[slug].reached and present(profile)]


def neighbourhood_signals(*, neighbourhood, user, today: date | None = None, profile: dict | None = None) -> Signals:
    """Low turnout, sectors not reached, issues raised again and again, an overdue beat meeting."""
    today = today or timezone.localdate()
    since = today - timedelta(days=30 * settings.ENGAGEMENT_SIGNAL_MONTHS)
    held = held_since(neighbourhood=neighbourhood, user=user, since=since)
    signals = Signals(since=since)
    signals.low_turnout = list(
        held.filter(kind__in=MEETING_KINDS, turnout__lt=settings.ENGAGEMENT_LOW_TURNOUT).order_by("-starts_at")
        .only("pk", "title", "kind", "starts_at", "turnout")
    )
    signals.repeated_issues = list(
        EngagementIssue.objects.visible_to(user).filter(engagement__in=held)
        .values("category__name").annotate(meetings=Count("engagement", distinct=True))
        .filter(meetings__gte=settings.ENGAGEMENT_REPEATED_ISSUE_MEETINGS).order_by("-meetings", "category__name")
    )
    signals.missed_sectors = missed_sectors(neighbourhood=neighbourhood, held=held, profile=profile)
    signals.last_beat_meeting = (
        Engagement.objects.visible_to(user)
        .filter(neighbourhood=neighbourhood, kind=EngagementKind.BEAT_MEETING, status=EngagementStatus.HELD)
        .order_by("-starts_at").only("pk", "title", "starts_at").first()
    )
    last = signals.last_beat_meeting
    # Only the police see (and so can judge) beat meetings.
    signals.beat_meeting_overdue = user.has_role(Role.OFFICER, Role.MANAGER, Role.ADMINISTRATOR) and (last is None or (today - timezone.localdate(last.starts_at)).days > settings.BEAT_MEETING_INTERVAL_DAYS)
    return signals
