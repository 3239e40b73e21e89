"""Subject access from search to package; erasure and rectification through the retention path."""
import datetime
import json

import pytest
from django.utils import timezone

from organisations.models import AuditEvent
from crm.models import Contact
from partners.models import Concern
from retention.models import Outcome, RecordClass, RetentionDecision
from sharing_protocols.disclosures import disclosure_record
from sharing_protocols.models import DisclosureAction, DisclosureEntry
from tests.documents.helpers import make_waiting_documents
from subject_access.models import DataSubjectRequest, ItemDecision, RequestItem, RequestKind, RequestStatus
from tests.factories import (
    AdvisoryMembershipFactory, ConcernFactory, ContactFactory, DoorstepVisitFactory, EngagementFactory,
)

pytestmark = pytest.mark.django_db


def new_request(client, **changes):
    data = {"kind": RequestKind.ACCESS, "regime": "part_3", "requester_name": "Marjorie Quennell", "requester_email": "mq@example.org",
            "requester_address": "12 Abbey Road\nBarrow-in-Furness", "other_names": "Marjorie Pike", "other_emails": "",
            "phones": "01229 555123", "addresses": "12 Abbey Road; LA14 2QE", "reason": "",
            "received_on": timezone.localdate().isoformat(), "identity_checked": "on"}
    response = client.post("/subject-access/new/", {**data, **changes})
    return response, DataSubjectRequest.objects.order_by("-pk").first()


@pytest.fixture
def marjorie(team, force, council):
    """The person, as the force and a council hold her: a contact (and her maiden name in its history), an advisory
    membership, a door-to-door visit to her home, an engagement naming her; and someone else of the same surname."""
    contact = ContactFactory(organisation=team, first_name="Marjorie", last_name="Pike", email="old@example.org", phone="+44 1229 555123",
                             postcode="LA14 2QE")
    contact.last_name, contact.email = "Quennell", "mq@example.org"
    contact.save()
    AdvisoryMembershipFactory(advisory_group__organisation=force, contact=contact)
    visit = DoorstepVisitFactory(engagement=EngagementFactory(organisation=team, kind="door_to_door"), address="12 Abbey Road",
                                 resolved_on_the_spot="Neighbour Dylan Pike mended the gate")
    EngagementFactory(organisation=team, notes="Marjorie Quennell asked about speeding on Abbey Road.")
    ContactFactory(organisation=team, first_name="Dylan", last_name="Quennell", email="dq@example.org")
    theirs = ConcernFactory(organisation=council, reporter_name="Marjorie Quennell", reporter_email="mq@example.org")
    disclosure_record(user=None, organisation=council, action=DisclosureAction.READ, record=contact, purpose="Viewed on /contacts/")
    return {"contact": contact, "visit": visit, "council_concern": theirs}


def test_a_request_is_recorded_with_its_one_month_deadline(governance_client, force):
    response, request = new_request(governance_client, received_on="2026-01-31")
    assert response.status_code == 302
    assert request.due_on == datetime.date(2026, 2, 28) and request.organisation == force
    assert AuditEvent.objects.filter(action="subject_access.received", details__request=request.pk).exists()
    assert "Marjorie" not in AuditEvent.objects.get(action="subject_access.received").summary


def test_the_search_finds_the_person_across_the_hub_and_only_what_the_force_holds(governance_client, marjorie):
    _, request = new_request(governance_client)
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    found = {(i.source, i.record_id) for i in request.items.all()}
    contact = marjorie["contact"]
    assert ("contact", str(contact.pk)) in found
    assert ("doorstep_visit", str(marjorie["visit"].pk)) in found
    assert any(source == "engagement" for source, _ in found)
    assert any(source == "advisory_membership" for source, _ in found)
    assert any(source == "disclosure" for source, _ in found)
    assert ("concern", str(marjorie["council_concern"].pk)) not in found  # the council is its controller
    assert not Contact.objects.filter(first_name="Dylan", pk__in=[int(i) for s, i in found if s == "contact"]).exists()
    matched = RequestItem.objects.get(request=request, source="contact").matched_on
    assert {"name", "email", "phone", "postcode"} <= set(matched)


def test_an_old_name_is_found_in_the_history_of_a_record(governance_client, team):
    contact = ContactFactory(organisation=team, first_name="Marjorie", last_name="Pike", email="")
    contact.last_name = "Smithers"
    contact.save()
    _, request = new_request(governance_client, requester_email="", phones="", addresses="", requester_name="Marjorie Pike", other_names="")
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    assert RequestItem.objects.filter(request=request, source="history:contact", record_id=str(contact.pk)).exists()


def test_a_search_matching_too_many_is_refused_with_a_message_to_narrow_it(governance_client, team, settings):
    settings.SUBJECT_ACCESS_MAX_MATCHES = 3
    for n in range(4):
        ContactFactory(organisation=team, first_name="John", last_name="Smith", email=f"js{n}@example.org")
    _, request = new_request(governance_client, requester_name="John Smith", requester_email="", phones="", addresses="", other_names="")
    response = governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"}, follow=True)
    assert "This search matches more than 3 records" in response.content.decode()
    assert "Narrow it" in response.content.decode()
    assert not request.items.exists()


def test_review_exempt_redact_and_package_as_pdf_and_json(governance_client, marjorie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _, request = new_request(governance_client)
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    refused = governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"}, follow=True)
    assert "Review every record first" in refused.content.decode()
    for item in request.items.all():
        if item.source == "engagement":
            governance_client.post(f"/subject-access/{request.pk}/items/{item.pk}/", {"decision": "exempt", "exemption": "crime"})
        elif item.source == "doorstep_visit":
            governance_client.post(f"/subject-access/{request.pk}/items/{item.pk}/", {"decision": "redact", "redact_fields": ["resolved_on_the_spot"]})
        else:
            governance_client.post(f"/subject-access/{request.pk}/items/{item.pk}/", {"decision": "include"})
    assert not request.items.filter(decision=ItemDecision.PENDING).exists()
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"})
    make_waiting_documents()
    package = request.packages.get()
    from pypdf import PdfReader

    pdf = PdfReader(package.pdf.open("rb"))
    root = pdf.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root and root["/Lang"] == "en-GB"  # tagged, PDF/UA
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Your request for your personal data" in text and "mq@example.org" in text
    assert "Mended the gate" not in text and "Dylan Pike" not in text  # the third party's detail was redacted
    data = json.loads(package.json.read())
    titles = [record["title"] for record in data["records"]]
    assert any(title.startswith("Community contact") for title in titles)
    assert not any(title.startswith("Engagement notes") for title in titles)
    assert data["records_withheld"] == 1
    contact_record = next(r for r in data["records"] if r["title"].startswith("Community contact"))
    assert contact_record["details"]["Email"] == "mq@example.org"
    entry = DisclosureEntry.objects.get(action=DisclosureAction.EXPORT, record_type="subject_access.datasubjectrequest")
    assert entry.details["pdf_sha256"] == package.pdf_sha256 and "Marjorie" not in json.dumps(entry.details) + entry.purpose
    response = governance_client.get(f"/subject-access/{request.pk}/packages/{package.pk}/json/")
    assert response.status_code == 200 and b"mq@example.org" in b"".join(response.streaming_content)
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "complete"})
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED


def test_a_restriction_under_s45_makes_the_package_neither_confirm_nor_deny(governance_client, marjorie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _, request = new_request(governance_client)
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    refused = governance_client.post(f"/subject-access/{request.pk}/restrict/", {"restriction": "prejudice_crime", "restriction_note": ""})
    assert "necessary and proportionate" in refused.content.decode()
    governance_client.post(f"/subject-access/{request.pk}/restrict/", {"restriction": "prejudice_crime", "restriction_note": "Live investigation"})
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"})
    make_waiting_documents()
    data = json.loads(request.packages.get().json.read())
    assert data["neither_confirm_nor_deny"] is True and data["records"] == [] and data["records_withheld"] == 0


def test_a_part_3_request_cannot_be_extended_and_a_uk_gdpr_one_can_by_two_months(governance_client, force):
    _, part3 = new_request(governance_client)
    response = governance_client.post(f"/subject-access/{part3.pk}/extend/", {"months": "2", "reason": "Many records"})
    assert "cannot be extended" in response.content.decode()
    _, gdpr = new_request(governance_client, regime="uk_gdpr", received_on="2026-01-10")
    governance_client.post(f"/subject-access/{gdpr.pk}/extend/", {"months": "2", "reason": "Many records across partners"})
    gdpr.refresh_from_db()
    assert gdpr.extended_to == datetime.date(2026, 4, 10)


def test_only_information_governance_reaches_requests(governance_client, officer):
    from django.test import Client

    _, request = new_request(governance_client)
    officer_client = Client()
    officer_client.force_login(officer)
    assert officer_client.get("/subject-access/").status_code == 403
    assert officer_client.get(f"/subject-access/{request.pk}/").status_code == 403


def test_an_erasure_request_erases_through_the_retention_path_and_keeps_only_a_hash(governance_client, marjorie, governance):
    _, request = new_request(governance_client, kind=RequestKind.ERASURE, reason="Moved away; asks to be forgotten")
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    for item in request.items.all():
        governance_client.post(f"/subject-access/{request.pk}/items/{item.pk}/", {"decision": "include"})
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "erase"})
    contact = marjorie["contact"]
    assert not Contact.objects.filter(pk=contact.pk).exists()
    decision = RetentionDecision.objects.get(record_class=RecordClass.CONTACTS, record_id=str(contact.pk))
    assert (decision.outcome, decision.decided_by, decision.request_reference) == (Outcome.DELETED, governance, request.reference)
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.requester_hash and "Marjorie" not in request.requester_name
    assert Concern.objects.filter(pk=marjorie["council_concern"].pk).exists()  # the council's, not ours


def test_a_rectification_request_corrects_the_record_and_records_the_decision(governance_client, marjorie):
    _, request = new_request(governance_client, kind=RequestKind.RECTIFICATION, reason="Email is wrong")
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    item = request.items.get(source="contact")
    governance_client.post(f"/subject-access/{request.pk}/items/{item.pk}/", {"decision": "include", "field": "email", "value": "marjorie@example.org"})
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "rectify"})
    assert Contact.objects.get(pk=marjorie["contact"].pk).email == "marjorie@example.org"
    assert RetentionDecision.objects.filter(outcome=Outcome.RECTIFIED, request_reference=request.reference).exists()


def test_attention_lists_requests_due_soon_and_overdue(governance_client, governance):
    from subject_access.attention import items_for

    new_request(governance_client, received_on=(timezone.localdate() - datetime.timedelta(days=40)).isoformat())
    new_request(governance_client, received_on=(timezone.localdate() - datetime.timedelta(days=27)).isoformat())
    kinds = {item["kind"]: item["count"] for item in items_for(governance)}
    assert kinds == {"subject_access_overdue": 1, "subject_access_due": 1}


def test_attention_counts_stop_at_the_home_pages_cap(governance_client, governance, monkeypatch):
    import home.attention
    from subject_access.attention import items_for

    monkeypatch.setattr(home.attention, "COUNT_CAP", 2)
    for _ in range(3):
        new_request(governance_client, received_on=(timezone.localdate() - datetime.timedelta(days=40)).isoformat())
    assert {item["kind"]: item["count"] for item in items_for(governance)} == {"subject_access_overdue": 2}


def test_the_morning_reminder_emails_governance_the_references_due_never_the_names(governance_client, governance, mailoutbox):
    from subject_access.tasks import remind_deadlines

    new_request(governance_client, received_on=(timezone.localdate() - datetime.timedelta(days=27)).isoformat())
    new_request(governance_client)  # due in a month: not yet
    assert remind_deadlines() == 1
    message = mailoutbox[0]
    assert message.to == [governance.email] and "SAR-" in message.body and "Marjorie" not in message.body
    assert message.body.count("SAR-") == 1


def test_erasure_deletes_the_history_left_of_a_record_deleted_before(governance_client, team):
    contact = ContactFactory(organisation=team, first_name="Marjorie", last_name="Quennell", email="mq@example.org")
    contact_pk = contact.pk
    contact.delete()  # as the admin would: its delete snapshot stays in the history
    events = Contact.pgh_event_model.objects.filter(pgh_obj_id=contact_pk)
    assert events.exists()
    _, request = new_request(governance_client, kind=RequestKind.ERASURE, reason="Asked to be forgotten")
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    item = request.items.get(source="history:contact")
    governance_client.post(f"/subject-access/{request.pk}/items/{item.pk}/", {"decision": "include"})
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "erase"})
    assert not events.exists()
    decision = RetentionDecision.objects.get(record_class=RecordClass.HISTORY_ROWS)
    assert decision.request_reference == request.reference and decision.rows >= 2


def test_another_controllers_governance_cannot_open_our_requests(governance_client, council):
    from django.test import Client

    from access.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    _, request = new_request(governance_client)
    council_dpo = UserFactory(username="council-dpo")
    MembershipFactory(user=council_dpo, organisation=council, role=Role.INFORMATION_GOVERNANCE)
    client = Client()
    client.force_login(council_dpo)
    assert client.get(f"/subject-access/{request.pk}/").status_code == 404
    assert client.post(f"/subject-access/{request.pk}/", {"action": "search"}).status_code == 404
    assert request.pk not in [r.pk for r in client.get("/subject-access/").context["data_requests"]]


def test_the_search_finds_notifications_to_the_persons_account_and_posts_under_their_handle(governance_client, team, force, council):
    from django.core.files.base import ContentFile

    from digital.models import ConversationImport, Post
    from notifications.models import Kind, Notification
    from tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory(first_name="Marjorie", last_name="Quennell", email="mq@example.org")
    MembershipFactory(user=colleague, organisation=team)
    outsider = UserFactory(first_name="Marjorie", last_name="Quennell", email="mq2@example.org")
    MembershipFactory(user=outsider, organisation=council)
    told = Notification.objects.create(recipient=colleague, kind=Kind.IMPORT_FINISHED, subject="Your file finished importing", body="Done.")
    naming = Notification.objects.create(recipient=UserFactory(), kind=Kind.CONCERN_TAKEN, subject="A concern was taken",
                                         body="Marjorie Quennell's concern is now part of a priority.")
    MembershipFactory(user=naming.recipient, organisation=force)
    Notification.objects.create(recipient=outsider, kind=Kind.IMPORT_FINISHED, subject="Your file finished importing", body="Done.")
    export = ConversationImport(organisation=force, original_name="x.csv", file_format="generic", file_sha256="4" * 64,
                                lawful_basis="law_enforcement", purpose="Hot topics", status="imported")
    export.upload.save("x.csv", ContentFile(b"post_id\n"), save=False)
    export.save()
    hers = Post.objects.create(organisation=force, source_import=export, site="X", post_id="1", posted_at=timezone.now(), author="@MQ_Barrow",
                               text="Speeding again")
    mentions = Post.objects.create(organisation=force, source_import=export, site="X", post_id="2", posted_at=timezone.now(), author="@other",
                                   text="Agree with @mq_barrow about the speeding")
    Post.objects.create(organisation=force, source_import=export, site="X", post_id="3", posted_at=timezone.now(), author="@mq_barrow2",
                        text="Not her")

    _, request = new_request(governance_client, handles="mq_barrow")
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    found = {(i.source, i.record_id): i.matched_on for i in request.items.all()}
    notifications = {k: v for k, v in found.items() if k[0] == "notification"}
    posts = {k: v for k, v in found.items() if k[0] == "post"}
    assert notifications == {("notification", str(told.pk)): ["recipient"], ("notification", str(naming.pk)): ["mentioned"]}
    assert posts == {("post", str(hers.pk)): ["handle"], ("post", str(mentions.pk)): ["mentioned"]}
    item = request.items.get(source="post", record_id=str(hers.pk))
    page = governance_client.get(f"/subject-access/{request.pk}/items/{item.pk}/").content.decode()
    assert "@MQ_Barrow" in page and "Speeding again" in page
