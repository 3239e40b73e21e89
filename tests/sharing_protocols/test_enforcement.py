"""Protocols decide what a partner sees, row by row and field by field, and say why."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from crm.models import Contact
from access.roles import Role
from partners.models import Concern
from sharing_protocols.explain import who_can_see
from sharing_protocols.models import Classification, DisclosureAction, DisclosureEntry, ProtocolStatus
from sharing_protocols.services import Flow, Party, protocol_change_status, protocol_publish_version
from sharing_protocols.shares import record_share
from tests.factories import ConcernFactory, ContactFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NAME = "Zebedee"
SURNAME = "Quartermain"


def publish(*, lead, provider, recipient, category, personal=False, classification=Classification.OFFICIAL,
            status=ProtocolStatus.ACTIVE, starts_in_days=-30, ends_in_days=365, reference="furness-isp", protocol=None):
    today = timezone.localdate()
    starts_on = today + timedelta(days=starts_in_days)
    ends_on = today + timedelta(days=ends_in_days)
    terms = {
        "purpose": "Collate concerns and community contacts to set neighbourhood priorities.", "article_6_basis": "public_task",
        "legal_power": "Section 115 of the Crime and Disorder Act 1998", "includes_personal_data": personal,
        "highest_classification": classification, "retention_and_deletion": "Deleted after 12 months.", "security": "Hub only.",
        "starts_on": starts_on, "review_on": min(starts_on + timedelta(days=180), ends_on), "ends_on": ends_on,
        "signatories": "Chief Inspector A. Morgan; Head of Community Safety", "signed_off_on": starts_on, "status": status,
    }
    return protocol_publish_version(
        acting_user=None, protocol=protocol, reference=reference, title="Furness community safety protocol", lead_organisation=lead,
        terms=terms, parties=[Party(provider, "A", "a@example.org"), Party(recipient, "B", "b@example.org")],
        flows=[Flow(category, provider, recipient, "4.2")],
    )


@pytest.fixture
def team_contact(team):
    return ContactFactory(organisation=team, first_name=NAME, last_name=SURNAME, email="zq@example.org")


def test_without_a_protocol_a_partner_sees_none_of_the_polices_contacts(partner_user, team_contact):
    assert not Contact.objects.visible_to(partner_user).exists()


def test_a_protocol_without_personal_data_shows_the_record_with_personal_fields_withheld(partner_client, partner_user, force, council, team_contact):
    publish(lead=force, provider=force, recipient=council, category="contacts")
    contact = Contact.objects.visible_to(partner_user).get()
    assert contact.is_shared and contact.withheld_fields == {"first_name", "last_name", "email", "phone", "postcode", "notes"}
    assert (contact.first_name, contact.last_name, contact.email) == ("", "", "")
    page = partner_client.get(reverse("crm:contact-detail", args=[team_contact.pk])).content.decode()
    assert "Why you can see this record" in page and "clause 4.2" in page and "Personal details are withheld" in page
    assert SURNAME not in page and "zq@example.org" not in page


def test_a_protocol_with_personal_data_shows_the_names(partner_user, force, council, team_contact):
    publish(lead=force, provider=force, recipient=council, category="contacts", personal=True)
    contact = Contact.objects.visible_to(partner_user).get()
    assert contact.last_name == SURNAME and contact.withheld_fields == frozenset()


def test_a_flow_for_another_category_shares_nothing(partner_user, force, council, team_contact):
    publish(lead=force, provider=force, recipient=council, category="priorities")
    assert not Contact.objects.visible_to(partner_user).exists()


def test_the_flow_runs_one_way_only(officer, force, council, team_contact):
    publish(lead=force, provider=council, recipient=force, category="contacts")
    council_contact = ContactFactory(organisation=council)
    assert set(Contact.objects.visible_to(officer)) == {team_contact, council_contact}
    outsider_partner = UserFactory()
    MembershipFactory(user=outsider_partner, organisation=council, role=Role.PARTNER_USER)
    assert list(Contact.objects.visible_to(outsider_partner)) == [council_contact]


@pytest.mark.parametrize("status", [ProtocolStatus.SUSPENDED, ProtocolStatus.TERMINATED, ProtocolStatus.EXPIRED])
def test_suspending_terminating_or_expiring_ends_access_at_once(partner_client, force, council, team_contact, status):
    version = publish(lead=force, provider=force, recipient=council, category="contacts")
    url = reverse("crm:contact-detail", args=[team_contact.pk])
    assert partner_client.get(url).status_code == 200
    protocol_change_status(protocol=version.protocol, status=status, acting_user=None, reason="Partner left the partnership")
    assert partner_client.get(url).status_code == 404


def test_passing_the_end_date_ends_access_without_any_job(partner_user, force, council, team_contact):
    publish(lead=force, provider=force, recipient=council, category="contacts", starts_in_days=-400, ends_in_days=-1)
    assert not Contact.objects.visible_to(partner_user).exists()


def test_a_protocol_not_yet_started_shares_nothing(partner_user, force, council, team_contact):
    publish(lead=force, provider=force, recipient=council, category="contacts", starts_in_days=5)
    assert not Contact.objects.visible_to(partner_user).exists()


def test_a_draft_shares_nothing(partner_user, force, council, team_contact):
    publish(lead=force, provider=force, recipient=council, category="contacts", status=ProtocolStatus.DRAFT)
    assert not Contact.objects.visible_to(partner_user).exists()


def test_a_new_version_without_the_flow_ends_it(partner_user, force, council, team_contact):
    first = publish(lead=force, provider=force, recipient=council, category="contacts")
    publish(lead=force, provider=force, recipient=council, category="priorities", protocol=first.protocol)
    assert not Contact.objects.visible_to(partner_user).exists()


def test_an_official_sensitive_concern_needs_a_protocol_that_allows_it(officer, force, council):
    official = ConcernFactory(organisation=council)
    sensitive = ConcernFactory(organisation=council, classification=Classification.OFFICIAL_SENSITIVE)
    first = publish(lead=force, provider=council, recipient=force, category="concerns")
    assert list(Concern.objects.visible_to(officer)) == [official]
    publish(lead=force, provider=council, recipient=force, category="concerns", classification=Classification.OFFICIAL_SENSITIVE,
            protocol=first.protocol)
    assert set(Concern.objects.visible_to(officer)) == {official, sensitive}


def test_a_concerns_free_text_is_withheld_only_when_it_names_someone(officer, force, council):
    plain = ConcernFactory(organisation=council, description="Sofa dumped in the back lane", reporter_name="Ann Reporter")
    naming = ConcernFactory(organisation=council, description="Mr Quartermain at number 4 dumps rubbish", holds_personal_data=True)
    publish(lead=force, provider=council, recipient=force, category="concerns")
    seen = {concern.pk: concern for concern in Concern.objects.visible_to(officer)}
    assert seen[plain.pk].description == "Sofa dumped in the back lane" and seen[plain.pk].reporter_name == ""
    assert seen[naming.pk].description == "" and "description" in seen[naming.pk].withheld_fields


def test_a_one_off_share_shows_one_record_until_it_expires(partner_client, partner_user, officer, council, team, team_contact):
    other = ContactFactory(organisation=team)
    share = record_share(record=team_contact, organisation=council, reason="Joint visit with housing", includes_personal_data=False,
                         expires_at=timezone.now() + timedelta(days=7), acting_user=officer)
    assert list(Contact.objects.visible_to(partner_user)) == [team_contact]
    page = partner_client.get(reverse("crm:contact-detail", args=[team_contact.pk])).content.decode()
    assert "Joint visit with housing" in page and SURNAME not in page
    assert partner_client.get(reverse("crm:contact-detail", args=[other.pk])).status_code == 404
    type(share).objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert partner_client.get(reverse("crm:contact-detail", args=[team_contact.pk])).status_code == 404


def test_only_the_holder_shares_a_record_and_only_for_a_while(officer, partner_user, council, team_contact):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Only the organisation that holds"):
        record_share(record=team_contact, organisation=council, reason="x", includes_personal_data=False,
                     expires_at=timezone.now() + timedelta(days=1), acting_user=partner_user)
    with pytest.raises(ValidationError) as error:
        record_share(record=team_contact, organisation=council, reason="", includes_personal_data=False,
                     expires_at=timezone.now() + timedelta(days=200), acting_user=officer)
    assert set(error.value.message_dict) == {"reason", "expires_at"}


def test_a_shared_record_cannot_be_edited_by_the_recipient(partner_client, partner_user, force, council, team_contact):
    publish(lead=force, provider=force, recipient=council, category="contacts", personal=True)
    assert partner_client.get(reverse("crm:contact-edit", args=[team_contact.pk])).status_code == 404
    assert not Contact.objects.editable_by(partner_user).exists()


def test_a_row_read_with_withheld_fields_cannot_be_saved(partner_user, force, council, team_contact):
    publish(lead=force, provider=force, recipient=council, category="contacts")
    contact = Contact.objects.visible_to(partner_user).get()
    with pytest.raises(PermissionDenied):
        contact.save()
    team_contact.refresh_from_db()
    assert team_contact.last_name == SURNAME


def test_personal_columns_read_past_the_instances_come_back_withheld(partner_user, force, council, team_contact):
    publish(lead=force, provider=force, recipient=council, category="contacts")
    contacts = Contact.objects.visible_to(partner_user)
    assert list(contacts.values_list("last_name", flat=True)) == [""]
    assert {contacts.values().get()[name] for name in Contact.PERSONAL_FIELDS} == {""}
    assert list(contacts.values_list("pk", flat=True)) == [team_contact.pk]


def test_reading_a_shared_record_is_logged_with_the_protocol_and_own_reads_are_not(partner_client, officer, force, council, team_contact):
    from django.test import Client

    publish(lead=force, provider=force, recipient=council, category="contacts")
    before = DisclosureEntry.objects.filter(action=DisclosureAction.READ).count()
    officer_client = Client()
    officer_client.force_login(officer)
    assert officer_client.get(reverse("crm:contact-detail", args=[team_contact.pk])).status_code == 200
    assert DisclosureEntry.objects.filter(action=DisclosureAction.READ).count() == before
    partner_client.get(reverse("crm:contact-detail", args=[team_contact.pk]))
    entry = DisclosureEntry.objects.filter(action=DisclosureAction.READ).latest("pk")
    assert (entry.user_label, entry.organisation, entry.record_id) == ("sam-council", council, str(team_contact.pk))
    assert entry.protocol_reference == "furness-isp v1, clause 4.2"
    partner_client.get(reverse("crm:contact-list"))
    listed = DisclosureEntry.objects.filter(action=DisclosureAction.READ).latest("pk")
    assert listed.pk > entry.pk and listed.record_id == str(team_contact.pk) and listed.purpose.startswith("Listed on /contacts/")


def test_information_governance_can_ask_who_can_see_a_record(client, force, council, team, team_contact):
    publish(lead=force, provider=force, recipient=council, category="contacts")
    governance = UserFactory()
    MembershipFactory(user=governance, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    client.force_login(governance)
    page = client.get(reverse("sharing:who-can-see", args=["crm.contact", team_contact.pk])).content.decode()
    assert "Westmorland and Furness Council" in page and "clause 4.2" in page and "Withheld" in page
    organisations = {reason.organisation for reason in who_can_see(team_contact)}
    assert organisations == {team, force, council}


def test_only_information_governance_asks_who_can_see(officer_client, team_contact):
    """Nobody else sees the page: a 404, as for a record that does not exist."""
    assert officer_client.get(reverse("sharing:who-can-see", args=["crm.contact", team_contact.pk])).status_code == 404


def test_who_can_see_a_record_one_cannot_see_is_404(outsider_client, team_contact, outsider, other_force):
    MembershipFactory(user=outsider, organisation=other_force, role=Role.INFORMATION_GOVERNANCE)
    assert outsider_client.get(reverse("sharing:who-can-see", args=["crm.contact", team_contact.pk])).status_code == 404


def test_the_holder_shares_a_record_from_its_page(officer_client, partner_user, council, team_contact):
    url = reverse("sharing:record-share", args=["crm.contact", team_contact.pk])
    expires_on = timezone.localdate() + timedelta(days=14)
    response = officer_client.post(url, {"organisation": council.pk, "reason": "Joint visit", "expires_on": expires_on.isoformat()}, follow=True)
    assert f"Shared with {council} until {expires_on:%d %B %Y}" in response.content.decode()
    assert list(Contact.objects.visible_to(partner_user)) == [team_contact]
    too_long = officer_client.post(url, {"organisation": council.pk, "reason": "Joint visit",
                                         "expires_on": (timezone.localdate() + timedelta(days=120)).isoformat()})
    assert "at most 90 days" in too_long.content.decode()


def test_a_partner_cannot_open_the_share_page_of_someone_elses_record(partner_client, team_contact):
    assert partner_client.get(reverse("sharing:record-share", args=["crm.contact", team_contact.pk])).status_code == 404


def test_an_organisation_viewer_sees_what_its_protocols_allow(force, council, team_contact):
    """Open311 keys act for an organisation: the same door, with the organisation as the viewer."""
    publish(lead=force, provider=force, recipient=council, category="contacts")
    assert list(Contact.objects.visible_to(council)) == [team_contact]
    assert not Contact.objects.visible_to(OrganisationFactory()).exists()


def test_an_open311_key_reads_concerns_its_protocols_share_and_the_read_is_logged(client, force, council, officer):
    from partners.api_keys import api_key_issue

    fire = OrganisationFactory(name="Cumbria Fire and Rescue", slug="cfrs", kind="fire_and_rescue")
    shared = ConcernFactory(organisation=council, reporter_name=f"{NAME} {SURNAME}")
    publish(lead=force, provider=council, recipient=fire, category="concerns")
    administrator = UserFactory()
    MembershipFactory(user=administrator, organisation=fire, role=Role.ADMINISTRATOR)
    _key, plaintext = api_key_issue(organisation=fire, name="Fire case system", acting_user=administrator)
    body = client.get(f"/open311/v2/requests/{shared.pk}.json", {"api_key": plaintext}).content.decode()
    assert f'"service_request_id": "{shared.pk}"' in body.replace('"service_request_id":"', '"service_request_id": "') and SURNAME not in body
    entry = DisclosureEntry.objects.filter(action=DisclosureAction.READ).latest("pk")
    assert (entry.organisation, entry.record_id, entry.protocol_reference) == (fire, str(shared.pk), "furness-isp v1, clause 4.2")


def test_reviews_falling_due_are_flagged_once_and_the_lead_is_told(force, council, mailoutbox):
    from sharing_protocols.models import SharingProtocol
    from sharing_protocols.reviews import protocols_flag_reviews_due

    governance = UserFactory(email="dpo@police.example")
    MembershipFactory(user=governance, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    due = publish(lead=force, provider=force, recipient=council, category="contacts", starts_in_days=-170).protocol  # review in 10 days
    publish(lead=force, provider=force, recipient=council, category="priorities", reference="later", starts_in_days=-10)  # in 170 days
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        flagged = protocols_flag_reviews_due()
    assert flagged == [due]
    assert SharingProtocol.objects.get(pk=due.pk).review_due and not SharingProtocol.objects.get(reference="later").review_due
    assert [message.to for message in mailoutbox] == [["dpo@police.example"]]
    assert "Protocol review is due: Furness community safety protocol" == mailoutbox[0].subject
    assert protocols_flag_reviews_due() == []


def test_the_review_check_is_on_the_beat_schedule():
    from engagement_hub.celery import app

    assert app.conf.beat_schedule["flag-protocol-reviews-due"]["task"] == "sharing_protocols.tasks.flag_protocol_reviews_due"


def test_a_shared_records_history_stays_with_its_holder(partner_client, officer, force, council, team_contact):
    from django.test import Client

    publish(lead=force, provider=force, recipient=council, category="contacts")
    team_contact.last_name = "Quartermaine"
    team_contact.save()
    page = partner_client.get(reverse("crm:contact-detail", args=[team_contact.pk])).content.decode()
    assert "Why you can see this record" in page and SURNAME not in page
    holder = Client()
    holder.force_login(officer)
    assert SURNAME in holder.get(reverse("crm:contact-detail", args=[team_contact.pk])).content.decode()


def test_a_search_by_a_withheld_name_finds_nothing(partner_client, partner_user, force, council, team_contact):
    publish(lead=force, provider=force, recipient=council, category="contacts")
    assert not Contact.objects.visible_to(partner_user).filter(last_name__icontains="quartermain").exists()
    assert Contact.objects.visible_to(partner_user).filter(last_name="").exists() is True
    page = partner_client.get(reverse("crm:contact-list"), {"q": "Quartermain"}).content.decode()
    assert "name withheld" not in page


def test_a_search_by_name_still_finds_ones_own_contacts(officer, team_contact):
    assert list(Contact.objects.visible_to(officer).filter(last_name__icontains="quartermain")) == [team_contact]
