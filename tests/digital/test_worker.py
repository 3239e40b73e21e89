"""An export checked, imported and analysed by a real Celery worker (a thread on the real Redis broker)."""
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from digital.demo import as_generic_json, labelled_posts
from digital.models import ConversationImport, ImportStatus, Post, Topic
from engagement_hub.celery import app
from tests.digital.conftest import boxes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def wait_until(check, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def test_a_worker_checks_imports_and_finds_topics(officer_client, places):
    data = as_generic_json(labelled_posts(120, boxes(places), seed=11))
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        officer_client.post(reverse("digital:import-upload"), {
            "upload": SimpleUploadedFile("posts.json", data), "file_format": "generic", "lawful_basis": "law_enforcement",
            "purpose": "Hot topics before PACT meetings"})
        job = ConversationImport.objects.get()
        wait_until(lambda: ConversationImport.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).exists())
        officer_client.post(reverse("digital:import-confirm", args=[job.pk]))
        wait_until(lambda: Topic.objects.filter(is_current=True).exists())
    assert Post.objects.count() == 120
    assert Post.objects.filter(topic__isnull=False).count() > 60


@pytest.mark.timeout(180, func_only=True)
def test_a_workers_progress_is_written_for_each_step_and_swept_a_day_on_without_waiting(officer_client, places, monkeypatch):
    """Each step on the worker (its own transaction) and its reporter (a connection of its own), as in production: no
    step touches its progress row, so every write lands; the sweeper deletes the row a day later and skips it, rather
    than waiting, while another connection holds it."""
    import datetime
    import threading

    from django.db import connections
    from django.utils import timezone

    from digital import progress as progress_module
    from digital import services
    from digital.models import ImportProgress
    from digital.progress import ProgressReporter
    from jobs.sweeper import jobs_sweep
    from tests.digital.test_import_progress import outside_connection

    monkeypatch.setattr(progress_module, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(progress_module, "MIN_SECONDS", 0)
    monkeypatch.setattr(services, "BATCH", 10)
    written = []
    write = ProgressReporter.write
    monkeypatch.setattr(ProgressReporter, "write", lambda self, done, total: (write(self, done, total),
                                                                               written.append((self.status, done, self._failed))))
    data = as_generic_json(labelled_posts(35, boxes(places), seed=5))
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        officer_client.post(reverse("digital:import-upload"), {
            "upload": SimpleUploadedFile("posts.json", data), "file_format": "generic", "lawful_basis": "law_enforcement",
            "purpose": "Hot topics before PACT meetings"})
        job = ConversationImport.objects.get()
        wait_until(lambda: ConversationImport.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).exists())
        officer_client.post(reverse("digital:import-confirm", args=[job.pk]))
        wait_until(lambda: ConversationImport.objects.filter(pk=job.pk, status=ImportStatus.IMPORTED).exists())
    assert written == [(step, done, False) for step in ("checking", "importing") for done in (10, 20, 30)]  # none gave up
    assert ImportProgress.objects.filter(job_id=job.pk, status="importing", done=30, total=35).exists()

    ImportProgress.objects.filter(job_id=job.pk).update(updated_at=timezone.now() - datetime.timedelta(days=1, minutes=1))
    swept = []

    def sweep_elsewhere():  # on a connection of the sweeper's own, as on Celery beat's worker
        try:
            swept.append(jobs_sweep().leftovers_deleted)
        finally:
            connections.close_all()

    with outside_connection() as holder:
        with holder.transaction():
            holder.execute(f"SELECT 1 FROM {ImportProgress._meta.db_table} WHERE job_id = %s FOR UPDATE", [job.pk])
            sweeper = threading.Thread(target=sweep_elsewhere)
            sweeper.start()
            sweeper.join(30)
            waited = sweeper.is_alive()
        sweeper.join(30)  # the lock is released: a sweeper that waited finishes now
    assert not waited and swept == [0]
    assert jobs_sweep().leftovers_deleted == 1 and not ImportProgress.objects.exists()
