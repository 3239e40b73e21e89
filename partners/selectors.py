"""Reading concerns: every query starts from Concern.objects.visible_to(user)."""
from __future__ import annotations


from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from organisations.models import Organisation
from crm.models import Priority
from access.visibility import can_see_everything, membership_organisation_ids
from partners.models import Concern, ConcernLink
from partners.responses.selectors import with_police_answer


def concern_search(concerns: QuerySet[Concern], words: str) -> QuerySet[Concern]:
    """Every word in the place or in the description. The description may be withheld personal data: then
    the database reads it blank (access/withholding.py), so a search never reveals words the user may not read."""
    query = Q()
    for word in words.split()[:8]:
        query &= Q(place__icontains=word) | Q(description__icontains=word)
    return concerns.filter(query)


def concern_detail(*, user, pk: int) -> Concern:
    """One visible concern with what its page shows (the police's answer too, as far as the user may read it);
    Concern.DoesNotExist when it is not visible."""
    concerns = Concern.objects.visible_to(user).select_related("category", "organisation", "neighbourhood__team", "lsoa")
    return with_police_answer(concerns, user).get(pk=pk)


def concern_near_duplicates(*, user, concern: Concern) -> QuerySet[Concern]:
    """The concerns the collation linked to `concern` that `user` may also see, nearest first,
    each with `distance_metres` and `days_apart` from the link."""
    links = ConcernLink.objects.filter(
        Q(first_id=concern.pk, second_id=OuterRef("pk")) | Q(second_id=concern.pk, first_id=OuterRef("pk"))
    )
    return (
        Concern.objects.visible_to(user).filter(Exists(links))
        .annotate(distance_metres=Subquery(links.values("distance_metres")[:1]), days_apart=Subquery(links.values("days_apart")[:1]))
        .select_related("category", "organisation").order_by("distance_metres", "pk")
    )


def concern_priority(*, user, concern: Concern) -> Priority | None:
    """The PACT priority the police took the concern into, as their answer says (`answered_priority_id`, read with
    the concern by concern_detail: None when there is none the user may read), if the user may read the priority
    too (else None: not named)."""
    if concern.answered_priority_id is None:
        return None
    return Priority.objects.visible_to(user).select_related("neighbourhood").filter(pk=concern.answered_priority_id).first()


def concern_outcome(*, concern: Concern) -> dict | None:
    """What the reporting organisation is told of the priority its concern went into, when it cannot read the
    priority itself: its status (a label, nothing sensitive), and its issue and outcome only in the wording
    screened for the public page (publication's door for public text), so nothing unscreened leaves the team.
    From the police's answer to the concern (`answered_priority_id`), which the reporting organisation may read."""
    if concern.answered_priority_id is None:
        return None
    from publication.selectors import public_priority_wording

    return public_priority_wording(concern.answered_priority_id)


def reporting_organisations(user) -> QuerySet[Organisation]:
    """The partner organisations `user` may report concerns for: active, not police, and theirs
    (any active partner organisation for a superuser)."""
    from organisations.models import POLICE_KINDS

    organisations = Organisation.objects.filter(is_active=True).exclude(kind__in=POLICE_KINDS).order_by("name")
    if can_see_everything(user):
        return organisations
    return organisations.filter(pk__in=membership_organisation_ids(user))
