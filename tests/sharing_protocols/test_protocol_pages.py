"""The register's pages: the list with each protocol's state today, a protocol in plain words, a version
with what changed side by side, the drafting form's messages, signing, suspending and the printable agreement."""
import html
import io
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from sharing_protocols.models import ProtocolSignature, ProtocolStatus, SharingProtocol
from sharing_protocols.register import version_sha256
from sharing_protocols.services import protocol_send_for_signature
from tests.factories import MembershipFactory
from tests.sharing_protocols.test_protocol_sign_off import draft, governance

pytestmark = pytest.mark.django_db


@pytest.fixture
def force_ig(force):
    return governance("force-ig", force)


@pytest.fixture
def council_ig(council):
    return governance("council-ig", council)


def form_data(force, council, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "title": "Furness anti-social behaviour protocol", "reference": "furness-asb", "lead_organisation": force.pk,
        "change_summary": "", "purpose": "Share contacts to tackle anti-social behaviour.", "article_6_basis": "public_task",
        "legal_power": "Section 115 of the Crime and Disorder Act 1998", "highest_classification": "official",
        "retention_and_deletion": "Deleted after 12 months.", "security": "Hub only.",
        "starts_on": (today - timedelta(days=1)).isoformat(), "review_on": (today + timedelta(days=200)).isoformat(),
        "ends_on": (today + timedelta(days=700)).isoformat(),
        "parties-TOTAL_FORMS": "3", "parties-INITIAL_FORMS": "0",
        "parties-0-organisation": force.pk, "parties-0-contact_name": "Jo Whitfield", "parties-0-contact_email": "dpo@police.example",
        "parties-1-organisation": council.pk, "parties-1-contact_name": "Sam Okafor", "parties-1-contact_email": "ig@council.example",
        "flows-TOTAL_FORMS": "2", "flows-INITIAL_FORMS": "0",
        "flows-0-category": "contacts", "flows-0-provider": force.pk, "flows-0-recipient": council.pk, "flows-0-clause": "4.1",
    }
    return {**data, **overrides}


def test_the_lead_drafts_a_protocol_through_the_form(client, force, council, force_ig):
    client.force_login(force_ig)
    assert client.get(reverse("sharing:protocol-new")).status_code == 200
    response = client.post(reverse("sharing:protocol-new"), form_data(force, council, includes_personal_data="on"))
    protocol = SharingProtocol.objects.get()
    version = protocol.versions.get()
    assert response.status_code == 302 and response.url == reverse("sharing:protocol-version", args=[protocol.pk, 1])
    assert (protocol.lead_organisation, version.status, version.includes_personal_data) == (force, ProtocolStatus.DRAFT, True)
    assert [str(f) for f in version.flows.all()] == [
        "Clause 4.1: community contacts from Cumbria Constabulary to Westmorland and Furness Council"]


@pytest.mark.parametrize(("overrides", "field_id", "message"), [
    ({"flows-0-recipient": "OTHER"}, "id_flows-0-recipient",
     "Data flow 1: the recipient, Lancashire Constabulary, is not a party to the protocol"),
    ({"flows-0-provider": "OTHER"}, "id_flows-0-provider", "Data flow 1: the provider, Lancashire Constabulary, is not a party"),
    ({"ends_on": "STARTMINUS"}, "id_ends_on", "The end date must be after the start date."),
    ({"includes_personal_data": "on", "article_6_basis": ""}, "id_article_6_basis", "Personal data needs a lawful basis"),
    ({"includes_personal_data": "on", "includes_special_category_data": "on"}, "id_special_category_condition",
     "Special category data needs an article 9 condition"),
    ({"parties-1-organisation": ""}, "id_parties-1-organisation", "Party 2: Choose the party's organisation."),
    ({"starts_on": "31/02/2026"}, "id_starts_on", "Give the start date as day, month and year."),
])
def test_bad_drafts_are_refused_with_a_message_naming_the_field_and_nothing_is_saved(client, force, council, other_force, force_ig,
                                                                                        overrides, field_id, message):
    client.force_login(force_ig)
    data = form_data(force, council)
    for key, value in overrides.items():
        if value == "OTHER":
            value = other_force.pk
        elif value == "STARTMINUS":
            value = (timezone.localdate() - timedelta(days=5)).isoformat()
        data[key] = value
    response = client.post(reverse("sharing:protocol-new"), data)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "There is a problem" in page and message in page
    assert f'href="#{field_id}"' in page, f"the summary links to {field_id}"
    assert not SharingProtocol.objects.exists()


def test_the_list_shows_each_protocols_true_state_and_readable_parties(client, publish, force, council, other_force, force_ig):
    publish(provider=force, recipient=council, reference="ended-one", starts_in_days=-400, ends_in_days=-1)
    publish(provider=force, recipient=council, reference="live-one")
    publish(provider=other_force, recipient=council, lead=other_force, reference="not-ours")
    client.force_login(force_ig)
    page = client.get(reverse("sharing:protocol-list")).content.decode()
    assert "Protocol ended-one" in page and "Protocol live-one" in page and "not-ours" not in page
    ended_row = page[page.index("Protocol ended-one"):page.index("Protocol live-one")]
    assert "Ended" in ended_row and "Active" not in ended_row
    assert "Cumbria Constabulary, Westmorland and Furness Council" in page
    assert "ProtocolParty object" not in page


def test_the_register_is_for_governance_and_a_protocol_not_ours_is_404(client, publish, force, council, other_force, officer, force_ig):
    theirs = publish(provider=other_force, recipient=council, lead=other_force, reference="not-ours").protocol
    ours = publish(provider=force, recipient=council, reference="ours").protocol
    client.force_login(officer)
    assert client.get(reverse("sharing:protocol-list")).status_code == 403
    assert client.get(reverse("sharing:protocol-detail", args=[ours.pk])).status_code == 403
    client.force_login(force_ig)
    assert client.get(reverse("sharing:protocol-detail", args=[ours.pk])).status_code == 200
    for url in ("sharing:protocol-detail", "sharing:protocol-draft", "sharing:protocol-suspend"):
        assert client.get(reverse(url, args=[theirs.pk])).status_code == 404, url
    assert client.get(reverse("sharing:protocol-version", args=[theirs.pk, 1])).status_code == 404


def test_a_protocol_page_reads_in_plain_words_under_the_icos_headings(client, publish, force, council, force_ig):
    protocol = publish(provider=force, recipient=council, personal=True).protocol
    client.force_login(force_ig)
    page = client.get(reverse("sharing:protocol-detail", args=[protocol.pk])).content.decode()
    for heading in ("Purpose of the sharing", "Lawful basis", "What is shared", "Retention and deletion", "Security", "Dates and review",
                    "Parties and their contacts", "Data flows"):
        assert heading in page
    assert "Public task (article 6(1)(e))" in page and "Section 115 of the Crime and Disorder Act 1998" in page
    assert "Cumbria Constabulary: Data protection officer, dpo@example.org" in page
    assert "ProtocolParty object" not in page and "public_task" not in page


def test_a_version_shows_what_changed_side_by_side(client, publish, force, council, force_ig):
    first = publish(provider=force, recipient=council, categories=("contacts",))
    publish(provider=force, recipient=council, protocol=first.protocol, categories=("concerns",), personal=True,
            classification="official_sensitive")
    client.force_login(force_ig)
    page = client.get(reverse("sharing:protocol-version", args=[first.protocol_id, 2])).content.decode()
    changes = page[page.index('id="changes"'):page.index("</table>", page.index('id="changes"'))]
    assert "Version 1" in changes and "Version 2" in changes
    assert "OFFICIAL-SENSITIVE" in changes and "Includes personal data" in changes
    assert "Clause 4.1: community contacts from Cumbria Constabulary to Westmorland and Furness Council" in changes
    assert "Clause 4.1: partner-reported concerns from Cumbria Constabulary to Westmorland and Furness Council" in changes


def test_signing_and_suspending_through_the_pages(client, force, council, force_ig, council_ig, partner_user):
    version = draft(force_ig, force, council)
    client.force_login(force_ig)
    client.post(reverse("sharing:protocol-send", args=[version.protocol_id, 1]))
    client.post(reverse("sharing:protocol-sign", args=[version.protocol_id, 1]),
                {"organisation": force.pk, "decision": "signed", "signatory_name": "Jo Whitfield", "signatory_role": "DPO"})
    client.force_login(council_ig)
    sign_url = reverse("sharing:protocol-sign", args=[version.protocol_id, 1])
    refused = client.post(sign_url, {"organisation": council.pk, "decision": "declined", "signatory_name": "Sam", "signatory_role": "DPO"})
    assert "Give the reason for declining" in refused.content.decode()
    client.post(sign_url, {"organisation": council.pk, "decision": "signed", "signatory_name": "Sam Okafor", "signatory_role": "Head of IG"})
    assert client.get(sign_url).status_code == 404  # decided: nothing left to sign
    detail = client.get(reverse("sharing:protocol-detail", args=[version.protocol_id])).content.decode()
    assert "Active" in detail and "Signed for Westmorland and Furness Council" not in detail  # signatures on the version page
    version_page = client.get(reverse("sharing:protocol-version", args=[version.protocol_id, 1])).content.decode()
    assert "Signed for Westmorland and Furness Council by Sam Okafor (Head of IG)" in version_page
    assert version_sha256(version) in version_page
    response = client.post(reverse("sharing:protocol-suspend", args=[version.protocol_id]), {"status": "suspended", "reason": ""})
    assert "Give the reason" in response.content.decode()
    client.post(reverse("sharing:protocol-suspend", args=[version.protocol_id]), {"status": "suspended", "reason": "Breach"})
    assert SharingProtocol.objects.get().current_version.status == ProtocolStatus.SUSPENDED


def test_the_printable_agreement_is_a_tagged_pdf_with_its_signatures_and_hash(client, force, council, force_ig, council_ig):
    from pypdf import PdfReader

    from tests.sharing_protocols.test_protocol_sign_off import sign

    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    sign(version, force, force_ig, name="Jo Whitfield")
    client.force_login(council_ig)
    from tests.documents.helpers import make_waiting_documents

    client.post(reverse("sharing:protocol-agreement", args=[version.protocol_id, 1]))
    make_waiting_documents()
    response = client.get(reverse("sharing:protocol-agreement", args=[version.protocol_id, 1]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert version_sha256(version) in text.replace("\n", "").replace(" ", "")
    assert "Signed for Cumbria Constabulary by Jo Whitfield" in " ".join(text.split())
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged


@pytest.mark.django_db(transaction=True)
def test_two_parties_signing_at_once_leave_the_version_in_force_once(force, council, force_ig, council_ig):
    """Each signature locks the version row: the second waits for the first, sees its signature, and
    brings the version into force; neither is lost and it comes into force exactly once."""
    from sharing_protocols.services import protocol_version_decide

    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    barrier = threading.Barrier(2)
    errors = []

    def sign_for(organisation, user):
        from row_security.context import viewer_context

        try:
            barrier.wait(timeout=10)
            with viewer_context(user):  # as each signer's request reads and writes (a new thread starts with no context)
                protocol_version_decide(version=version, organisation=organisation, acting_user=user, decision="signed",
                                        signatory_name=user.username, signatory_role="DPO")
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_for, args=args) for args in ((force, force_ig), (council, council_ig))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    version.refresh_from_db()
    assert ProtocolSignature.objects.filter(version=version).count() == 2
    assert version.status == ProtocolStatus.ACTIVE and SharingProtocol.objects.get().current_version_id == version.pk
    from sharing_protocols.models import DisclosureEntry

    assert DisclosureEntry.objects.filter(purpose="Version 1 in force").count() == 1


def test_a_party_ig_of_two_organisations_chooses_which_it_signs_for(client, force, council, force_ig):
    MembershipFactory(user=force_ig, organisation=council, role=Role.INFORMATION_GOVERNANCE)
    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    client.force_login(force_ig)
    form = client.get(reverse("sharing:protocol-sign", args=[version.protocol_id, 1])).context["form"]
    assert list(form.fields["organisation"].queryset) == [force, council]
