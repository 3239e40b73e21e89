"""The daily collation: a run, and what each neighbourhood team is told."""
from django.conf import settings
from django.db import models

from crm.visibility import OrganisationScopedQuerySet


class CollationRun(models.Model):
    """One collation, by Celery beat or on demand, over concerns reported up to `period_end`."""

    period_start = models.DateField()
    period_end = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.JSONField(default=dict, blank=True, help_text="Counts placed, linked, hot spots and rising topics.")

    class Meta:
        ordering = ["-started_at", "-pk"]


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
