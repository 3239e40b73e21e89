"""Reads for the advisory-group pages, and how well a group's membership reflects the area it advises.

The College of Policing's guidance says independent advisory groups should reflect the
diversity of local communities. `membership_diversity` sets the current members'
self-described age band, ethnic group and disability against the demographic profile
of the neighbourhoods the group advises (the whole force when it names none), in one query.
"""
from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm.models import (
    AdviceResponse, AdvisoryAdvice, AdvisoryGroup, AdvisoryMembership, Contact, Engagement, EngagementKind,
)
from organisations.models import Organisation
from geo.models import AGE_BANDS, DISABILITY_STATUSES, ETHNIC_GROUPS, DemographicProfile, Neighbourhood
from geo.selectors import summed_profiles

# A category making up this share of the area or more, with no member from it, is flagged.
FLAG_SHARE = 0.05

# (membership field, heading, what a member may not have said, profile field, categories in order)
DIMENSIONS = (
    ("age_band", "Age band", "their age band", "population_by_age_band", AGE_BANDS),
    ("ethnic_group", "Ethnic group", "their ethnic group", "ethnicity", ETHNIC_GROUPS),
    ("disability", "Disability", "whether they are disabled", "disability", DISABILITY_STATUSES),
)
PROFILE_FIELDS = tuple(member_field for member_field, *_ in DIMENSIONS)

RESPONSE_TAGS = {
    AdviceResponse.AWAITING: "govuk-tag--yellow",
    AdviceResponse.ADOPTED: "govuk-tag--green",
    AdviceResponse.PARTLY_ADOPTED: "govuk-tag--blue",
    AdviceResponse.NOT_ADOPTED: "govuk-tag--red",
}


# The force and its neighbourhoods -------------------------------------------------------

def force_id_for(organisation: Organisation | None) -> int | None:
    return organisation.force_pk if organisation is not None else None


def force_name_for(organisation: Organisation) -> str | None:
    """The force's name (select_related the organisation's parent to keep this free)."""
    force = organisation.force
    return force.name if force is not None else None


def force_neighbourhoods(organisation: Organisation | None) -> models.QuerySet:
    """The neighbourhoods of the organisation's force: the choices an advisory group may advise on."""
    force_id = force_id_for(organisation)
    if force_id is None:
        return Neighbourhood.objects.none()
    return Neighbourhood.objects.filter(force_area__force_id=force_id).defer("boundary").order_by("name")


# List and detail ------------------------------------------------------------------------

def current_membership_filter(today: datetime.date) -> models.Q:
    return models.Q(left_on__isnull=True) | models.Q(left_on__gt=today)


def _count(queryset: models.QuerySet) -> Coalesce:
    """A correlated COUNT for one advisory group (no join, so no multiplied rows)."""
    counted = queryset.order_by().values("advisory_group").annotate(n=models.Count("pk")).values("n")[:1]
    return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)


def with_summary(groups: models.QuerySet, *, user, today: datetime.date | None = None) -> models.QuerySet:
    """Advisory groups (already narrowed by visible_to) with their current members, the
    consultations and advice the user may see, and advice awaiting a response: one query,
    plus one for the neighbourhoods advised."""
    today = today or timezone.localdate()
    members = AdvisoryMembership.objects.visible_to(user).filter(current_membership_filter(today), advisory_group=models.OuterRef("pk"))
    consultations = Engagement.objects.visible_to(user).filter(advisory_group=models.OuterRef("pk"))
    advice = AdvisoryAdvice.objects.visible_to(user).filter(advisory_group=models.OuterRef("pk"))
    return (
        groups.annotate(
            current_members=_count(members),
            consultation_count=_count(consultations),
            advice_count=_count(advice),
            awaiting_count=_count(advice.filter(response=AdviceResponse.AWAITING)),
        )
        .prefetch_related(models.Prefetch("neighbourhoods", queryset=Neighbourhood.objects.defer("boundary").order_by("name")))
        .order_by("name", "pk")
    )


@dataclass
class GroupPage:
    """Everything the detail page shows about one advisory group, read in a fixed number of queries."""

    neighbourhoods: list
    current_members: list
    former_members: list
    consultations: list
    advice: list
    diversity: Diversity | None  # None: withheld, because the reader may not see every member's personal data


def advisory_group_page(group: AdvisoryGroup, *, user, today: datetime.date | None = None) -> GroupPage:
    """Five queries: neighbourhoods advised, members, consultations, advice, the area's profile.

    `group` must come from AdvisoryGroup.objects.visible_to(user), with organisation__parent
    selected. A member whose contact record the user may not see is listed without a name."""
    today = today or timezone.localdate()
    neighbourhoods = list(group.neighbourhoods.defer("boundary").order_by("name"))
    memberships = list(
        AdvisoryMembership.objects.visible_to(user).filter(advisory_group=group)
        # The contact through visible_to, so a contact shared without personal data shows no name.
        .prefetch_related(models.Prefetch("contact", queryset=Contact.objects.visible_to(user)))
        .annotate(contact_visible=models.Exists(Contact.objects.visible_to(user).filter(pk=models.OuterRef("contact_id"))))
        .order_by("pk")
    )
    # Chairs first, then by name as the reader sees it (a withheld name is blank, so it gives no order away).
    memberships.sort(key=lambda m: (not m.is_chair, *((m.contact.last_name, m.contact.first_name) if m.contact_visible else ("", ""))))
    current, former = [], []
    for membership in memberships:
        (current if membership.left_on is None or membership.left_on > today else former).append(membership)
    former.sort(key=lambda m: m.left_on, reverse=True)
    consultations = list(
        Engagement.objects.visible_to(user).filter(advisory_group=group)
        .defer("location", "notes", "objectives").order_by("-starts_at", "-pk")
    )
    visible_consultations = {engagement.pk: engagement for engagement in consultations}
    advice = list(AdvisoryAdvice.objects.visible_to(user).filter(advisory_group=group).order_by("-given_on", "-pk"))
    for item in advice:
        item.tag_class = RESPONSE_TAGS.get(item.response, "govuk-tag--grey")
        item.visible_consultation = visible_consultations.get(item.consultation_id)
    return GroupPage(
        neighbourhoods=neighbourhoods,
        current_members=current,
        former_members=former,
        consultations=consultations,
        advice=advice,
        diversity=membership_diversity(group=group, memberships=current, neighbourhoods=neighbourhoods)
        if sees_every_member_in_person(current) else None,
    )


def sees_every_member_in_person(memberships: list[AdvisoryMembership]) -> bool:
    """Whether the reader may see every current member's contact with its personal data. Age band, ethnic group and
    disability are special-category data: a table of them for a group of few members singles each member out ("Black:
    1 (100%)"), so it is shown only to readers who may see who the members are (issue 15)."""
    return all(m.contact_visible and not getattr(m.contact, "withheld_fields", None) for m in memberships)


def consultation_choices(group: AdvisoryGroup, *, user) -> models.QuerySet:
    """The group's IAG consultations the user may see: where a piece of advice may have been given."""
    return (
        Engagement.objects.visible_to(user)
        .filter(advisory_group=group, kind=EngagementKind.IAG_CONSULTATION)
        .defer("location").order_by("-starts_at")
    )


# Diversity ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryRow:
    key: str
    label: str
    members: int
    member_share: float | None  # of the members who described themselves; None if none did
    residents: int
    area_share: float | None  # None when no profile is held for the area

    @property
    def member_percent(self) -> float | None:
        return None if self.member_share is None else round(self.member_share * 100, 1)

    @property
    def area_percent(self) -> float | None:
        return None if self.area_share is None else round(self.area_share * 100, 1)

    @property
    def gap_points(self) -> float | None:
        """Members' share minus the area's, in percentage points (negative: under-represented)."""
        if self.member_share is None or self.area_share is None:
            return None
        return round((self.member_share - self.area_share) * 100, 1) + 0.0  # + 0.0: never show -0.0

    @property
    def is_missing(self) -> bool:
        """Present in the area at 5% or more, and no member (of those who said) is from it."""
        return self.member_share is not None and self.area_share is not None and self.area_share >= FLAG_SHARE and self.members == 0


@dataclass(frozen=True)
class Dimension:
    field: str
    heading: str
    unsaid: str  # "whether they are disabled": for "3 members did not say …"
    rows: tuple[CategoryRow, ...]
    described: int  # current members who described themselves on this
    not_described: int

    @property
    def missing(self) -> list[CategoryRow]:
        return [row for row in self.rows if row.is_missing]


@dataclass(frozen=True)
class Diversity:
    area: str  # what the area is, for a sentence: "Hindpool and Ormsgill" or "the whole of Cumbria Constabulary"
    population: int | None  # None: no profile held for the area
    sources: tuple[str, ...]
    current_members: int
    no_profile: int  # current members who described none of the three
    dimensions: tuple[Dimension, ...]

    @property
    def missing(self) -> list[tuple[Dimension, CategoryRow]]:
        return [(dimension, row) for dimension in self.dimensions for row in dimension.missing]


def _labels(member_field: str) -> dict[str, str]:
    return dict(AdvisoryMembership._meta.get_field(member_field).choices)


def area_profile_totals(*, neighbourhood_ids: Sequence[int], force_id: int | None) -> tuple[dict[str, Counter], tuple[str, ...]] | None:
    """The demographic profile of the advised neighbourhoods (every neighbourhood of the force
    when none is named), summed as geo.selectors.neighbourhood_profile sums each one, in one query."""
    if neighbourhood_ids:
        profiles = DemographicProfile.objects.filter(area__neighbourhood_id__in=list(neighbourhood_ids))
    elif force_id is not None:
        profiles = DemographicProfile.objects.filter(area__neighbourhood__force_area__force_id=force_id)
    else:
        return None
    summed = summed_profiles(profiles)
    if summed is None:
        return None
    totals, profiles = summed
    return totals, tuple(sorted({profile.source for profile in profiles}))


def membership_diversity(*, group: AdvisoryGroup, memberships: Iterable[AdvisoryMembership], neighbourhoods: Sequence[Neighbourhood]) -> Diversity:
    """Compare current `memberships` with the area `group` advises (`neighbourhoods`, already read).

    One query (the area's profiles). Member shares count only the members who described
    themselves on that question; members who gave nothing are counted, never guessed."""
    memberships = list(memberships)
    if neighbourhoods:
        area = _joined([n.name for n in neighbourhoods])
    else:
        force_name = force_name_for(group.organisation)
        area = f"the whole of {force_name}" if force_name else "the whole force"
    area_totals = area_profile_totals(neighbourhood_ids=[n.pk for n in neighbourhoods], force_id=force_id_for(group.organisation))
    totals, sources = area_totals if area_totals else (None, ())
    population = sum(totals["population_by_age_band"].values()) if totals else None

    dimensions = []
    for member_field, heading, unsaid, profile_field, categories in DIMENSIONS:
        answers = Counter(getattr(m, member_field) for m in memberships if getattr(m, member_field))
        described = sum(answers.values())
        area_counts = totals[profile_field] if totals else Counter()
        area_total = sum(area_counts.values())
        labels = _labels(member_field)
        rows = tuple(
            CategoryRow(
                key=key,
                label=labels.get(key, key),
                members=answers.get(key, 0),
                member_share=(answers.get(key, 0) / described) if described else None,
                residents=area_counts.get(key, 0),
                area_share=(area_counts.get(key, 0) / area_total) if totals and area_total else None,
            )
            for key in categories
        )
        dimensions.append(Dimension(field=member_field, heading=heading, unsaid=unsaid, rows=rows, described=described, not_described=len(memberships) - described))
    return Diversity(
        area=area,
        population=population,
        sources=sources,
        current_members=len(memberships),
        no_profile=sum(1 for m in memberships if not any(getattr(m, f) for f in PROFILE_FIELDS)),
        dimensions=tuple(dimensions),
    )


def _joined(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
