"""PACT priorities: issues raised, priorities agreed at a meeting, actions taken, reported back.
The public shape follows police.uk: issue, issue date, action, action date."""
import pghistory
from django.core.exceptions import ValidationError
from django.db import models

from access.models import OwnedRecord, child_queryset
from sharing_protocols.models import DataCategory


class PriorityStatus(models.TextChoices):
    AGREED = "agreed", "Agreed"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed without resolution"


# Where a priority may go next. A resolved or closed priority may be reopened (it goes back to in progress).
PRIORITY_MOVES = {
    PriorityStatus.AGREED: (PriorityStatus.IN_PROGRESS, PriorityStatus.RESOLVED, PriorityStatus.CLOSED),
    PriorityStatus.IN_PROGRESS: (PriorityStatus.RESOLVED, PriorityStatus.CLOSED),
    PriorityStatus.RESOLVED: (PriorityStatus.IN_PROGRESS,),
    PriorityStatus.CLOSED: (PriorityStatus.IN_PROGRESS,),
}
FINISHED_STATUSES = (PriorityStatus.RESOLVED, PriorityStatus.CLOSED)


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Priority(OwnedRecord):
    DATA_CATEGORY = DataCategory.PRIORITIES

    neighbourhood = models.ForeignKey("geo.Neighbourhood", on_delete=models.PROTECT, related_name="priorities")
    category = models.ForeignKey("crm.IssueCategory", on_delete=models.PROTECT, related_name="priorities")
    issue = models.TextField(help_text="What the community said, in words fit to publish.")
    issue_date = models.DateField(help_text="When the priority was agreed.")
    agreed_at = models.ForeignKey(
        "crm.Engagement", null=True, blank=True, on_delete=models.SET_NULL, related_name="priorities_agreed",
        help_text="The PACT or beat meeting that agreed it.",
    )
    raised_issues = models.ManyToManyField("crm.EngagementIssue", blank=True, related_name="priorities",
                                           help_text="The issues raised that this priority answers.")
    status = models.CharField(max_length=20, choices=PriorityStatus.choices, default=PriorityStatus.AGREED)
    # Moved only by crm.services.priority_move (checked against PRIORITY_MOVES, audited).
    status_changed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What came of it, in words fit to publish: required to resolve or close.")

    class Meta:
        ordering = ["-issue_date", "-pk"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return f"{self.category} in {self.neighbourhood} ({self.issue_date:%d %B %Y})"

    def clean(self) -> None:
        if self.agreed_at_id and self.neighbourhood_id and self.agreed_at.neighbourhood_id != self.neighbourhood_id:
            raise ValidationError({"agreed_at": "Choose a meeting held in this priority's neighbourhood."})


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PriorityAction(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    action = models.TextField(help_text="What was done, in words fit to publish.")
    action_date = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    reported_back_on = models.DateField(null=True, blank=True, help_text="When it was reported back to the community.")
    # Withdrawn, not deleted: the public page drops it, its history stays.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=500, blank=True)

    objects = child_queryset("priority").as_manager()

    class Meta:
        ordering = ["priority", "-action_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.action_date:%d %B %Y}: {self.action[:60]}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def clean(self) -> None:
        if self.priority_id and self.action_date and self.action_date < self.priority.issue_date:
            raise ValidationError({"action_date": "An action cannot come before the priority was agreed."})
        if self.reported_back_on and self.action_date and self.reported_back_on < self.action_date:
            raise ValidationError({"reported_back_on": "It cannot be reported back before the action."})
