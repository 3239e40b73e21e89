"""Leaks a review found around the withholding of personal fields, each closed."""
import pytest
from django.urls import reverse

from crm.models import Contact, Engagement, EngagementKind
from tests.factories import (
    AdvisoryGroupFactory, AdvisoryMembershipFactory, ContactFactory, DoorstepVisitFactory, EngagementFactory,
)
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = pytest.mark.django_db


def test_a_search_by_postcode_cannot_find_a_contact_whose_postcode_is_withheld(partner_client, partner_user, force, team, council):
    ContactFactory(organisation=team, first_name="Zeb", last_name="Quartermain", postcode="LA14 9ZZ")
    publish_protocol(provider=force, recipient=council, categories=("contacts",), personal=False)
    contact = Contact.objects.visible_to(partner_user).get()
    assert contact.postcode == "" and "postcode" in contact.withheld_fields
    found = partner_client.get(reverse("crm:contact-list"), {"q": "LA14 9ZZ"}).context["contacts"]
    assert list(found) == []


def test_a_search_by_postcode_still_finds_ones_own_contacts(officer_client, team):
    own = ContactFactory(organisation=team, postcode="LA14 9ZZ")
    assert list(officer_client.get(reverse("crm:contact-list"), {"q": "la149zz"}).context["contacts"]) == [own]


def test_an_expression_over_a_personal_field_reads_the_withheld_value(partner_user, force, team, council):
    from django.db.models.functions import Upper

    ContactFactory(organisation=team, last_name="Quartermain")
    publish_protocol(provider=force, recipient=council, categories=("contacts",), personal=False)
    assert Contact.objects.visible_to(partner_user).annotate(shout=Upper("last_name")).get().shout == ""


def test_an_advisory_group_shared_without_personal_data_names_no_member(partner_client, force, team, council):
    group = AdvisoryGroupFactory(organisation=force)
    AdvisoryMembershipFactory(advisory_group=group, contact=ContactFactory(organisation=force, first_name="Zebedee", last_name="Quartermain"))
    publish_protocol(provider=force, recipient=council, categories=("contacts", "advisory_groups"), personal=False)
    page = partner_client.get(reverse("crm:advisory-detail", args=[group.pk])).content.decode()
    assert "Quartermain" not in page and "name withheld" in page


def test_a_shared_door_to_door_engagement_shows_counts_but_no_addresses(partner_client, partner_user, force, team, council):
    engagement = EngagementFactory(organisation=team, kind=EngagementKind.DOOR_TO_DOOR, notes="secret notes")
    DoorstepVisitFactory(engagement=engagement, address="14 Rawlinson Street", outcome="not_in", answers={})
    publish_protocol(provider=force, recipient=council, categories=("engagements",), personal=False)
    assert "notes" in Engagement.objects.visible_to(partner_user).get().withheld_fields
    page = partner_client.get(reverse("crm:engagement-detail", args=[engagement.pk])).content.decode()
    assert "secret notes" not in page and "14 Rawlinson Street" not in page and "Record a visit" not in page


def test_ending_a_share_with_a_malformed_id_is_a_404(officer_client, team):
    contact = ContactFactory(organisation=team)
    response = officer_client.post(reverse("sharing:record-share", args=["crm.contact", contact.pk]), {"revoke": "abc"})
    assert response.status_code == 404
