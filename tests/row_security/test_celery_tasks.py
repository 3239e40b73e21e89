"""A real Celery worker (a thread on the real Redis broker): a task reads protected tables only in the
context it opens itself; one that forgets reads nothing."""
import pytest
from celery.contrib.testing.worker import start_worker

from engagement_hub.celery import app
from partners.models import Concern
from row_security.context import system_context
from sharing_protocols.models import ConcernShare, DisclosureEntry
from tests.factories import ConcernFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


@app.task(name="tests.row_security.count_concerns_forgetting_a_context")
def count_concerns_forgetting_a_context() -> int:
    return Concern.objects.count()


@app.task(name="tests.row_security.count_concerns_in_a_system_context")
def count_concerns_in_a_system_context() -> int:
    with system_context("tests: counting concerns", audit=False):
        return Concern.objects.count()


@app.task(name="tests.row_security.count_shares_forgetting_a_context")
def count_shares_forgetting_a_context() -> int:
    return ConcernShare.objects.count()


@app.task(name="tests.row_security.count_disclosure_entries_forgetting_a_context")
def count_disclosure_entries_forgetting_a_context() -> int:
    return DisclosureEntry.objects.count()


def test_a_celery_task_that_forgets_to_set_a_context_reads_nothing(council):
    ConcernFactory.create_batch(3, organisation=council)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        assert count_concerns_forgetting_a_context.delay().get(timeout=30) == 0
        assert count_concerns_in_a_system_context.delay().get(timeout=30) == 3


def test_a_celery_task_that_forgets_a_context_reads_no_one_off_share_and_no_disclosure(council, partner_user, force):
    from datetime import timedelta

    from django.utils import timezone

    from sharing_protocols.shares import record_share

    for concern in ConcernFactory.create_batch(2, organisation=council):
        record_share(record=concern, organisation=force, reason="Joint visit", includes_personal_data=False,
                     expires_at=timezone.now() + timedelta(days=1), acting_user=partner_user)
    assert ConcernShare.objects.count() == 2 and DisclosureEntry.objects.count() == 2  # in the test's own system context
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        assert count_shares_forgetting_a_context.delay().get(timeout=30) == 0
        assert count_disclosure_entries_forgetting_a_context.delay().get(timeout=30) == 0
