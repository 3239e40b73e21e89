"""The priority list's search, filters, "needs attention" and sort (crm.filtersets.PriorityFilterSet over
visible_to), with the query count pinned filtered and sorted."""
import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from crm.models import PriorityStatus
from tests.factories import NeighbourhoodFactory, PriorityActionFactory, PriorityFactory, issue_category

pytestmark = pytest.mark.django_db


def issues(response) -> list[str]:
    return sorted(priority.issue for priority in response.context["priorities"])


def listed(client, **query) -> list[str]:
    return issues(client.get(reverse("crm:priority-list"), query))


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def test_the_search_finds_the_issue_or_its_outcome(officer_client, team, hindpool):
    PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Drug dealing behind the shops")
    PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Speeding on Abbey Road", status=PriorityStatus.RESOLVED,
                    outcome="Average speed cameras installed")
    assert listed(officer_client, q="dealing") == ["Drug dealing behind the shops"]
    assert listed(officer_client, q="CAMERAS") == ["Speeding on Abbey Road"]


def test_the_list_narrows_by_status_neighbourhood_category_and_date_agreed(officer_client, team, hindpool):
    walney = NeighbourhoodFactory(force_area=hindpool.force_area, code="WAL", name="Walney")
    PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Hindpool drugs", category=issue_category("drugs"), issue_date=days_ago(60))
    PriorityFactory(organisation=team, neighbourhood=walney, issue="Walney speeding", category=issue_category("speeding"),
                    status=PriorityStatus.IN_PROGRESS, issue_date=days_ago(5))
    PriorityFactory(organisation=team, neighbourhood=walney, issue="Walney drugs", category=issue_category("drugs"), issue_date=days_ago(20))
    assert listed(officer_client, status="in_progress") == ["Walney speeding"]
    assert listed(officer_client, neighbourhood=walney.pk) == ["Walney drugs", "Walney speeding"]
    assert listed(officer_client, category=issue_category("drugs").pk) == ["Hindpool drugs", "Walney drugs"]
    assert listed(officer_client, agreed_from=days_ago(30).isoformat()) == ["Walney drugs", "Walney speeding"]
    assert listed(officer_client, agreed_to=days_ago(30).isoformat()) == ["Hindpool drugs"]
    assert listed(officer_client, neighbourhood=walney.pk, category=issue_category("drugs").pk) == ["Walney drugs"]


@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")  # its pages keep the list's order
def test_needs_attention_finds_live_priorities_with_no_action_or_no_recent_update(officer_client, team, hindpool):
    stale = datetime.timedelta(weeks=settings.HUB_PRIORITY_STALE_WEEKS, days=3)
    PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Nothing done yet")
    PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Resolved long ago", status=PriorityStatus.RESOLVED)
    busy = PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Acted on last week")
    PriorityActionFactory(priority=busy, action_date=days_ago(7))
    quiet = PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Gone quiet", issue_date=timezone.localdate() - stale * 2)
    PriorityActionFactory(priority=quiet, action_date=timezone.localdate() - stale)
    type(quiet).objects.filter(pk=quiet.pk).update(updated_at=timezone.now() - stale)  # as if untouched since that action
    assert listed(officer_client, attention="no_action") == ["Nothing done yet"]
    assert listed(officer_client, attention="quiet") == ["Gone quiet"]


def test_the_list_sorts_by_each_column_offered(officer_client, team, hindpool):
    walney = NeighbourhoodFactory(force_area=hindpool.force_area, code="WAL", name="Walney")
    PriorityFactory(organisation=team, neighbourhood=walney, issue="Second", issue_date=days_ago(10), category=issue_category("speeding"))
    PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Oldest", issue_date=days_ago(30), category=issue_category("drugs"))
    PriorityFactory(organisation=team, neighbourhood=walney, issue="Newest", issue_date=days_ago(1), status=PriorityStatus.RESOLVED,
                    category=issue_category("parking"))
    in_order = lambda o: [p.issue for p in officer_client.get(reverse("crm:priority-list"), {"o": o}).context["priorities"]]  # noqa: E731
    assert in_order("-agreed") == ["Newest", "Second", "Oldest"]
    assert in_order("neighbourhood")[0] == "Oldest"
    assert in_order("category") == ["Oldest", "Newest", "Second"]
    assert in_order("-status")[0] == "Newest"


def test_a_bad_filter_is_named_and_the_list_still_answers(officer_client, team, hindpool):
    PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Still listed")
    response = officer_client.get(reverse("crm:priority-list"), {"agreed_from": "yesterday", "attention": "<b>", "category": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Agreed from: Enter a valid date." in page and "Needs attention: Select a valid choice." in page
    assert "Category: Select a valid choice." in page
    assert issues(response) == ["Still listed"]


def test_the_list_takes_the_same_queries_filtered_and_sorted_however_many(officer_client, team, hindpool, django_assert_num_queries):
    query = {"q": "precinct", "neighbourhood": hindpool.pk, "category": issue_category("anti-social-behaviour").pk, "status": "agreed",
             "attention": "no_action", "mine": "on", "o": "-agreed", "agreed_from": days_ago(90).isoformat()}
    PriorityFactory(organisation=team, neighbourhood=hindpool)
    # The unfiltered list's 8 (test_priorities.py) + 2: the chosen neighbourhood and category, checked by the filter.
    with django_assert_num_queries(10):
        officer_client.get(reverse("crm:priority-list"), query)
    PriorityFactory.create_batch(9, organisation=team, neighbourhood=hindpool)
    with django_assert_num_queries(10):
        response = officer_client.get(reverse("crm:priority-list"), query)
    assert len(response.context["priorities"]) == 10
