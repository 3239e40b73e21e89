"""What every organisation-owned CRM record has: an owner, who made it, when, and a history."""
from django.conf import settings
from django.db import models

from crm.visibility import OrganisationScopedQuerySet


class OwnedRecord(models.Model):
    """A record that belongs to an organisation and is read through visible_to."""

    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class ChildQuerySet(OrganisationScopedQuerySet):
    """Rows owned through their parent (an engagement's issues, a priority's actions)."""


def child_queryset(parent_field: str):
    return type(f"{parent_field.title()}ChildQuerySet", (ChildQuerySet,), {"organisation_lookup": f"{parent_field}__organisation"})
