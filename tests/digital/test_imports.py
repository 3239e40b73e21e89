"""Conversation imports: checked first, then all or nothing, never twice, audited; police only."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organisations.models import AuditEvent
from digital.demo import as_generic_json, labelled_posts
from digital.models import ConversationImport, ImportStatus, Post
from digital.placing import PlacedBy
from tests.digital.conftest import boxes, import_file

pytestmark = pytest.mark.django_db


def test_a_clean_file_is_checked_then_imported_placed_and_scored(officer, places):
    posts = labelled_posts(60, boxes(places), seed=1)
    job = import_file(officer, as_generic_json(posts))
    assert (job.status, job.created_count, job.already_held_count, job.errors) == (ImportStatus.IMPORTED, 60, 0, [])
    assert Post.objects.count() == 60
    placed = Post.objects.exclude(placed_by=PlacedBy.UNPLACED)
    assert job.placed_count == placed.count() > 30
    truth = {p["post_id"]: p["truth_neighbourhood"] for p in posts}
    assert all(truth[post.post_id] == post.neighbourhood.name for post in placed.select_related("neighbourhood"))
    assert not Post.objects.filter(tone__isnull=True).exists()
    assert AuditEvent.objects.filter(action="digital.imported", details__created=60).count() == 1


def test_the_same_posts_imported_again_are_counted_as_already_held(officer, places):
    data = as_generic_json(labelled_posts(20, boxes(places), seed=2))
    import_file(officer, data)
    again = import_file(officer, data, name="again.json")
    assert (again.status, again.created_count, again.already_held_count) == (ImportStatus.IMPORTED, 0, 20)
    assert Post.objects.count() == 20


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_row(officer, places):
    records = json.loads(as_generic_json(labelled_posts(5, boxes(places), seed=3)))
    records[3]["time"] = "0001-01-01T00:00:00Z"
    records[4]["text"] = ""
    job = import_file(officer, json.dumps(records).encode())
    assert job.status == ImportStatus.REJECTED
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "time"), (5, "text")]
    assert Post.objects.count() == 0


def test_a_post_repeated_within_one_file_is_named(officer, places):
    records = json.loads(as_generic_json(labelled_posts(3, boxes(places), seed=4)))
    records.append(dict(records[0]))
    job = import_file(officer, json.dumps(records).encode())
    assert (job.status, job.errors[0]["row"]) == (ImportStatus.REJECTED, 4)


def test_the_import_records_its_lawful_basis_purpose_and_when_text_goes(officer_client, officer, places):
    response = officer_client.post(reverse("digital:import-upload"), {
        "upload": SimpleUploadedFile("posts.json", as_generic_json(labelled_posts(3, boxes(places)))),
        "file_format": "generic", "lawful_basis": "law_enforcement", "purpose": "Hot topics before PACT meetings",
    })
    job = ConversationImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("digital:import-detail", args=[job.pk])
    page = officer_client.get(response.url).content.decode()
    assert "Law enforcement purposes" in page and "3 months, then anonymised after import" in page  # the schedule's default


@pytest.mark.parametrize(("field", "value", "message"), [
    ("purpose", "", "Say why the force holds these posts"),
    ("file_format", "excel", "Select a valid choice"),
])
def test_the_upload_form_names_what_is_wrong(officer_client, places, field, value, message):
    data = {"upload": SimpleUploadedFile("posts.json", b"[]"), "file_format": "generic", "lawful_basis": "law_enforcement",
            "purpose": "Hot topics", field: value}
    response = officer_client.post(reverse("digital:import-upload"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ConversationImport.objects.exists()


def test_partners_cannot_import_or_read_conversations(partner_client):
    for name in ("digital:hot-topics", "digital:import-upload", "digital:import-list"):
        assert partner_client.get(reverse(name)).status_code == 403


def test_a_failed_import_can_be_tried_again_from_its_page(officer_client, officer, places):
    job = import_file(officer, as_generic_json(labelled_posts(3, boxes(places), seed=6)), confirm=False)
    ConversationImport.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
    page = officer_client.get(reverse("digital:import-detail", args=[job.pk])).content.decode()
    assert "Try again" in page
    officer_client.post(reverse("digital:import-retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and AuditEvent.objects.filter(action="jobs.retried").count() == 1


def test_the_job_sweeper_watches_conversation_imports():
    from jobs.sweeper import job_models

    assert ConversationImport in job_models()
