"""What the public may see: officers' opted-in profiles, the screening of every text that
goes public, and the versioned open-data releases.

Screening never changes a CRM record: it keeps, beside it, a decision about one exact
wording (a SHA-256 of the public text). Edit the wording and the old decision no longer
applies, so the new wording stays off the public pages until it is screened again."""
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Func, Value
from django.db.models.functions import Coalesce, Concat

from access.visibility import OrganisationScopedQuerySet
from jobs.models import BackgroundJob

# Joins the fields of one public text before hashing (a character no form lets anyone type).
FIELD_SEPARATOR = "\x1f"


class PublicProfile(models.Model):
    """An officer's public face: shown on the neighbourhood pages and the API only when they opt in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="public_profile")
    display_name = models.CharField(max_length=120, help_text="As the public should see it, such as 'PC Priya Shah'.")
    rank = models.CharField(max_length=60, help_text="Such as 'Police Constable', 'PCSO', 'Sergeant'.")
    bio = models.TextField(blank=True, max_length=1000)
    published = models.BooleanField(default=False, help_text="The officer agrees to appear on the public pages.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.rank})"


class Subject(models.TextChoices):
    """The kinds of record whose text goes public, and the fields that make up that text."""

    PRIORITY = "priority", "Priority"
    ACTION = "action", "Action"
    MEETING = "meeting", "Meeting"
    PROFILE = "profile", "Officer's public profile"
    OUTCOME = "outcome", "Outcome of a priority"


PUBLIC_FIELDS = {
    Subject.PRIORITY: ("issue",),
    Subject.ACTION: ("action",),
    Subject.MEETING: ("title", "venue_name", "objectives", "online_link"),
    Subject.PROFILE: ("bio",),  # the name and rank are the officer's own choice to be named; the biography is free text
    # A priority's outcome is screened on its own, so resolving one leaves its screened issue published.
    Subject.OUTCOME: ("outcome",),
}


def text_hash(*parts: str) -> str:
    """The SHA-256 of a public text, the same as `TextHash` computes in the database."""
    return hashlib.sha256(FIELD_SEPARATOR.join(part or "" for part in parts).encode("utf-8")).hexdigest()


class TextHash(Func):
    """SHA-256 (hex) of fields joined by FIELD_SEPARATOR, computed by PostgreSQL (sha256() is built in
    since PostgreSQL 11; Django's SHA256 needs the pgcrypto extension, which the app role cannot create)."""

    template = "encode(sha256(convert_to(%(expressions)s, 'UTF8')), 'hex')"
    output_field = models.CharField()

    def __init__(self, *fields: str, prefix: str = ""):
        parts = []
        for index, field in enumerate(fields):
            if index:
                parts.append(Value(FIELD_SEPARATOR))
            parts.append(Coalesce(f"{prefix}{field}", Value(""), output_field=models.TextField()))
        expression = Concat(*parts, output_field=models.TextField()) if len(parts) > 1 else parts[0]
        super().__init__(expression)


class ScreeningStatus(models.TextChoices):
    CLEARED = "cleared", "Cleared automatically"
    FLAGGED = "flagged", "Waiting for review"
    APPROVED = "approved", "Approved by a reviewer"
    REJECTED = "rejected", "Rejected by a reviewer"


PUBLISHABLE = (ScreeningStatus.CLEARED, ScreeningStatus.APPROVED)


class ScreeningQuerySet(OrganisationScopedQuerySet):
    def publishable(self):
        return self.filter(status__in=PUBLISHABLE)


class Screening(models.Model):
    """The decision on one wording of one record's public text. `organisation` is the record's owner,
    whose managers and information-governance officers review what is flagged."""

    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=20, choices=Subject.choices)
    object_id = models.PositiveBigIntegerField()
    content_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=ScreeningStatus.choices)
    # What was found and where: [{"kind": "phone", "field": "issue", "start": 10, "end": 23}]. Positions only,
    # so no name or number is copied out of the record.
    findings = models.JSONField(default=list, blank=True)
    screened_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["screened_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "object_id", "content_hash"], name="one_screening_per_wording"),
        ]
        indexes = [models.Index(fields=["status", "organisation"])]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.object_id}: {self.get_status_display()}"

    @property
    def finding_kinds(self) -> list[str]:
        from publication.screening import FINDING_LABELS

        return sorted({FINDING_LABELS.get(finding["kind"], finding["kind"]) for finding in self.findings})


class ReleaseStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class ReleaseTrigger(models.TextChoices):
    SCHEDULE = "schedule", "On the schedule"
    ON_DEMAND = "on_demand", "On demand"


class Release(BackgroundJob):
    """One version of the open data: its files sit in the "open_data" storage under <version>/ and never change."""

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=20, choices=ReleaseStatus.choices, default=ReleaseStatus.QUEUED)
    trigger = models.CharField(max_length=20, choices=ReleaseTrigger.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    threshold = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Protected counts were rounded to multiples of this.")
    # [{"name": ..., "path": ..., "format": "csv", "bytes": ..., "sha256": ..., "rows": ...}]
    files = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # Sentences for the reader: what this release leaves out and why (a quarter not yet collated).
    withheld = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Release {self.version} ({self.get_status_display()})"

    JOB_OPEN_STATUSES = (ReleaseStatus.QUEUED, ReleaseStatus.BUILDING)

    def job_task(self):
        from publication.tasks import build_release

        return build_release, [self.pk]

    def job_failed_fields(self, message: str) -> dict:
        return {"status": ReleaseStatus.FAILED, "error": message}

    def job_retry_fields(self) -> dict | None:
        return {"status": ReleaseStatus.QUEUED, "error": ""} if self.status == ReleaseStatus.FAILED else None

    def job_user_may_retry(self, user) -> bool:
        from publication.services import RELEASE_ROLES

        return user.has_role(*RELEASE_ROLES)

    def file_named(self, path: str) -> dict | None:
        return next((entry for entry in self.files if entry["path"] == path), None)


class PublishedPeriod(models.Model):
    """The rows of one protected table for one closed quarter, as first released. Later releases copy them
    unchanged, so no two releases differ in a published figure (a difference would show what changed)."""

    dataset = models.CharField(max_length=100)
    period_start = models.DateField()
    rows = models.JSONField()
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="+", help_text="The release that first published it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dataset", "period_start"]
        constraints = [models.UniqueConstraint(fields=["dataset", "period_start"], name="one_published_period_per_dataset")]

    def __str__(self) -> str:
        return f"{self.dataset} from {self.period_start:%Y-%m-%d}"
