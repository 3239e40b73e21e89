"""The people pages go through visible_to: colleagues listed, anyone else a 404."""
import re

import pytest
from django.urls import reverse

from organisations.models import Membership
from access.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_signing_in_is_required(client, officer):
    response = client.get(reverse("crm:people"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_officer_sees_colleagues_and_not_partners_or_outsiders(officer_client, partner_user, outsider):
    response = officer_client.get(reverse("crm:people"))
    page = response.content.decode()
    assert "Priya Shah" in page
    assert "Hindpool neighbourhood team" in page
    assert "Sam Okafor" not in page
    assert "Olly Outsider" not in page


def test_a_partner_user_sees_only_their_agency(partner_client, officer):
    page = partner_client.get(reverse("crm:people")).content.decode()
    assert "Sam Okafor" in page
    assert "Priya Shah" not in page


def test_a_colleague_page_shows_their_role_and_email(officer_client, team):
    colleague = UserFactory(username="pcso-jones", first_name="Gwen", last_name="Jones", email="gwen.jones@example.org")
    membership = MembershipFactory(user=colleague, organisation=team, role=Role.OFFICER, job_title="PCSO")
    page = officer_client.get(reverse("crm:person", args=[membership.pk])).content.decode()
    assert "Gwen Jones" in page
    assert "Officer or PCSO" in page
    assert "gwen.jones@example.org" in page


def test_someone_from_another_organisation_is_a_404_not_a_403(officer_client, outsider):
    membership = Membership.objects.get(user=outsider)
    response = officer_client.get(reverse("crm:person", args=[membership.pk]))
    assert response.status_code == 404
    assert "Olly" not in response.content.decode()


def test_an_invisible_person_looks_exactly_like_a_missing_one(officer_client, outsider):
    hidden = officer_client.get(reverse("crm:person", args=[Membership.objects.get(user=outsider).pk]))
    missing = officer_client.get(reverse("crm:person", args=[987654]))
    assert hidden.status_code == missing.status_code == 404
    without_csrf_token = lambda response: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())  # noqa: E731
    assert without_csrf_token(hidden) == without_csrf_token(missing)


def test_the_people_list_takes_the_same_queries_however_many_people(officer_client, team, django_assert_num_queries):
    # 1 session, 2 user, 3 roles for the navigation, 4 count for the paginator, 5 the page of memberships.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(6):
        officer_client.get(reverse("crm:people"))
    for n in range(20):
        MembershipFactory(user=UserFactory(username=f"extra{n}"), organisation=team, role=Role.OFFICER)
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(6):
        response = officer_client.get(reverse("crm:people"))
    assert len(re.findall(r'href="/people/\d+/"', response.content.decode())) == 22


def test_the_person_page_takes_five_queries(officer_client, officer, django_assert_num_queries):
    membership = Membership.objects.filter(user=officer).first()
    # 1 session, 2 user, 3 the membership with its user and organisation, 4 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(5):
        officer_client.get(reverse("crm:person", args=[membership.pk]))
