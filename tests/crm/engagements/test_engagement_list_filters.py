"""The engagement list's search, filters, "only mine" and sort (crm.filtersets.EngagementFilterSet over visible_to),
with the query count pinned filtered and sorted."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import EngagementStatus
from tests.factories import EngagementFactory, NeighbourhoodFactory

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [engagement.title for engagement in response.context["engagements"]]


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def test_the_search_finds_title_venue_or_objectives(officer_client, team, hindpool):
    EngagementFactory(organisation=team, title="Surgery at the library", neighbourhood=hindpool)
    EngagementFactory(organisation=team, title="Walkabout", venue_name="Abbey Road precinct", neighbourhood=hindpool)
    EngagementFactory(organisation=team, title="Street meeting", objectives="Hear about parking near the school", neighbourhood=hindpool)
    assert titles(officer_client.get(reverse("crm:engagement-list"), {"q": "library"})) == ["Surgery at the library"]
    assert titles(officer_client.get(reverse("crm:engagement-list"), {"q": "abbey road"})) == ["Walkabout"]
    assert titles(officer_client.get(reverse("crm:engagement-list"), {"q": "PARKING"})) == ["Street meeting"]


def test_the_list_narrows_by_status_neighbourhood_and_dates(officer_client, team, hindpool):
    walney = NeighbourhoodFactory(force_area=hindpool.force_area, code="WAL", name="Walney")
    EngagementFactory(organisation=team, title="Held in Hindpool", neighbourhood=hindpool, starts_at=days_ago(40))
    EngagementFactory(organisation=team, title="Planned on Walney", neighbourhood=walney, status=EngagementStatus.PLANNED,
                      starts_at=timezone.now() + datetime.timedelta(days=3))
    EngagementFactory(organisation=team, title="Held on Walney", neighbourhood=walney, starts_at=days_ago(5))
    listed = lambda **query: sorted(titles(officer_client.get(reverse("crm:engagement-list"), query)))  # noqa: E731
    assert listed(status="planned") == ["Planned on Walney"]
    assert listed(neighbourhood=walney.pk) == ["Held on Walney", "Planned on Walney"]
    since = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    assert listed(starts_from=since) == ["Held on Walney", "Planned on Walney"]
    assert listed(starts_to=since) == ["Held in Hindpool"]
    assert listed(starts_from=since, ended="on") == ["Held on Walney"]


def test_only_mine_leaves_out_what_another_organisation_holds(officer_client, team, force, council, hindpool):
    from tests.sharing_protocols.conftest import publish_protocol

    EngagementFactory(organisation=team, title="Our beat meeting", neighbourhood=hindpool)
    EngagementFactory(organisation=council, title="The council's drop-in", neighbourhood=hindpool)
    publish_protocol(provider=council, recipient=force, categories=["engagements"])
    assert sorted(titles(officer_client.get(reverse("crm:engagement-list")))) == ["Our beat meeting", "The council's drop-in"]
    assert titles(officer_client.get(reverse("crm:engagement-list"), {"mine": "on"})) == ["Our beat meeting"]


def test_the_list_sorts_by_each_column_offered(officer_client, team, hindpool):
    EngagementFactory(organisation=team, title="Bravo", neighbourhood=hindpool, starts_at=days_ago(3), turnout=30)
    EngagementFactory(organisation=team, title="Alpha", neighbourhood=hindpool, starts_at=days_ago(9), turnout=4)
    EngagementFactory(organisation=team, title="Charlie", neighbourhood=hindpool, starts_at=days_ago(6), turnout=12)
    sorted_by = lambda o: titles(officer_client.get(reverse("crm:engagement-list"), {"o": o}))  # noqa: E731
    assert sorted_by("title") == ["Alpha", "Bravo", "Charlie"]
    assert sorted_by("-starts_at") == ["Bravo", "Charlie", "Alpha"]
    assert sorted_by("turnout") == ["Alpha", "Charlie", "Bravo"]


def test_a_bad_date_is_named_and_the_list_still_answers(officer_client, team, hindpool):
    EngagementFactory(organisation=team, title="Beat meeting", neighbourhood=hindpool)
    response = officer_client.get(reverse("crm:engagement-list"), {"starts_from": "2026-02-31", "o": "<script>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "From: Enter a valid date." in page and "Sort by: Select a valid choice." in page
    assert titles(response) == ["Beat meeting"]


def test_the_list_takes_the_same_queries_filtered_and_sorted_however_many(officer_client, team, hindpool, django_assert_num_queries):
    query = {"q": "meeting", "neighbourhood": hindpool.pk, "status": "held", "mine": "on", "o": "-turnout",
             "starts_from": (timezone.localdate() - datetime.timedelta(days=30)).isoformat()}
    EngagementFactory(organisation=team, neighbourhood=hindpool)
    # The unfiltered list's 7 (test_engagement_pages.py) + 1: the chosen neighbourhood, checked by the filter.
    with django_assert_num_queries(8):
        officer_client.get(reverse("crm:engagement-list"), query)
    EngagementFactory.create_batch(12, organisation=team, neighbourhood=hindpool)
    with django_assert_num_queries(8):
        response = officer_client.get(reverse("crm:engagement-list"), query)
    assert len(response.context["engagements"]) == 13
