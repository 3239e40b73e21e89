"""The contacts, partner contacts, community groups and advisory groups lists: search, filters, "only mine" and
sortable columns, all through one FilterSet pattern (access.filtering) over visible_to, with their query counts pinned."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import AdviceResponse, AdvisoryGroupKind, CommunityGroupKind, PoliceSupport
from organisations.models import OrganisationKind
from tests.factories import (
    AdvisoryAdviceFactory, AdvisoryGroupFactory, AdvisoryMembershipFactory, CommunityGroupFactory, ContactFactory, NeighbourhoodFactory,
    OrganisationFactory, PartnerContactFactory, under_represented,
)

pytestmark = pytest.mark.django_db


def names_in(response, key: str, attribute: str = "name") -> list[str]:
    return [getattr(row, attribute) for row in response.context[key]]


@pytest.fixture
def hindpool(db):
    return NeighbourhoodFactory(name="Hindpool")


@pytest.fixture
def walney(db):
    return NeighbourhoodFactory(name="Walney")


# Community contacts ---------------------------------------------------------------------------------------------


def test_contacts_are_found_by_postcode_without_its_space_and_narrowed_by_neighbourhood(officer_client, team, hindpool, walney):
    ContactFactory(organisation=team, first_name="Aisha", last_name="Khan", postcode="LA14 1AB", neighbourhood=hindpool)
    ContactFactory(organisation=team, first_name="Ben", last_name="Khan", postcode="LA14 3XY", neighbourhood=walney)
    url = reverse("crm:contact-list")
    assert names_in(officer_client.get(url, {"q": "la141ab"}), "contacts", "first_name") == ["Aisha"]
    assert names_in(officer_client.get(url, {"q": "Khan", "neighbourhood": walney.pk}), "contacts", "first_name") == ["Ben"]


def test_contacts_due_for_review_are_filtered_and_the_list_sorts_by_keep_until(officer_client, team):
    today = timezone.localdate()
    ContactFactory(organisation=team, first_name="Overdue", last_name="Adams", retain_until=today - datetime.timedelta(days=3))
    ContactFactory(organisation=team, first_name="Later", last_name="Brown", retain_until=today + datetime.timedelta(days=300))
    ContactFactory(organisation=team, first_name="Sooner", last_name="Cole", retain_until=today + datetime.timedelta(days=30))
    url = reverse("crm:contact-list")
    assert names_in(officer_client.get(url, {"review_due": "on"}), "contacts", "first_name") == ["Overdue"]
    assert names_in(officer_client.get(url, {"o": "-keep_until"}), "contacts", "first_name") == ["Later", "Sooner", "Overdue"]
    assert names_in(officer_client.get(url), "contacts", "first_name") == ["Overdue", "Later", "Sooner"]  # by surname


def test_contacts_filter_by_community(officer_client, team):
    aisha = ContactFactory(organisation=team, first_name="Aisha")
    aisha.communities.add(under_represented("older-people"))
    ContactFactory(organisation=team, first_name="Ben")
    response = officer_client.get(reverse("crm:contact-list"), {"community": under_represented("older-people").pk})
    assert names_in(response, "contacts", "first_name") == ["Aisha"]


def test_only_mine_leaves_out_contacts_another_organisation_holds(client, administrator, force, other_force):
    # A superuser sees every organisation's contacts; "only mine" keeps those of the organisations they belong to.
    administrator.is_superuser = True
    administrator.save(update_fields=["is_superuser"])
    client.force_login(administrator)
    ContactFactory(organisation=force, first_name="Ours")
    ContactFactory(organisation=other_force, first_name="Theirs")
    url = reverse("crm:contact-list")
    assert sorted(names_in(client.get(url), "contacts", "first_name")) == ["Ours", "Theirs"]
    assert names_in(client.get(url, {"mine": "on"}), "contacts", "first_name") == ["Ours"]


def test_a_bad_filter_is_named_and_the_list_still_answers(officer_client, team):
    ContactFactory(organisation=team, first_name="Aisha")
    response = officer_client.get(reverse("crm:contact-list"), {"neighbourhood": "not-a-number", "o": "<script>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Neighbourhood: Select a valid choice." in page and "Sort by: Select a valid choice." in page
    assert names_in(response, "contacts", "first_name") == ["Aisha"]


def test_the_contact_list_takes_the_same_queries_filtered_and_sorted_however_many_contacts(officer_client, team, hindpool,
                                                                                           django_assert_num_queries):
    ContactFactory(organisation=team, neighbourhood=hindpool)
    url, query = reverse("crm:contact-list"), {"q": "Smith", "neighbourhood": hindpool.pk, "o": "-keep_until"}
    officer_client.get(url, query)  # warm caches
    # 1 session, 2 user, 3 count for the paginator, 4 the page of contacts with neighbourhoods, 5 their communities,
    # 6 the filter's neighbourhood (checked), 7 the filter's communities, 8 the filter's neighbourhoods offered,
    # 9 roles for the navigation.
    with django_assert_num_queries(10):  # + 1: the reader's grant set (access/grants.py)
        officer_client.get(url, query)
    ContactFactory.create_batch(12, organisation=team, neighbourhood=hindpool)
    with django_assert_num_queries(10):  # + 1: the reader's grant set (access/grants.py)
        response = officer_client.get(url, query)
    assert len(response.context["contacts"]) == 13


# Partner contacts -----------------------------------------------------------------------------------------------


@pytest.fixture
def licensing(db):
    return OrganisationFactory(name="Barrow Licensing Service", slug="barrow-licensing", kind=OrganisationKind.LICENSING)


@pytest.fixture
def housing(db):
    return OrganisationFactory(name="Abbey Housing", slug="abbey-housing", kind=OrganisationKind.HOUSING)


def test_partner_contacts_filter_by_agency_and_sort_by_name(officer_client, team, licensing, housing):
    PartnerContactFactory(organisation=team, partner_organisation=licensing, name="Zara Lee")
    PartnerContactFactory(organisation=team, partner_organisation=licensing, name="Adam Fry")
    PartnerContactFactory(organisation=team, partner_organisation=housing, name="Mo Patel", role="Housing officer", topics=["housing"])
    url = reverse("crm:partner-contact-list")
    assert names_in(officer_client.get(url, {"agency": licensing.pk, "o": "name"}), "partner_contacts") == ["Adam Fry", "Zara Lee"]
    assert names_in(officer_client.get(url, {"o": "-agency"}), "partner_contacts")[-1] == "Mo Patel"  # Abbey Housing last
    assert names_in(officer_client.get(url, {"q": "housing"}), "partner_contacts") == ["Mo Patel"]


def test_the_partner_contact_list_takes_the_same_queries_filtered_however_many_rows(officer_client, team, licensing, hindpool,
                                                                                   django_assert_num_queries):
    PartnerContactFactory(organisation=team, partner_organisation=licensing).neighbourhoods.add(hindpool)
    url, query = reverse("crm:partner-contact-list"), {"q": "licensing", "neighbourhood": hindpool.pk, "agency": licensing.pk, "o": "name"}
    officer_client.get(url, query)  # warm caches
    # 1 session, 2 user, 3 the chosen neighbourhood and 4 the chosen agency (checking the choices), 5 count, 6 the page
    # with each agency, 7 their neighbourhoods, 8 their wards, 9 neighbourhoods, 10 wards and areas and 11 agencies
    # for the filters, 12 roles for the navigation.
    with django_assert_num_queries(13):  # + 1: the reader's grant set (access/grants.py)
        officer_client.get(url, query)
    for _ in range(6):
        PartnerContactFactory(organisation=team, partner_organisation=licensing).neighbourhoods.add(hindpool)
    with django_assert_num_queries(13):  # + 1: the reader's grant set (access/grants.py)
        response = officer_client.get(url, query)
    assert len(response.context["partner_contacts"]) == 7


# Community groups -----------------------------------------------------------------------------------------------


def test_groups_are_searched_by_name_or_meeting_place_and_filtered_by_police_support(officer_client, team):
    CommunityGroupFactory(organisation=team, name="Hindpool lunch club", meeting_place="St Luke's hall", police_support=PoliceSupport.LIAISON)
    CommunityGroupFactory(organisation=team, name="Walney youth club", kind=CommunityGroupKind.YOUTH, police_support=PoliceSupport.NONE)
    url = reverse("crm:group-list")
    assert names_in(officer_client.get(url, {"q": "luke's"}), "groups") == ["Hindpool lunch club"]
    assert names_in(officer_client.get(url, {"police_support": "liaison"}), "groups") == ["Hindpool lunch club"]
    assert names_in(officer_client.get(url, {"o": "-name"}), "groups") == ["Walney youth club", "Hindpool lunch club"]


def test_the_group_list_takes_the_same_queries_filtered_and_sorted_however_many_groups(officer_client, team, hindpool,
                                                                                     django_assert_num_queries):
    CommunityGroupFactory(organisation=team).neighbourhoods.add(hindpool)
    url, query = reverse("crm:group-list"), {"q": "group", "neighbourhood": hindpool.pk, "registered": "no", "o": "-kind"}
    officer_client.get(url, query)  # warm caches
    # 1 session, 2 user, 3 count, 4 the page of groups, 5 their neighbourhoods, 6 the filter's neighbourhood (checked),
    # 7 the neighbourhoods offered, 8 roles for the navigation.
    with django_assert_num_queries(9):  # + 1: the reader's grant set (access/grants.py)
        officer_client.get(url, query)
    for _ in range(6):
        CommunityGroupFactory(organisation=team).neighbourhoods.add(hindpool)
    with django_assert_num_queries(9):  # + 1: the reader's grant set (access/grants.py)
        response = officer_client.get(url, query)
    assert len(response.context["groups"]) == 7


# Advisory groups ------------------------------------------------------------------------------------------------


def test_advisory_groups_filter_by_advice_awaiting_a_response_and_sort_by_members(officer_client, force):
    quiet = AdvisoryGroupFactory(organisation=force, name="Youth IAG", kind=AdvisoryGroupKind.YOUTH)
    busy = AdvisoryGroupFactory(organisation=force, name="Barrow IAG")
    AdvisoryMembershipFactory.create_batch(3, advisory_group=quiet)
    AdvisoryMembershipFactory(advisory_group=busy)
    AdvisoryAdviceFactory(organisation=force, advisory_group=busy, response=AdviceResponse.AWAITING)
    url = reverse("crm:advisory-list")
    assert names_in(officer_client.get(url, {"awaiting": "on"}), "groups") == ["Barrow IAG"]
    assert names_in(officer_client.get(url, {"o": "-members"}), "groups") == ["Youth IAG", "Barrow IAG"]
    assert names_in(officer_client.get(url, {"kind": "youth"}), "groups") == ["Youth IAG"]


def test_the_advisory_list_takes_the_same_queries_filtered_and_sorted_however_many_groups(officer_client, force,
                                                                                        django_assert_num_queries):
    AdvisoryGroupFactory(organisation=force)
    url, query = reverse("crm:advisory-list"), {"q": "group", "o": "-advice"}
    officer_client.get(url, query)  # warm caches
    # 1 session, 2 user, 3 count, 4 the page of groups with their counts (subqueries), 5 the neighbourhoods they advise
    # on, 6 the neighbourhoods for the filter, 7 roles for the navigation and the "Add" button.
    with django_assert_num_queries(8):  # + 1: the reader's grant set (access/grants.py)
        officer_client.get(url, query)
    for _ in range(5):
        AdvisoryMembershipFactory(advisory_group=AdvisoryGroupFactory(organisation=force))
    with django_assert_num_queries(8):  # + 1: the reader's grant set (access/grants.py)
        response = officer_client.get(url, query)
    assert len(response.context["groups"]) == 6
