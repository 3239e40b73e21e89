"""The collation through a real Celery worker (a thread on the real Redis broker, not eager mode), and on the beat schedule."""
import os
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from organisations.models import OrganisationKind
from access.roles import Role
from engagement_hub.celery import app
from partners.collation.tasks import collate_partner_concerns
from partners.models import CollationRun, Concern, ConcernLink, ConcernStatus, NeighbourhoodDigest
from tests.factories import (
    ConcernFactory, ForceAreaFactory, ForceFactory, MembershipFactory, NeighbourhoodFactory, OrganisationFactory, TeamFactory, UserFactory,
    point, square,
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_daily_task_collates_through_a_worker_and_emails_the_team():
    force = ForceFactory(name="Cumbria Constabulary", slug="cumbria-constabulary")
    team = TeamFactory(name="Hindpool neighbourhood team", slug="team-hindpool", parent=force)
    area = ForceAreaFactory(force=force, code="cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    hindpool = NeighbourhoodFactory(force_area=area, name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.05))
    sergeant = UserFactory(username="ps-ali", email="ps.ali@police.example")
    MembershipFactory(user=sergeant, organisation=team, role=Role.MANAGER)
    council = OrganisationFactory(name="Council", slug="council", kind=OrganisationKind.COUNCIL)
    fire = OrganisationFactory(name="Fire and Rescue", slug="fire", kind=OrganisationKind.FIRE_AND_RESCUE)
    now = timezone.now()
    first = ConcernFactory(organisation=council, location=point(-3.2270, 54.1150), occurred_at=now - timedelta(days=2), reported_at=now - timedelta(days=2))
    second = ConcernFactory(organisation=fire, location=point(-3.2270, 54.1155), occurred_at=now - timedelta(days=1), reported_at=now - timedelta(days=1))

    # A queue of this test's own, so that a worker started by another test process on the same broker cannot take it.
    queue = f"collation-test-{os.getpid()}"
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=[queue]):
        run_id = collate_partner_concerns.apply_async(args=[timezone.localdate().isoformat()], queue=queue).get(timeout=60)

    run = CollationRun.objects.get(pk=run_id)
    assert (run.summary["placed"], run.summary["linked"], run.summary["collated"]) == (2, 1, 2)
    assert set(Concern.objects.values_list("neighbourhood", "status")) == {(hindpool.pk, ConcernStatus.COLLATED)}
    assert ConcernLink.objects.filter(first=first, second=second, found_by=run).exists()
    digest = NeighbourhoodDigest.objects.get(run=run, neighbourhood=hindpool)
    assert digest.sent_at is not None
    assert [message.to for message in mail.outbox] == [["ps.ali@police.example"]]


def test_the_collation_is_on_the_beat_schedule_daily_before_the_early_turn():
    entry = app.conf.beat_schedule["collate-partner-concerns"]
    assert entry["task"] == "partners.collation.tasks.collate_partner_concerns"
    assert entry["task"] in app.tasks  # registered by PartnersConfig.ready()
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({5}, {30})
    assert len(schedule.day_of_week) == 7
