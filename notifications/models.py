"""What the hub tells people: a notification per recipient (listed in the hub, read or unread) and how
each person wants each kind by email (at once, in a daily digest, or not at all)."""
from django.conf import settings
from django.db import models

from jobs.models import BackgroundJob


class Kind(models.TextChoices):
    CONCERN_TAKEN = "concern_taken", "A concern your organisation reported was taken into a priority"
    CONCERN_OUTCOME = "concern_outcome", "What came of a priority your organisation's concern went into"
    CONCERN_CLOSED_BY_POLICE = "concern_closed_by_police", "A concern your organisation reported was closed or reopened by the police"
    IMPORT_FINISHED = "import_finished", "A file of concerns you uploaded finished importing or failed"
    SCREENING_REJECTED = "screening_rejected", "Your public wording was rejected by a reviewer"
    DOCUMENT_READY = "document_ready", "A document you asked for (an agreement, a subject access package) is ready"
    API_KEY_EXPIRING = "api_key_expiring", "One of your organisation's API keys will stop working soon"


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


class EmailStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to be sent"
    SENT = "sent", "Sent"
    NOT_SENT = "not_sent", "Not sent on its own: the recipient chose a daily digest or no email, or has no email address"
    FAILED = "failed", "Could not be sent"


class NotificationEmail(BackgroundJob):
    """A notification's email at once, as a background job (jobs.models): the row is its outbox. It is saved with the
    notification and handed to the broker when that commits; if the broker does not answer, the job sweeper sends it
    once the broker is back, and a worker that died sending it is replaced. The worker's claim and the row lock taken
    while sending make it go once."""

    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, related_name="email")
    status = models.CharField(max_length=20, choices=EmailStatus.choices, default=EmailStatus.WAITING)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    JOB_OPEN_STATUSES = (EmailStatus.WAITING,)
    JOB_GAVE_UP_MESSAGE = "The hub's background worker stopped several times while sending this email, so it was not sent."
    JOB_NEVER_STARTED_MESSAGE = "The hub's task queue did not answer for a day, so this email was not sent."

    class Meta:
        verbose_name = "notification email"
        # The sweeper reads the open ones every minute; sent ones are the many.
        indexes = [models.Index(fields=["status"], condition=models.Q(status="waiting"), name="notification_email_waiting")]

    def __str__(self) -> str:
        return f"Email of {self.notification} ({self.get_status_display()})"

    def job_task(self):
        from notifications.tasks import send_notification_email

        return send_notification_email, [self.pk]

    def job_failed_fields(self, message: str) -> dict:
        return {"status": EmailStatus.FAILED, "error": message}
