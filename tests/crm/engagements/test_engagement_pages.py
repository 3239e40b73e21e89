"""Engagement lists and pages: through visible_to, with their query counts pinned."""
import pytest
from django.urls import reverse

from crm.models import Engagement, EngagementKind
from tests.factories import EngagementFactory, EngagementIssueFactory

pytestmark = pytest.mark.django_db


def test_an_officer_lists_their_forces_engagements_only(officer_client, team, other_force, hindpool):
    EngagementFactory(organisation=team, title="Hindpool beat meeting", neighbourhood=hindpool)
    EngagementFactory(organisation=other_force, title="Preston surgery")
    page = officer_client.get(reverse("crm:engagement-list")).content.decode()
    assert "Hindpool beat meeting" in page
    assert "Preston surgery" not in page


def test_an_outsider_and_a_partner_get_404_for_an_engagement(outsider_client, team, hindpool, partner_user, client):
    engagement = EngagementFactory(organisation=team, neighbourhood=hindpool)
    for url in (reverse("crm:engagement-detail", args=[engagement.pk]), reverse("crm:engagement-edit", args=[engagement.pk])):
        assert outsider_client.get(url).status_code == 404
    client.force_login(partner_user)
    assert client.get(reverse("crm:engagement-detail", args=[engagement.pk])).status_code == 404


def test_the_list_filters_by_type(officer_client, team, hindpool):
    EngagementFactory(organisation=team, title="Street meeting on Abbey Road", kind=EngagementKind.STREET_MEETING)
    EngagementFactory(organisation=team, title="Beat meeting at the library")
    page = officer_client.get(reverse("crm:engagement-list"), {"kind": "street_meeting"}).content.decode()
    assert "Street meeting on Abbey Road" in page and "Beat meeting at the library" not in page


def test_the_list_takes_the_same_queries_however_many_engagements(officer_client, team, hindpool, django_assert_num_queries):
    EngagementFactory(organisation=team, neighbourhood=hindpool)
    # 1 session, 2 user, 3 count for the paginator, 4 the page of engagements with neighbourhoods, 5 the filter's
    # neighbourhoods, 6 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(7):
        officer_client.get(reverse("crm:engagement-list"))
    EngagementFactory.create_batch(15, organisation=team, neighbourhood=hindpool)
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(7):
        response = officer_client.get(reverse("crm:engagement-list"))
    assert len(response.context["engagements"]) == 16


def test_the_engagement_page_takes_the_same_queries_however_much_it_holds(officer_client, officer, team, hindpool, django_assert_num_queries):
    engagement = EngagementFactory(organisation=team, neighbourhood=hindpool)
    engagement.officers.set([officer])
    EngagementIssueFactory(engagement=engagement)
    # 1 session, 2 user, 3 the engagement with neighbourhood, owner, advisory group and questionnaire,
    # 4 officers, 5 partners, 6 groups reached, 7 issues with categories, 8 questions sent before the meeting,
    # 9 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(10):
        officer_client.get(reverse("crm:engagement-detail", args=[engagement.pk]))
    EngagementIssueFactory.create_batch(5, engagement=engagement)
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(10):
        page = officer_client.get(reverse("crm:engagement-detail", args=[engagement.pk])).content.decode()
    assert page.count("Youths gathering by the shops") == 6


def test_editing_keeps_the_owner_and_records_who_changed_it(officer_client, officer, team, hindpool):
    engagement = EngagementFactory(organisation=team, neighbourhood=hindpool, turnout=4, title="Beat meeting at the library")
    engagement.officers.set([officer])
    form = officer_client.get(reverse("crm:engagement-edit", args=[engagement.pk])).context["form"]
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update({"starts_at": engagement.starts_at.astimezone().strftime("%Y-%m-%dT%H:%M"), "turnout": "9",
                 "officers": [officer.pk], "kind": engagement.kind, "status": "held", "objectives_met": "met",
                 "title": engagement.title, "venue_kind": "community_centre"})
    data = {k: v for k, v in data.items() if k not in ("groups_reached", "partners", "adjustments", "neighbourhood", "ends_at", "advisory_group", "questionnaire")}
    officer_client.post(reverse("crm:engagement-edit", args=[engagement.pk]), data)
    engagement.refresh_from_db()
    assert engagement.turnout == 9 and engagement.organisation == team
    last_change = Engagement.pgh_event_model.objects.filter(pgh_obj=engagement).order_by("-pgh_id").first()
    assert last_change.pgh_label == "update"
    assert last_change.pgh_context.metadata["user"] == officer.pk


def test_bulk_updates_are_in_the_history_too(team, hindpool):
    EngagementFactory.create_batch(3, organisation=team, neighbourhood=hindpool, turnout=5)
    Engagement.objects.filter(organisation=team).update(turnout=0)  # no signals fire: the triggers still record it
    updates = Engagement.pgh_event_model.objects.filter(pgh_label="update")
    assert updates.count() == 3 and set(updates.values_list("turnout", flat=True)) == {0}
