"""The nightly retention job on a real Celery worker (a thread on the real Redis broker): a dry run, then a real run."""
import pytest
from celery.contrib.testing.worker import start_worker

from crm.models import Contact
from engagement_hub.celery import app
from retention.models import DueItem, DueStatus, EndAction, Outcome, RecordClass, RetentionDecision, RetentionRun, RetentionSchedule
from retention.tasks import enforce_retention
from tests.factories import ContactFactory
from tests.retention.conftest import age

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def test_the_nightly_job_lists_in_a_dry_run_then_deletes_in_a_real_run_through_a_worker(team, force, settings):
    settings.RETENTION_NOTICE_DAYS = 0
    due, kept = ContactFactory(organisation=team, first_name="Gwendolyn"), ContactFactory(organisation=team)
    age(due, 800)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        dry = RetentionRun.objects.get(pk=enforce_retention.delay(dry_run=True).get(timeout=60))
        assert dry.dry_run and dry.summary["listed"] == {RecordClass.CONTACTS: 1}
        assert Contact.objects.filter(pk=due.pk).exists() and not RetentionDecision.objects.exists()
        RetentionSchedule.objects.filter(organisation=force, record_class=RecordClass.CONTACTS).update(end_action=EndAction.DELETE)
        DueItem.objects.update(end_action=EndAction.DELETE)
        real = RetentionRun.objects.get(pk=enforce_retention.delay(dry_run=False).get(timeout=60))
    assert real.summary["acted"] == {f"{RecordClass.CONTACTS}:{EndAction.DELETE}": 1}
    assert not Contact.objects.filter(pk=due.pk).exists() and Contact.objects.filter(pk=kept.pk).exists()
    decision = RetentionDecision.objects.get()
    assert (decision.outcome, decision.record_id, decision.run_id) == (Outcome.DELETED, str(due.pk), real.pk)
    assert DueItem.objects.get().status == DueStatus.DONE


def test_the_nightly_job_is_on_the_beat_schedule():
    assert app.conf.beat_schedule["retention-nightly"]["task"] == "retention.tasks.enforce_retention"
    assert app.conf.beat_schedule["subject-access-reminders"]["task"] == "subject_access.tasks.remind_deadlines"
