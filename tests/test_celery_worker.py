"""A real Celery worker (a thread on the real Redis broker, not eager mode) runs the hub's tasks."""
import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.models import Session
from django.utils import timezone

from crm.tasks import clear_expired_sessions
from engagement_hub.celery import app

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def test_the_nightly_task_clears_expired_sessions_through_a_worker():
    Session.objects.create(session_key="expired" + "0" * 25, session_data="", expire_date=timezone.now() - timezone.timedelta(days=1))
    Session.objects.create(session_key="current" + "0" * 25, session_data="", expire_date=timezone.now() + timezone.timedelta(days=1))
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        clear_expired_sessions.delay().get(timeout=30)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current" + "0" * 25]


def test_the_nightly_task_is_on_the_beat_schedule():
    schedule = app.conf.beat_schedule
    assert schedule["clear-expired-sessions"]["task"] == "crm.tasks.clear_expired_sessions"
