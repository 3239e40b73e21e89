"""A file of concerns checked and imported by a real Celery worker (a thread on the real Redis broker, not eager mode)."""
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from engagement_hub.celery import app
from partners.models import Concern, ConcernImportJob, ImportJobStatus
from tests.partners.imports.conftest import csv_bytes, page_text, rows, upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def wait_for(job, *statuses, timeout=60) -> ConcernImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} is still {job.status}")


def test_a_worker_checks_the_file_then_imports_it_when_confirmed(partner_client, partner_user, council, force_area, settings):
    settings.CONCERN_IMPORT_PROGRESS_EVERY = 10
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        response, job = upload(partner_client, csv_bytes(rows(25)))
        assert response.status_code == 302
        job = wait_for(job, ImportJobStatus.CHECKED, ImportJobStatus.REJECTED, ImportJobStatus.FAILED)
        assert (job.status, job.total_rows, job.errors) == (ImportJobStatus.CHECKED, 25, [])
        assert job.celery_task_id
        assert Concern.objects.count() == 0
        assert "Confirm import" in page_text(partner_client, job)

        partner_client.post(reverse("partners:import-confirm", args=[job.pk]))
        job = wait_for(job, ImportJobStatus.IMPORTED, ImportJobStatus.REJECTED, ImportJobStatus.FAILED)
    assert (job.status, job.created_count, job.already_held_count) == (ImportJobStatus.IMPORTED, 25, 0)
    assert Concern.objects.filter(organisation=council, import_job=job).count() == 25
    assert "Created: 25. Already held: 0. Rejected: none." in page_text(partner_client, job)
