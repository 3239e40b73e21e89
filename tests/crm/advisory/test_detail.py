"""An advisory group's page: members, consultations and advice, for those who may see it, a 404 for anyone else."""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import AdviceResponse, EngagementKind, EngagementStatus
from tests.crm.advisory.helpers import days_ago, profile_for, text
from tests.factories import (
    AdvisoryAdviceFactory, AdvisoryGroupFactory, AdvisoryMembershipFactory, ContactFactory, EngagementFactory,
)

pytestmark = pytest.mark.django_db


def detail(client, group):
    return client.get(reverse("crm:advisory-detail", args=[group.pk]))


def without_csrf_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_an_outsider_gets_a_404_for_the_forces_advisory_group(outsider_client, iag):
    response = detail(outsider_client, iag)
    assert response.status_code == 404
    assert "Cumbria Independent Advisory Group" not in response.content.decode()


def test_a_partner_user_gets_a_404_for_the_forces_advisory_group(partner_client, iag):
    response = detail(partner_client, iag)
    assert response.status_code == 404
    assert "Cumbria Independent Advisory Group" not in response.content.decode()


def test_a_hidden_group_looks_exactly_like_a_missing_one(partner_client, iag):
    hidden = detail(partner_client, iag)
    missing = partner_client.get(reverse("crm:advisory-detail", args=[iag.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404
    assert without_csrf_token(hidden) == without_csrf_token(missing)


def test_an_officer_sees_current_and_former_members_and_who_chairs(officer_client, iag, force):
    AdvisoryMembershipFactory(advisory_group=iag, contact=ContactFactory(organisation=force, first_name="Amira", last_name="Begum"), is_chair=True, joined_on=datetime.date(2023, 4, 1))
    AdvisoryMembershipFactory(advisory_group=iag, contact=ContactFactory(organisation=force, first_name="Tom", last_name="Fell"), ethnic_group="white")
    AdvisoryMembershipFactory(
        advisory_group=iag, contact=ContactFactory(organisation=force, first_name="Jan", last_name="Nowak"),
        joined_on=datetime.date(2021, 1, 5), left_on=datetime.date(2024, 2, 29),
    )
    page = text(detail(officer_client, iag).content.decode())
    current, former = page.split("Current members (2)")[1].split("Former members (1)")
    assert "Amira Begum Chair 1 April 2023 Not given" in current
    assert "Tom Fell" in current and "Given" in current
    assert "Jan Nowak 5 January 2021 29 February 2024" in former
    assert "Jan Nowak" not in current


def test_a_member_whose_contact_is_not_shared_is_listed_without_a_name(officer_client, iag, other_force):
    AdvisoryMembershipFactory(advisory_group=iag, contact=ContactFactory(organisation=other_force, first_name="Secret", last_name="Person"))
    page = text(detail(officer_client, iag).content.decode())
    assert "Secret" not in page
    assert "A member whose contact record is not shared with you" in page


def test_consultations_are_listed_newest_first_with_date_and_turnout(officer_client, iag, team, other_force):
    now = timezone.now()
    EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag, title="Stop and search review", starts_at=now - datetime.timedelta(days=60), turnout=9)
    EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag, title="Body-worn video consultation", starts_at=now - datetime.timedelta(days=3), turnout=None)
    EngagementFactory(organisation=other_force, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag, title="Lancashire's own meeting")
    EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=AdvisoryGroupFactory(organisation=team), title="Another group's consultation")
    EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag, title="Hate crime briefing", starts_at=now + datetime.timedelta(days=10), status=EngagementStatus.PLANNED, turnout=None)

    page = text(detail(officer_client, iag).content.decode())

    consultations = page.split("Consultations held")[1].split("Advice given")[0]
    assert consultations.index("Hate crime briefing Planned") < consultations.index("Body-worn video") < consultations.index("Stop and search review")
    when = timezone.localtime(now - datetime.timedelta(days=60))
    assert f"{when.day} {when:%B %Y, %H:%M} Stop and search review 9" in consultations
    assert "Body-worn video consultation Not recorded" in consultations
    assert "Lancashire's own meeting" not in page
    assert "Another group's consultation" not in page


def test_advice_shows_what_the_force_did_with_it(officer_client, iag, force):
    AdvisoryAdviceFactory(advisory_group=iag, policy="Stop and search", advice="Publish monthly figures by ethnicity.", given_on=datetime.date(2024, 3, 1))
    AdvisoryAdviceFactory(
        advisory_group=iag, policy="Body-worn video", advice="Switch cameras on before any search.", given_on=datetime.date(2024, 1, 10),
        response=AdviceResponse.NOT_ADOPTED, force_response="Cameras are already on throughout; no change needed.", responded_on=datetime.date(2024, 2, 2),
    )
    page = text(detail(officer_client, iag).content.decode())
    advice = page.split("Advice given and what the force did with it")[1]
    assert "Stop and search Record the force's response to the advice on Stop and search Advice Publish monthly figures by ethnicity. Given on 1 March 2024 What the force did Awaiting the force's response" in advice
    assert "What the force did Not adopted (reasons given) The force's response Cameras are already on throughout; no change needed. Responded on 2 February 2024" in advice
    assert advice.index("Stop and search") < advice.index("Body-worn video")  # newest advice first


def test_advice_held_by_another_force_is_not_shown(officer_client, iag, other_force):
    AdvisoryAdviceFactory(advisory_group=iag, organisation=other_force, policy="Lancashire's secret policy")
    page = text(detail(officer_client, iag).content.decode())
    assert "Lancashire's secret policy" not in page
    assert "No advice is recorded for this group, or none is shared with you." in page


def test_a_partner_user_sees_their_own_agencys_group_without_the_record_buttons(partner_client, council):
    group = AdvisoryGroupFactory(organisation=council, name="Council youth panel", kind="youth")
    page = text(detail(partner_client, group).content.decode())
    assert "Council youth panel" in page
    assert "Add a member" not in page and "Record advice" not in page


def test_the_detail_page_takes_the_same_queries_however_many_members_and_advice(officer_client, iag, force, team, hindpool, ormsgill, django_assert_num_queries):
    iag.neighbourhoods.set([hindpool])
    profile_for(hindpool)
    AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="white")
    AdvisoryAdviceFactory(advisory_group=iag)
    EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag)
    # 1 session, 2 user, 3 the group with its organisation and force, 4 the neighbourhoods it advises on,
    # 5 members (and whether each contact is shared), 6 their contacts through visible_to, 7 consultations,
    # 8 advice, 9 the area's demographic profiles, 10 roles for the navigation and the record buttons.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(11):
        detail(officer_client, iag)
    iag.neighbourhoods.add(ormsgill)
    profile_for(ormsgill)
    profile_for(hindpool)
    for n in range(10):
        AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="asian", age_band="25-44", left_on=days_ago(1) if n % 3 == 0 else None)
        AdvisoryAdviceFactory(advisory_group=iag, consultation=EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag))
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(11):
        response = detail(officer_client, iag)
    page = text(response.content.decode())
    assert "Current members (7)" in page and "Former members (4)" in page
    assert page.count("Record the force's response to the advice on") == 11
