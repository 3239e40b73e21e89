"""The one door for reads of sensitive records.

Every sensitive model's manager is built from OrganisationScopedQuerySet, and every
view, export, API and report starts from `Model.objects.visible_to(user)`. Today a
user sees the rows of the organisations they belong to; the sharing-protocols issue
widens `visible_to` in this one place.
"""
from __future__ import annotations

from django.db import models


def membership_organisation_ids(user) -> models.QuerySet:
    """The ids of the organisations the user belongs to, as a subquery (no extra query)."""
    from crm.models import Membership

    return Membership.objects.filter(user_id=user.pk, organisation__is_active=True).values("organisation_id")


def can_see_everything(user) -> bool:
    return bool(user.is_active and user.is_superuser)


class OrganisationScopedQuerySet(models.QuerySet):
    """Rows owned by an organisation. Subclasses name the owning field if it is not `organisation`."""

    organisation_lookup = "organisation"

    def visible_to(self, user) -> OrganisationScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if can_see_everything(user):
            return self.all()
        return self.filter(**{f"{self.organisation_lookup}__in": membership_organisation_ids(user)})
