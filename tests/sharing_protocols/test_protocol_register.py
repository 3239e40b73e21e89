"""The protocol register: ICO headings, validation, and versions that are kept, never changed."""
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import ProgrammingError, transaction

from sharing_protocols.disclosures import verify_chain
from sharing_protocols.models import DisclosureEntry, ProtocolStatus, ProtocolVersion, SharingProtocol
from sharing_protocols.services import Flow, Party, protocol_change_status, protocol_publish_version

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


def terms(**overrides) -> dict:
    base = {
        "purpose": "Collate partner-reported concerns to set neighbourhood priorities.", "article_6_basis": "public_task",
        "legal_power": "Section 115 of the Crime and Disorder Act 1998", "includes_personal_data": False,
        "highest_classification": "official", "retention_and_deletion": "Deleted after 12 months.", "security": "Hub only; no email.",
        "starts_on": TODAY, "review_on": TODAY + timedelta(days=365), "ends_on": TODAY + timedelta(days=730),
        "signatories": "Chief Inspector A. Morgan (police); Head of Community Safety (council)", "signed_off_on": TODAY,
        "status": ProtocolStatus.ACTIVE,
    }
    return {**base, **overrides}


@pytest.fixture
def parties(force, council):
    return [Party(force, "Jo Whitfield", "dpo@police.example"), Party(council, "Sam Okafor", "community.safety@council.example")]


@pytest.fixture
def flows(force, council):
    return [Flow("concerns", council, force, "4.1"), Flow("priorities", force, council, "4.2")]


@pytest.fixture
def protocol(officer, force, parties, flows):
    version = protocol_publish_version(acting_user=officer, reference="furness-csp", title="Furness community safety ISP",
                                       lead_organisation=force, terms=terms(), parties=parties, flows=flows)
    return version.protocol


def test_a_protocol_is_registered_with_its_parties_flows_and_clauses(protocol, force, council):
    version = protocol.current_version
    assert (version.number, version.status, version.get_highest_classification_display()) == (1, "active", "OFFICIAL")
    assert sorted(version.parties.values_list("organisation__slug", flat=True)) == ["cumbria-constabulary", "wf-council"]
    assert sorted(version.flows.values_list("category", "provider__slug", "clause")) == [
        ("concerns", "wf-council", "4.1"), ("priorities", "cumbria-constabulary", "4.2")]


def test_suspending_makes_a_new_version_and_the_old_one_stays_readable(protocol, officer):
    suspended = protocol_change_status(protocol=protocol, status=ProtocolStatus.SUSPENDED, acting_user=officer, reason="Breach under investigation")
    assert (suspended.number, suspended.status) == (2, "suspended")
    assert suspended.change_summary == "Suspended: Breach under investigation"
    first = ProtocolVersion.objects.get(protocol=protocol, number=1)
    assert first.status == "active" and first.flows.count() == 2
    assert suspended.flows.count() == 2 and protocol.current_version == suspended


def test_a_version_cannot_be_changed_in_the_database(protocol):
    with pytest.raises(ProgrammingError, match="Cannot update rows"), transaction.atomic():
        ProtocolVersion.objects.filter(protocol=protocol).update(includes_personal_data=True)


def test_every_change_is_in_the_disclosure_log(protocol, officer):
    protocol_change_status(protocol=protocol, status=ProtocolStatus.TERMINATED, acting_user=officer, reason="Replaced")
    entries = list(DisclosureEntry.objects.filter(action="protocol_change").values_list("protocol_reference", flat=True))
    assert entries == ["furness-csp v1", "furness-csp v2"]
    assert verify_chain().intact


def test_a_terminated_protocol_cannot_be_revived(protocol, officer):
    protocol_change_status(protocol=protocol, status=ProtocolStatus.TERMINATED, acting_user=officer, reason="Replaced")
    with pytest.raises(ValidationError, match="A terminated protocol cannot change"):
        protocol_change_status(protocol=protocol, status=ProtocolStatus.ACTIVE, acting_user=officer, reason="Oops")


@pytest.mark.parametrize("overrides, field, message", [
    ({"ends_on": TODAY - timedelta(days=1)}, "ends_on", "The end date must be after the start date."),
    ({"review_on": TODAY + timedelta(days=900)}, "review_on", "The review date cannot come after the end date."),
    ({"signed_off_on": None}, "signed_off_on", "A protocol is active only once signed off: give the date and the signatories."),
    ({"includes_personal_data": True, "article_6_basis": ""}, "article_6_basis", "Personal data needs a lawful basis"),
])
def test_bad_terms_are_refused_on_the_field_and_nothing_is_registered(officer, force, parties, flows, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        protocol_publish_version(acting_user=officer, reference="bad", title="Bad", lead_organisation=force,
                                 terms=terms(**overrides), parties=parties, flows=flows)
    assert error.value.message_dict[field][0].startswith(message)
    assert not SharingProtocol.objects.exists() and not DisclosureEntry.objects.exists()


def test_a_flow_to_an_organisation_that_is_not_a_party_is_refused(officer, force, council, other_force, parties):
    with pytest.raises(ValidationError) as error:
        protocol_publish_version(acting_user=officer, reference="leaky", title="Leaky", lead_organisation=force, terms=terms(),
                                 parties=parties, flows=[Flow("contacts", force, other_force, "5.1")])
    assert error.value.message_dict["parties"] == ["Data flow 1: the recipient, Lancashire Constabulary, is not a party to the protocol."]
    assert not SharingProtocol.objects.exists()


def test_information_governance_reads_the_protocols_their_organisation_is_party_to(client, protocol, council, other_force):
    from django.urls import reverse

    from access.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    council_dpo = UserFactory(username="council-dpo", is_staff=True)
    MembershipFactory(user=council_dpo, organisation=council, role=Role.INFORMATION_GOVERNANCE)
    outsider_dpo = UserFactory(username="lancs-dpo", is_staff=True)
    MembershipFactory(user=outsider_dpo, organisation=other_force, role=Role.INFORMATION_GOVERNANCE)
    url = reverse("admin:sharing_protocols_protocolversion_changelist")
    client.force_login(council_dpo)
    assert "Furness community safety ISP" in client.get(url).content.decode()
    detail = client.get(reverse("admin:sharing_protocols_protocolversion_change", args=[protocol.current_version.pk])).content.decode()
    assert "4.1" in detail and "Sam Okafor" in detail
    client.force_login(outsider_dpo)
    assert "Furness community safety ISP" not in client.get(url).content.decode()
