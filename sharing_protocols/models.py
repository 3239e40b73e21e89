"""Information-sharing protocols and the log of what was disclosed under them.

The disclosure log is append-only (a database trigger refuses UPDATE and DELETE) and
each entry carries the hash of the one before, so a changed or removed entry breaks the
chain at that point: `manage.py verify_disclosure_log` names the first broken entry."""
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone


class DisclosureAction(models.TextChoices):
    READ = "read", "Read another organisation's record"
    EXPORT = "export", "Export"
    GRANT = "grant", "One-off share granted"
    PROTOCOL_CHANGE = "protocol_change", "Protocol changed"


class DisclosureEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    user_label = models.CharField(max_length=150, help_text="The username at the time, kept if the account changes.")
    organisation = models.ForeignKey("crm.Organisation", null=True, on_delete=models.PROTECT, related_name="+")
    organisation_label = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=DisclosureAction.choices)
    record_type = models.CharField(max_length=100, blank=True, help_text="app_label.model of the record disclosed.")
    record_id = models.CharField(max_length=64, blank=True)
    protocol_reference = models.CharField(max_length=100, blank=True, help_text="Protocol, version and clause that allowed it.")
    purpose = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "disclosure entries"
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.user_label}: {self.get_action_display()} {self.record_type} {self.record_id}".strip()
