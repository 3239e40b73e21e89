"""A force with two neighbourhoods in Barrow, a team with an opted-in officer, and helpers that
screen records the way the beat task does."""
import datetime as dt

import pytest
from django.utils import timezone

from crm.models import Adjustment, EngagementKind, EngagementStatus
from access.roles import Role
from publication.models import PublicProfile
from publication.services import screening_pending
from tests.factories import (
    EngagementFactory, ForceAreaFactory, MembershipFactory, NeighbourhoodFactory, PriorityActionFactory, PriorityFactory,
    UserFactory, square,
)


@pytest.fixture
def force_area(force):
    return ForceAreaFactory(force=force, code="cumbria", name="Cumbria Constabulary", boundary=square(west=-3.30, south=54.05, size=0.2))


@pytest.fixture
def hindpool(force_area, team):
    return NeighbourhoodFactory(force_area=force_area, code="HIND", name="Hindpool", team=team,
                                boundary=square(west=-3.25, south=54.10), description="Hindpool and the docks.")


@pytest.fixture
def central(force_area):
    return NeighbourhoodFactory(force_area=force_area, code="CENT", name="Central", boundary=square(west=-3.24, south=54.10))


@pytest.fixture
def opted_in_officer(team):
    user = UserFactory(username="pc-jones", first_name="Gareth", last_name="Jones")
    MembershipFactory(user=user, organisation=team, role=Role.OFFICER, warranted=True)
    PublicProfile.objects.create(user=user, display_name="PC Gareth Jones", rank="Police Constable", bio="Your beat officer.", published=True)
    return user


@pytest.fixture
def manager(force, team):
    user = UserFactory(username="insp-malik", first_name="Amira", last_name="Malik")
    MembershipFactory(user=user, organisation=force, role=Role.MANAGER, warranted=True)
    return user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def upcoming_meeting(neighbourhood, *, days=7, **fields):
    start = timezone.localtime(timezone.now() + dt.timedelta(days=days)).replace(hour=18, minute=30, second=0, microsecond=0)
    defaults = dict(
        organisation=neighbourhood.team or neighbourhood.force_area.force, neighbourhood=neighbourhood,
        kind=EngagementKind.BEAT_MEETING, status=EngagementStatus.PLANNED, title="Hindpool beat meeting",
        starts_at=start, ends_at=start + dt.timedelta(hours=1, minutes=30), venue_name="Hindpool Community Centre",
        objectives="Agree the next quarter's priorities.", turnout=None,
        adjustments=[Adjustment.BSL_INTERPRETER, Adjustment.STEP_FREE, Adjustment.HEARING_LOOP, Adjustment.ONLINE_OPTION],
        online_link="https://meet.example.org/hindpool",
    )
    defaults.update(fields)
    return EngagementFactory(**defaults)


def priority_with_action(neighbourhood, *, issue="Speeding on Duke Street at school times.", action="Speed checks at 8 am and 3 pm.",
                         action_fields=None, **fields):
    priority = PriorityFactory(organisation=neighbourhood.team or neighbourhood.force_area.force, neighbourhood=neighbourhood,
                               issue=issue, **fields)
    return priority, PriorityActionFactory(priority=priority, action=action, **(action_fields or {}))


@pytest.fixture
def screen():
    """Run the screening the beat task runs."""
    return screening_pending
