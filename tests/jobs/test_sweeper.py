"""The one sweeper and the worker's claim, on real rows (an open-data release stands for every job
model; the killed-worker tests run every kind through real workers)."""
import datetime
import time

import pytest
from django.db import transaction
from django.utils import timezone

from engagement_hub.celery import app
from jobs.models import BackgroundJob
from jobs.sweeper import job_models, jobs_sweep
from jobs.models import waiting_fields
from jobs.worker import Heartbeat, job_claim, job_is_still_mine
from partners.models import CollationRun, ConcernImportJob, ImportJobStatus
from publication.models import Release, ReleaseStatus, ReleaseTrigger
from publication.releases import build
from reports.models import ReportRun
from tests.factories import OrganisationFactory
from tests.jobs.conftest import raw_connection

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]

LONG_AGO = datetime.timedelta(minutes=10)


def a_release(**fields) -> Release:
    return Release.objects.create(version=(Release.objects.count() + 1), trigger=ReleaseTrigger.SCHEDULE, **fields)


def test_the_sweeper_knows_every_job_model_and_runs_every_minute():
    from digital.models import ConversationImport
    from digital.text_models import TextAnalysis
    from documents.models import DocumentBuild
    from notifications.models import NotificationEmail

    assert set(job_models()) == {ConcernImportJob, CollationRun, ReportRun, Release, ConversationImport, NotificationEmail, DocumentBuild, TextAnalysis}
    assert all(issubclass(model, BackgroundJob) for model in job_models())
    entry = app.conf.beat_schedule["sweep-jobs"]
    assert entry["task"] == "jobs.tasks.sweep_jobs" and entry["schedule"] == 60.0


def test_a_job_whose_worker_died_is_queued_again_then_failed_with_a_message_after_the_last_restart(redis_server, job_settings):
    dead = timezone.now() - LONG_AGO
    release = a_release(status=ReleaseStatus.BUILDING, attempts=1, dispatched_at=dead, heartbeat_at=dead)
    assert jobs_sweep().requeued == [f"publication.Release {release.pk}"]
    release.refresh_from_db()
    assert (release.restarts, release.heartbeat_at, release.status) == (1, None, ReleaseStatus.BUILDING)
    assert release.dispatched_at > dead  # sent to the broker again

    Release.objects.filter(pk=release.pk).update(heartbeat_at=dead, restarts=job_settings.JOB_MAX_RESTARTS)
    assert jobs_sweep().failed == [f"publication.Release {release.pk}"]
    release.refresh_from_db()
    assert release.status == ReleaseStatus.FAILED and release.error == Release.JOB_GAVE_UP_MESSAGE
    assert "Nothing was saved. Try again" in release.error and release.job_can_retry


def test_a_job_the_broker_never_took_is_sent_when_it_answers_again(redis_server, job_settings):
    release = a_release(status=ReleaseStatus.QUEUED, queued_at=timezone.now() - LONG_AGO)
    assert release.job_waits_for_broker
    redis_server.stop()
    assert jobs_sweep().resent == [f"publication.Release {release.pk}"]
    release.refresh_from_db()
    assert release.dispatched_at is None  # still waiting: nothing lost
    redis_server.start()
    jobs_sweep()
    release.refresh_from_db()
    assert release.dispatched_at is not None and not release.job_waits_for_broker


def test_a_job_that_could_not_start_for_a_day_ends_failed(redis_server, job_settings):
    release = a_release(status=ReleaseStatus.QUEUED, queued_at=timezone.now() - datetime.timedelta(seconds=job_settings.JOB_GIVE_UP_SECONDS + 60))
    assert jobs_sweep().failed == [f"publication.Release {release.pk}"]
    release.refresh_from_db()
    assert release.status == ReleaseStatus.FAILED and release.error == Release.JOB_NEVER_STARTED_MESSAGE


def test_a_job_whose_row_a_live_connection_holds_is_left_alone(redis_server, job_settings):
    dead = timezone.now() - LONG_AGO
    release = a_release(status=ReleaseStatus.BUILDING, attempts=1, dispatched_at=dead, heartbeat_at=dead)
    with raw_connection() as worker:  # a worker in its final transaction holds the job's row
        worker.execute("SELECT 1 FROM publication_release WHERE id = %s FOR UPDATE", [release.pk])
        assert jobs_sweep().requeued == []
        worker.rollback()
    assert jobs_sweep().requeued == [f"publication.Release {release.pk}"]


def test_a_worker_claims_a_job_once_and_a_superseded_worker_publishes_nothing(job_settings, settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path
    release = a_release(status=ReleaseStatus.QUEUED)
    assert job_claim(Release, release.pk) == 1
    assert job_claim(Release, release.pk) is None  # a second message for it, while the first worker's heart beats
    Release.objects.filter(pk=release.pk).update(heartbeat_at=timezone.now() - LONG_AGO)
    assert job_claim(Release, release.pk) == 2  # the first worker was taken for dead
    with transaction.atomic():
        assert not job_is_still_mine(Release, release.pk, 1) and job_is_still_mine(Release, release.pk, 2)
    build(release, attempt=1)  # the first worker comes back to life and finishes its build
    release.refresh_from_db()
    assert release.status == ReleaseStatus.BUILDING and list(tmp_path.iterdir()) == []
    build(release, attempt=2)
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED and [path.name for path in tmp_path.iterdir()] == ["1"]
    assert job_claim(Release, release.pk) is None  # finished: a late duplicate message does nothing
    build(release, attempt=2)  # nor does a late build: a published release is never touched again
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED


def test_a_finished_phases_late_heartbeat_does_not_keep_the_next_phase_from_being_claimed(job_settings, settings):
    """An import's check finishes, but its worker's heartbeat thread beats on until the task returns. The confirm puts
    the job back in the outbox for its commit; a beat landing after that must not make it look taken, or the commit's
    worker refuses the claim and the import waits for ever."""
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    settings.JOB_STALE_SECONDS = 60.0  # as in production: a fresh beat keeps other workers off for a minute
    job = ConcernImportJob.objects.create(organisation=OrganisationFactory(kind="council"), original_name="concerns.csv", file_size=1,
                                          status=ImportJobStatus.QUEUED)
    check = job_claim(ConcernImportJob, job.pk)
    heartbeat = Heartbeat(ConcernImportJob, job.pk, check)
    heartbeat.start()
    try:
        ConcernImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.CHECKED)  # the check's outcome
        time.sleep(0.3)  # several beats of the still-running check task
        ConcernImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.IMPORTING, **waiting_fields())  # confirmed
        time.sleep(0.3)
        assert ConcernImportJob.objects.get(pk=job.pk).heartbeat_at is None
        assert job_claim(ConcernImportJob, job.pk) == check + 1  # the commit's worker takes it up
    finally:
        heartbeat.stopped.set()
        heartbeat.join(timeout=5)
