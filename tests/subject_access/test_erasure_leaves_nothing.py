"""After erasure, nothing personal is left: a generated person is put everywhere the hub holds people (a contact
with a changed email, an advisory membership, a door-to-door visit, engagement notes and issues, a partner's
concern, its import file, a notification naming them, a social-media post under their handle and the export it came
in, a subject access package, disclosure-log reads of their records after a search by name), erased by each controller through the erasure path, and then every text and JSON column of every table,
and every file in media storage, is searched for each of their values. The disclosure log still verifies."""
import io
import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from faker import Faker

from access.roles import Role
from digital.models import ConversationImport, Post
from notifications.models import Kind, Notification
from partners.models import ConcernChannel, ConcernImportJob
from sharing_protocols.disclosures import verify_chain
from subject_access.models import RequestKind
from tests.factories import (
    AdvisoryMembershipFactory, ConcernFactory, ContactFactory, DoorstepVisitFactory, EngagementFactory, EngagementIssueFactory,
    MembershipFactory, UserFactory,
)
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = pytest.mark.django_db


def generated_person(seed: int) -> dict:
    """Values no other test data could hold by chance: Faker's, with a random tail."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    tail = fake.bothify("??##").lower()
    first, last = f"{fake.first_name()}{tail}", f"{fake.last_name()}{tail}"
    return {
        "first": first.capitalize(), "last": last.capitalize(), "maiden": f"{fake.last_name()}{tail}x".capitalize(),
        "email": f"{first.lower()}.{last.lower()}@{fake.free_email_domain()}", "old_email": f"{last.lower()}{tail}@example.net",
        "phone": f"07700 9{fake.numerify('#####')}", "street": f"{fake.street_name()}{tail} Road".title(),
        "house": fake.building_number(), "postcode": "LA14 2QE", "handle": f"{first.lower()}_posts",
    }


def personal_values(person) -> list[str]:
    # The postcode's outward part and the street stay by design (small-area place); everything identifying goes.
    return [person["first"], person["last"], person["maiden"], person["email"], person["old_email"], person["phone"],
            f"{person['house']} {person['street']}", person["handle"]]


def text_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY') "
            "AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE')")
        return cursor.fetchall()


def database_holding(values) -> list[str]:
    """Every table.column in which any of `values` appears (case-insensitively), anywhere in its text."""
    patterns = [f"%{value}%" for value in values]
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE ANY(%s)', [patterns])
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def media_holding(root: Path, values) -> list[str]:
    from pypdf import PdfReader

    found = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        content = path.read_bytes()
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages) if content[:5] == b"%PDF-" \
            else content.decode("utf-8", "replace")
        if any(value.lower() in text.lower() for value in values):
            found.append(str(path.relative_to(root)))
    return found


def governance_for(organisation, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=Role.INFORMATION_GOVERNANCE)
    client = Client()
    client.force_login(user)
    return client


def erase(client, person):
    client.post("/subject-access/new/", {
        "kind": RequestKind.ERASURE, "regime": "uk_gdpr", "requester_name": f"{person['first']} {person['last']}",
        "requester_email": person["email"], "other_names": f"{person['first']} {person['maiden']}", "other_emails": person["old_email"],
        "phones": person["phone"], "addresses": f"{person['house']} {person['street']}; {person['postcode']}",
        "handles": f"@{person['handle']}", "reason": "Asked to be forgotten", "received_on": "2026-11-01"})
    from subject_access.models import DataSubjectRequest

    request = DataSubjectRequest.objects.order_by("-pk").first()
    client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    for item in request.items.all():
        client.post(f"/subject-access/{request.pk}/items/{item.pk}/", {"decision": "include"})
    response = client.post(f"/subject-access/{request.pk}/", {"action": "erase"}, follow=True)
    return request, response


def test_erasure_leaves_no_personal_value_in_the_database_or_media_and_the_log_verifies(
        force, team, council, officer, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    person = generated_person(1717)
    values = personal_values(person)
    full_name = f"{person['first']} {person['last']}"

    # -- the person, everywhere the force holds people --------------------------------------------------------
    contact = ContactFactory(organisation=team, first_name=person["first"], last_name=person["maiden"], email=person["old_email"],
                             phone=person["phone"], postcode=person["postcode"], notes=f"Prefers calls; lives at {person['house']} {person['street']}")
    contact.last_name, contact.email = person["last"], person["email"]
    contact.save()
    AdvisoryMembershipFactory(advisory_group__organisation=force, contact=contact, ethnic_group="mixed", age_band="25-44")
    engagement = EngagementFactory(organisation=team, kind="door_to_door", notes=f"{full_name} invited us in.")
    DoorstepVisitFactory(engagement=engagement, address=f"{person['house']} {person['street']}",
                         resolved_on_the_spot=f"Fitted a smoke alarm for {full_name}")
    EngagementIssueFactory(engagement=engagement, description=f"{full_name} reports speeding")
    Notification.objects.create(recipient=officer, kind=Kind.CONCERN_TAKEN, subject="A concern was taken into a priority",
                                body=f"The concern {full_name} ({person['email']}) reported is now part of a priority.")
    export = ConversationImport(organisation=force, original_name="mentions.csv", file_format="generic", file_sha256="2" * 64,
                                lawful_basis="law_enforcement", purpose="Hot topics", status="imported")
    export.upload.save("mentions.csv", ContentFile(f"post_id,author,text\n1,@{person['handle']},Speeding past {person['house']} "
                                                    f"{person['street']} again\n".encode()), save=False)
    export.save()
    Post.objects.create(organisation=force, source_import=export, site="X", post_id="1", posted_at=engagement.starts_at,
                        author=f"@{person['handle']}", text=f"Speeding past {person['house']} {person['street']} again",
                        url=f"https://x.example/{person['handle']}/status/1", place_text=f"{person['house']} {person['street']}")

    # -- and as the council holds them: a concern they reported, from an uploaded file ------------------------
    job = ConcernImportJob(organisation=council, original_name="week-12.csv", file_format="csv", file_size=10, file_sha256="1" * 64)
    job.upload.save("week-12.csv", ContentFile(f"reporter_name,reporter_email\n{full_name},{person['email']}\n".encode()), save=False)
    job.save()
    concern = ConcernFactory(organisation=council, reporter_name=full_name, reporter_email=person["email"], reporter_phone=person["phone"],
                             description=f"{full_name} says bags are dumped by number {person['house']}", holds_personal_data=True,
                             channel=ConcernChannel.BULK_FILE, import_job=job)

    # -- the force reads the council's concern (shared with personal data) after searching by name -------------
    publish_protocol(provider=council, recipient=force, categories=("concerns",), personal=True)
    officer_client = Client()
    officer_client.force_login(officer)
    assert officer_client.get("/partners/concerns/", {"q": person["last"]}).status_code == 200
    assert officer_client.get(f"/partners/concerns/{concern.pk}/").status_code == 200

    # -- the person had asked the force for their data first: a package was made ------------------------------
    police_dpo = governance_for(force, "police-dpo")
    police_dpo.post("/subject-access/new/", {
        "kind": RequestKind.ACCESS, "regime": "part_3", "requester_name": full_name, "requester_email": person["email"],
        "requester_address": f"{person['house']} {person['street']}", "received_on": "2026-10-01"})
    from subject_access.models import DataSubjectRequest

    access = DataSubjectRequest.objects.get(kind=RequestKind.ACCESS)
    police_dpo.post(f"/subject-access/{access.pk}/", {"action": "search"})
    for item in access.items.all():
        police_dpo.post(f"/subject-access/{access.pk}/items/{item.pk}/", {"decision": "include"})
    police_dpo.post(f"/subject-access/{access.pk}/", {"action": "package"})
    from tests.documents.helpers import make_waiting_documents

    make_waiting_documents()
    police_dpo.post(f"/subject-access/{access.pk}/", {"action": "complete"})
    assert access.packages.exists()

    before = database_holding(values)
    assert {"crm_contact.first_name", "crm_contactevent.email", "partners_concern.reporter_name", "crm_doorstepvisit.address",
            "subject_access_datasubjectrequest.requester_name", "notifications_notification.body", "digital_post.author",
            "digital_post.text"} <= set(before)
    assert media_holding(tmp_path, values)

    # -- each controller erases what it holds ------------------------------------------------------------------
    with django_capture_on_commit_callbacks(execute=True):
        _, police_response = erase(police_dpo, person)
        _, council_response = erase(governance_for(council, "council-dpo"), person)
    for response in (police_response, council_response):
        assert "Erasure done" in response.content.decode(), response.content.decode()

    assert database_holding(values) == []
    assert media_holding(tmp_path, values) == []
    assert verify_chain().intact
    call_command("verify_disclosure_log")
    assert ConcernImportJob.objects.get(pk=job.pk).created_count == job.created_count  # the import's counts stay
    assert Post.objects.get(post_id="1").text_removed_at is not None  # anonymised: it still counts for hot topics
    # The person's notifications are deleted; the officer's "your package is ready" (a reference only) stays.
    assert list(Notification.objects.values_list("kind", flat=True)) == ["document_ready"]


def test_the_corpus_search_itself_finds_a_value_left_behind(team):
    """The search cannot pass vacuously: a value in an arbitrary JSON column is found."""
    from organisations.models import AuditEvent

    person = generated_person(42)
    AuditEvent.objects.create(action="test", summary="", details={"note": json.dumps({"who": person["email"]})})
    assert database_holding([person["email"]]) == ["crm_auditevent.details"]
