"""Digital engagement: conversations a force's social-media team exports, placed and read for topics and tone.

Posts and their authors' handles are personal data: each import records its lawful basis and purpose. How
long they are kept is the retention schedule's to say (retention app, class "social-media content"): at its
end the nightly retention job removes a post's text, handle, link and place words and only counts stay
(neighbourhood, topic, category, tone, site, time). Posts are read through `visible_to` like every
sensitive record, and reach a partner only under a protocol flow for social-media conversations.
"""
from datetime import timedelta

from django.contrib.gis.db import models
from django.utils import timezone

from access.models import OwnedRecord
from django.contrib.postgres.fields import ArrayField

from digital.communities import CommunityKind
from digital.formats import Format
from jobs.models import BackgroundJob
from digital.placing import PlacedBy
from sharing_protocols.models import DataCategory


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking the file"
    CHECKED = "checked", "Checked: ready to import"
    REJECTED = "rejected", "Not imported: the file has errors"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"


class LawfulBasis(models.TextChoices):
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement purposes (Data Protection Act 2018, Part 3, section 35)"
    PUBLIC_TASK = "public_task", "Public task (UK GDPR article 6(1)(e))"


class ConversationImport(OwnedRecord, BackgroundJob):
    """One uploaded export of posts. A dry run checks every row; the import then writes all or none.
    A background job (jobs.models): the sweeper takes it up again if its worker dies."""

    upload = models.FileField(upload_to="imports/conversations/%Y/%m/")
    original_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=20, choices=Format.CHOICES)
    file_sha256 = models.CharField(max_length=64)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    purpose = models.TextField(max_length=1000, help_text="Why the force holds these posts, such as 'Understanding local concerns before PACT meetings'.")
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    already_held_count = models.PositiveIntegerField(default=0)
    placed_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, message}]")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "conversation import"

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    JOB_OPEN_STATUSES = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.IMPORTING)

    def job_task(self):
        from digital.tasks import check_conversation_import, commit_conversation_import

        return (commit_conversation_import if self.status == ImportStatus.IMPORTING else check_conversation_import), [self.pk]

    def job_failed_fields(self, message: str) -> dict:
        return {"status": ImportStatus.FAILED, "errors": [{"row": None, "column": None, "message": message}],
                "finished_at": timezone.now(), "created_count": 0}

    def job_retry_fields(self) -> dict | None:
        """A failed import is checked again from the start (then confirmed again); a file with errors needs a new file."""
        if self.status != ImportStatus.FAILED:
            return None
        return {"status": ImportStatus.QUEUED, "errors": [], "finished_at": None, "started_at": None}

    def job_organisation(self):
        return self.organisation

    def job_user_may_retry(self, user) -> bool:
        from access.visibility import can_own

        return can_own(user, self.organisation)

    @classmethod
    def job_leftovers_delete(cls) -> int:
        """Progress counts of a job no longer running, a day after they were last written. No step deletes its own
        (digital.progress says why). Rows a reporter holds at this moment are skipped, not waited on."""
        from django.db import transaction

        running = cls.objects.filter(status__in=cls.JOB_OPEN_STATUSES).values("pk")
        stale = (ImportProgress.objects.filter(updated_at__lt=timezone.now() - PROGRESS_KEPT_AFTER_LAST_WRITE)
                 .exclude(job_id__in=running).select_for_update(skip_locked=True).values("pk"))
        with transaction.atomic():
            return ImportProgress.objects.filter(pk__in=stale).delete()[0]


class Topic(OwnedRecord):
    """A theme found in the organisation's recent posts by the latest analysis: the words behind it are kept."""

    DATA_CATEGORY = DataCategory.SOCIAL_MEDIA

    analysed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True, help_text="From the latest analysis.")
    label = models.CharField(max_length=200)
    words = models.JSONField(default=list, help_text="[[word, weight]], strongest first.")
    keywords = models.JSONField(default=list, help_text="Key phrases (YAKE) from the topic's posts.")
    category = models.ForeignKey("crm.IssueCategory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-post_count", "pk"]

    def __str__(self) -> str:
        return self.label


class Post(OwnedRecord):
    """One post or comment, placed in a neighbourhood where it could be."""

    DATA_CATEGORY = DataCategory.SOCIAL_MEDIA
    PERSONAL_FIELDS = ("text", "author", "url", "place_text", "community")

    source_import = models.ForeignKey(ConversationImport, on_delete=models.PROTECT, related_name="posts")
    site = models.CharField(max_length=100, help_text="Where it was posted: X, Facebook, a forum, a page or group.")
    post_id = models.CharField(max_length=100, help_text="The source's own id: importing the same post again adds nothing.")
    posted_at = models.DateTimeField()
    text = models.TextField(blank=True)
    author = models.CharField(max_length=200, blank=True, help_text="The author's handle or name, as the source gives it.")
    url = models.CharField(max_length=500, blank=True)
    place_text = models.CharField(max_length=300, blank=True)
    reply_to = models.CharField(max_length=100, blank=True)
    location = models.PointField(srid=4326, null=True, blank=True)
    neighbourhood = models.ForeignKey("geo.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    placed_by = models.CharField(max_length=20, choices=PlacedBy.CHOICES, default=PlacedBy.UNPLACED)
    placed_match = models.CharField(max_length=200, blank=True, help_text="The place name that placed it.")
    tone = models.FloatField(null=True, blank=True, help_text="VADER's compound score, -1 (negative) to +1 (positive).")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    category = models.ForeignKey("crm.IssueCategory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text_removed_at = models.DateTimeField(null=True, blank=True, help_text="When the retention schedule removed its text, handle, link and place words.")
    community_kind = models.CharField(max_length=20, choices=CommunityKind.CHOICES, blank=True, default="",
                                      help_text="What kind of community the post was part of (digital.communities).")
    community = models.CharField(max_length=200, blank=True, help_text="The group, page, subreddit, hashtag or account whose conversation it joined.")
    police_terms = ArrayField(models.CharField(max_length=200), default=list, blank=True,
                              help_text="The words of the police gazetteer the post holds (digital.police_terms): about the police if any.")

    class Meta:
        ordering = ["-posted_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "site", "post_id"], name="post_once_per_organisation")]
        indexes = [
            models.Index(fields=["organisation", "-posted_at"], name="post_org_posted"),
            models.Index(fields=["neighbourhood", "posted_at"], name="post_neighbourhood_posted"),
        ]

    def __str__(self) -> str:
        return f"{self.site} post {self.post_id}"


class QuestionChannel(models.TextChoices):
    ONLINE_FORM = "online_form", "Sent online before the meeting"


class MeetingQuestion(OwnedRecord):
    """A question or concern a resident sent before a meeting, without an account. Never published: it is
    shown to the meeting's team, with what screening found in it (a name, contact details) so it is not
    read out as written. The name and email are optional, for a reply."""

    PERSONAL_FIELDS = ("question", "name", "email")

    engagement = models.ForeignKey("crm.Engagement", on_delete=models.CASCADE, related_name="questions_in_advance")
    question = models.TextField(max_length=1000)
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    channel = models.CharField(max_length=20, choices=QuestionChannel.choices, default=QuestionChannel.ONLINE_FORM)
    screening_findings = models.JSONField(default=list, blank=True, help_text="What screening found: kinds only, such as 'a name'.")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "question sent before a meeting"

    def __str__(self) -> str:
        return f"Question for {self.engagement_id} ({self.created_at:%d %b %Y})"


# How long the jobs sweeper keeps an import's progress counts after they were last written, once its job is not running.
PROGRESS_KEPT_AFTER_LAST_WRITE = timedelta(days=1)


class ImportProgress(models.Model):
    """How far a running import has got (digital.progress): counts only, written on a connection of its own so the
    page sees them while the import's transaction is open. No foreign key: checking it would wait on the job's lock.
    One row per job, written only by the reporter: no step deletes it or locks it. The jobs sweeper deletes it a day
    after it was last written, once its job is not running."""

    job_id = models.BigIntegerField(primary_key=True)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, help_text="The step these counts are of: checking or importing.")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Import {self.job_id}: {self.done} of {self.total}"


class StagedPost(models.Model):
    """A post the dry run read from an import's file, checked and kept for the import itself, so the file is
    read and checked once: the import places, scores and writes these rows, then deletes them. They hold the
    file's text and handles, so they go when the job ends (imported, rejected or failed), and with the
    uploaded file when retention removes it. The table is unlogged: after a database crash it is empty, and
    the import then reads the file again."""

    # No database constraint: it would check each of a file's rows at commit, for rows that live minutes.
    job = models.ForeignKey(ConversationImport, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    row = models.PositiveIntegerField(help_text="The row (or list number) of the file it came from.")
    site = models.CharField(max_length=100)
    post_id = models.CharField(max_length=100)
    posted_at = models.DateTimeField()
    text = models.TextField()
    author = models.CharField(max_length=200, blank=True)
    url = models.CharField(max_length=500, blank=True)
    place_text = models.CharField(max_length=300, blank=True)
    reply_to = models.CharField(max_length=100, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    community_kind = models.CharField(max_length=20, blank=True, default="")
    community = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["job", "id"], name="staged_post_job")]

    def __str__(self) -> str:
        return f"Row {self.row} of import {self.job_id}"
from digital.text_models import TextAnalysis, TextTopic  # noqa: E402,F401  topics in the hub's own free text
