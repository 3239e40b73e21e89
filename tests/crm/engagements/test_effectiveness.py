"""The neighbourhood page says when engagement needs rethinking, from the data."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import DemographicProfileFactory, EngagementFactory, EngagementIssueFactory, SmallAreaFactory, issue_category, under_represented

pytestmark = pytest.mark.django_db


def neighbourhood_page(client, neighbourhood) -> str:
    return client.get(reverse("geo:neighbourhood", args=[neighbourhood.pk])).content.decode()


def test_a_low_turnout_meeting_is_flagged(officer_client, team, hindpool):
    EngagementFactory(organisation=team, neighbourhood=hindpool, title="Library beat meeting", turnout=2)
    assert "Low turnout: 2 at" in neighbourhood_page(officer_client, hindpool)


def test_the_same_issue_raised_at_three_meetings_is_flagged(officer_client, team, hindpool):
    for weeks in (1, 5, 9):
        meeting = EngagementFactory(organisation=team, neighbourhood=hindpool, starts_at=timezone.now() - timedelta(weeks=weeks))
        EngagementIssueFactory(engagement=meeting, category=issue_category("parking"), description="Parking on pavements")
    assert "The same issue again and again: Parking, raised at 3 engagements." in neighbourhood_page(officer_client, hindpool)


def test_a_sector_living_here_but_never_reached_is_flagged_until_it_is(officer_client, team, hindpool):
    DemographicProfileFactory(area=SmallAreaFactory(neighbourhood=hindpool), bsl_users=4)
    meeting = EngagementFactory(organisation=team, neighbourhood=hindpool)
    assert "Not reached: Deaf people and BSL users, though British Sign Language users live here." in neighbourhood_page(officer_client, hindpool)
    meeting.groups_reached.add(under_represented("deaf-bsl"))
    assert "Not reached: Deaf people and BSL users" not in neighbourhood_page(officer_client, hindpool)


def test_an_overdue_beat_meeting_is_flagged(officer_client, team, hindpool):
    EngagementFactory(organisation=team, neighbourhood=hindpool, starts_at=timezone.now() - timedelta(weeks=10))
    page = neighbourhood_page(officer_client, hindpool)
    assert "No beat meeting since" in page and "one every 8 weeks" in page


def test_a_recent_well_attended_beat_meeting_raises_no_signal(officer_client, team, hindpool):
    EngagementFactory(organisation=team, neighbourhood=hindpool, turnout=25)
    page = neighbourhood_page(officer_client, hindpool)
    assert 'id="engagement-signals"' not in page
    assert "Beat meeting" in page.split('id="recent-engagements"')[1]


def test_another_forces_meetings_neither_show_nor_count(officer_client, other_force, hindpool):
    EngagementFactory(organisation=other_force, neighbourhood=hindpool, title="Their private meeting", turnout=1)
    page = neighbourhood_page(officer_client, hindpool)
    assert "Their private meeting" not in page
    assert "Low turnout" not in page


def test_the_neighbourhood_page_takes_the_same_queries_however_many_engagements(officer_client, team, hindpool, django_assert_num_queries):
    EngagementFactory(organisation=team, neighbourhood=hindpool)
    DemographicProfileFactory(area=SmallAreaFactory(neighbourhood=hindpool))
    neighbourhood_page(officer_client, hindpool)  # warm Django's per-process SRID cache
    # 1 session, 2 user, 3 neighbourhood, 4 profiles, 5 low-turnout meetings, 6 repeated issues, 7 last beat meeting,
    # 8 under-represented groups reached, 9 recent engagements, 10 small areas, 11 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(12):
        neighbourhood_page(officer_client, hindpool)
    EngagementFactory.create_batch(8, organisation=team, neighbourhood=hindpool, turnout=1)
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(12):
        neighbourhood_page(officer_client, hindpool)
