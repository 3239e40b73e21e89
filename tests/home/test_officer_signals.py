"""The officer's and the manager's home items: each appears from the data that raises it and its link opens where it
is dealt with (the "may need rethinking" items open the neighbourhood that raised them)."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from crm.effectiveness import PROFILE_SECTORS
from crm.models import Priority
from publication.models import Screening, ScreeningStatus, Subject, text_hash
from publication.services import public_text, screening_reject
from reports.models import ReportRun, ReportStatus
from row_security.context import viewer_context
from tests.factories import (DemographicProfileFactory, EngagementFactory, EngagementIssueFactory, ForceAreaFactory, MembershipFactory,
                             NeighbourhoodFactory, PriorityActionFactory, PriorityFactory, SmallAreaFactory, UserFactory, issue_category,
                             square, under_represented)
from tests.home.test_home import queue

pytestmark = pytest.mark.django_db


def test_low_turnout_opens_the_neighbourhood_of_the_meeting_not_the_one_whose_beat_meeting_is_due(officer_client, force, team, settings):
    area = ForceAreaFactory(force=force, code="cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    hindpool = NeighbourhoodFactory(force_area=area, name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.05))
    ormsgill = NeighbourhoodFactory(force_area=area, name="Ormsgill", team=team, boundary=square(west=-3.15, south=54.10, size=0.05))
    # Hindpool's beat meeting is overdue (none held); Ormsgill held one recently, with few people there.
    EngagementFactory(organisation=team, neighbourhood=ormsgill, starts_at=timezone.now() - timedelta(days=3),
                      turnout=settings.ENGAGEMENT_LOW_TURNOUT - 1)
    items = queue(officer_client)
    assert items["beat-meetings-overdue"]["url"] == reverse("geo:neighbourhood", args=[hindpool.pk])
    assert items["low-turnout"]["count"] == 1
    assert items["low-turnout"]["url"] == reverse("geo:neighbourhood", args=[ormsgill.pk])
    page = officer_client.get(items["low-turnout"]["url"]).content.decode()
    assert "Ormsgill" in page and "low turnout" in page.lower()


def test_a_sector_not_reached_appears_opens_its_neighbourhood_and_leaves_once_reached(officer_client, force, team):
    area = ForceAreaFactory(force=force, code="cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    hindpool = NeighbourhoodFactory(force_area=area, name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.05))
    DemographicProfileFactory(area=SmallAreaFactory(neighbourhood=hindpool), bsl_users=4)
    meeting = EngagementFactory(organisation=team, neighbourhood=hindpool)
    items = queue(officer_client)
    assert items["sectors-not-reached"]["count"] == 1
    assert items["sectors-not-reached"]["url"] == reverse("geo:neighbourhood", args=[hindpool.pk])
    assert "Not reached: Deaf people and BSL users" in officer_client.get(items["sectors-not-reached"]["url"]).content.decode()
    meeting.groups_reached.add(*[under_represented(slug) for slug, _, _ in PROFILE_SECTORS])  # every group the profile names
    assert "sectors-not-reached" not in queue(officer_client)


# Each home item appears from the data that raises it, and its link opens the page where it is dealt with.

@pytest.fixture
def hindpool(force, team):
    area = ForceAreaFactory(force=force, code="cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    return NeighbourhoodFactory(force_area=area, name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.05))


def test_a_rejected_wording_appears_for_its_author_and_opens_the_notice(officer_client, officer, force, team, hindpool):
    reviewer = UserFactory(username="insp-reviewer")
    MembershipFactory(user=reviewer, organisation=force, role=Role.MANAGER, warranted=True)
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool, created_by=officer, issue="Call Priya Shah about the bikes.")
    screening = Screening.objects.create(organisation=team, subject=Subject.PRIORITY, object_id=priority.pk, status=ScreeningStatus.FLAGGED,
                                         content_hash=text_hash(*public_text(Subject.PRIORITY, priority).values()))
    with viewer_context(reviewer):
        screening_reject(screening=screening, acting_user=reviewer, note="It names a person: reword it.")
    item = queue(officer_client)["screening-rejected"]
    assert item["count"] == 1
    page = officer_client.get(item["url"]).content.decode()
    assert "Not published: your priority needs rewording" in page


def test_a_beat_meeting_due_this_week_appears_and_opens_its_neighbourhood(officer_client, team, hindpool, settings):
    EngagementFactory(organisation=team, neighbourhood=hindpool, starts_at=timezone.now() - timedelta(days=settings.BEAT_MEETING_INTERVAL_DAYS - 3))
    items = queue(officer_client)
    assert items["beat-meetings-due"]["count"] == 1 and "beat-meetings-overdue" not in items
    assert items["beat-meetings-due"]["url"] == reverse("geo:neighbourhood", args=[hindpool.pk])
    assert officer_client.get(items["beat-meetings-due"]["url"]).status_code == 200


def test_a_priority_with_no_update_for_weeks_appears_and_its_link_lists_it(officer_client, team, hindpool, settings):
    long_ago = timezone.now() - timedelta(weeks=settings.HUB_PRIORITY_STALE_WEEKS + 2)
    quiet = PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Speeding on Abbey Road at school time.")
    PriorityActionFactory(priority=quiet, action_date=timezone.localdate(long_ago))
    Priority.objects.filter(pk=quiet.pk).update(updated_at=long_ago)
    PriorityActionFactory(priority=PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Litter by the precinct."))
    item = queue(officer_client)["priorities-quiet"]
    assert item["count"] == 1
    page = officer_client.get(item["url"]).content.decode()
    assert "Speeding on Abbey Road" in page and "Litter by the precinct" not in page


def test_an_issue_raised_again_and_again_appears_and_opens_its_neighbourhood(officer_client, team, hindpool, settings):
    for weeks in range(settings.ENGAGEMENT_REPEATED_ISSUE_MEETINGS):
        meeting = EngagementFactory(organisation=team, neighbourhood=hindpool, starts_at=timezone.now() - timedelta(weeks=weeks + 1))
        EngagementIssueFactory(engagement=meeting, category=issue_category("parking"), description="Parking on pavements")
    item = queue(officer_client)["repeated-issues"]
    assert item["count"] == 1 and item["url"] == reverse("geo:neighbourhood", args=[hindpool.pk])
    assert "The same issue again and again: Parking" in officer_client.get(item["url"]).content.decode()


def test_a_managers_report_ready_appears_until_they_look_and_opens_the_reports(client, force, team):
    manager = UserFactory(username="insp-malik")
    MembershipFactory(user=manager, organisation=force, role=Role.MANAGER, warranted=True)
    client.force_login(manager)
    ReportRun.objects.create(requested_by=manager, area_label="Hindpool", status=ReportStatus.DONE, finished_at=timezone.now(),
                             period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), parameters_key="hindpool-2026-q1")
    item = queue(client)["reports-ready"]
    assert item["count"] == 1
    assert "Hindpool" in client.get(item["url"], follow=True).content.decode()
    assert "reports-ready" not in queue(client)
