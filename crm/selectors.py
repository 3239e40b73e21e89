"""Reads the CRM's forms and services share, so a rule is written once."""
from django.db.models import Q, QuerySet

from geo.models import Neighbourhood


def priority_neighbourhoods(organisation) -> QuerySet:
    """The neighbourhoods `organisation` may agree priorities for: those its force polices, and a neighbourhood
    team's own. A priority goes on its neighbourhood's public page, so no other organisation may agree one there.
    The agree form offers these and the service refuses any other, so the two never disagree."""
    if organisation is None:
        return Neighbourhood.objects.none()
    force_pk = organisation.force_pk
    policed = Q(team_id=organisation.pk)
    if force_pk:
        policed |= Q(force_area__force_id=force_pk)
    return Neighbourhood.objects.filter(policed)


def priority_neighbourhoods_for(user) -> QuerySet:
    """Where `user` may agree priorities: for the organisation their new records belong to (owning_organisation)."""
    from access.visibility import owning_organisation

    return priority_neighbourhoods(owning_organisation(user))
