"""Community contacts: personal data, seen only by the organisation that holds them."""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import AccessibilityNeed, Contact, LawfulBasis
from tests.crm.contacts.helpers import in_a_year, page_text, team_colleague
from tests.factories import CommunityGroupFactory, ContactFactory, NeighbourhoodFactory, TeamFactory, under_represented

pytestmark = pytest.mark.django_db


@pytest.fixture
def aisha(team):
    """The officer's contact: she belongs to the officer's neighbourhood team."""
    return ContactFactory(
        organisation=team, first_name="Aisha", last_name="Khan", email="aisha.khan@example.org", postcode="LA14 1AB",
    )


def valid_post(**changes) -> dict:
    data = {
        "first_name": "Tomasz", "last_name": "Nowak", "email": "tomasz@example.org", "phone": "07700 900123",
        "postcode": "la14 2xy", "neighbourhood": "", "lawful_basis": LawfulBasis.PUBLIC_TASK, "consent_recorded_at": "",
        "preferred_channel": "text", "language": "Polish", "retain_until": in_a_year().isoformat(), "notes": "Met at the lunch club.",
    }
    data.update(changes)
    return data


# Who sees what -------------------------------------------------------------------------------


def test_signing_in_is_required(client, aisha):
    for url in (reverse("crm:contact-list"), reverse("crm:contact-detail", args=[aisha.pk]), reverse("crm:contact-create")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona_client", ["outsider_client", "partner_client"])
def test_an_outsider_and_a_partner_user_get_a_404_for_the_officers_contact(request, persona_client, aisha):
    client = request.getfixturevalue(persona_client)
    for url in (reverse("crm:contact-detail", args=[aisha.pk]), reverse("crm:contact-edit", args=[aisha.pk])):
        response = client.get(url)
        assert response.status_code == 404
        assert "Aisha" not in response.content.decode()


@pytest.mark.parametrize("persona_client", ["outsider_client", "partner_client"])
def test_an_outsider_and_a_partner_user_cannot_change_the_officers_contact(request, persona_client, aisha):
    client = request.getfixturevalue(persona_client)
    response = client.post(reverse("crm:contact-edit", args=[aisha.pk]), valid_post(first_name="Hijacked"))
    assert response.status_code == 404
    aisha.refresh_from_db()
    assert aisha.first_name == "Aisha"


def test_a_hidden_contact_looks_exactly_like_a_missing_one(outsider_client, aisha):
    hidden = outsider_client.get(reverse("crm:contact-detail", args=[aisha.pk]))
    missing = outsider_client.get(reverse("crm:contact-detail", args=[987654]))
    assert hidden.status_code == missing.status_code == 404
    assert page_text(hidden) == page_text(missing)


@pytest.mark.parametrize("persona_client", ["outsider_client", "partner_client"])
@pytest.mark.parametrize("search", ["", "Aisha", "khan", "aisha.khan@example.org", "LA14 1AB"])
def test_an_outsider_and_a_partner_user_never_see_the_contact_in_the_list_or_a_search(request, persona_client, search, aisha):
    client = request.getfixturevalue(persona_client)
    response = client.get(reverse("crm:contact-list"), {"q": search})
    assert response.status_code == 200
    assert f'href="/contacts/{aisha.pk}/"' not in response.content.decode()
    assert "Aisha Khan" not in page_text(response)
    assert ("No contacts match your search." if search else "No contacts yet.") in page_text(response)


def test_a_colleague_in_the_officers_neighbourhood_team_sees_the_contact(client, team, aisha):
    client.force_login(team_colleague(team))
    assert "Aisha Khan" in page_text(client.get(reverse("crm:contact-list"), {"q": "khan"}))
    detail = client.get(reverse("crm:contact-detail", args=[aisha.pk]))
    assert detail.status_code == 200
    assert "aisha.khan@example.org" in page_text(detail)


def test_a_partner_user_sees_the_contacts_of_their_own_agency(partner_client, council, aisha):
    ContactFactory(organisation=council, first_name="Bernard", last_name="Okoye")
    text = page_text(partner_client.get(reverse("crm:contact-list")))
    assert "Bernard Okoye" in text
    assert "Aisha" not in text


# The list: search, filter, pages ---------------------------------------------------------------


def test_the_list_finds_contacts_by_name_email_or_postcode(officer_client, team, aisha):
    ContactFactory(organisation=team, first_name="Brian", last_name="Oduya", email="brian@example.org", postcode="LA13 9ZZ")
    for search in ("Aisha", "KHAN", "aisha khan", "aisha.khan@example", "LA14 1AB", "la141ab", "la14"):
        text = page_text(officer_client.get(reverse("crm:contact-list"), {"q": search}))
        assert "Aisha Khan" in text, search
        assert "Brian Oduya" not in text, search
    assert "No contacts match your search." in page_text(officer_client.get(reverse("crm:contact-list"), {"q": "zebedee"}))


def test_the_list_filters_by_under_represented_group(officer_client, team, aisha):
    deaf = under_represented("deaf-bsl")
    aisha.communities.add(deaf)
    ContactFactory(organisation=team, first_name="Brian", last_name="Oduya")
    text = page_text(officer_client.get(reverse("crm:contact-list"), {"community": deaf.pk}))
    assert "Aisha Khan" in text
    assert "Deaf people and BSL users" in text
    assert "Brian Oduya" not in text


def test_the_list_is_paginated_and_its_pages_keep_the_search(officer_client, team):
    for n in range(30):
        ContactFactory(organisation=team, first_name=f"Person{n:02d}", last_name="Walney")
    ContactFactory(organisation=team, first_name="Other", last_name="Barrow")
    first = officer_client.get(reverse("crm:contact-list"), {"q": "walney"})
    assert "Page 1 of 2" in page_text(first)
    assert "?q=walney&amp;page=2" in first.content.decode()
    second = officer_client.get(reverse("crm:contact-list"), {"q": "walney", "page": 2})
    assert len(re.findall(r'href="/contacts/\d+/"', second.content.decode())) == 5


def test_the_list_marks_contacts_past_their_retention_date(officer_client, team, aisha):
    Contact.objects.filter(pk=aisha.pk).update(retain_until=timezone.localdate() - datetime.timedelta(days=1))
    assert "Review or delete" in page_text(officer_client.get(reverse("crm:contact-list")))


# The detail page ---------------------------------------------------------------------------------


def test_the_contact_page_shows_the_retention_date_prominently(officer_client, aisha):
    text = page_text(officer_client.get(reverse("crm:contact-detail", args=[aisha.pk])))
    assert f"Keep this record until {aisha.retain_until:%-d %B %Y}" in text
    assert "Review or delete" not in text


def test_the_contact_page_says_when_the_retention_date_has_passed(officer_client, aisha):
    passed = datetime.date(2024, 3, 1)
    Contact.objects.filter(pk=aisha.pk).update(retain_until=passed)
    text = page_text(officer_client.get(reverse("crm:contact-detail", args=[aisha.pk])))
    assert "Review or delete: the retention date passed on 1 March 2024." in text


def test_the_contact_page_shows_how_to_reach_them_and_why_they_are_held(officer_client, force, aisha):
    aisha.accessibility_needs = [AccessibilityNeed.BSL_INTERPRETER, AccessibilityNeed.LARGE_PRINT]
    aisha.lawful_basis = LawfulBasis.CONSENT
    aisha.consent_recorded_at = timezone.make_aware(datetime.datetime(2025, 6, 2, 0, 0))
    aisha.save()
    aisha.communities.add(under_represented("deaf-bsl"))
    aisha.groups.add(CommunityGroupFactory(organisation=force, name="Hindpool lunch club"))
    text = page_text(officer_client.get(reverse("crm:contact-detail", args=[aisha.pk])))
    for expected in (
        "British Sign Language interpreter", "Large print", "Consent (UK GDPR article 6(1)(a))", "2 June 2025",
        "Deaf people and BSL users", "Hindpool lunch club", "Hindpool neighbourhood team",
    ):
        assert expected in text


def test_the_contact_page_lists_only_the_groups_the_reader_can_see(client, team, force, aisha):
    aisha.groups.add(CommunityGroupFactory(organisation=team, name="Hindpool residents"))
    aisha.groups.add(CommunityGroupFactory(organisation=force, name="Force-wide youth forum"))
    client.force_login(team_colleague(team))
    text = page_text(client.get(reverse("crm:contact-detail", args=[aisha.pk])))
    assert "Hindpool residents" in text
    assert "Force-wide youth forum" not in text


# Adding and changing ------------------------------------------------------------------------------


def test_an_officer_adds_a_contact_for_their_neighbourhood_team(officer_client, officer, team, force):
    neighbourhood = NeighbourhoodFactory(name="Hindpool")
    club = CommunityGroupFactory(organisation=force, name="Hindpool lunch club")
    deaf = under_represented("deaf-bsl")
    response = officer_client.post(reverse("crm:contact-create"), valid_post(
        neighbourhood=neighbourhood.pk, communities=[deaf.pk], groups=[club.pk],
        accessibility_needs=[AccessibilityNeed.BSL_INTERPRETER, AccessibilityNeed.HEARING_LOOP],
    ), follow=True)
    contact = Contact.objects.get(first_name="Tomasz")
    assert response.redirect_chain[-1][0] == reverse("crm:contact-detail", args=[contact.pk])
    assert "Tomasz Nowak was added." in page_text(response)
    assert contact.organisation == team
    assert contact.created_by == officer
    assert contact.postcode == "LA14 2XY"
    assert contact.neighbourhood == neighbourhood
    assert contact.accessibility_needs == [AccessibilityNeed.BSL_INTERPRETER, AccessibilityNeed.HEARING_LOOP]
    assert list(contact.communities.all()) == [deaf]
    assert list(contact.groups.all()) == [club]


def test_consent_as_the_basis_is_kept_with_the_day_it_was_given(officer_client):
    officer_client.post(reverse("crm:contact-create"), valid_post(lawful_basis=LawfulBasis.CONSENT, consent_recorded_at="2025-07-01"))
    contact = Contact.objects.get(first_name="Tomasz")
    assert timezone.localtime(contact.consent_recorded_at).date() == datetime.date(2025, 7, 1)
    edit_page = officer_client.get(reverse("crm:contact-edit", args=[contact.pk])).content.decode()
    assert 'value="2025-07-01"' in edit_page  # the start of 1 July (BST) is 30 June in UTC: the page shows the local day


def test_an_officer_changes_a_contact(officer_client, aisha):
    response = officer_client.post(reverse("crm:contact-edit", args=[aisha.pk]), valid_post(
        first_name="Aisha", last_name="Khan", email="aisha@newmail.example.org", retain_until=aisha.retain_until.isoformat(),
    ), follow=True)
    assert "Aisha Khan's details were saved." in page_text(response)
    aisha.refresh_from_db()
    assert aisha.email == "aisha@newmail.example.org"
    assert aisha.language == "Polish"


def test_the_form_offers_only_the_groups_the_user_can_see(officer_client, force, other_force):
    CommunityGroupFactory(organisation=force, name="Barrow youth club")
    hidden = CommunityGroupFactory(organisation=other_force, name="Preston faith forum")
    page = page_text(officer_client.get(reverse("crm:contact-create")))
    assert "Barrow youth club" in page
    assert "Preston faith forum" not in page
    response = officer_client.post(reverse("crm:contact-create"), valid_post(groups=[hidden.pk]))
    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert not Contact.objects.filter(first_name="Tomasz").exists()


def test_an_edit_keeps_the_groups_the_editor_cannot_see(client, team, force, aisha):
    force_group = CommunityGroupFactory(organisation=force, name="Force-wide youth forum")
    team_group = CommunityGroupFactory(organisation=team, name="Hindpool residents")
    aisha.groups.add(force_group, team_group)
    client.force_login(team_colleague(team))
    client.post(reverse("crm:contact-edit", args=[aisha.pk]), valid_post(
        first_name="Aisha", last_name="Khan", email=aisha.email, groups=[], retain_until=aisha.retain_until.isoformat(),
    ))
    assert list(aisha.groups.all()) == [force_group]  # the colleague removed only the group they could see


# Bad input: a clear message on the field, nothing saved -------------------------------------------


def error_on(response, field: str) -> str:
    """The error messages shown on one field of the form."""
    form = response.context["form"]
    return " ".join(form.errors.get(field, []))


@pytest.mark.parametrize("first_name, last_name, email", [
    ("Aisha", "Khan", "aisha.khan@example.org"),
    ("AISHA", "khan", "Aisha.Khan@Example.org"),
])
def test_a_duplicate_contact_is_refused_with_a_clear_message(officer_client, aisha, first_name, last_name, email):
    response = officer_client.post(reverse("crm:contact-create"), valid_post(first_name=first_name, last_name=last_name, email=email))
    assert response.status_code == 200
    assert "A contact with this name and email address already exists." in error_on(response, "email")
    assert "A contact with this name and email address already exists." in page_text(response)
    assert Contact.objects.count() == 1


def test_the_same_person_may_be_held_by_another_organisation(outsider_client, aisha):
    outsider_client.post(reverse("crm:contact-create"), valid_post(first_name="Aisha", last_name="Khan", email="aisha.khan@example.org"))
    assert Contact.objects.filter(first_name="Aisha").count() == 2


def test_changing_a_contact_into_a_duplicate_is_refused(officer_client, team, aisha):
    other = ContactFactory(organisation=team, first_name="Brian", last_name="Oduya", email="brian@example.org")
    response = officer_client.post(reverse("crm:contact-edit", args=[other.pk]), valid_post(
        first_name="aisha", last_name="KHAN", email="aisha.khan@example.org", retain_until=other.retain_until.isoformat(),
    ))
    assert "A contact with this name and email address already exists." in error_on(response, "email")
    other.refresh_from_db()
    assert other.first_name == "Brian"


def test_a_duplicate_that_only_the_database_catches_is_still_a_message_not_a_500(officer_client, aisha, monkeypatch):
    # Two people saving the same contact at once both pass validation; the database constraint decides.
    monkeypatch.setattr(Contact, "validate_constraints", lambda self, exclude=None: None)
    duplicate = valid_post(first_name="Aisha", last_name="Khan", email="AISHA.KHAN@example.org")
    response = officer_client.post(reverse("crm:contact-create"), duplicate)
    assert response.status_code == 200
    assert "A contact with this name and email address already exists." in error_on(response, "email")
    assert Contact.objects.count() == 1


def test_a_retention_date_in_the_past_is_refused(officer_client):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = officer_client.post(reverse("crm:contact-create"), valid_post(retain_until=yesterday.isoformat()))
    assert response.status_code == 200
    assert "The retention date must be in the future." in error_on(response, "retain_until")
    assert not Contact.objects.exists()


def test_an_edit_may_not_move_the_retention_date_into_the_past(officer_client, aisha):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = officer_client.post(reverse("crm:contact-edit", args=[aisha.pk]), valid_post(
        first_name="Aisha", last_name="Khan", email=aisha.email, retain_until=yesterday.isoformat(),
    ))
    assert "The retention date must be in the future." in error_on(response, "retain_until")
    aisha.refresh_from_db()
    assert aisha.retain_until > timezone.localdate()


def test_a_contact_already_past_its_retention_date_can_still_be_corrected(officer_client, aisha):
    passed = timezone.localdate() - datetime.timedelta(days=10)
    Contact.objects.filter(pk=aisha.pk).update(retain_until=passed)
    officer_client.post(reverse("crm:contact-edit", args=[aisha.pk]), valid_post(
        first_name="Aisha", last_name="Khan", email=aisha.email, phone="01229 000000", retain_until=passed.isoformat(),
    ))
    aisha.refresh_from_db()
    assert aisha.phone == "01229 000000"


def test_consent_as_the_lawful_basis_needs_a_consent_date(officer_client):
    response = officer_client.post(reverse("crm:contact-create"), valid_post(lawful_basis=LawfulBasis.CONSENT, consent_recorded_at=""))
    assert response.status_code == 200
    assert "Record when consent was given, or choose another lawful basis." in error_on(response, "consent_recorded_at")
    assert "There is a problem" in page_text(response)
    assert not Contact.objects.exists()


def test_missing_names_and_basis_are_refused(officer_client):
    response = officer_client.post(reverse("crm:contact-create"), valid_post(first_name="", lawful_basis=""))
    assert error_on(response, "first_name") == "Enter their first name."
    assert error_on(response, "lawful_basis") == "Choose the lawful basis for keeping this record."
    assert not Contact.objects.exists()


# Query counts --------------------------------------------------------------------------------------


def test_the_contact_list_takes_the_same_queries_however_many_contacts(officer_client, team, django_assert_num_queries):
    deaf = under_represented("deaf-bsl")
    neighbourhood = NeighbourhoodFactory()

    def add_contacts(n, start):
        for i in range(start, start + n):
            contact = ContactFactory(organisation=team, first_name=f"Resident{i}", neighbourhood=neighbourhood)
            contact.communities.add(deaf)

    add_contacts(2, 0)
    # 1 session, 2 user, 3 count for the paginator, 4 the page of contacts with their neighbourhoods,
    # 5 their communities (prefetch), 6 the communities for the filter, 7 the neighbourhoods for the filter,
    # 8 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(9):
        officer_client.get(reverse("crm:contact-list"))
    add_contacts(20, 2)
    with django_assert_num_queries(9):
        response = officer_client.get(reverse("crm:contact-list"))
    assert len(re.findall(r'href="/contacts/\d+/"', response.content.decode())) == 22


def test_the_contact_page_takes_the_same_queries_however_long_its_history(officer_client, officer, force, aisha, django_assert_num_queries):
    aisha.communities.add(under_represented("deaf-bsl"))
    aisha.groups.add(CommunityGroupFactory(organisation=force))
    # 1 session, 2 user, 3 the contact with its neighbourhood and organisation, 4 its communities,
    # 5 its groups that the reader may see, 6 its history with who made each change, 7 roles for the navigation.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(8):
        officer_client.get(reverse("crm:contact-detail", args=[aisha.pk]))
    for n in range(5):
        officer_client.post(reverse("crm:contact-edit", args=[aisha.pk]), valid_post(
            first_name="Aisha", last_name="Khan", email=aisha.email, phone=f"0770090000{n}", retain_until=aisha.retain_until.isoformat(),
        ))
    aisha.groups.add(*CommunityGroupFactory.create_batch(5, organisation=force))
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(8):
        response = officer_client.get(reverse("crm:contact-detail", args=[aisha.pk]))
    assert page_text(response).count("Changed by Priya Shah") == 5


def test_another_teams_contact_is_hidden_from_a_team_member(client, force, team):
    walney = TeamFactory(name="Walney team", slug="team-walney", parent=force)
    contact = ContactFactory(organisation=walney, first_name="Walter", last_name="Walney")
    client.force_login(team_colleague(team))
    assert client.get(reverse("crm:contact-detail", args=[contact.pk])).status_code == 404


def test_the_contact_list_leads_to_the_partner_contacts(officer_client):
    # The partner contacts list is in no menu of its own: the community contacts list leads to it.
    page = officer_client.get(reverse("crm:contact-list")).content.decode()
    assert f'href="{reverse("crm:partner-contact-list")}"' in page
