"""The disclosure log as a page: the holder's IG sees reads of its records, the reader's IG its own people's
reads; filters, newest first, links only to records the reader may open, CSV escaped; the chain's check."""
import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from sharing_protocols.attention import items_for
from sharing_protocols.models import ChainVerification, DisclosureAction, DisclosureEntry
from sharing_protocols.tasks import verify_disclosure_log
from tests.factories import ContactFactory, UserFactory
from tests.sharing_protocols.test_protocol_sign_off import governance

pytestmark = pytest.mark.django_db


@pytest.fixture
def force_ig(force):
    return governance("force-ig", force)


@pytest.fixture
def council_ig(council):
    return governance("council-ig", council)


@pytest.fixture
def shared_contact(publish, force, council, team):
    publish(provider=force, recipient=council, categories=("contacts",), reference="furness-contacts")
    return ContactFactory(organisation=team, last_name="=HYPERLINK(\"http://evil.example\")")


def test_the_holders_governance_sees_every_partner_read_of_its_records(client, partner_client, shared_contact, force_ig, council_ig):
    for _ in range(3):
        assert partner_client.get(reverse("crm:contact-detail", args=[shared_contact.pk])).status_code == 200
    reads = DisclosureEntry.objects.filter(action=DisclosureAction.READ)
    assert reads.count() == 3 and {e.holder_label for e in reads} == {"Hindpool neighbourhood team"}
    client.force_login(force_ig)
    page = client.get(reverse("sharing:disclosure-log")).context
    entries = [e for e in page["entries"] if e.action == DisclosureAction.READ]
    assert len(entries) == 3 and entries[0].pk > entries[-1].pk  # newest first
    assert entries[0].user_label == "sam-council" and "furness-contacts v1, clause 4.1" in entries[0].protocol_reference
    assert entries[0].link == reverse("crm:contact-detail", args=[shared_contact.pk])
    client.force_login(council_ig)
    council_entries = [e for e in client.get(reverse("sharing:disclosure-log")).context["entries"] if e.action == DisclosureAction.READ]
    assert len(council_entries) == 3


def test_other_organisations_governance_sees_none_of_it_and_others_are_refused(client, partner_client, shared_contact, other_force, officer):
    partner_client.get(reverse("crm:contact-detail", args=[shared_contact.pk]))
    client.force_login(governance("lancs-ig", other_force))
    assert client.get(reverse("sharing:disclosure-log")).context["entries"] == []
    client.force_login(officer)
    assert client.get(reverse("sharing:disclosure-log")).status_code == 403


def test_a_record_link_appears_only_where_the_reader_may_open_it(client, partner_client, shared_contact, council_ig, force, council):
    from sharing_protocols.models import SharingProtocol
    from sharing_protocols.services import protocol_change_status

    partner_client.get(reverse("crm:contact-detail", args=[shared_contact.pk]))
    client.force_login(council_ig)
    read = next(e for e in client.get(reverse("sharing:disclosure-log")).context["entries"] if e.action == DisclosureAction.READ)
    assert read.link is not None
    protocol_change_status(protocol=SharingProtocol.objects.get(), status="suspended", acting_user=None, reason="Paused")
    read = next(e for e in client.get(reverse("sharing:disclosure-log")).context["entries"] if e.action == DisclosureAction.READ)
    assert read.link is None  # the council can no longer open it: no link


def test_the_log_filters_by_record_organisation_protocol_user_and_date(client, partner_client, shared_contact, force_ig, team):
    other = ContactFactory(organisation=team)
    partner_client.get(reverse("crm:contact-detail", args=[shared_contact.pk]))
    partner_client.get(reverse("crm:contact-detail", args=[other.pk]))
    client.force_login(force_ig)
    url = reverse("sharing:disclosure-log")

    def ids(**query):
        return [e.record_id for e in client.get(url, query).context["entries"] if e.action == DisclosureAction.READ]

    assert ids(record_type="crm.contact", record_id=str(other.pk)) == [str(other.pk)]
    assert len(ids(user="sam-council")) == 2 and ids(user="nobody") == []
    from sharing_protocols.models import SharingProtocol

    assert len(ids(protocol=SharingProtocol.objects.get().pk)) == 2
    assert len(ids(organisation=team.pk)) == 2
    assert ids(since="2001-01-01", until="2001-01-02") == []
    bad = client.get(url, {"since": "not a date"})
    assert bad.status_code == 200 and "Give the &#x27;From&#x27; date as day, month and year." in bad.content.decode()


def test_the_csv_export_escapes_cells_against_formulas_and_is_itself_logged(client, force_ig, force):
    from sharing_protocols.disclosures import disclosure_record

    disclosure_record(user=force_ig, organisation=force, action=DisclosureAction.EXPORT, record_type="crm.contact",
                      purpose="=HYPERLINK(\"http://evil.example\")")
    client.force_login(force_ig)
    response = client.get(reverse("sharing:disclosure-log"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Entry" and [row[-1] for row in rows[1:]] == ["Disclosure log exported as CSV", "'=HYPERLINK(\"http://evil.example\")"]
    export = DisclosureEntry.objects.get(record_type="sharing_protocols.disclosureentry", purpose="Disclosure log exported as CSV")
    assert export.organisation == force and export.user == force_ig


def test_the_chain_is_verified_on_demand_and_the_page_says_when_and_what(client, force_ig, force, django_capture_on_commit_callbacks):
    from sharing_protocols.disclosures import disclosure_record

    first = disclosure_record(user=force_ig, organisation=force, action=DisclosureAction.EXPORT, purpose="Monthly report")
    disclosure_record(user=force_ig, organisation=force, action=DisclosureAction.EXPORT, purpose="Another")
    client.force_login(force_ig)
    page = client.get(reverse("sharing:disclosure-log")).content.decode()
    assert "The chain has not been verified yet." in page
    response = client.post(reverse("sharing:disclosure-log-verify"), follow=True)
    assert "The disclosure log is intact: 2 entries checked." in response.content.decode()
    assert "intact</strong>, 2 entries checked" in response.content.decode()
    assert items_for(force_ig) == []
    from tests.sharing_protocols.test_disclosure_log import as_the_database_owner

    with as_the_database_owner():  # what someone holding the database owner's access might do
        DisclosureEntry.objects.filter(pk=first.pk).update(purpose="Nothing to see")
    with django_capture_on_commit_callbacks(execute=True):
        assert verify_disclosure_log() is False  # the nightly task
    check = ChainVerification.objects.order_by("-at").first()
    assert (check.intact, check.first_broken_entry_id) == (False, first.pk)
    assert [m.subject for m in mail.outbox] == ["The disclosure log failed its check"] and force_ig.email in mail.outbox[0].to
    assert [item["kind"] for item in items_for(force_ig)] == ["disclosure_log_broken"]
    assert f"broken</strong> at entry #{first.pk}" in client.get(reverse("sharing:disclosure-log")).content.decode()


def test_governance_menu_leads_to_the_register_and_the_log(client, force_ig, officer):
    client.force_login(force_ig)
    labels = {item["label"]: item["url"] for item in client.get(reverse("sharing:protocol-list")).context["navigation"]}
    assert labels["Sharing protocols"] == reverse("sharing:protocol-list")
    assert labels["Disclosure log"] == reverse("sharing:disclosure-log")
    page = client.get(reverse("sharing:disclosure-log")).content.decode()
    assert "Verify the chain now" in page
    client.force_login(officer)
    labels = {item["label"] for item in client.get(reverse("crm:contact-list")).context["navigation"]}
    assert "Sharing protocols" not in labels and "Disclosure log" not in labels


def test_attention_lists_signatures_awaited_and_protocols_stopped_by_another_party(force, council, force_ig, council_ig):
    from sharing_protocols.models import ProtocolStatus
    from sharing_protocols.services import protocol_send_for_signature, protocol_suspend_or_terminate
    from tests.sharing_protocols.test_protocol_sign_off import draft, sign

    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    items = items_for(council_ig)
    assert items == [{"kind": "protocol_signatures_awaited", "count": 1, "url": reverse("sharing:protocol-list"),
                      "label": "1 protocol version waits for your organisation's signature"}]
    sign(version, council, council_ig), sign(version, force, force_ig)
    assert items_for(council_ig) == []
    protocol_suspend_or_terminate(protocol=version.protocol, status=ProtocolStatus.SUSPENDED, acting_user=council_ig, acted_for=council,
                                  reason="Breach")
    assert [item["label"] for item in items_for(force_ig)] == ["1 protocol was suspended or terminated by another party"]
    assert items_for(council_ig) == []  # it did it itself
    assert items_for(UserFactory()) == []


def test_attention_lists_reviews_falling_due_and_protocols_lapsing(publish, force, council, force_ig):
    publish(provider=force, recipient=council, reference="lapsing", ends_in_days=10)
    kinds = {item["kind"]: item["label"] for item in items_for(force_ig)}
    assert kinds["protocols_lapsing"] == "1 protocol ends within 30 days"
    assert kinds["protocol_reviews_due"] == "1 protocol you lead is due for review"


def test_attention_counts_stop_at_the_home_pages_cap_and_say_so(publish, force, council, force_ig, monkeypatch):
    import home.attention

    monkeypatch.setattr(home.attention, "COUNT_CAP", 2)
    for n in range(3):
        publish(provider=force, recipient=council, reference=f"lapsing-{n}", ends_in_days=10)
    items = {item["kind"]: item for item in items_for(force_ig)}
    assert items["protocols_lapsing"]["count"] == 2 and items["protocols_lapsing"]["label"] == "2 or more protocols end within 30 days"
    assert items["protocol_reviews_due"]["count"] == 2


def test_each_governance_user_is_emailed_what_waits_and_nobody_else(force, council, force_ig, council_ig, officer):
    from sharing_protocols.notify import send_attention_digests
    from sharing_protocols.services import protocol_send_for_signature
    from tests.sharing_protocols.test_protocol_sign_off import draft

    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    mail.outbox.clear()
    assert send_attention_digests() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {force_ig.email, council_ig.email}
    assert "- 1 protocol version waits for your organisation's signature" in by_recipient[council_ig.email].body
