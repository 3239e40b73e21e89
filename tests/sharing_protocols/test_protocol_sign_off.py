"""Drafting, sign-off by every party, coming into force, suspension and termination, through the services
and the register's pages."""
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import ProgrammingError, transaction
from django.urls import reverse
from django.utils import timezone

from crm.models import Contact
from access.roles import Role
from sharing_protocols.disclosures import verify_chain
from sharing_protocols.models import DisclosureEntry, ProtocolStatus, ProtocolVersion, SharingProtocol
from sharing_protocols.register import protocol_state, version_sha256
from sharing_protocols.services import (
    Flow, Party, protocol_draft_save, protocol_send_for_signature, protocol_suspend_or_terminate, protocol_version_decide,
    protocols_bring_signed_versions_into_force,
)
from tests.factories import ContactFactory, MembershipFactory, UserFactory
from tests.sharing_protocols.conftest import protocol_terms

pytestmark = pytest.mark.django_db


def governance(username, organisation):
    user = UserFactory(username=username, first_name=username.split("-")[0].capitalize(), last_name="Governance")
    MembershipFactory(user=user, organisation=organisation, role=Role.INFORMATION_GOVERNANCE)
    return user


@pytest.fixture
def force_ig(force):
    return governance("force-ig", force)


@pytest.fixture
def council_ig(council):
    return governance("council-ig", council)


def draft_terms(**overrides):
    starts = overrides.pop("starts_in_days", -30)
    terms = protocol_terms(status=ProtocolStatus.DRAFT, starts_in_days=starts)
    terms["review_on"] = terms["starts_on"] + timedelta(days=200)  # not due for review yet
    for field in ("status", "signatories", "signed_off_on"):
        terms.pop(field)
    return {**terms, **overrides}


def draft(force_ig, force, council, *, protocol=None, **overrides):
    starts = {"starts_in_days": overrides.pop("starts_in_days")} if "starts_in_days" in overrides else {}
    return protocol_draft_save(
        acting_user=force_ig, acted_for=force, protocol=protocol, reference="" if protocol else "furness-contacts",
        title="" if protocol else "Furness contacts protocol", terms=draft_terms(**starts, **overrides),
        parties=[Party(force, "Jo Whitfield", "dpo@police.example"), Party(council, "Sam Okafor", "ig@council.example")],
        flows=[Flow("contacts", force, council, "4.1")], change_summary="" if protocol is None else "Adds personal data",
    )


def sign(version, organisation, user, *, name="A Signatory"):
    return protocol_version_decide(version=version, organisation=organisation, acting_user=user, decision="signed",
                                   signatory_name=name, signatory_role="Data protection officer")


def test_a_protocol_comes_into_force_only_when_every_party_has_signed(force, council, force_ig, council_ig, partner_user, team):
    contact = ContactFactory(organisation=team)
    version = draft(force_ig, force, council)
    assert protocol_state(version.protocol, latest=version).label == "Draft"
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    version.refresh_from_db()
    assert protocol_state(version.protocol, latest=version).label == "Awaiting signatures"
    sign(version, force, force_ig)
    assert not Contact.objects.visible_to(partner_user).exists()  # one party of two: not yet
    sign(version, council, council_ig)
    version.refresh_from_db()
    protocol = SharingProtocol.objects.get()
    assert version.status == ProtocolStatus.ACTIVE and protocol.current_version == version
    assert protocol_state(protocol, latest=version).label == "Active"
    assert list(Contact.objects.visible_to(partner_user)) == [contact]
    assert "A Signatory, Data protection officer, for Westmorland and Furness Council" in version.signatories
    steps = list(DisclosureEntry.objects.filter(action="protocol_change").order_by("pk").values_list("purpose", flat=True))
    assert steps == ["Draft version 1 started", "Version 1 sent for signature",
                     "Version 1 signed for Cumbria Constabulary by A Signatory, Data protection officer",
                     "Version 1 signed for Westmorland and Furness Council by A Signatory, Data protection officer",
                     "Version 1 signed by every party", "Version 1 in force"]
    assert verify_chain().intact


def test_a_signed_version_cannot_be_edited_by_the_service_the_page_or_the_database(force, council, force_ig, council_ig, client):
    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    with pytest.raises(ValidationError, match="has been sent for signature and can no longer be edited"):
        draft(force_ig, force, council, protocol=version.protocol, purpose="Changed after sending")
    client.force_login(force_ig)
    assert client.get(reverse("sharing:protocol-draft", args=[version.protocol_id])).status_code == 403
    with pytest.raises(ProgrammingError, match="Cannot update rows"), transaction.atomic():
        ProtocolVersion.objects.filter(pk=version.pk).update(purpose="Quietly changed")
    with pytest.raises(ProgrammingError, match="no longer a draft"), transaction.atomic():
        version.flows.all().delete()


def test_a_change_is_a_new_version_and_the_one_in_force_stays_until_it_is_signed(force, council, force_ig, council_ig, partner_user, team):
    ContactFactory(organisation=team, last_name="Quartermain")
    first = draft(force_ig, force, council)
    protocol_send_for_signature(version=first, acting_user=force_ig, acted_for=force)
    sign(first, force, force_ig), sign(first, council, council_ig)
    second = draft(force_ig, force, council, protocol=first.protocol, includes_personal_data=True)
    assert second.number == 2
    protocol = SharingProtocol.objects.get()
    assert protocol.current_version == first
    assert Contact.objects.visible_to(partner_user).get().last_name == ""  # still version 1: no personal data
    assert protocol_state(protocol, latest=second).note == "Version 2 is draft."
    protocol_send_for_signature(version=second, acting_user=force_ig, acted_for=force)
    sign(second, council, council_ig), sign(second, force, force_ig)
    assert Contact.objects.visible_to(partner_user).get().last_name == "Quartermain"
    assert version_sha256(first) != version_sha256(second)


def test_a_version_signed_before_its_start_date_comes_into_force_on_that_date(force, council, force_ig, council_ig, partner_user, team):
    ContactFactory(organisation=team)
    version = draft(force_ig, force, council, starts_in_days=3)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    sign(version, force, force_ig), sign(version, council, council_ig)
    protocol = SharingProtocol.objects.get()
    assert protocol.current_version is None and protocol.pending_version == version
    assert protocol_state(protocol, latest=version).code == "awaiting_start"
    assert protocols_bring_signed_versions_into_force() == []
    assert not Contact.objects.visible_to(partner_user).exists()
    brought = protocols_bring_signed_versions_into_force(today=timezone.localdate() + timedelta(days=3))
    assert brought == [version]
    protocol.refresh_from_db()
    assert protocol.current_version == version and protocol.pending_version is None


def test_a_party_declines_with_a_reason_and_the_lead_is_told(force, council, force_ig, council_ig, django_capture_on_commit_callbacks):
    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    with pytest.raises(ValidationError) as error:
        protocol_version_decide(version=version, organisation=council, acting_user=council_ig, decision="declined",
                                signatory_name="Sam Okafor", signatory_role="DPO", reason=" ")
    assert error.value.message_dict["reason"] == ["Give the reason for declining: the lead organisation needs it to redraft."]
    with django_capture_on_commit_callbacks(execute=True):
        protocol_version_decide(version=version, organisation=council, acting_user=council_ig, decision="declined",
                                signatory_name="Sam Okafor", signatory_role="DPO", reason="Retention is too long")
    version.refresh_from_db()
    assert version.status == ProtocolStatus.DECLINED
    assert protocol_state(version.protocol, latest=version).label == "Declined by a party"
    assert [m.subject for m in mail.outbox] == ["Declined: Furness contacts protocol, version 1"]
    assert "Retention is too long" in mail.outbox[0].body and mail.outbox[0].to == [force_ig.email]


def test_only_a_partys_own_governance_signs_for_it(force, council, force_ig, council_ig, other_force):
    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    with pytest.raises(ValidationError, match="Only the party's own information governance signs for it"):
        sign(version, council, force_ig)
    outsider_ig = governance("lancs-ig", other_force)
    with pytest.raises(ValidationError, match="is not a party"):
        sign(version, other_force, outsider_ig)
    sign(version, council, council_ig)
    with pytest.raises(ValidationError, match="has already decided"):
        sign(version, council, council_ig)


def test_any_party_suspends_at_once_and_the_others_are_told(force, council, force_ig, council_ig, partner_user, team,
                                                            django_capture_on_commit_callbacks):
    ContactFactory(organisation=team)
    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    sign(version, force, force_ig), sign(version, council, council_ig)
    draft(force_ig, force, council, protocol=version.protocol, includes_personal_data=True)
    with django_capture_on_commit_callbacks(execute=True):
        suspended = protocol_suspend_or_terminate(protocol=version.protocol, status=ProtocolStatus.SUSPENDED, acting_user=council_ig,
                                                  acted_for=council, reason="Breach under investigation")
    assert not Contact.objects.visible_to(partner_user).exists()
    assert suspended.number == 3 and suspended.acted_for == council
    assert ProtocolVersion.objects.get(number=2).status == ProtocolStatus.WITHDRAWN
    protocol = SharingProtocol.objects.get()
    assert protocol_state(protocol).label == "Suspended"
    assert [m.to for m in mail.outbox if m.subject.startswith("Suspended")] == [[force_ig.email]]
    with pytest.raises(ValidationError, match="Give the reason"):
        protocol_suspend_or_terminate(protocol=protocol, status=ProtocolStatus.TERMINATED, acting_user=force_ig, acted_for=force, reason="")
    protocol_suspend_or_terminate(protocol=protocol, status=ProtocolStatus.TERMINATED, acting_user=force_ig, acted_for=force, reason="Replaced")
    protocol.refresh_from_db()
    assert protocol_state(protocol).label == "Terminated"
    with pytest.raises(ValidationError, match="A terminated protocol cannot change"):
        draft(force_ig, force, council, protocol=protocol)


@pytest.mark.parametrize(("starts", "review", "ends", "expected"), [
    (-400, -300, -1, "Ended"), (-30, 10, 365, "Review due"), (-30, 200, 365, "Active"), (5, 200, 365, "Comes into force on"),
])
def test_the_state_today_follows_the_dates_not_the_last_status(force, council, starts, review, ends, expected):
    """A protocol past its end date is "Ended", never "Active", though its version in force says active."""
    from sharing_protocols.services import protocol_publish_version

    today = timezone.localdate()
    terms = {**protocol_terms(), "starts_on": today + timedelta(days=starts), "review_on": today + timedelta(days=review),
             "ends_on": today + timedelta(days=ends), "signed_off_on": today + timedelta(days=starts)}
    version = protocol_publish_version(acting_user=None, reference="dated", title="Dated", lead_organisation=force, terms=terms,
                                       parties=[Party(force, "A", "a@example.org"), Party(council, "B", "b@example.org")],
                                       flows=[Flow("contacts", force, council, "4.1")])
    assert version.status == ProtocolStatus.ACTIVE
    assert protocol_state(version.protocol).label.startswith(expected)
