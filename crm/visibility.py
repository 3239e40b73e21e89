"""The one door for reads of sensitive records.

Every sensitive model's manager is built from OrganisationScopedQuerySet, and every
view, export, API and report starts from `Model.objects.visible_to(user)`. Today a
user sees the rows of the organisations they belong to (and of a force's neighbourhood
teams, for members of the force); the sharing-protocols issue widens `visible_to` in
this one place.
"""
from __future__ import annotations

from django.db import models


def membership_organisation_ids(user) -> models.QuerySet:
    """The ids of the active organisations the user belongs to, and of their units (a force's
    neighbourhood teams: one data controller), as a subquery (no extra query)."""
    from crm.models import Membership, Organisation

    own = Membership.objects.filter(user_id=user.pk, organisation__is_active=True).values("organisation_id")
    return Organisation.objects.filter(models.Q(pk__in=own) | models.Q(parent_id__in=own), is_active=True).values("pk")


def can_see_everything(user) -> bool:
    return bool(user.is_active and user.is_superuser)


def can_see_nothing(user) -> bool:
    return user is None or not user.is_authenticated or not user.is_active


def can_own(user, organisation) -> bool:
    """Whether `user` may create records owned by `organisation` (an active one they belong to)."""
    from crm.models import Organisation

    if organisation is None or not organisation.is_active:
        return False
    if can_see_everything(user):
        return True
    return Organisation.objects.filter(pk=organisation.pk, pk__in=membership_organisation_ids(user)).exists()


def visible_organisation_ids(user):
    """The organisations whose rows `user` may read (a subquery), for choice lists and filters."""
    return membership_organisation_ids(user)


class OrganisationScopedQuerySet(models.QuerySet):
    """Rows owned by an organisation. Subclasses name the owning field if it is not `organisation`."""

    organisation_lookup = "organisation"

    def visible_to(self, user) -> OrganisationScopedQuerySet:
        if can_see_nothing(user):
            return self.none()
        if can_see_everything(user):
            return self.all()
        return self.filter(**{f"{self.organisation_lookup}__in": membership_organisation_ids(user)})


def owning_organisation(user):
    """The organisation a new record made by `user` belongs to: their neighbourhood team if
    they have one, else their first organisation (a partner user's agency)."""
    memberships = sorted(user.memberships.filter(organisation__is_active=True).select_related("organisation"), key=lambda m: (m.organisation.kind != "neighbourhood_team", m.pk))
    return memberships[0].organisation if memberships else None
