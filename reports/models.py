"""Engagement-coverage reports: one row per request, built in the background and kept."""
from django.conf import settings
from django.db import models

from jobs.models import RequestedJob
from sharing_protocols.models import Classification


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Building"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


def report_file_path(run: "ReportRun", filename: str) -> str:
    return f"reports/{run.token}/{filename}"


class ReportRun(RequestedJob):
    """A report asked for: its parameters, the progress of its build, and the files it made."""

    organisation = models.ForeignKey("crm.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     help_text="The requester's organisation when they asked.")
    period_start = models.DateField()
    period_end = models.DateField()
    force_area = models.ForeignKey("geo.ForceArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   help_text="Set for a report on the whole force.")
    neighbourhoods = models.ManyToManyField("geo.Neighbourhood", blank=True, related_name="+",
                                            help_text="The neighbourhoods reported on (a force report lists them all).")
    include_maps = models.BooleanField(default=True)
    include_concerns = models.BooleanField(default=True)
    # What was asked for (a hash of the parameters) and what the data looked like (a hash of counts and
    # last changes of the inputs the requester may see): both equal means the finished file can be reused.
    parameters_key = models.CharField(max_length=64, db_index=True)
    data_fingerprint = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(upload_to=report_file_path, blank=True)
    csv = models.FileField(upload_to=report_file_path, blank=True)
    xlsx = models.FileField(upload_to=report_file_path, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    classification = models.CharField(max_length=20, choices=Classification.choices, default=Classification.OFFICIAL)
    protocols = models.JSONField(default=list, blank=True, help_text="The sharing protocols the shared data came through.")
    area_label = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "parameters_key", "status"])]

    def __str__(self) -> str:
        return f"Engagement coverage, {self.area_label or 'report'}, {self.period_start:%d %b %Y} to {self.period_end:%d %b %Y}"

    JOB_OPEN_STATUSES = (ReportStatus.QUEUED, ReportStatus.RUNNING)
    JOB_QUEUED_STATUS = ReportStatus.QUEUED
    JOB_FAILED_STATUS = ReportStatus.FAILED
    JOB_FINISHED_STATUSES = (ReportStatus.DONE, ReportStatus.FAILED)
    JOB_WAITING_STAGE = "Waiting for the report builder"
    JOB_GAVE_UP_MESSAGE = ("The report builder stopped several times while building this report. Choose fewer neighbourhoods "
                           "or a shorter period and try again; if it happens again, tell the hub's administrators.")

    def job_task(self):
        from reports.tasks import build_report

        return build_report, [self.pk]

    def job_retry_fields(self) -> dict | None:
        fields = super().job_retry_fields()
        return None if fields is None else {**fields, "progress": 0}

    @property
    def is_finished(self) -> bool:
        return super().is_finished or self.is_stalled

    @property
    def is_stalled(self) -> bool:
        """Started but never finished within the time limit: its worker was stopped (hard time limit,
        memory) before it could say so."""
        from django.utils import timezone

        return (self.status == ReportStatus.RUNNING and self.started_at is not None
                and timezone.now() - self.started_at > timezone.timedelta(seconds=settings.REPORT_TIME_LIMIT + 120))
