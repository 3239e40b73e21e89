"""The same keyword, topic, tone and burst analysis as for posts online, over the hub's own free text: the
issues raised at engagements and partners' concerns, so a theme can be compared across channels.

Who may know what a topic says. A topic's words come from every text it was fitted on, and its key phrases
from its most typical texts, so a topic carries words of texts that are not even filed under it. So:

- an analysis is made for one organisation, in a worker reading as that organisation
  (`viewer_context(organisation)`), every row through `visible_to`: a concern whose free text is withheld from
  it (it names someone, and the protocol has no personal data) reads blank and is left out, as is every row
  of an organisation with no live protocol with it. The police's analysis covers what the police may read; a
  partner's only what that partner may read;
- it is shown only to its own organisation's people, and only while the person looking may read the text of
  every row it was built from (`readable_by`): one suspended protocol or one newly withheld text hides it all
  until the analysis is run again;
- examples and links are read again through `visible_to` by the person looking, never stored;
- when the retention schedule removes the text of any concern or issue it read, it is deleted
  (`text_topics_expire`); a finished analysis replaces the organisation's earlier ones.

Runs as a background job (digital.tasks.analyse_free_text), after each daily collation for every
organisation with people, or when asked for from the hot-topics page; asking again while one waits adds none.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from access.visibility import any_of, can_own, owning_organisation
from digital import analysis
from digital.services import ANALYSIS_DAYS, MENTION_OR_LINK
from digital.text_models import TextAnalysis, TextAnalysisStatus, TextChannel, TextTopic
from digital.tone import compounds
from jobs.dispatch import job_dispatch_on_commit
from jobs.models import waiting_fields
from jobs.worker import job_is_still_mine
from organisations import audit

logger = logging.getLogger(__name__)

# What the retention schedule leaves in place of removed free text (retention.record_classes).
CONCERN_TEXT_REMOVED = "Removed under the retention schedule."
ISSUE_TEXT_REMOVED = "(details removed)"
WEEKS = 9  # this week and the eight before it: the baseline a burst is measured against
EXAMPLES = 2
FAILED = "The analysis stopped unexpectedly and nothing was changed. Try again; if it happens again, tell the hub's administrators."


@dataclass
class Text:
    pk: int
    text: str
    neighbourhood_id: int | None
    at: object  # when it was raised or reported


# -- asking for an analysis ----------------------------------------------------------------------------------------

def analysing_organisation(user):
    """The organisation whose analysis a user reads and may ask for: the force for police users (a force and its
    neighbourhood teams are one data controller), a partner's own agency for partners."""
    organisation = owning_organisation(user) if user.is_authenticated else None
    if organisation is not None and organisation.is_police:
        return organisation.force
    return organisation


def text_analysis_request(*, organisation, acting_user=None) -> tuple[TextAnalysis, bool]:
    """Queue an analysis for `organisation` (after the collation, or a person on the page). One waiting or
    running is enough: asking again returns it. (analysis, whether a new one was queued)."""
    if acting_user is not None and not can_own(acting_user, organisation):
        raise ValidationError("You can only ask for your own organisation's analysis.")
    with transaction.atomic():
        with connection.cursor() as cursor:  # two requests at once queue one
            cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [TEXT_ANALYSIS_LOCK, organisation.pk % 2**31])
        waiting = TextAnalysis.objects.filter(organisation=organisation, status__in=TextAnalysis.JOB_OPEN_STATUSES).first()
        if waiting is not None:
            return waiting, False
        job = TextAnalysis.objects.create(organisation=organisation, created_by=acting_user, **waiting_fields())
        if acting_user is not None:
            audit.record(actor=acting_user, organisation=organisation, action="digital.text_analysis_requested",
                         summary="Asked for topics in issues raised and concerns to be found again", analysis=job.pk)
        job_dispatch_on_commit(job)
    return job, True


TEXT_ANALYSIS_LOCK = 1802


def text_analyses_after_collation() -> int:
    """After the daily collation: an analysis for every active organisation with active people whose analysis someone
    reads (a neighbourhood team's people read their force's)."""
    from organisations.models import Organisation, OrganisationKind

    organisations = (Organisation.objects.filter(is_active=True, memberships__user__is_active=True)
                     .exclude(kind=OrganisationKind.NEIGHBOURHOOD_TEAM).distinct())
    return sum(text_analysis_request(organisation=organisation)[1] for organisation in organisations)


# -- the work ------------------------------------------------------------------------------------------------------

def _issue_texts(viewer, since) -> list[Text]:
    from crm.models import EngagementIssue

    rows = (EngagementIssue.objects.visible_to(viewer).filter(engagement__starts_at__gte=since, engagement__starts_at__lte=timezone.now())
            .exclude(description="").exclude(description__endswith=ISSUE_TEXT_REMOVED).order_by("pk")
            .values_list("pk", "description", "engagement__neighbourhood_id", "engagement__starts_at"))
    return [Text(*row) for row in rows]


def _concern_texts(viewer, since) -> list[Text]:
    from partners.models import Concern

    # A withheld description reads blank (access/withholding.py): it is not this viewer's to analyse.
    rows = (Concern.objects.visible_to(viewer).filter(reported_at__gte=since).exclude(description="")
            .exclude(description=CONCERN_TEXT_REMOVED).order_by("pk").values_list("pk", "description", "neighbourhood_id", "reported_at"))
    return [Text(*row) for row in rows]


@dataclass
class ChannelTopic:
    found: analysis.FoundTopic
    members: list[tuple[float, Text]] = field(default_factory=list)


def find_channel_topics(texts: list[Text], *, now) -> list[TextTopic]:
    """Topics in one channel's texts (unsaved), each with its members, weekly counts per place, tone and key phrases."""
    plain = [MENTION_OR_LINK.sub(" ", text.text) for text in texts]
    fit = analysis.fit_topics([plain[i] for i in analysis.sample_indexes(len(plain), analysis.FIT_SAMPLE)],
                              topics=analysis.topic_count(len(plain)))
    if fit is None:
        return []
    grouped = [ChannelTopic(found) for found in fit.topics]
    tones = compounds([text.text for text in texts])
    tone_of = {}
    for start in range(0, len(texts), analysis.ASSIGN_BATCH):
        assignment, strengths = fit.assign(plain[start:start + analysis.ASSIGN_BATCH])
        for offset, (index, strength) in enumerate(zip(assignment, strengths)):
            if index is not None:
                text = texts[start + offset]
                grouped[index].members.append((strength, text))
                tone_of[text.pk] = tones[start + offset]
    this_week = _week_start(now)
    topics = []
    for group in grouped:
        if not group.members:
            continue
        group.members.sort(key=lambda member: (-member[0], member[1].pk))
        members = [text for _, text in group.members]
        weekly: dict[str, list[int]] = defaultdict(lambda: [0] * WEEKS)
        for text in members:
            back = (this_week - _week_start(text.at)).days // 7
            if 0 <= back < WEEKS:
                weekly["all"][back] += 1
                if text.neighbourhood_id is not None:
                    weekly[str(text.neighbourhood_id)][back] += 1
        topics.append(TextTopic(
            label=group.found.label[:200], words=[[word, round(weight, 4)] for word, weight in group.found.words],
            keywords=analysis.keywords_for([MENTION_OR_LINK.sub(" ", text.text) for text in members[:analysis.KEYWORD_TEXTS]]),
            count=len(members), tone=round(sum(tone_of[text.pk] for text in members) / len(members), 3),
            member_ids=[text.pk for text in members], member_neighbourhoods=[text.neighbourhood_id for text in members],
            weekly=dict(weekly),
        ))
        topics[-1].category_slug = group.found.category_slug
    return topics


def _week_start(moment):
    local = timezone.localtime(moment)
    return (local - timedelta(days=local.weekday())).date()


def _progress(job: TextAnalysis, step: int, label: str) -> None:
    """Seen by the page while the work runs (its own statement, outside the work's transaction)."""
    TextAnalysis.objects.filter(pk=job.pk).update(step=step, step_label=label)


def text_analysis_run(*, analysis_id: int, attempt: int | None = None) -> TextAnalysis:
    """Find the topics in what the analysis's organisation may read; write them all in one transaction, or none.
    Call inside `viewer_context(organisation)` (digital.tasks does): under row-level security nothing else
    could be read anyway."""
    from crm.models import IssueCategory
    from row_security.context import current

    job = TextAnalysis.objects.select_related("organisation").get(pk=analysis_id)
    if job.status not in TextAnalysis.JOB_OPEN_STATUSES:
        return job
    context = current()
    if context.kind != "viewer" or getattr(context.who, "pk", None) != job.organisation_id:
        raise RuntimeError("The analysis must read as its own organisation (viewer_context), never wider.")
    viewer, now = job.organisation, timezone.now()
    since = now - timedelta(days=ANALYSIS_DAYS)
    TextAnalysis.objects.filter(pk=job.pk).update(status=TextAnalysisStatus.RUNNING, started_at=now, step=0,
                                                  step_label="Reading issues raised and concerns")
    try:
        issues, concerns = _issue_texts(viewer, since), _concern_texts(viewer, since)
        _progress(job, 1, f"Finding topics in {len(issues):,} issues raised")
        issue_topics = find_channel_topics(issues, now=now)
        _progress(job, 2, f"Finding topics in {len(concerns):,} concerns")
        concern_topics = find_channel_topics(concerns, now=now)
        _progress(job, 3, "Saving the topics")
        categories = dict(IssueCategory.objects.values_list("slug", "pk"))
        with transaction.atomic():
            if not job_is_still_mine(TextAnalysis, job.pk, attempt):
                job.refresh_from_db()
                return job
            for channel, topics in ((TextChannel.ISSUES, issue_topics), (TextChannel.CONCERNS, concern_topics)):
                for topic in topics:
                    topic.analysis, topic.channel, topic.category_id = job, channel, categories.get(topic.category_slug)
            TextTopic.objects.bulk_create(issue_topics + concern_topics)
            # The earlier analyses go: this one replaces them (and they may hold words from texts since withheld).
            TextAnalysis.objects.filter(organisation_id=job.organisation_id, status=TextAnalysisStatus.DONE).delete()
            TextAnalysis.objects.filter(pk=job.pk).update(
                status=TextAnalysisStatus.DONE, step=TextAnalysis.STEPS, step_label="", finished_at=timezone.now(),
                issue_ids=[text.pk for text in issues], concern_ids=[text.pk for text in concerns])
            audit.record(actor=job.created_by, organisation=job.organisation, action="digital.text_analysed",
                         summary=(f"Topics found in {len(issues):,} issues raised and {len(concerns):,} concerns: "
                                  f"{len(issue_topics)} and {len(concern_topics)} topics"), analysis=job.pk)
    except Exception:
        logger.exception("Text analysis %s failed", job.pk)
        TextAnalysis.objects.filter(pk=job.pk).update(**job.job_failed_fields(FAILED))
    job.refresh_from_db()
    return job


def text_topics_expire() -> int:
    """Delete every analysis that read a concern or an issue whose free text the retention schedule has since
    removed (or that is gone): derived words follow the texts' retention. Named system work: it looks at every
    organisation's analyses."""
    from crm.models import EngagementIssue
    from partners.models import Concern
    from row_security.context import system_context

    with system_context("removing topics built from free text that retention has removed"):
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT a.id FROM {TextAnalysis._meta.db_table} a WHERE a.status = %s AND (
                      EXISTS (SELECT 1 FROM unnest(a.concern_ids) AS read(id) LEFT JOIN {Concern._meta.db_table} c ON c.id = read.id
                               WHERE c.id IS NULL OR c.description = %s)
                   OR EXISTS (SELECT 1 FROM unnest(a.issue_ids) AS read(id) LEFT JOIN {EngagementIssue._meta.db_table} i ON i.id = read.id
                               WHERE i.id IS NULL OR i.description LIKE %s))""",
                [TextAnalysisStatus.DONE, CONCERN_TEXT_REMOVED, f"%{ISSUE_TEXT_REMOVED}"])
            expired = [row[0] for row in cursor.fetchall()]
        if expired:  # with their topics
            TextAnalysis.objects.filter(pk__in=expired).delete()
        return len(expired)


# -- what the pages show -------------------------------------------------------------------------------------------

def latest_analysis(user, organisation=None) -> TextAnalysis | None:
    """The user's organisation's latest analysis, finished or not (its progress is shown)."""
    organisation = organisation or analysing_organisation(user)
    if organisation is None:
        return None
    return TextAnalysis.objects.visible_to(user).filter(organisation=organisation).order_by("-created_at", "-pk").first()


def finished_analysis(user, organisation=None) -> TextAnalysis | None:
    organisation = organisation or analysing_organisation(user)
    if organisation is None:
        return None
    return TextAnalysis.objects.visible_to(user).filter(organisation=organisation, status=TextAnalysisStatus.DONE).order_by("-pk").first()


def readable_by(job: TextAnalysis, user) -> bool:
    """Whether `user` may read the text of every row the analysis read (two counts through visible_to)."""
    from crm.models import EngagementIssue
    from partners.models import Concern

    if job.concern_ids and Concern.objects.visible_to(user).filter(any_of("pk", job.concern_ids)).exclude(description="").count() != len(job.concern_ids):
        return False
    if job.issue_ids and EngagementIssue.objects.visible_to(user).filter(any_of("pk", job.issue_ids)).count() != len(job.issue_ids):
        return False
    return True


@dataclass
class ChannelSummary:
    topic: TextTopic
    here: int  # texts in the place shown (the force: all)
    weeks: list[int]  # this week first
    examples: list = field(default_factory=list)
    percent: int = 0  # the bar's length beside the channel's biggest topic here
    row_y: int = 0  # where its row of the channel's chart starts

    @property
    def rising(self) -> bool:
        return analysis.is_burst(self.weeks[0], self.weeks[1:])

    @property
    def tone_label(self) -> str:
        return analysis.tone_label(self.topic.tone)

    @property
    def baseline_mean(self) -> float:
        return round(sum(self.weeks[1:]) / (len(self.weeks) - 1), 1)


@dataclass
class ChannelTopics:
    """What the hot-topics page shows of the hub's own free text for one viewer and place."""

    analysis: TextAnalysis | None  # the finished analysis shown, if any
    latest: TextAnalysis | None  # the newest (perhaps still running)
    hidden: bool = False  # there is one, but the viewer may no longer read all it was built from
    channels: dict = field(default_factory=dict)  # channel -> [ChannelSummary]

    def columns(self) -> list[dict]:
        """The two channels of free text, in order, for the page's side-by-side columns."""
        return [{"channel": channel, "heading": label, "summaries": self.channels.get(channel, []),
                 "chart_height": len(self.channels.get(channel, [])) * CHART_ROW + 4} for channel, label in TextChannel.choices]


TOPICS_SHOWN = 8
CHART_ROW = 30  # pixels per topic in a channel's bar chart: its label, then its bar


def channel_topics(user, neighbourhood=None, *, organisation=None) -> ChannelTopics:
    """The viewer's organisation's topics per channel, in a place or the force, rising first, with examples the
    viewer may read (read again through visible_to). `organisation`: analysing_organisation(user), if known."""
    organisation = organisation or analysing_organisation(user)
    latest = latest_analysis(user, organisation)
    job = latest if latest is None or latest.status == TextAnalysisStatus.DONE else finished_analysis(user, organisation)
    result = ChannelTopics(analysis=None, latest=latest)
    if job is None:
        return result
    if not readable_by(job, user):
        result.hidden = True
        return result
    result.analysis = job
    key = "all" if neighbourhood is None else str(neighbourhood.pk)
    wanted = {}
    for topic in job.topics.select_related("category"):
        weeks = topic.weekly.get(key, [0] * WEEKS)
        here = topic.count if neighbourhood is None else sum(1 for place in topic.member_neighbourhoods if place == neighbourhood.pk)
        if not here:
            continue
        summary = ChannelSummary(topic, here, weeks)
        result.channels.setdefault(topic.channel, []).append(summary)
        ids = [pk for pk, place in zip(topic.member_ids, topic.member_neighbourhoods) if neighbourhood is None or place == neighbourhood.pk]
        wanted[topic.pk] = ids[:EXAMPLES]
    for channel, summaries in result.channels.items():
        summaries.sort(key=lambda s: (not s.rising, -s.weeks[0], -s.here, s.topic.pk))
        del summaries[TOPICS_SHOWN:]
        most = max(summary.here for summary in summaries)
        for row, summary in enumerate(summaries):
            summary.percent, summary.row_y = max(1, round(100 * summary.here / most)), row * CHART_ROW
    _attach_examples(user, result, wanted)
    return result


def _attach_examples(user, result: ChannelTopics, wanted: dict[int, list[int]]) -> None:
    """Each topic's most typical texts in the place, as the viewer may read them now: one query per channel."""
    from crm.models import EngagementIssue
    from partners.models import Concern

    readers = {TextChannel.ISSUES: EngagementIssue.objects.visible_to(user).select_related("engagement"),
               TextChannel.CONCERNS: Concern.objects.visible_to(user)}
    for channel, summaries in result.channels.items():
        ids = [pk for summary in summaries for pk in wanted.get(summary.topic.pk, [])]
        if not ids:
            continue
        rows = {row.pk: row for row in readers[channel].filter(any_of("pk", ids)).exclude(description="")}
        for summary in summaries:
            summary.examples = [rows[pk] for pk in wanted.get(summary.topic.pk, []) if pk in rows]
