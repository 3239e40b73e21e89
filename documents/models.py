"""Information-governance documents made in the background: a protocol version's printable agreement and a
subject-access package. A page asks for one (a `DocumentBuild`, a job on the hub's jobs pattern: claimed,
heartbeat, swept, tried again), shows its progress, and tells the requester when it is ready; the file is
downloaded from its own page, after that page's permission check.

An agreement PDF is kept under a fingerprint of what it shows (`AgreementFile`): a signature or a party change
makes a new one, and the older ones of that version are deleted once the new one is stored."""
from django.db import models

from jobs.models import RequestedJob


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", "Printable agreement"
    SUBJECT_ACCESS_PACKAGE = "subject_access_package", "Subject access package"


class BuildStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    BUILDING = "building", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class DocumentBuild(RequestedJob):
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+",
                                     help_text="The organisation whose information governance asked (its audit trail).")
    protocol_version = models.ForeignKey("sharing_protocols.ProtocolVersion", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    data_request = models.ForeignKey("subject_access.DataSubjectRequest", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    status = models.CharField(max_length=20, choices=BuildStatus.choices, default=BuildStatus.QUEUED)
    agreement = models.ForeignKey("documents.AgreementFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    package = models.ForeignKey("subject_access.SubjectAccessPackage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="document_build_names_its_subject", condition=(
                models.Q(kind="agreement", protocol_version__isnull=False, data_request__isnull=True)
                | models.Q(kind="subject_access_package", protocol_version__isnull=True, data_request__isnull=False))),
        ]

    def __str__(self) -> str:
        subject = self.data_request.reference if self.data_request_id else f"{self.protocol_version.protocol.reference} v{self.protocol_version.number}"
        return f"{self.get_kind_display()}, {subject}"

    JOB_OPEN_STATUSES = (BuildStatus.QUEUED, BuildStatus.BUILDING)
    JOB_QUEUED_STATUS = BuildStatus.QUEUED
    JOB_FAILED_STATUS = BuildStatus.FAILED
    JOB_FINISHED_STATUSES = (BuildStatus.READY, BuildStatus.FAILED)

    def job_task(self):
        from documents.tasks import build_document

        return build_document, [self.pk]


class AgreementFile(models.Model):
    """One stored agreement PDF of one version. It holds the signatories' names and roles, and can be made again
    from the version and its signatures: the retention schedule deletes those of ended protocols."""

    version = models.ForeignKey("sharing_protocols.ProtocolVersion", on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=32, help_text="Of what the agreement shows: a signature or a party change makes another.")
    name = models.CharField(max_length=300, help_text="Its name in the default storage.")
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "-stored_at"]
        constraints = [models.UniqueConstraint(fields=["version", "fingerprint"], name="one_agreement_file_per_fingerprint")]

    def __str__(self) -> str:
        return self.name
