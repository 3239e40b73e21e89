"""How concerns arrive in bulk (a file, as a background job) and by API (a key per partner organisation)."""
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from access.models import OwnedRecord
from jobs.models import BackgroundJob


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking the file"
    CHECKED = "checked", "Checked: ready to import"
    REJECTED = "rejected", "Not imported: the file has errors"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"


class ConcernImportJob(OwnedRecord, BackgroundJob):
    """One uploaded file of concerns. A dry run checks every row first; the import then writes all rows or none."""

    upload = models.FileField(upload_to="imports/concerns/%Y/%m/")
    original_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10)
    file_size = models.PositiveBigIntegerField()
    file_sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=20, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    already_held_count = models.PositiveIntegerField(default=0, help_text="Rows the hub already held (from an earlier upload).")
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, message}], rows numbered as a spreadsheet shows them.")
    celery_task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    # As a background job (jobs.models): the check runs while queued or checking, the import while importing.
    JOB_OPEN_STATUSES = (ImportJobStatus.QUEUED, ImportJobStatus.CHECKING, ImportJobStatus.IMPORTING)

    def job_task(self):
        from partners.tasks import check_concern_import, commit_concern_import

        return (commit_concern_import if self.status == ImportJobStatus.IMPORTING else check_concern_import), [self.pk]

    def job_failed_fields(self, message: str) -> dict:
        return {"status": ImportJobStatus.FAILED, "errors": [{"row": None, "column": None, "message": message}],
                "finished_at": timezone.now(), "created_count": 0}

    def job_retry_fields(self) -> dict | None:
        """A failed job is checked again from the start (then confirmed again); a file with errors needs a new file."""
        if self.status != ImportJobStatus.FAILED:
            return None
        return {"status": ImportJobStatus.QUEUED, "errors": [], "processed_rows": 0, "started_at": None, "finished_at": None}

    def job_organisation(self):
        return self.organisation

    def job_user_may_retry(self, user) -> bool:
        from access.visibility import can_own

        return can_own(user, self.organisation)


# A key works for a year, then must be renewed (or replaced): a key forgotten in an old system stops on its own.
API_KEY_LIFETIME = timedelta(days=365)
# Its organisation is told, and its home page lists it, this long before it stops.
API_KEY_NOTICE = timedelta(days=30)


def api_key_expiry():
    return timezone.now() + API_KEY_LIFETIME


class PartnerApiKey(OwnedRecord):
    """An Open311 API key for one partner organisation. Only a hash is kept; the key is shown once."""

    name = models.CharField(max_length=120, help_text="What uses it, such as 'Council case management system'.")
    prefix = models.CharField(max_length=12, unique=True, help_text="The key's first characters, to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=api_key_expiry, help_text="After this the API refuses the key until it is renewed.")
    # When the organisation was told the key would expire soon; cleared on renewal, so each expiry is told once.
    expiry_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = "partner API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def expires_soon(self) -> bool:
        return not self.is_expired and self.expires_at <= timezone.now() + API_KEY_NOTICE
