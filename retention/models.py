"""How long each class of personal data is kept, and the record of what was done when its time came.

A schedule says, for one organisation and one class of record, under which legal regime the data
is held, for how many months, and what happens at the end: a person reviews it, it is anonymised,
or it is deleted. The nightly job lists what falls due (a dry run), then acts on what was listed
at least `RETENTION_NOTICE_DAYS` before, unless a legal hold stops it. Every outcome is a
`RetentionDecision`: identifiers, categories and dates only, never the personal data itself."""
import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from access.visibility import OrganisationScopedQuerySet


class RecordClass(models.TextChoices):
    CONTACTS = "contacts", "Community contacts"
    ADVISORY_MEMBERS = "advisory_members", "Advisory group members"
    CONCERN_REPORTERS = "concern_reporters", "Concern reporters' details"
    DOORSTEP_VISITS = "doorstep_visits", "Door-to-door visits"
    ENGAGEMENT_ATTENDANCE = "engagement_attendance", "Engagements' attendance details"
    IMPORT_FILES = "import_files", "Uploaded import files"
    NOTIFICATIONS = "notifications", "Notifications and emails sent"
    HISTORY_ROWS = "history_rows", "History of changes"
    SOCIAL_MEDIA = "social_media", "Social-media content"
    AGREEMENT_PDFS = "agreement_pdfs", "Printed sharing agreements (PDF)"


class LegalRegime(models.TextChoices):
    PART_3 = "part_3", "Data Protection Act 2018 Part 3 (law enforcement)"
    UK_GDPR = "uk_gdpr", "UK GDPR"


class EndAction(models.TextChoices):
    REVIEW = "review", "Review by a person"
    ANONYMISE = "anonymise", "Anonymise"
    DELETE = "delete", "Delete"


class RetentionScheduleQuerySet(OrganisationScopedQuerySet):
    def in_force(self, on):
        return self.filter(models.Q(effective_until__isnull=True) | models.Q(effective_until__gte=on), effective_from__lte=on)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class RetentionSchedule(models.Model):
    """One organisation's rule for one class of record, in force between two dates. A force's
    schedule covers its neighbourhood teams' records (one data controller)."""

    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    record_class = models.CharField(max_length=30, choices=RecordClass.choices)
    regime = models.CharField("legal regime", max_length=20, choices=LegalRegime.choices)
    period_months = models.PositiveIntegerField(
        "period (months)", validators=[MinValueValidator(1, "The period must be at least one month.")],
        help_text="How long after the record's own date (its last change, a visit, a report, leaving a group) it is kept.",
    )
    end_action = models.CharField("at the end", max_length=20, choices=EndAction.choices)
    source = models.CharField(max_length=500, help_text="Where the period comes from (guidance, policy, or the assumption made).")
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True, help_text="Leave blank while it stays in force.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RetentionScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "record_class", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.get_record_class_display()}: {self.period_months} months, then {self.get_end_action_display().lower()}"


class DueStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    DONE = "done", "Done"
    KEPT = "kept", "Kept after review"
    HELD = "held", "Stopped by a legal hold"
    GONE = "gone", "No longer held"


class DueItemQuerySet(OrganisationScopedQuerySet):
    pass


class DueItem(models.Model):
    """A record a dry run found due under its schedule: listed here for review before anything happens to it."""

    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    record_class = models.CharField(max_length=30, choices=RecordClass.choices)
    record_id = models.BigIntegerField()
    schedule = models.ForeignKey(RetentionSchedule, on_delete=models.PROTECT, related_name="due_items")
    due_on = models.DateField()
    end_action = models.CharField(max_length=20, choices=EndAction.choices)
    listed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=DueStatus.choices, default=DueStatus.WAITING, db_index=True)

    objects = DueItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "record_class", "record_id"]
        constraints = [
            models.UniqueConstraint(fields=["record_class", "record_id"], condition=models.Q(status="waiting"),
                                    name="due_item_waiting_once"),
        ]


class RetentionRun(models.Model):
    """One pass of the nightly job (or one asked for by information governance)."""

    dry_run = models.BooleanField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.JSONField(default=dict, blank=True, help_text="Counts by record class and outcome.")

    class Meta:
        ordering = ["-started_at", "-pk"]


class Outcome(models.TextChoices):
    ANONYMISED = "anonymised", "Anonymised"
    DELETED = "deleted", "Deleted"
    KEPT = "kept", "Kept after review"
    HELD = "held", "Legal hold placed"
    HOLD_LIFTED = "hold_lifted", "Legal hold lifted"
    RECTIFIED = "rectified", "Corrected"


class RetentionDecisionQuerySet(OrganisationScopedQuerySet):
    pass


class RetentionDecision(models.Model):
    """What was done to one record, by whom, when, and under which schedule or request. Append-only.
    It names the record by class and id only: the personal data it concerned is never copied here."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   help_text="Blank: the nightly job, under the schedule.")
    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    record_class = models.CharField(max_length=30, choices=RecordClass.choices)
    record_id = models.CharField(max_length=100, help_text="The record's id (or, for history rows, the table and range).")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    schedule = models.ForeignKey(RetentionSchedule, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    regime = models.CharField(max_length=20, choices=LegalRegime.choices, blank=True)
    run = models.ForeignKey(RetentionRun, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    request_reference = models.CharField(max_length=40, blank=True, help_text="The erasure or rectification request, if any.")
    reason = models.CharField(max_length=300, blank=True)
    keep_until = models.DateField(null=True, blank=True, help_text="For a record kept after review: when it is next due.")
    rows = models.PositiveIntegerField(default=1)

    objects = RetentionDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["record_class", "record_id"])]
        triggers = [pgtrigger.Protect(name="decisions_are_kept", operation=pgtrigger.Update | pgtrigger.Delete)]


class LegalHoldQuerySet(OrganisationScopedQuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """Stops retention (and erasure) for one record: litigation, an investigation, an inquiry."""

    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    record_class = models.CharField(max_length=30, choices=RecordClass.choices)
    record_id = models.BigIntegerField()
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(fields=["record_class", "record_id"], condition=models.Q(lifted_at__isnull=True),
                                    name="one_active_hold_per_record"),
        ]
