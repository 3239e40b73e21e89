"""How concerns arrive in bulk (a file, as a background job) and by API (a key per partner organisation)."""
from django.conf import settings
from django.db import models

from crm.models.base import OwnedRecord


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking the file"
    CHECKED = "checked", "Checked: ready to import"
    REJECTED = "rejected", "Not imported: the file has errors"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"


class ConcernImportJob(OwnedRecord):
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


class PartnerApiKey(OwnedRecord):
    """An Open311 API key for one partner organisation. Only a hash is kept; the key is shown once."""

    name = models.CharField(max_length=120, help_text="What uses it, such as 'Council case management system'.")
    prefix = models.CharField(max_length=12, unique=True, help_text="The key's first characters, to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = "partner API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
