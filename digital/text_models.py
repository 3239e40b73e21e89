"""Topics in the hub's own free text: issues raised at engagements and partners' concerns.

An analysis is made for one organisation and reads only what that organisation may read (a worker in its
`viewer_context`, every row through `visible_to`), so what a topic's words say comes only from texts it may
read. It is shown only to that organisation's own people, and only while the person looking may still read
every text it was built from (digital.analysis_text.readable_by): a protocol suspended since, or a concern
whose free text is withheld from them, hides the whole analysis, because a topic's words and key phrases are
drawn from all of its texts. When the retention schedule removes the free text of any concern or issue it
read, the analysis is deleted (digital.analysis_text.text_topics_expire).
"""
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from access.models import OwnedRecord
from jobs.models import BackgroundJob


class TextChannel(models.TextChoices):
    ISSUES = "issues", "Issues raised at engagements"
    CONCERNS = "concerns", "Partners' concerns"


class TextAnalysisStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Finding topics"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class TextAnalysis(OwnedRecord, BackgroundJob):
    """One run of the analysis for one organisation (a background job: the sweeper takes it up again if its
    worker dies). `issue_ids` and `concern_ids` are every text it read: the rows a reader must be able to read."""

    status = models.CharField(max_length=20, choices=TextAnalysisStatus.choices, default=TextAnalysisStatus.QUEUED)
    step = models.PositiveSmallIntegerField(default=0, help_text="How many of the analysis's steps are done.")
    step_label = models.CharField(max_length=200, blank=True, help_text="What it is doing now, in words.")
    message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    issue_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    concern_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)

    STEPS = 5
    JOB_OPEN_STATUSES = (TextAnalysisStatus.QUEUED, TextAnalysisStatus.RUNNING)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "analysis of issues raised and concerns"
        verbose_name_plural = "analyses of issues raised and concerns"

    def __str__(self) -> str:
        return f"Topics in issues raised and concerns for {self.organisation_id} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        return round(100 * self.step / self.STEPS)

    def job_task(self):
        from digital.tasks import analyse_free_text

        return analyse_free_text, [self.pk]

    def job_failed_fields(self, message: str) -> dict:
        return {"status": TextAnalysisStatus.FAILED, "message": message, "finished_at": timezone.now()}

    def job_retry_fields(self) -> dict | None:
        if self.status != TextAnalysisStatus.FAILED:
            return None
        return {"status": TextAnalysisStatus.QUEUED, "message": "", "step": 0, "step_label": "", "started_at": None, "finished_at": None}

    def job_organisation(self):
        return self.organisation

    def job_user_may_retry(self, user) -> bool:
        from access.visibility import can_own

        return can_own(user, self.organisation)


class TextTopic(models.Model):
    """A theme found in one channel's texts: the words and counts behind it are kept, never the texts
    themselves (those are read again, through visible_to, when a page shows an example)."""

    analysis = models.ForeignKey(TextAnalysis, on_delete=models.CASCADE, related_name="topics")
    channel = models.CharField(max_length=20, choices=TextChannel.choices)
    label = models.CharField(max_length=200)
    words = models.JSONField(default=list, help_text="[[word, weight]], strongest first.")
    keywords = models.JSONField(default=list, help_text="Key phrases (YAKE) from the topic's most typical texts.")
    category = models.ForeignKey("crm.IssueCategory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    count = models.PositiveIntegerField(default=0)
    tone = models.FloatField(null=True, blank=True, help_text="The texts' average VADER compound score, -1 to +1.")
    member_ids = ArrayField(models.BigIntegerField(), default=list, help_text="The texts filed under it, most typical first.")
    member_neighbourhoods = ArrayField(models.BigIntegerField(null=True), default=list, help_text="Each member's neighbourhood.")
    weekly = models.JSONField(default=dict, help_text='{"all" or a neighbourhood id: [this week, the week before, ...]}.')

    class Meta:
        ordering = ["-count", "pk"]

    def __str__(self) -> str:
        return self.label
