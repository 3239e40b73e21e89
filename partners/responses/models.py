"""A police team's answer to a partner's concern: its own record, linked to the concern."""
import pghistory
from django.db import models

from access.models import OwnedRecord
from access.visibility import OrganisationScopedQuerySet
from sharing_protocols.models import DataCategory


class ConcernResponseKind(models.TextChoices):
    TAKEN_INTO_PRIORITY = "taken_into_priority", "Taken into a priority"
    # The police dealt with it without a priority (passed to the council, a civil matter...): the outcome says how.
    CLOSED_BY_POLICE = "closed_by_police", "Closed by the police"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ConcernResponse(OwnedRecord):
    """The police's answer to one partner concern. `organisation` is the responding neighbourhood team; the
    concern's reporting organisation is copied beside it so that row-level security can let it read the answer
    without a join. One per concern (the unique concern): two officers taking the same concern at once cannot
    both succeed."""

    DATA_CATEGORY = DataCategory.CONCERNS
    # Besides the usual rule, this organisation may read the row (row_security/policies.py).
    READER_ORGANISATION_FIELD = "concern_organisation"

    concern = models.OneToOneField("partners.Concern", on_delete=models.CASCADE, related_name="police_response")
    concern_organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+",
                                             help_text="The organisation that reported the concern.")
    kind = models.CharField(max_length=30, choices=ConcernResponseKind.choices, default=ConcernResponseKind.TAKEN_INTO_PRIORITY)
    priority = models.ForeignKey("crm.Priority", on_delete=models.CASCADE, related_name="concern_responses", null=True, blank=True,
                                 help_text="The PACT priority the concern was taken into (none when the police closed it).")
    outcome = models.TextField(blank=True, help_text="What the police did, when they closed the concern without a priority: "
                                                     "written for the reporting organisation.")

    # visible_to's usual rule, and the reporting organisation too (READER_ORGANISATION_FIELD).
    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["concern_organisation", "-created_at"], name="response_reporter_created")]
        constraints = [
            # Each kind carries what it means: a priority, or an outcome without one.
            models.CheckConstraint(name="response_kind_has_its_fields", condition=(
                models.Q(kind=ConcernResponseKind.TAKEN_INTO_PRIORITY, priority__isnull=False)
                | (models.Q(kind=ConcernResponseKind.CLOSED_BY_POLICE, priority__isnull=True) & ~models.Q(outcome="")))),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: concern {self.concern_id}"
