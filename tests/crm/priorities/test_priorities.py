"""PACT: issues raised at a meeting become a priority, actions follow, and 'you said, we did' reports back."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Priority, PriorityAction
from tests.factories import EngagementFactory, EngagementIssueFactory, PriorityActionFactory, PriorityFactory, issue_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def pact_meeting(team, hindpool):
    meeting = EngagementFactory(organisation=team, kind="pact_meeting", title="Hindpool PACT, November", neighbourhood=hindpool)
    issue = EngagementIssueFactory(engagement=meeting, description="Drug dealing behind the chip shop", category=issue_category("drugs"))
    return meeting, issue


def test_a_priority_is_agreed_from_the_issues_raised_at_a_meeting(officer_client, pact_meeting, hindpool):
    meeting, issue = pact_meeting
    form_page = officer_client.get(reverse("crm:priority-create"), {"neighbourhood": hindpool.pk}).content.decode()
    assert "Drugs: Drug dealing behind the chip shop" in form_page
    response = officer_client.post(reverse("crm:priority-create"), {
        "neighbourhood": hindpool.pk, "category": issue_category("drugs").pk, "issue": "Drug dealing around the shops on Abbey Road.",
        "issue_date": timezone.localdate().isoformat(), "agreed_at": meeting.pk, "status": "agreed", "raised_issues": [issue.pk],
    }, follow=True)
    page = response.content.decode()
    assert "Priority agreed for Hindpool." in page
    assert "Drug dealing around the shops on Abbey Road." in page and "Hindpool PACT, November" in page
    assert list(Priority.objects.get().raised_issues.all()) == [issue]


def test_an_action_is_recorded_and_reported_back(officer_client, team, hindpool):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool)
    response = officer_client.post(reverse("crm:priority-action-add", args=[priority.pk]), {
        "action": "Warrant executed at a flat on Abbey Road.", "action_date": timezone.localdate().isoformat(), "status": "done",
        "reported_back_on": timezone.localdate().isoformat(),
    }, follow=True)
    assert "Action saved." in response.content.decode()
    assert "Warrant executed at a flat on Abbey Road." in response.content.decode()


def test_an_action_dated_before_the_priority_is_refused(officer_client, team, hindpool):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool)
    response = officer_client.post(reverse("crm:priority-action-add", args=[priority.pk]), {
        "action": "Leaflets", "action_date": (priority.issue_date - timedelta(days=3)).isoformat(), "status": "done",
    })
    assert response.context["form"].errors["action_date"] == ["An action cannot come before the priority was agreed."]
    assert not PriorityAction.objects.exists()


def test_you_said_we_did_pairs_each_priority_with_what_was_done(officer_client, team, hindpool, other_force):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Speeding on Walney Road.", category=issue_category("speeding"))
    PriorityActionFactory(priority=priority, action="Speed checks on six evenings; 14 drivers stopped.")
    PriorityFactory(organisation=other_force, neighbourhood=hindpool, issue="Another force's private matter.")
    page = officer_client.get(reverse("crm:you-said-we-did", args=[hindpool.pk])).content.decode()
    assert "Speeding on Walney Road." in page and "Speed checks on six evenings; 14 drivers stopped." in page
    assert "Another force&#x27;s private matter." not in page and "Another force's private matter." not in page


def test_an_outsider_gets_404_for_our_priority_and_cannot_act_on_it(outsider_client, team, hindpool):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool)
    assert outsider_client.get(reverse("crm:priority-detail", args=[priority.pk])).status_code == 404
    response = outsider_client.post(reverse("crm:priority-action-add", args=[priority.pk]), {"action": "x", "action_date": "2026-01-01", "status": "done"})
    assert response.status_code == 404 and not PriorityAction.objects.exists()


def test_priority_pages_take_the_same_queries_however_many_rows(officer_client, team, hindpool, django_assert_num_queries):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool)
    PriorityActionFactory(priority=priority)
    priority.raised_issues.add(EngagementIssueFactory(engagement=EngagementFactory(organisation=team, neighbourhood=hindpool)))
    # List: 1 session, 2 user, 3 count, 4 page with neighbourhoods and categories, 5-6 the filter's neighbourhoods and
    # categories, 7 roles.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(8):
        officer_client.get(reverse("crm:priority-list"))
    # Detail: 1 session, 2 user, 3 priority with neighbourhood and category, 4 actions, 5 raised issues with categories
    # (through visible_to), 6 roles, 7 its history. The meeting it was agreed at adds one when there is one.
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(8):
        officer_client.get(reverse("crm:priority-detail", args=[priority.pk]))
    # You said, we did: 1 session, 2 user, 3 neighbourhood, 4 priorities with categories, 5 actions, 6 roles,
    # 7 the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(7):
        officer_client.get(reverse("crm:you-said-we-did", args=[hindpool.pk]))
    for _ in range(4):
        PriorityActionFactory.create_batch(2, priority=PriorityFactory(organisation=team, neighbourhood=hindpool))
    with django_assert_num_queries(8):
        officer_client.get(reverse("crm:priority-list"))
    with django_assert_num_queries(7):
        officer_client.get(reverse("crm:you-said-we-did", args=[hindpool.pk]))
