"""The worker says why it did not take a job up, at INFO when that is normal (a repeated message) and at
WARNING when it means something is wrong (the job is not there for it)."""
import logging

import pytest
from django.utils import timezone

from jobs.worker import job_running
from publication.models import Release, ReleaseStatus, ReleaseTrigger

pytestmark = pytest.mark.django_db


def a_release(**fields) -> Release:
    return Release.objects.create(version=Release.objects.count() + 1, trigger=ReleaseTrigger.SCHEDULE, **fields)


def refusal_logged(caplog, job_id) -> logging.LogRecord:
    with caplog.at_level(logging.INFO, logger="jobs.worker"):
        with job_running(Release, job_id) as attempt:
            assert attempt is None
    [record] = [r for r in caplog.records if "not taken up" in r.getMessage()]
    return record


def test_a_finished_job_sent_again_is_refused_quietly(caplog):
    release = a_release(status=ReleaseStatus.PUBLISHED)
    record = refusal_logged(caplog, release.pk)
    assert record.levelno == logging.INFO and "finished already" in record.getMessage()


def test_a_job_a_live_worker_holds_is_refused_quietly(caplog):
    release = a_release(status=ReleaseStatus.BUILDING, attempts=1, dispatched_at=timezone.now(), heartbeat_at=timezone.now())
    record = refusal_logged(caplog, release.pk)
    assert record.levelno == logging.INFO and "another worker has it" in record.getMessage()
    release.refresh_from_db()
    assert release.attempts == 1  # the live worker keeps it


def test_a_job_that_is_not_there_is_a_warning(caplog):
    missing = a_release(status=ReleaseStatus.QUEUED)
    job_id = missing.pk
    Release.objects.filter(pk=job_id).delete()
    record = refusal_logged(caplog, job_id)
    assert record.levelno == logging.WARNING and "no such job" in record.getMessage()
