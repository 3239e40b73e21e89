"""A seeded case: two neighbourhoods, the force's engagements, concerns and priorities, and records of
other organisations that a report must leave out."""
import datetime
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from django.utils import timezone

from crm.models import EngagementKind
from access.roles import Role
from sharing_protocols.models import Classification
from tests.factories import (
    ConcernFactory, DemographicProfileFactory, EngagementFactory, EngagementIssueFactory, ForceAreaFactory, MembershipFactory,
    NeighbourhoodFactory, PriorityActionFactory, PriorityFactory, SmallAreaFactory, UserFactory, issue_category, point, square,
    under_represented,
)


@pytest.fixture(autouse=True)
def report_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def manager(force, team):
    user = UserFactory(username="insp-bell", first_name="Alex", last_name="Bell")
    MembershipFactory(user=user, organisation=team, role=Role.MANAGER, warranted=True)
    return user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@dataclass
class Seeded:
    force_area: object
    hindpool: object
    ormsgill: object
    period_start: datetime.date
    period_end: datetime.date


def days_ago(days: int) -> datetime.datetime:
    """Noon, local time, `days` days ago: whole days apart whatever the hour the tests run (and across a clock change)."""
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate() - datetime.timedelta(days=days), datetime.time(12)))


@pytest.fixture
def seeded(force, team, council, other_force, officer):
    today = timezone.localdate()
    force_area = ForceAreaFactory(force=force, name="Cumbria")
    hindpool = NeighbourhoodFactory(force_area=force_area, name="Hindpool", code="HIND", team=team,
                                    boundary=square(west=-3.24, south=54.10, size=0.02))
    ormsgill = NeighbourhoodFactory(force_area=force_area, name="Ormsgill", code="ORMS", team=team,
                                    boundary=square(west=-3.22, south=54.10, size=0.02))
    lsoa = SmallAreaFactory(neighbourhood=hindpool, name="Barrow 003A", code="E01019001",
                            boundary=square(west=-3.24, south=54.10, size=0.01))
    DemographicProfileFactory(area=lsoa)  # 1,000 residents, 10% aged 16 to 24
    at = point(-3.23, 54.11)
    beat = [EngagementFactory(organisation=team, neighbourhood=hindpool, location=at, starts_at=days_ago(d), turnout=15,
                              title=f"Hindpool beat meeting {d}") for d in (80, 50, 5)]
    for meeting in beat:
        meeting.officers.add(officer)
    low = [EngagementFactory(organisation=team, neighbourhood=hindpool, location=at, kind=EngagementKind.STREET_MEETING,
                             starts_at=days_ago(d), turnout=3, title=f"Street meeting on Rawlinson Street {d}") for d in (40, 20)]
    online = EngagementFactory(organisation=team, neighbourhood=hindpool, location=None, kind=EngagementKind.ONLINE_MEETING,
                               starts_at=days_ago(10), turnout=30, title="Online beat surgery", venue_kind="online")
    online.groups_reached.add(under_represented("young-people"))
    for meeting in (beat[0], low[0], low[1]):
        EngagementIssueFactory(engagement=meeting, category=issue_category("anti-social-behaviour"))
    # Outside the period, and another force's meeting in the same place: neither counts.
    EngagementFactory(organisation=team, neighbourhood=hindpool, location=at, starts_at=days_ago(200), title="Old meeting")
    EngagementFactory(organisation=other_force, neighbourhood=hindpool, location=at, starts_at=days_ago(3), title="Lancashire visit")
    # The force's own concerns (one OFFICIAL-SENSITIVE), and the council's, which only the council sees.
    for d in (2, 3, 4):
        ConcernFactory(organisation=team, neighbourhood=hindpool, reported_at=days_ago(d), occurred_at=days_ago(d + 1))
    ConcernFactory(organisation=team, neighbourhood=hindpool, reported_at=days_ago(6), occurred_at=days_ago(7),
                   classification=Classification.OFFICIAL_SENSITIVE)
    ConcernFactory(organisation=team, neighbourhood=hindpool, reported_at=days_ago(120), occurred_at=days_ago(121))
    for d in (8, 9):
        ConcernFactory(organisation=council, neighbourhood=hindpool, reported_at=days_ago(d), occurred_at=days_ago(d + 1),
                       category=issue_category("graffiti"), place="Council depot")
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Youths on motorbikes in Hindpool Park.",
                               issue_date=today - datetime.timedelta(days=30))
    PriorityActionFactory(priority=priority, action="Dispersal order and joint patrols with park rangers.",
                          action_date=today - datetime.timedelta(days=12), status="done")
    return Seeded(force_area=force_area, hindpool=hindpool, ormsgill=ormsgill,
                  period_start=today - datetime.timedelta(days=90), period_end=today)


def pdf_text(path) -> str:
    """The PDF's text as pdftotext extracts it, with runs of white space made single spaces."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: scripts/hub installs it.")
    output = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(output.split())
