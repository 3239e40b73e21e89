"""Partner contacts: the named people at agencies, and the one search that answers
"who in licensing covers this ward?"."""
import re

import pytest
from django.urls import reverse

from organisations.models import OrganisationKind
from crm.models import PartnerContact
from geo.models import SmallAreaKind
from tests.crm.contacts.helpers import page_text, team_colleague
from tests.factories import NeighbourhoodFactory, OrganisationFactory, PartnerContactFactory, SmallAreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def licensing(db):
    return OrganisationFactory(name="Barrow Licensing Service", slug="barrow-licensing", kind=OrganisationKind.LICENSING)


@pytest.fixture
def hindpool(db):
    return NeighbourhoodFactory(name="Hindpool")


@pytest.fixture
def hindpool_ward(hindpool):
    return SmallAreaFactory(kind=SmallAreaKind.WARD, code="E05013372", name="Hindpool ward", neighbourhood=hindpool)


@pytest.fixture
def risedale_ward(db):
    return SmallAreaFactory(kind=SmallAreaKind.WARD, code="E05013380", name="Risedale ward")


@pytest.fixture
def lena(team, licensing, hindpool_ward):
    """The licensing officer covering Hindpool ward, recorded by the officer's team."""
    person = PartnerContactFactory(
        organisation=team, partner_organisation=licensing, name="Lena Marsh", role="Licensing enforcement officer",
        topics=["licensing", "late-night venues"], email="lena.marsh@licensing.example.org",
    )
    person.small_areas.add(hindpool_ward)
    return person


def valid_post(agency, **changes) -> dict:
    data = {
        "partner_organisation": agency.pk, "name": "Dev Patel", "role": "Noise officer", "topics": "Noise, licensing",
        "phone": "01229 876543", "email": "",
    }
    data.update(changes)
    return data


# The search ----------------------------------------------------------------------------------


def test_searching_licensing_and_choosing_the_ward_finds_the_licensing_officer_covering_it(
    officer_client, team, licensing, hindpool, hindpool_ward, risedale_ward, lena,
):
    elsewhere = PartnerContactFactory(organisation=team, partner_organisation=licensing, name="Rob Quayle", role="Licensing officer")
    elsewhere.small_areas.add(risedale_ward)
    noise = PartnerContactFactory(
        organisation=team, partner_organisation=OrganisationFactory(kind=OrganisationKind.ENVIRONMENTAL_HEALTH, name="Env Health"),
        name="Nia Noise", role="Noise officer", topics=["noise"],
    )
    noise.small_areas.add(hindpool_ward)
    whole_beat = PartnerContactFactory(organisation=team, partner_organisation=licensing, name="Bea Beat", role="Licensing manager")
    whole_beat.neighbourhoods.add(hindpool)  # covers the neighbourhood the ward lies in

    response = officer_client.get(reverse("crm:partner-contact-list"), {"q": "licensing", "area": hindpool_ward.pk})
    text = page_text(response)
    assert "Lena Marsh" in text
    assert "Bea Beat" in text
    assert "Rob Quayle" not in text
    assert "Nia Noise" not in text
    assert "2 matches" in text


def test_the_ward_select_offers_wards_by_their_ons_code(officer_client, hindpool_ward, risedale_ward):
    page = page_text(officer_client.get(reverse("crm:partner-contact-list")))
    assert "Hindpool ward (E05013372)" in page
    assert "Risedale ward (E05013380)" in page


def test_searching_by_neighbourhood_finds_who_covers_it(officer_client, team, licensing, hindpool):
    person = PartnerContactFactory(organisation=team, partner_organisation=licensing, name="Bea Beat")
    person.neighbourhoods.add(hindpool)
    PartnerContactFactory(organisation=team, partner_organisation=licensing, name="Rob Quayle")
    text = page_text(officer_client.get(reverse("crm:partner-contact-list"), {"neighbourhood": hindpool.pk}))
    assert "Bea Beat" in text
    assert "Rob Quayle" not in text


def test_a_search_that_finds_nobody_says_so(officer_client, lena):
    text = page_text(officer_client.get(reverse("crm:partner-contact-list"), {"q": "graffiti"}))
    assert "No partner contacts match your search." in text


def test_the_search_pages_keep_the_search(officer_client, team, licensing):
    PartnerContactFactory.create_batch(27, organisation=team, partner_organisation=licensing)
    response = officer_client.get(reverse("crm:partner-contact-list"), {"q": "licensing"})
    assert "?q=licensing&amp;page=2" in response.content.decode()
    second = officer_client.get(reverse("crm:partner-contact-list"), {"q": "licensing", "page": 2})
    assert len(re.findall(r'href="/partner-contacts/\d+/"', second.content.decode())) == 2


# Who sees what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona_client", ["outsider_client", "partner_client"])
def test_an_outsider_and_a_partner_user_get_a_404_for_the_officers_partner_contact(request, persona_client, lena):
    client = request.getfixturevalue(persona_client)
    for url in (reverse("crm:partner-contact-detail", args=[lena.pk]), reverse("crm:partner-contact-edit", args=[lena.pk])):
        response = client.get(url)
        assert response.status_code == 404
        assert "Lena" not in response.content.decode()


@pytest.mark.parametrize("persona_client", ["outsider_client", "partner_client"])
def test_an_outsider_and_a_partner_user_never_find_the_officers_partner_contact(request, persona_client, hindpool_ward, lena):
    client = request.getfixturevalue(persona_client)
    for search in ({}, {"q": "licensing"}, {"q": "Lena"}, {"q": "licensing", "area": hindpool_ward.pk}):
        response = client.get(reverse("crm:partner-contact-list"), search)
        assert f'href="/partner-contacts/{lena.pk}/"' not in response.content.decode()
        assert "Lena Marsh" not in page_text(response)


def test_a_colleague_in_the_officers_neighbourhood_team_finds_the_partner_contact(client, team, hindpool_ward, lena):
    client.force_login(team_colleague(team))
    assert "Lena Marsh" in page_text(client.get(reverse("crm:partner-contact-list"), {"q": "licensing", "area": hindpool_ward.pk}))
    assert client.get(reverse("crm:partner-contact-detail", args=[lena.pk])).status_code == 200


# The detail page ----------------------------------------------------------------------------------


def test_the_partner_contact_page_shows_what_and_where_they_cover(officer_client, lena):
    text = page_text(officer_client.get(reverse("crm:partner-contact-detail", args=[lena.pk])))
    for expected in (
        "Lena Marsh", "Licensing enforcement officer", "Barrow Licensing Service (Licensing)", "licensing, late-night venues",
        "Hindpool ward (E05013372)", "lena.marsh@licensing.example.org", "History of changes",
    ):
        assert expected in text


# Adding and changing ---------------------------------------------------------------------------------


def test_an_officer_adds_a_partner_contact_for_their_team(officer_client, officer, team, licensing, hindpool, hindpool_ward):
    response = officer_client.post(reverse("crm:partner-contact-create"), valid_post(
        licensing, neighbourhoods=[hindpool.pk], small_areas=[hindpool_ward.pk],
    ), follow=True)
    person = PartnerContact.objects.get(name="Dev Patel")
    assert response.redirect_chain[-1][0] == reverse("crm:partner-contact-detail", args=[person.pk])
    assert "Dev Patel was added." in page_text(response)
    assert person.organisation == team
    assert person.created_by == officer
    assert person.topics == ["licensing", "noise"]
    assert list(person.neighbourhoods.all()) == [hindpool]
    assert list(person.small_areas.all()) == [hindpool_ward]


def test_an_officer_changes_a_partner_contact(officer_client, licensing, lena):
    officer_client.post(reverse("crm:partner-contact-edit", args=[lena.pk]), valid_post(
        licensing, name="Lena Marsh", role="Senior licensing officer", topics="licensing", email=lena.email, phone="",
    ))
    lena.refresh_from_db()
    assert lena.role == "Senior licensing officer"
    assert lena.small_areas.count() == 0  # the form unticked the ward


def test_the_agency_choices_are_partner_agencies_not_police_teams(officer_client, licensing, team, force):
    page = page_text(officer_client.get(reverse("crm:partner-contact-create")))
    assert "Barrow Licensing Service" in page
    assert "Hindpool neighbourhood team" not in page.split("Agency", 1)[1].split("Role or job title", 1)[0]


def test_a_partner_contact_with_neither_phone_nor_email_is_refused(officer_client, licensing):
    response = officer_client.post(reverse("crm:partner-contact-create"), valid_post(licensing, phone="", email=""))
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == ["Give a phone number or an email address, so the contact can be reached."]
    assert "Give a phone number or an email address, so the contact can be reached." in page_text(response)
    assert not PartnerContact.objects.exists()


def test_removing_the_only_way_to_reach_a_partner_contact_is_refused(officer_client, licensing, lena):
    response = officer_client.post(reverse("crm:partner-contact-edit", args=[lena.pk]), valid_post(
        licensing, name="Lena Marsh", role=lena.role, phone="", email="",
    ))
    assert "Give a phone number or an email address" in " ".join(response.context["form"].errors["phone"])
    lena.refresh_from_db()
    assert lena.email == "lena.marsh@licensing.example.org"


def test_an_agency_is_required(officer_client, licensing):
    response = officer_client.post(reverse("crm:partner-contact-create"), valid_post(licensing, partner_organisation=""))
    assert response.context["form"].errors["partner_organisation"] == ["Choose the agency they work for."]
    assert not PartnerContact.objects.exists()


# Query counts ----------------------------------------------------------------------------------------


def add_partner_contacts(n, *, team, licensing, hindpool, ward):
    for _ in range(n):
        person = PartnerContactFactory(organisation=team, partner_organisation=licensing)
        person.neighbourhoods.add(hindpool)
        person.small_areas.add(ward)


def test_the_partner_contact_list_takes_the_same_queries_however_many_rows(
    officer_client, team, licensing, hindpool, hindpool_ward, django_assert_num_queries,
):
    add_partner_contacts(2, team=team, licensing=licensing, hindpool=hindpool, ward=hindpool_ward)
    # 1 session, 2 user, 3 count for the paginator, 4 the page with each agency, 5 their neighbourhoods,
    # 6 their wards, 7 neighbourhoods for the search, 8 wards and areas for the search, 9 agencies for the search,
    # 10 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(11):
        officer_client.get(reverse("crm:partner-contact-list"))
    add_partner_contacts(20, team=team, licensing=licensing, hindpool=hindpool, ward=hindpool_ward)
    with django_assert_num_queries(11):
        response = officer_client.get(reverse("crm:partner-contact-list"))
    assert len(re.findall(r'href="/partner-contacts/\d+/"', response.content.decode())) == 22


def test_the_ward_search_takes_the_same_queries_however_many_rows(
    officer_client, team, licensing, hindpool, hindpool_ward, django_assert_num_queries,
):
    search = {"q": "licensing", "area": hindpool_ward.pk}
    add_partner_contacts(2, team=team, licensing=licensing, hindpool=hindpool, ward=hindpool_ward)
    # 1 session, 2 user, 3 the chosen ward (checking the choice), 4 count, 5 the page, 6 neighbourhoods, 7 wards,
    # 8 neighbourhoods for the search, 9 wards and areas for the search, 10 agencies for the search, 11 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(12):
        officer_client.get(reverse("crm:partner-contact-list"), search)
    add_partner_contacts(20, team=team, licensing=licensing, hindpool=hindpool, ward=hindpool_ward)
    with django_assert_num_queries(12):
        response = officer_client.get(reverse("crm:partner-contact-list"), search)
    assert len(re.findall(r'href="/partner-contacts/\d+/"', response.content.decode())) == 22


def test_the_partner_contact_page_takes_the_same_queries_however_long_its_history(
    officer_client, licensing, lena, hindpool, django_assert_num_queries,
):
    # 1 session, 2 user, 3 the partner contact with agency and owner, 4 neighbourhoods, 5 wards,
    # 6 its history with who made each change, 7 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(8):
        officer_client.get(reverse("crm:partner-contact-detail", args=[lena.pk]))
    for n in range(4):
        officer_client.post(reverse("crm:partner-contact-edit", args=[lena.pk]), valid_post(
            licensing, name="Lena Marsh", role=f"Licensing officer grade {n}", email=lena.email, neighbourhoods=[hindpool.pk],
        ))
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(8):
        response = officer_client.get(reverse("crm:partner-contact-detail", args=[lena.pk]))
    assert page_text(response).count("Changed by Priya Shah") == 4
    assert "Role From Licensing officer grade 2 to Licensing officer grade 3" in page_text(response)
