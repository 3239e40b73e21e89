"""A real Celery worker (a thread on the real Redis broker): a task reads protected tables only in the
context it opens itself; one that forgets reads nothing."""
import pytest
from celery.contrib.testing.worker import start_worker

from engagement_hub.celery import app
from partners.models import Concern
from row_security.context import system_context
from tests.factories import ConcernFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


@app.task(name="tests.row_security.count_concerns_forgetting_a_context")
def count_concerns_forgetting_a_context() -> int:
    return Concern.objects.count()


@app.task(name="tests.row_security.count_concerns_in_a_system_context")
def count_concerns_in_a_system_context() -> int:
    with system_context("tests: counting concerns", audit=False):
        return Concern.objects.count()


def test_a_celery_task_that_forgets_to_set_a_context_reads_nothing(council):
    ConcernFactory.create_batch(3, organisation=council)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        assert count_concerns_forgetting_a_context.delay().get(timeout=30) == 0
        assert count_concerns_in_a_system_context.delay().get(timeout=30) == 3
