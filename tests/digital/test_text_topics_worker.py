"""The analysis of issues raised and concerns runs on a real Celery worker after the daily collation."""
import time

import pytest
from celery.contrib.testing.worker import start_worker

from digital.text_models import TextAnalysis, TextTopic
from engagement_hub.celery import app
from tests.digital.test_text_topics import SCRAMBLERS, raise_issues, texts

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def test_the_daily_collation_is_followed_by_each_organisations_analysis(force, team, council, officer, partner_user):
    from partners.collation.tasks import collate_partner_concerns

    raise_issues(team, texts(SCRAMBLERS, 12, 18, seed=41))
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        collate_partner_concerns.delay()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if TextAnalysis.objects.filter(status="done").count() >= 2 and not TextAnalysis.objects.filter(status__in=("queued", "running")).exists():
                break
            time.sleep(0.5)
    done = {job.organisation_id: job for job in TextAnalysis.objects.filter(status="done")}
    assert {force.pk, council.pk} <= set(done)  # every organisation with people: the force (the officer), the council
    assert len(done[force.pk].issue_ids) == 30 and TextTopic.objects.filter(analysis=done[force.pk]).exists()
    assert done[council.pk].issue_ids == []  # no protocol gives the council the team's engagements
