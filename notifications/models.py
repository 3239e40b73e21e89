"""What the hub tells people: a notification per recipient (listed in the hub, read or unread) and how
each person wants each kind by email (at once, in a daily digest, or not at all)."""
from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    CONCERN_TAKEN = "concern_taken", "A concern your organisation reported was taken into a priority"
    CONCERN_OUTCOME = "concern_outcome", "What came of a priority your organisation's concern went into"
    IMPORT_FINISHED = "import_finished", "A file of concerns you uploaded finished importing or failed"
    SCREENING_REJECTED = "screening_rejected", "Your public wording was rejected by a reviewer"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "Email me at once"
    DAILY = "daily", "Email me a daily digest"
    OFF = "off", "No email (still listed in the hub)"


class Notification(models.Model):
    """One thing one person is told. Its text was rendered for that person alone (through visible_to as them)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True, help_text="Where the matter is dealt with, in the hub.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when it went by email (alone or in a digest); left empty when the recipient chose no email.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.subject} (to {self.recipient})"


class Preference(models.Model):
    """How one person wants one kind of notification by email. No row: at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]
