"""The doors for conversation imports, their analysis and the removal of expired text.

`conversation_import_start` and `conversation_import_confirm` are what the pages call: quick, and the
work is queued on commit. `conversation_import_check` (the dry run) and `conversation_import_commit`
(all or nothing, idempotent by the source's post id) are what the tasks run, and what the benchmark
times. A job's status makes a task that runs twice harmless. The file is read and checked once: the dry
run keeps the checked posts (digital.models.StagedPost) and the import places, scores and writes those.
"""
from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import CharField
from django.db.models.functions import MD5, Cast
from django.utils import timezone

from organisations import audit
from crm.models import IssueCategory
from access.visibility import can_own, owning_organisation
from digital import analysis
from digital.formats import Format, RowProblem, read_posts
from digital.models import ConversationImport, ImportStatus, Post, StagedPost, Topic
from digital.placing import Gazetteer, place_posts
from digital.police_terms import PoliceTerms
from digital.progress import ProgressReporter, estimated_total
from digital.tone import ToneScorer, scored
from digital.writer import PostRow, PostWriter, drop_staged, held_count, stage_posts, staged_batches
from jobs.dispatch import job_dispatch_on_commit
from jobs.models import waiting_fields
from jobs.worker import job_is_still_mine

logger = logging.getLogger(__name__)

MAX_BYTES = 100 * 1024 * 1024
MAX_ERRORS = 200
BATCH = 5000
# Topics are found in the organisation's posts of this many days.
ANALYSIS_DAYS = 91
STOPPED = "The import stopped unexpectedly and nothing was imported. Try again; if it happens again, tell the hub's administrators."


def importing_organisation(user):
    """The police organisation (force or neighbourhood team) a user imports conversations for: their own.
    Partners import none: posts reach them only under a protocol."""
    organisation = owning_organisation(user) if user.is_authenticated else None
    if organisation is None or not organisation.is_police or not can_own(user, organisation):
        return None
    return organisation


def conversation_import_start(*, upload, file_format: str, lawful_basis: str, purpose: str,
                              acting_user, queue_check: bool = True) -> ConversationImport:
    """Keep an uploaded export as a job and queue its dry run (the demo seed runs the steps itself: queue_check=False)."""
    organisation = importing_organisation(acting_user)
    if organisation is None:
        raise ValidationError("Only police users import conversations, for their own force.")
    if file_format not in Format.LABELS:
        raise ValidationError({"file_format": "Choose the kind of export this file is."})
    if not upload.size:
        raise ValidationError({"upload": "The file is empty."})
    if upload.size > MAX_BYTES:
        raise ValidationError({"upload": f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."})
    if not purpose.strip():
        raise ValidationError({"purpose": "Say why the force holds these posts."})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = ConversationImport(
        organisation=organisation, created_by=acting_user, original_name=upload.name[:255], file_format=file_format,
        file_sha256=digest.hexdigest(), lawful_basis=lawful_basis, purpose=purpose.strip(),
    )
    job.full_clean(exclude=["upload"])
    with transaction.atomic():
        job.upload.save(upload.name, upload, save=False)
        job.save()
        audit.record(actor=acting_user, organisation=organisation, action="digital.import_uploaded",
                     summary=f"Uploaded conversations from {job.original_name} ({job.get_lawful_basis_display()})",
                     job=job.pk, file_sha256=job.file_sha256)
        if queue_check:
            job_dispatch_on_commit(job)
    return job


def conversation_import_confirm(*, job: ConversationImport, acting_user) -> None:
    if not can_own(acting_user, job.organisation):
        raise ValidationError("You cannot import conversations for that organisation.")
    with transaction.atomic():
        started = ConversationImport.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
            status=ImportStatus.IMPORTING, started_at=timezone.now(), **waiting_fields())
        if not started:
            raise ValidationError("This file is not waiting to be imported: it has been imported already, or has problems.")
        job.refresh_from_db()
        job_dispatch_on_commit(job)


class _Rejected(Exception):
    def __init__(self, errors: list):
        self.errors = errors


def _scan(job: ConversationImport, *, stop_at_first: bool, progress=None):
    """The file's posts one by one, read as they go (a CSV file is never held whole). Problems are collected
    in `errors` (at most MAX_ERRORS); with `stop_at_first`, the first one raises _Rejected. `progress(done, total)`
    hears of every row read, with the file's rows (estimated from how far into the file they reach)."""
    errors: list[dict] = []
    seen: set[tuple[str, str]] = set()
    known: list[int] = []

    def posts():
        with job.upload.open("rb") as handle:
            size, done = job.upload.size or 0, 0
            try:
                for post in read_posts(handle, job.file_format, on_total=known.append):
                    done += 1
                    if progress is not None:
                        progress(done, lambda: estimated_total(done, handle.tell(), size, known[0] if known else None))
                    problem = post.as_dict() if isinstance(post, RowProblem) else None
                    if problem is None and (post.site, post.post_id) in seen:
                        problem = {"row": post.row, "column": None,
                                   "message": f"repeats post {post.post_id} from {post.site}, given on an earlier row"}
                    if problem is not None:
                        errors.append(problem)
                        if stop_at_first:
                            raise _Rejected(errors)
                        if len(errors) >= MAX_ERRORS:
                            return
                        continue
                    seen.add((post.site, post.post_id))
                    yield post
            except RowProblem as problem:  # the file as a whole cannot be read
                errors.append(problem.as_dict())
                if stop_at_first:
                    raise _Rejected(errors) from None

    return posts(), errors


def _finish(job: ConversationImport, *, status: str, errors: list, **counts) -> None:
    job.status, job.errors, job.finished_at = status, _storable(errors), timezone.now()
    for name, value in counts.items():
        setattr(job, name, value)
    job.save()
    # The step's progress row is left alone: only its reporter writes it, on its own connection (digital.progress). A
    # step that locked it (a delete or an update here) would make the next step's reporter, or anyone else, wait on
    # this step's transaction. The page no longer shows it (the job's status has moved on); the sweeper deletes it.
    if status != ImportStatus.CHECKED:  # the job is over: its kept posts (the file's text and handles) go
        drop_staged([job.pk])


def _storable(errors: list) -> list:
    """Messages quote the file: no character PostgreSQL refuses may reach the job's row."""
    return [{key: value.replace("\x00", "") if isinstance(value, str) else value for key, value in error.items()} for error in errors]


def conversation_import_check(*, job_id: int) -> ConversationImport:
    """The dry run: read and check every row, and keep the checked posts for the import (or none, if any row
    has a problem)."""
    job = ConversationImport.objects.get(pk=job_id)
    if job.status not in (ImportStatus.QUEUED, ImportStatus.CHECKING):
        return job
    ConversationImport.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING, started_at=timezone.now())
    try:
        with transaction.atomic():
            drop_staged([job.pk])  # a check that runs again starts afresh
            with ProgressReporter(job.pk, ImportStatus.CHECKING) as progress:
                posts, errors = _scan(job, stop_at_first=False, progress=progress)
                count = stage_posts(job.pk, posts)
            held = held_count(job.pk, job.organisation_id)
    except Exception:
        logger.exception("Conversation import %s: the check failed", job.pk)
        _finish(job, status=ImportStatus.FAILED, errors=[{"row": None, "column": None, "message": STOPPED}])
        return job
    if not count and not errors:
        errors = [{"row": None, "column": None, "message": "The file holds no posts."}]
    _finish(job, status=ImportStatus.REJECTED if errors else ImportStatus.CHECKED, errors=errors,
            total_rows=count + len(errors), already_held_count=held)
    return job


def conversation_import_commit(*, job_id: int, attempt: int | None = None) -> ConversationImport:
    """Place and score each post the dry run kept, and write them all in one transaction with one audit record,
    or write nothing. Whether a post is held already is decided again as it is written (the dry run is advice,
    not a permission). If the kept posts are not all there (an unlogged table is emptied by a database crash),
    the file is read and checked again first. `attempt` is the worker's claim (jobs.worker): a worker
    superseded by a newer attempt writes nothing."""
    job = ConversationImport.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.status != ImportStatus.IMPORTING:
        return job
    try:
        force_area_id = _force_area_id(job.organisation)
        gazetteer = Gazetteer.for_force(force_area_id)
        police_terms = PoliceTerms.for_organisation(job.organisation)
        total = placed = 0
        with transaction.atomic():
            if not job_is_still_mine(ConversationImport, job.pk, attempt):
                return job  # another run of this task finished it, or took it over
            count = StagedPost.objects.filter(job=job).count()
            if not count or count != job.total_rows:
                drop_staged([job.pk])
                count = stage_posts(job.pk, _scan(job, stop_at_first=True)[0])
            writer = PostWriter()
            with ToneScorer(count) as tone_scorer, ProgressReporter(job.pk, ImportStatus.IMPORTING) as progress:
                for batch, tones in scored(staged_batches(job.pk, BATCH), tone_scorer):
                    rows = build_rows(batch, tones, job=job, gazetteer=gazetteer, force_area_id=force_area_id, police_terms=police_terms)
                    # A post already held (the same site and id) is skipped by the database, not written twice.
                    writer.write(rows)
                    total += len(rows)
                    progress(total, count)
            created = writer.written
            placed = Post.objects.filter(source_import=job, neighbourhood__isnull=False).count()
            _finish(job, status=ImportStatus.IMPORTED, errors=[], total_rows=total, created_count=created,
                    already_held_count=total - created, placed_count=placed)
            audit.record(actor=job.created_by, organisation=job.organisation, action="digital.imported",
                         summary=f"Imported conversations from {job.original_name}: {created:,} added, {total - created:,} already held",
                         job=job.pk, rows=total, created=created, placed=placed)
            from digital.tasks import analyse_conversations

            # The analysis is advice, not the import: if the task queue does not answer, the next import's runs it.
            transaction.on_commit(lambda: analyse_conversations.delay(job.organisation_id), robust=True)
    except _Rejected as rejected:  # nothing was written: the transaction rolled back
        _finish(job, status=ImportStatus.REJECTED, errors=rejected.errors, created_count=0)
    except Exception:
        logger.exception("Conversation import %s: the import failed", job.pk)
        _finish(job, status=ImportStatus.FAILED, created_count=0, errors=[{"row": None, "column": None, "message": STOPPED}])
    return job


def _force_area_id(organisation) -> int | None:
    from geo.models import ForceArea

    return ForceArea.objects.filter(force=organisation.force).values_list("pk", flat=True).first()


def build_rows(batch, tones: list[float], *, job, gazetteer, force_area_id, police_terms=None) -> list[PostRow]:
    """Rows to write for parsed posts, given their tones: placed, and with the police words each holds."""
    placements = place_posts(batch, gazetteer, force_area_id)
    police_terms = police_terms or PoliceTerms()
    return [
        PostRow(organisation_id=job.organisation_id, created_by_id=job.created_by_id, source_import_id=job.pk, site=post.site,
                post_id=post.post_id, posted_at=post.posted_at, text=post.text, author=post.author, url=post.url,
                place_text=post.place_text, reply_to=post.reply_to, longitude=post.longitude, latitude=post.latitude,
                neighbourhood_id=placement.neighbourhood_id, placed_by=placement.placed_by, placed_match=placement.matched[:200],
                tone=tone, community_kind=post.community_kind, community=post.community, police_terms=police_terms.match(post.text))
        for post, placement, tone in zip(batch, placements, tones)
    ]


MENTION_OR_LINK = re.compile(r"@\w+|https?://\S+|#")


def analyse_conversations(*, organisation_id: int) -> list[Topic]:
    """Find the topics in the organisation's recent posts, map them to issue categories, and file each post
    under its topic. The previous analysis's topics stay for the record but are no longer current.

    Memory stays flat as the posts grow: the topics are fitted on a fixed pseudo-random sample (at most
    analysis.FIT_SAMPLE posts), then the posts are read, filed and written back a batch at a time, keeping
    only each topic's most typical texts for its keywords. One analysis per organisation at a time (a
    transaction lock): two imports finishing together queue two, and the second waits, then runs on what
    the first left, rather than both marking each other's topics current."""
    since = timezone.now() - timedelta(days=ANALYSIS_DAYS)
    posts = (Post.objects.filter(organisation_id=organisation_id, posted_at__gte=since, text_removed_at__isnull=True)
             .exclude(text=""))
    categories = dict(IssueCategory.objects.values_list("slug", "pk"))
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [ANALYSIS_LOCK, organisation_id % 2**31])
        total = posts.count()
        fit = analysis.fit_topics([_topic_text(text) for text in _sample_texts(posts, analysis.FIT_SAMPLE, total)],
                                  topics=analysis.topic_count(total))
        Topic.objects.filter(organisation_id=organisation_id, is_current=True).update(is_current=False)
        found = fit.topics if fit else []
        topics = Topic.objects.bulk_create([
            Topic(organisation_id=organisation_id, analysed_at=now, label=topic.label[:200],
                  words=[[word, round(weight, 4)] for word, weight in topic.words],
                  category_id=categories.get(topic.category_slug), post_count=0)
            for topic in found
        ])
        typical = analysis.TypicalTexts(len(topics), analysis.KEYWORD_TEXTS)
        for batch in _post_batches(posts, analysis.ASSIGN_BATCH):
            if fit is None:
                assignment, strengths = [None] * len(batch), [0.0] * len(batch)
            else:
                assignment, strengths = fit.assign([_topic_text(text) for _, text in batch])
            for (_, text), index, strength in zip(batch, assignment, strengths):
                if index is not None:
                    topics[index].post_count += 1
                    typical.offer(index, strength, text)
            _file_posts([pk for pk, _ in batch], [topics[index] if index is not None else None for index in assignment])
        for index, topic in enumerate(topics):
            topic.keywords = analysis.keywords_for(typical.texts(index))
        Topic.objects.bulk_update(topics, ["post_count", "keywords"])
    return topics


# pg_advisory_xact_lock's first key: analyses (the second is the organisation's id).
ANALYSIS_LOCK = 1801


def _topic_text(text: str) -> str:
    """Handles and links are not topics: they would name people."""
    return MENTION_OR_LINK.sub(" ", text)


def _sample_texts(posts, most: int, total: int) -> list[str]:
    """At most `most` of the posts' texts, a fixed pseudo-random choice (ordered by a hash of the id, so the same
    posts each time). Not every n-th: an export sorted by site or by topic would give every n-th post the same few."""
    if total <= most:
        return list(posts.order_by("pk").values_list("text", flat=True))
    return list(posts.order_by(MD5(Cast("pk", output_field=CharField())), "pk").values_list("text", flat=True)[:most])


def _post_batches(posts, size: int):
    """(pk, text) of the posts, `size` at a time in pk order (keyset: no server-side cursor, which PgBouncer in
    transaction mode would not keep)."""
    last = 0
    while batch := list(posts.filter(pk__gt=last).order_by("pk").values_list("pk", "text")[:size]):
        last = batch[-1][0]
        yield batch


def _file_posts(post_ids: list[int], topics: list[Topic | None]) -> None:
    """Set each post's topic, and the topic's category, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Post._meta.db_table} p SET topic_id = u.topic_id, category_id = u.category_id "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) u(id, topic_id, category_id) WHERE p.id = u.id",
            [post_ids, [topic.pk if topic else None for topic in topics], [topic.category_id if topic else None for topic in topics]],
        )


def raise_at_pact_meeting(*, topic: Topic, neighbourhood, acting_user):
    """Carry a topic into the priority process: an issue to raise at the neighbourhood's next planned PACT or
    beat meeting, where it can be agreed as a priority like any other."""
    from crm.models import Engagement, EngagementIssue
    from crm.models.engagements import EngagementKind, EngagementStatus

    if topic.category_id is None:
        raise ValidationError("This topic does not match an issue category, so it cannot be raised as an issue.")
    meeting = (Engagement.objects.editable_by(acting_user)
               .filter(neighbourhood=neighbourhood, status=EngagementStatus.PLANNED, starts_at__gte=timezone.now(),
                       kind__in=[EngagementKind.PACT_MEETING, EngagementKind.BEAT_MEETING, EngagementKind.ONLINE_MEETING])
               .order_by("starts_at").first())
    if meeting is None:
        raise ValidationError(f"No PACT or beat meeting is planned for {neighbourhood.name}. Plan one first, then raise the topic at it.")
    description = f"Raised online: {topic.label}"[:500]
    with transaction.atomic():
        issue, created = EngagementIssue.objects.get_or_create(engagement=meeting, category_id=topic.category_id, description=description)
        if created:
            audit.record(actor=acting_user, organisation=meeting.organisation, action="digital.topic_raised",
                         summary=f"Topic “{topic.label}” to be raised at {meeting}", topic=topic.pk, engagement=meeting.pk)
    return meeting, created


# -- Questions sent before a meeting (no account) --------------------------------------------------------------------

QUESTIONS_PER_ADDRESS_PER_HOUR = 5
COUNTER_SECONDS = 3600  # an address's count lasts an hour from its first question
# While the shared counter (the hub's Redis cache) does not answer, questions are still taken, at most this many per
# meeting per hour from everyone together, counted in the database (which keeps no one's address).
QUESTIONS_PER_MEETING_PER_HOUR_WITHOUT_COUNTER = 30
TOO_MANY_FROM_ADDRESS = "You have sent several questions in the last hour. Please try again later, or call 101."
TOO_MANY_FOR_MEETING = ("Many questions have been sent for this meeting in the last hour. Please try again in an hour, or call 101. "
                        "In an emergency, call 999.")


def question_send(*, meeting, question: str, name: str = "", email: str = "", client_address: str = ""):
    """Keep a resident's question for a public meeting's team, screened for what must not be read out.
    A few per address per hour: more is refused with a clear message (the form also has a honeypot and a
    minimum filling time against scripts).

    The per-address count lives in the hub's Redis cache, taken before the question is kept in one atomic step
    (two questions sent at once cannot both see the count below the limit). If Redis does not answer, the question
    is still taken (a resident's question before a meeting is not lost for a fault of ours, and a force would rather
    read one question too many than miss one), limited instead per meeting in the database; the team reads every
    question before the meeting either way."""
    from digital.models import MeetingQuestion
    from publication.screening import FINDING_LABELS, screen_fields

    sent = _counter_take(f"digital:questions:{client_address}")
    if sent is not None and client_address and sent > QUESTIONS_PER_ADDRESS_PER_HOUR:
        raise ValidationError(TOO_MANY_FROM_ADDRESS)
    findings = sorted({FINDING_LABELS.get(finding.kind, finding.kind) for finding in screen_fields({"question": question})})
    with transaction.atomic():
        if sent is None:
            _meeting_limit_check(meeting)
        kept = MeetingQuestion.objects.create(organisation=meeting.organisation, engagement=meeting, question=question.strip(),
                                              name=name.strip(), email=email.strip(), screening_findings=findings)
        audit.record(actor=None, organisation=meeting.organisation, action="digital.question_received",
                     summary=f"A question was sent online before {meeting.title}", engagement=meeting.pk, question=kept.pk)
    return kept


# pg_advisory_xact_lock's first key: the per-meeting count of questions while the cache does not answer (the second is
# the meeting's id).
QUESTIONS_LOCK = 1803


def _meeting_limit_check(meeting) -> None:
    """Refuse a question once the meeting has had its hour's share, counted in the database. Questions for one meeting
    are counted one at a time (a transaction lock), so two sent at once cannot both see the count below the limit."""
    from digital.models import MeetingQuestion

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [QUESTIONS_LOCK, meeting.pk % 2**31])
    hour_ago = timezone.now() - timedelta(hours=1)
    if MeetingQuestion.objects.filter(engagement=meeting, created_at__gte=hour_ago).count() >= QUESTIONS_PER_MEETING_PER_HOUR_WITHOUT_COUNTER:
        raise ValidationError(TOO_MANY_FOR_MEETING)


def _counter_take(key: str) -> int | None:
    """Count one more at `key` and return the count, for an hour from the first; None if the cache does not answer
    (logged: the operators need to know). One MULTI of Redis's own SET NX (with its expiry) and INCR: atomic, so two
    web nodes or two requests at once count together and the count never outlives its hour. Django's cache API has
    no increment that sets an expiry, hence its client."""
    from django.core.cache import cache
    from redis.exceptions import RedisError

    try:
        name = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(name, write=True).pipeline(transaction=True)
        pipe.set(name, 0, ex=COUNTER_SECONDS, nx=True)
        pipe.incr(name)
        return pipe.execute()[1]
    except RedisError:
        logger.warning("The question form's counter did not answer; questions are limited per meeting meanwhile", exc_info=True)
        return None
