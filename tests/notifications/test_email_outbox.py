"""A notification's email goes through the jobs outbox (notifications.models.NotificationEmail): asked for while the
broker is down, it waits and is sent once the broker is back, exactly once. Real Redis of the test's own (stopped and
started again), a real Celery worker and a real SMTP server (aiosmtpd)."""
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.sweeper import jobs_sweep
from notifications.models import EmailStatus, Kind, Notification
from notifications.services import email_send
from notifications.tasks import send_notification_email
from partners.imports.services import concern_import_start
from partners.models import ConcernImportJob, ImportJobStatus
from partners.tasks import check_concern_import
from tests.factories import ForceAreaFactory
from tests.jobs.conftest import free_port, job_settings, redis_server, wait_for, worker_thread  # noqa: F401 (fixtures)
from tests.partners.imports.conftest import csv_bytes, rows

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]

# The broker's connect timeout (CELERY_BROKER_CONNECTION_TIMEOUT) and the check itself, on a loaded machine.
PATIENCE_SECONDS = 10


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def test_an_email_asked_for_inside_a_worker_while_the_broker_is_down_is_sent_once_it_is_back(
        partner_user, force, smtp_inbox, redis_server, job_settings):  # noqa: F811
    ForceAreaFactory(force=force, code="cumbria")
    partner_user.email = "sam.okafor@council.example"
    partner_user.save(update_fields=["email"])
    redis_server.stop()
    job = concern_import_start(upload=SimpleUploadedFile("concerns.csv", csv_bytes(rows(2))), acting_user=partner_user)

    started = time.monotonic()
    check_concern_import(job.pk)  # what the worker runs, outside any transaction: its email is asked for at once
    seconds = time.monotonic() - started
    assert ConcernImportJob.objects.get(pk=job.pk).status == ImportJobStatus.CHECKED  # the job completes regardless
    assert seconds < PATIENCE_SECONDS
    notification = Notification.objects.get(recipient=partner_user, kind=Kind.IMPORT_FINISHED)
    email = notification.email
    assert (email.status, email.dispatched_at, email.attempts) == (EmailStatus.WAITING, None, 0)  # in the outbox
    assert email.job_waits_for_broker and smtp_inbox.messages == []

    redis_server.start()  # the same port: the broker is back
    assert f"notifications.NotificationEmail {email.pk}" in jobs_sweep().resent
    with worker_thread():
        wait_for(lambda: smtp_inbox.messages, timeout=60, message="the email to arrive")
        assert jobs_sweep().resent == []  # sent: nothing left in the outbox
    [message] = smtp_inbox.messages
    assert message["To"] == "sam.okafor@council.example" and "concerns.csv" in message["Subject"]
    email.refresh_from_db()
    notification.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1) and notification.emailed_at == email.sent_at

    # A duplicate message, a late retry of the task, or the service called again: nothing more is sent.
    assert send_notification_email(email.pk) is False
    assert email_send(email_id=email.pk) is False
    assert len(smtp_inbox.messages) == 1


def test_an_email_whose_smtp_server_refused_it_is_tried_again_by_the_sweeper_then_sent_once(
        partner_user, council, smtp_inbox, redis_server, job_settings, settings):  # noqa: F811
    from notifications.services import notify
    from tests.factories import ConcernFactory

    partner_user.email = "sam.okafor@council.example"
    partner_user.save(update_fields=["email"])
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # the mail server is down: nothing listens there
    [notification] = notify(recipients=[partner_user], kind=Kind.CONCERN_TAKEN, subject="Taken", template="concern_taken.txt",
                            about=ConcernFactory(organisation=council))
    email = notification.email
    with worker_thread():
        wait_for(lambda: type(email).objects.get(pk=email.pk).attempts == 1, timeout=60, message="the first try")
    time.sleep(settings.JOB_STALE_SECONDS + 0.2)  # its heartbeat stops when the task fails: taken for a dead worker
    settings.EMAIL_PORT = port  # the mail server is back
    assert f"notifications.NotificationEmail {email.pk}" in jobs_sweep().requeued
    with worker_thread():
        wait_for(lambda: smtp_inbox.messages, timeout=60, message="the email to arrive")
    email.refresh_from_db()
    assert (email.status, email.attempts, email.restarts, len(smtp_inbox.messages)) == (EmailStatus.SENT, 2, 1, 1)
