"""The scheduled release runs through a real Celery worker (a thread on the real Redis broker)."""
import time

import pytest
from celery.contrib.testing.worker import start_worker
from frictionless import validate

from engagement_hub.celery import app
from publication.models import Release, ReleaseStatus, ReleaseTrigger
from publication.tasks import scheduled_release

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def test_the_monthly_task_builds_a_valid_release_through_a_worker(settings, tmp_path, hindpool):
    settings.OPEN_DATA_DIR = tmp_path
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        scheduled_release.delay().get(timeout=30)
        release = Release.objects.get()
        for _ in range(60):
            release.refresh_from_db()
            if release.status == ReleaseStatus.PUBLISHED:
                break
            time.sleep(0.5)
    assert release.status == ReleaseStatus.PUBLISHED and release.trigger == ReleaseTrigger.SCHEDULE
    assert validate(tmp_path / "1" / "datapackage.json").valid
