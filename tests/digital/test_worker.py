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
