"""What every organisation-owned CRM record has: an owner, who made it, when, and a history."""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models

from access.grants import grants_for
from access.visibility import OrganisationScopedQuerySet, can_see_everything, can_see_nothing
from access.withholding import bind_viewer


class OwnedRecord(models.Model):
    """A record that belongs to an organisation and is read through visible_to."""

    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A row read with its personal fields withheld holds blanks in their place: saving it would erase them.
        if getattr(self, "withheld_fields", None):
            raise PermissionDenied(f"This {self._meta.verbose_name} was shared with its personal details withheld; it cannot be changed here.")
        super().save(*args, **kwargs)


class ChildQuerySet(OrganisationScopedQuerySet):
    """Rows owned through their parent (an engagement's issues, a priority's actions): visible when the
    parent is, by protocol or share included; editable when the parent is."""

    parent_field = ""

    def visible_to(self, user):
        if can_see_nothing(user):
            return self.none()
        if can_see_everything(user):
            return self.all()
        parent_model = self.model._meta.get_field(self.parent_field).related_model
        # Bound to the viewer too, so a parent's personal fields joined in (select_related, values) read withheld.
        return bind_viewer(self.filter(**{f"{self.parent_field}__in": parent_model.objects.visible_to(user).values("pk")}),
                           grants_for(user))


def child_queryset(parent_field: str):
    return type(f"{parent_field.title()}ChildQuerySet", (ChildQuerySet,),
                {"organisation_lookup": f"{parent_field}__organisation", "parent_field": parent_field})
