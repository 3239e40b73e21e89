"""Adding a member: a contact the user may see, dates that make sense, an optional self-described profile."""
import pytest
from django.urls import reverse

from crm.models import AdvisoryMembership
from tests.crm.advisory.helpers import days_ago, text
from tests.factories import AdvisoryMembershipFactory, ContactFactory

pytestmark = pytest.mark.django_db


def add_member(client, group, **data):
    return client.post(reverse("crm:advisory-member-add", args=[group.pk]), data)


@pytest.fixture
def amira(force):
    return ContactFactory(organisation=force, first_name="Amira", last_name="Begum", email="amira@example.org")


def test_the_form_offers_the_users_contacts_and_says_the_profile_needs_consent(officer_client, iag, amira, other_force):
    ContactFactory(organisation=other_force, first_name="Lancashire", last_name="Resident")
    page = text(officer_client.get(reverse("crm:advisory-member-add", args=[iag.pk])).content.decode())
    assert "Amira Begum (amira@example.org)" in page
    assert "Lancashire Resident" not in page
    assert "How the member describes themselves (optional)" in page
    assert "Only record what the member has chosen to tell you, with their consent to it being kept." in page


def test_an_officer_adds_a_member_with_their_profile(officer_client, officer, iag, amira):
    response = add_member(officer_client, iag, contact=amira.pk, joined_on=days_ago(30).isoformat(), is_chair="on", age_band="25-44", ethnic_group="asian", disability="not_disabled")
    assert response.status_code == 302 and response["Location"] == reverse("crm:advisory-detail", args=[iag.pk])
    membership = AdvisoryMembership.objects.get(advisory_group=iag, contact=amira)
    assert (membership.is_chair, membership.age_band, membership.ethnic_group, membership.disability, membership.left_on) == (True, "25-44", "asian", "not_disabled", None)
    assert AdvisoryMembership.pgh_event_model.objects.get(pgh_obj=membership).pgh_context.metadata["user"] == officer.pk
    page = text(officer_client.get(response["Location"]).content.decode())
    assert "Amira Begum added to Cumbria Independent Advisory Group." in page
    assert "Amira Begum Chair" in page


def test_a_member_may_give_no_profile(officer_client, iag, amira):
    add_member(officer_client, iag, contact=amira.pk, joined_on=days_ago(30).isoformat(), age_band="", ethnic_group="", disability="")
    membership = AdvisoryMembership.objects.get(advisory_group=iag, contact=amira)
    assert (membership.age_band, membership.ethnic_group, membership.disability) == ("", "", "")


def test_a_member_who_left_before_joining_is_refused(officer_client, iag, amira):
    response = add_member(officer_client, iag, contact=amira.pk, joined_on=days_ago(10).isoformat(), left_on=days_ago(20).isoformat())
    assert response.status_code == 200
    assert response.context["form"].errors["left_on"] == ["The date they left must be on or after the date they joined."]
    assert "Date they left (optional): The date they left must be on or after the date they joined." in text(response.content.decode())
    assert not AdvisoryMembership.objects.exists()


def test_a_contact_the_user_cannot_see_is_refused_as_an_invalid_choice(officer_client, iag, other_force):
    hidden = ContactFactory(organisation=other_force, first_name="Hidden", last_name="Person")
    response = add_member(officer_client, iag, contact=hidden.pk, joined_on=days_ago(5).isoformat())
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("contact", code="invalid_choice")
    assert form.errors["contact"] == ["Choose one of your contacts from the list: that one is not available to you."]
    assert "Hidden" not in response.content.decode()
    assert not AdvisoryMembership.objects.exists()


def test_someone_already_on_the_group_is_not_added_twice(officer_client, iag, amira):
    AdvisoryMembershipFactory(advisory_group=iag, contact=amira)
    response = add_member(officer_client, iag, contact=amira.pk, joined_on=days_ago(5).isoformat())
    assert response.status_code == 200
    assert response.context["form"].errors["contact"] == ["Amira Begum is already a member of this group."]
    assert AdvisoryMembership.objects.count() == 1


def test_a_joining_date_is_required(officer_client, iag, amira):
    response = add_member(officer_client, iag, contact=amira.pk, joined_on="")
    assert "Date they joined: This field is required." in text(response.content.decode())
    assert not AdvisoryMembership.objects.exists()


def test_a_former_member_can_be_recorded(officer_client, iag, amira):
    add_member(officer_client, iag, contact=amira.pk, joined_on=days_ago(400).isoformat(), left_on=days_ago(30).isoformat())
    page = text(officer_client.get(reverse("crm:advisory-detail", args=[iag.pk])).content.decode())
    assert "Former members (1) Name Joined Left Amira Begum" in page


def test_an_outsider_gets_a_404_for_adding_a_member_to_the_forces_group(outsider_client, outsider, iag, other_force):
    their_contact = ContactFactory(organisation=other_force)
    assert outsider_client.get(reverse("crm:advisory-member-add", args=[iag.pk])).status_code == 404
    assert add_member(outsider_client, iag, contact=their_contact.pk, joined_on=days_ago(5).isoformat()).status_code == 404
    assert not AdvisoryMembership.objects.exists()


def test_a_partner_user_gets_a_404_for_adding_a_member_to_the_forces_group(partner_client, iag):
    assert partner_client.get(reverse("crm:advisory-member-add", args=[iag.pk])).status_code == 404
