"""The list of advisory groups: only those the user may see, with their members and work."""
import re

import pytest
from django.urls import reverse

from crm.models import AdviceResponse, EngagementKind
from tests.crm.advisory.helpers import days_ago, text
from tests.factories import AdvisoryAdviceFactory, AdvisoryGroupFactory, AdvisoryMembershipFactory, EngagementFactory

pytestmark = pytest.mark.django_db


def test_signing_in_is_required(client, iag):
    response = client.get(reverse("crm:advisory-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_officer_sees_the_forces_and_the_teams_groups_with_their_work(officer_client, iag, team, hindpool, other_force):
    AdvisoryMembershipFactory.create_batch(3, advisory_group=iag)
    AdvisoryMembershipFactory(advisory_group=iag, left_on=days_ago(1))  # left: not counted
    EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag)
    AdvisoryAdviceFactory(advisory_group=iag)
    AdvisoryAdviceFactory(advisory_group=iag, response=AdviceResponse.ADOPTED, force_response="Done.", responded_on=days_ago(1))
    youth = AdvisoryGroupFactory(organisation=team, name="Barrow Youth Advisory Group", kind="youth")
    youth.neighbourhoods.set([hindpool])
    AdvisoryGroupFactory(organisation=other_force, name="Lancashire IAG")

    page = text(officer_client.get(reverse("crm:advisory-list")).content.decode())

    assert "Cumbria Independent Advisory Group Independent advisory group The whole force 3 1 2 1 awaiting a response" in page
    assert "Barrow Youth Advisory Group Youth advisory group Hindpool 0 0 0" in page
    assert "Lancashire IAG" not in page
    assert "Add an advisory group" in page


def test_a_partner_user_sees_none_of_the_forces_groups_and_cannot_add_one(partner_client, iag):
    page = text(partner_client.get(reverse("crm:advisory-list")).content.decode())
    assert "Cumbria Independent Advisory Group" not in page
    assert "No advisory groups are shared with you yet." in page
    assert "Add an advisory group" not in page


def test_an_outsider_sees_their_own_forces_groups_only(outsider_client, iag, other_force):
    AdvisoryGroupFactory(organisation=other_force, name="Lancashire IAG")
    page = text(outsider_client.get(reverse("crm:advisory-list")).content.decode())
    assert "Lancashire IAG" in page
    assert "Cumbria Independent Advisory Group" not in page


def test_consultations_and_advice_another_force_holds_are_not_counted(officer_client, iag, other_force):
    EngagementFactory(organisation=other_force, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag)
    AdvisoryAdviceFactory(advisory_group=iag, organisation=other_force)
    page = text(officer_client.get(reverse("crm:advisory-list")).content.decode())
    assert "Cumbria Independent Advisory Group Independent advisory group The whole force 0 0 0" in page


def test_the_list_takes_the_same_queries_however_many_groups_members_and_advice(officer_client, force, team, hindpool, ormsgill, iag, django_assert_num_queries):
    # 1 session, 2 user, 3 count for the paginator, 4 the page of groups with their counts (subqueries),
    # 5 the neighbourhoods they advise on (prefetch), 6 the neighbourhoods for the filter, 7 roles for the navigation
    # and the "Add" button.
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(8):
        officer_client.get(reverse("crm:advisory-list"))
    for n in range(8):
        group = AdvisoryGroupFactory(organisation=team if n % 2 else force, name=f"Advisory group {n}")
        group.neighbourhoods.set([hindpool, ormsgill])
        AdvisoryMembershipFactory.create_batch(3, advisory_group=group)
        AdvisoryAdviceFactory.create_batch(2, advisory_group=group)
        EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=group)
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(8):
        response = officer_client.get(reverse("crm:advisory-list"))
    assert len(re.findall(r'href="/advisory-groups/\d+/"', response.content.decode())) == 9
    assert text(response.content.decode()).count("Hindpool, Ormsgill 3 1 2 2 awaiting a response") == 8
