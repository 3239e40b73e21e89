"""The daily collation: a run, and what each neighbourhood team is told."""
from django.conf import settings
from django.db import models
from django.utils import timezone

from access.visibility import OrganisationScopedQuerySet
from jobs.models import BackgroundJob


class CollationStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Collating"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class CollationRun(BackgroundJob):
    """One collation, by Celery beat or on demand, over concerns reported up to `period_end`.
    A run asked for is saved first (waiting to start) and its work fills it in, all or nothing."""

    period_start = models.DateField()
    period_end = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.JSONField(default=dict, blank=True, help_text="Counts placed, linked, hot spots and rising topics.")
    # Runs made whole in one transaction (collation_run without a run) are done when they appear.
    status = models.CharField(max_length=20, choices=CollationStatus.choices, default=CollationStatus.DONE)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Collation of partner concerns to {self.period_end:%d %B %Y} ({self.get_status_display()})"

    JOB_OPEN_STATUSES = (CollationStatus.QUEUED, CollationStatus.RUNNING)

    def job_task(self):
        from partners.collation.tasks import collate_partner_concerns

        return collate_partner_concerns, [self.period_end.isoformat(), self.requested_by_id, self.pk]

    def job_failed_fields(self, message: str) -> dict:
        return {"status": CollationStatus.FAILED, "error": message, "finished_at": timezone.now()}

    def job_retry_fields(self) -> dict | None:
        if self.status != CollationStatus.FAILED:
            return None
        return {"status": CollationStatus.QUEUED, "error": "", "finished_at": None}

    def job_user_may_retry(self, user) -> bool:
        from access.visibility import can_see_everything

        return user.has_role("officer", "manager") or can_see_everything(user)


class NeighbourhoodDigest(models.Model):
    """What a neighbourhood team is told after a collation: its hot spots, rising topics and new concerns."""

    run = models.ForeignKey(CollationRun, on_delete=models.CASCADE, related_name="digests")
    neighbourhood = models.ForeignKey("geo.Neighbourhood", on_delete=models.CASCADE, related_name="digests")
    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+", help_text="The team it is for.")
    content = models.JSONField(default=dict)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-run__started_at", "neighbourhood__name"]
        constraints = [models.UniqueConstraint(fields=["run", "neighbourhood"], name="one_digest_per_run")]
