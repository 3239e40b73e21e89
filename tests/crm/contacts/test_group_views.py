"""Community groups: registered or not, the areas they serve, their key contacts (only
those the reader may see) and the support or oversight the police give."""
import re

import pytest
from django.urls import reverse

from crm.models import CommunityGroup, CommunityGroupKind, PoliceSupport
from tests.crm.contacts.helpers import page_text, team_colleague
from tests.factories import CommunityGroupFactory, ContactFactory, NeighbourhoodFactory, under_represented

pytestmark = pytest.mark.django_db


@pytest.fixture
def hindpool(db):
    return NeighbourhoodFactory(name="Hindpool")


@pytest.fixture
def lunch_club(team, hindpool):
    group = CommunityGroupFactory(
        organisation=team, name="Hindpool lunch club", kind=CommunityGroupKind.LUNCH_CLUB, meeting_place="St Luke's hall",
        police_support=PoliceSupport.LIAISON, oversight_notes="PCSO visits monthly to talk about scams.",
    )
    group.neighbourhoods.add(hindpool)
    group.communities.add(under_represented("older-people"))
    return group


def valid_post(**changes) -> dict:
    data = {
        "name": "Walney anglers", "kind": CommunityGroupKind.SPORTS, "charity_number": "", "meeting_place": "",
        "police_support": PoliceSupport.NONE, "oversight_notes": "", "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# The list ----------------------------------------------------------------------------------------


def test_the_list_filters_by_kind_register_and_neighbourhood(officer_client, team, hindpool, lunch_club):
    CommunityGroupFactory(
        organisation=team, name="St Mary's faith forum", kind=CommunityGroupKind.FAITH, is_registered=True, charity_number="1123456",
    )
    elsewhere = CommunityGroupFactory(organisation=team, name="Ormsgill residents", kind=CommunityGroupKind.RESIDENTS)
    elsewhere.neighbourhoods.add(NeighbourhoodFactory(name="Ormsgill"))

    def names(**filters):
        text = page_text(officer_client.get(reverse("crm:group-list"), filters))
        return {name for name in ("Hindpool lunch club", "St Mary's faith forum", "Ormsgill residents") if name in text}

    assert names() == {"Hindpool lunch club", "St Mary's faith forum", "Ormsgill residents"}
    assert names(kind="faith") == {"St Mary's faith forum"}
    assert names(registered="yes") == {"St Mary's faith forum"}
    assert names(registered="no") == {"Hindpool lunch club", "Ormsgill residents"}
    assert names(neighbourhood=hindpool.pk) == {"Hindpool lunch club"}
    assert names(kind="residents", registered="yes") == set()


def test_the_list_says_which_groups_are_on_no_register(officer_client, lunch_club):
    text = page_text(officer_client.get(reverse("crm:group-list")))
    assert "Hindpool lunch club Lunch club Not on a register Hindpool Regular liaison" in text


# Who sees what -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona_client", ["outsider_client", "partner_client"])
def test_an_outsider_and_a_partner_user_get_a_404_for_the_officers_group(request, persona_client, lunch_club):
    client = request.getfixturevalue(persona_client)
    for url in (reverse("crm:group-detail", args=[lunch_club.pk]), reverse("crm:group-edit", args=[lunch_club.pk])):
        assert client.get(url).status_code == 404
    listing = client.get(reverse("crm:group-list"), {"kind": "lunch_club"})
    assert "Hindpool lunch club" not in page_text(listing)


def test_a_colleague_in_the_officers_neighbourhood_team_sees_the_group(client, team, lunch_club):
    client.force_login(team_colleague(team))
    assert "Hindpool lunch club" in page_text(client.get(reverse("crm:group-list")))
    assert client.get(reverse("crm:group-detail", args=[lunch_club.pk])).status_code == 200


# The detail page -------------------------------------------------------------------------------------


def test_the_group_page_shows_areas_communities_support_and_register(officer_client, team, lunch_club):
    lunch_club.key_contacts.add(ContactFactory(organisation=team, first_name="Maureen", last_name="Tyson", phone="01229 111222"))
    text = page_text(officer_client.get(reverse("crm:group-detail", args=[lunch_club.pk])))
    for expected in (
        "Not on a register", "Neighbourhoods served Hindpool", "Communities of interest Older people", "St Luke's hall",
        "Regular liaison", "PCSO visits monthly to talk about scams.", "Maureen Tyson", "01229 111222", "History of changes",
    ):
        assert expected in text


def test_the_group_page_gives_the_charity_number_of_a_registered_charity(officer_client, team):
    group = CommunityGroupFactory(organisation=team, name="Barrow food bank", is_registered=True, charity_number="1123456")
    assert "Registered charity 1123456" in page_text(officer_client.get(reverse("crm:group-detail", args=[group.pk])))


def test_the_group_page_shows_only_the_key_contacts_the_reader_can_see(client, team, force, lunch_club):
    lunch_club.key_contacts.add(
        ContactFactory(organisation=team, first_name="Maureen", last_name="Tyson"),
        ContactFactory(organisation=force, first_name="Hidden", last_name="Person"),
    )
    client.force_login(team_colleague(team))
    text = page_text(client.get(reverse("crm:group-detail", args=[lunch_club.pk])))
    assert "Maureen Tyson" in text
    assert "Hidden Person" not in text


# Adding and changing -------------------------------------------------------------------------------------


def test_an_officer_adds_a_group_for_their_team(officer_client, officer, team, hindpool):
    maureen = ContactFactory(organisation=team, first_name="Maureen", last_name="Tyson")
    youth = under_represented("young-people")
    response = officer_client.post(reverse("crm:group-create"), valid_post(
        neighbourhoods=[hindpool.pk], communities=[youth.pk], key_contacts=[maureen.pk], charity_number="sc012345",
        police_support=PoliceSupport.ACTIVE,
    ), follow=True)
    group = CommunityGroup.objects.get(name="Walney anglers")
    assert response.redirect_chain[-1][0] == reverse("crm:group-detail", args=[group.pk])
    assert "Walney anglers was added." in page_text(response)
    assert group.organisation == team
    assert group.created_by == officer
    assert group.charity_number == "SC012345"
    assert group.is_registered  # a charity number means it is on a register
    assert list(group.neighbourhoods.all()) == [hindpool]
    assert list(group.communities.all()) == [youth]
    assert list(group.key_contacts.all()) == [maureen]


def test_the_form_offers_only_the_contacts_the_user_can_see_as_key_contacts(officer_client, team, other_force):
    ContactFactory(organisation=team, first_name="Maureen", last_name="Tyson")
    hidden = ContactFactory(organisation=other_force, first_name="Preston", last_name="Person")
    page = page_text(officer_client.get(reverse("crm:group-create")))
    assert "Maureen Tyson" in page
    assert "Preston Person" not in page
    response = officer_client.post(reverse("crm:group-create"), valid_post(key_contacts=[hidden.pk]))
    assert "Select a valid choice" in " ".join(response.context["form"].errors["key_contacts"])
    assert not CommunityGroup.objects.filter(name="Walney anglers").exists()


def test_an_edit_keeps_the_key_contacts_the_editor_cannot_see(client, team, force, lunch_club):
    hidden = ContactFactory(organisation=force, first_name="Hidden", last_name="Person")
    visible = ContactFactory(organisation=team, first_name="Maureen", last_name="Tyson")
    lunch_club.key_contacts.add(hidden, visible)
    client.force_login(team_colleague(team))
    client.post(reverse("crm:group-edit", args=[lunch_club.pk]), valid_post(
        name="Hindpool lunch club", kind=CommunityGroupKind.LUNCH_CLUB, key_contacts=[],
    ))
    assert list(lunch_club.key_contacts.all()) == [hidden]


def test_a_group_needs_a_name_and_a_kind(officer_client):
    response = officer_client.post(reverse("crm:group-create"), valid_post(name="", kind=None))
    assert response.context["form"].errors["name"] == ["Enter the group's name."]
    assert response.context["form"].errors["kind"] == ["Choose the kind of group."]
    assert not CommunityGroup.objects.exists()


def test_a_charity_number_like_12ab_is_refused(officer_client):
    response = officer_client.post(reverse("crm:group-create"), valid_post(charity_number="12AB"))
    assert response.status_code == 200
    assert response.context["form"].errors["charity_number"] == ["Give a charity number such as 1123456, or SC012345 in Scotland."]
    assert "Give a charity number such as 1123456, or SC012345 in Scotland." in page_text(response)
    assert not CommunityGroup.objects.exists()


def test_a_second_group_with_the_same_name_is_refused(officer_client, lunch_club):
    response = officer_client.post(reverse("crm:group-create"), valid_post(name="Hindpool lunch club"))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["A group with this name already exists."]
    assert CommunityGroup.objects.count() == 1


def test_a_group_name_taken_only_at_the_database_is_still_a_message(officer_client, lunch_club, monkeypatch):
    monkeypatch.setattr(CommunityGroup, "validate_constraints", lambda self, exclude=None: None)
    response = officer_client.post(reverse("crm:group-create"), valid_post(name="Hindpool lunch club"))
    assert response.context["form"].errors["name"] == ["A group with this name already exists."]
    assert CommunityGroup.objects.count() == 1


def test_changing_a_group_shows_who_changed_what_in_its_history(officer_client, lunch_club):
    officer_client.post(reverse("crm:group-edit", args=[lunch_club.pk]), valid_post(
        name="Hindpool lunch club", kind=CommunityGroupKind.LUNCH_CLUB, police_support=PoliceSupport.OVERSIGHT,
        oversight_notes="Safeguarding concern raised in May.",
    ))
    text = page_text(officer_client.get(reverse("crm:group-detail", args=[lunch_club.pk])))
    history = text.split("History of changes", 1)[1]
    assert "Changed by Priya Shah" in history
    assert "Police support From Regular liaison to Oversight (safeguarding or equality concerns)" in history


# Query counts -----------------------------------------------------------------------------------------


def test_the_group_list_takes_the_same_queries_however_many_groups(officer_client, team, hindpool, django_assert_num_queries):
    def add_groups(n):
        for group in CommunityGroupFactory.create_batch(n, organisation=team):
            group.neighbourhoods.add(hindpool)

    add_groups(2)
    # 1 session, 2 user, 3 count for the paginator, 4 the page of groups, 5 their neighbourhoods,
    # 6 neighbourhoods for the filter, 7 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(8):
        officer_client.get(reverse("crm:group-list"))
    add_groups(20)
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(8):
        response = officer_client.get(reverse("crm:group-list"))
    assert len(re.findall(r'href="/groups/\d+/"', response.content.decode())) == 22


def test_the_group_page_takes_the_same_queries_however_many_contacts_and_changes(
    officer_client, team, lunch_club, django_assert_num_queries,
):
    lunch_club.key_contacts.add(ContactFactory(organisation=team))
    # 1 session, 2 user, 3 the group with its owner, 4 neighbourhoods, 5 communities, 6 key contacts the reader
    # may see, 7 its history with who made each change, 8 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(9):
        officer_client.get(reverse("crm:group-detail", args=[lunch_club.pk]))
    lunch_club.key_contacts.add(*ContactFactory.create_batch(10, organisation=team))
    lunch_club.neighbourhoods.add(*NeighbourhoodFactory.create_batch(3))
    for n in range(3):
        officer_client.post(reverse("crm:group-edit", args=[lunch_club.pk]), valid_post(
            name="Hindpool lunch club", kind=CommunityGroupKind.LUNCH_CLUB, meeting_place=f"Hall {n}",
        ))
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(9):
        response = officer_client.get(reverse("crm:group-detail", args=[lunch_club.pk]))
    assert page_text(response).count("Changed by Priya Shah") == 3
