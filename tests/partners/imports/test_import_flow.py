"""Uploading a file of concerns: the dry run, the confirm, all or nothing, never twice; who may; what the pages cost."""
import io

import pytest
from django.urls import reverse

from organisations.models import AuditEvent
from access.roles import Role
from partners.imports import services
from partners.models import Concern, ImportJobStatus
from django.apps import apps

ConcernEvent = apps.get_model("partners", "ConcernEvent")
from tests.factories import ConcernFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.partners.imports.conftest import (
    check, confirm_and_commit, csv_bytes, page_text, problems_shown, row, rows, upload,
)

pytestmark = pytest.mark.django_db


def test_a_partner_uploads_checks_confirms_and_sees_what_was_kept(partner_client, partner_user, council, force_area,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response, job = upload(partner_client, csv_bytes(rows(3)))
    assert response.status_code == 302
    assert len(callbacks) == 1  # the dry run is queued once the job is saved
    assert (job.organisation, job.created_by, job.status) == (council, partner_user, ImportJobStatus.QUEUED)
    job = check(job)
    assert (job.status, job.total_rows, job.processed_rows, job.errors) == (ImportJobStatus.CHECKED, 3, 3, [])
    assert Concern.objects.count() == 0  # a dry run writes nothing
    page = page_text(partner_client, job)
    assert "Confirm import" in page
    assert "If you confirm: 3 to create, 0 already held, none rejected." in page

    with django_capture_on_commit_callbacks() as callbacks:
        response = partner_client.post(reverse("partners:import-confirm", args=[job.pk]))
    assert response.status_code == 302 and len(callbacks) == 1
    services.concern_import_commit(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.already_held_count) == (ImportJobStatus.IMPORTED, 3, 0)
    assert "Created: 3. Already held: 0. Rejected: none." in page_text(partner_client, job)
    concerns = Concern.objects.filter(import_job=job)
    assert concerns.count() == 3
    concern = concerns.first()
    assert (concern.organisation, concern.created_by, concern.channel, concern.status) == (council, partner_user, "phone", "new")
    assert concern.location_bng is not None and concern.location_bng.srid == 27700  # the generated column filled itself
    assert len({c.open311_token for c in concerns}) == 3


def test_the_same_file_twice_creates_nothing_twice_and_says_so(partner_client, partner_user, force_area):
    content = csv_bytes(rows(4))
    _, first = upload(partner_client, content)
    confirm_and_commit(check(first), partner_user)
    _, second = upload(partner_client, content)
    second = check(second)
    assert second.already_held_count == 4
    page = page_text(partner_client, second)
    assert "Your organisation imported this same file on" in page
    assert "The hub already holds every row of this file: there is nothing to import." in page
    assert "Confirm import" not in page
    assert Concern.objects.count() == 4


def test_rows_already_held_are_counted_not_created_again(partner_client, partner_user, force_area):
    _, first = upload(partner_client, csv_bytes(rows(2)))
    confirm_and_commit(check(first), partner_user)
    _, second = upload(partner_client, csv_bytes(rows(5)), name="more.csv")  # the first two rows again, and three new
    second = check(second)
    assert "If you confirm: 3 to create, 2 already held, none rejected." in page_text(partner_client, second)
    second = confirm_and_commit(second, partner_user)
    assert (second.created_count, second.already_held_count) == (3, 2)
    assert Concern.objects.count() == 5
    assert "Created: 3. Already held: 2. Rejected: none." in page_text(partner_client, second)


def test_a_reference_already_held_is_not_imported_again(partner_client, partner_user, council, force_area):
    ConcernFactory(organisation=council, external_reference="WF-77")
    _, job = upload(partner_client, csv_bytes([row(external_reference="WF-77"), row(description="New one.")]))
    job = confirm_and_commit(check(job), partner_user)
    assert (job.created_count, job.already_held_count) == (1, 1)


def test_the_import_leaves_history_with_who_did_it_and_one_audit_record(partner_client, partner_user, council, force_area):
    _, job = upload(partner_client, csv_bytes(rows(3)))
    confirm_and_commit(check(job), partner_user)
    events = ConcernEvent.objects.filter(pgh_label="insert").select_related("pgh_context")
    assert events.count() == 3
    assert {event.pgh_context.metadata["user"] for event in events} == {partner_user.pk}
    assert {event.pgh_context.metadata["via"] for event in events} == {f"bulk import {job.pk}"}
    audit = AuditEvent.objects.filter(action="concerns.imported")
    assert audit.count() == 1
    assert (audit[0].organisation, audit[0].actor, audit[0].details["created"]) == (council, partner_user, 3)


def test_a_failure_while_writing_leaves_nothing_half_written(partner_client, partner_user, force_area, monkeypatch):
    _, job = upload(partner_client, csv_bytes(rows(3)))
    job = check(job)

    def broken_audit(**kwargs):
        raise RuntimeError("the audit table is unavailable")

    monkeypatch.setattr(services.audit, "record", broken_audit)
    job = confirm_and_commit(job, partner_user)
    assert job.status == ImportJobStatus.FAILED
    assert Concern.objects.count() == 0 and ConcernEvent.objects.count() == 0
    assert problems_shown(partner_client, job)[0][2].startswith("The import stopped unexpectedly and nothing was imported.")


def test_the_commit_checks_every_row_again(partner_client, partner_user, force_area):
    _, job = upload(partner_client, csv_bytes(rows(3)))
    job = check(job)
    with open(job.upload.path, "wb") as changed:  # what was checked is not trusted later
        changed.write(csv_bytes([row(), row(category="Nope")]))
    job = confirm_and_commit(job, partner_user)
    assert job.status == ImportJobStatus.REJECTED
    assert Concern.objects.count() == 0
    assert job.errors[0]["row"] == 3 and job.errors[0]["column"] == "category"


def test_a_job_is_confirmed_once(partner_client, partner_user, force_area):
    _, job = upload(partner_client, csv_bytes(rows(1)))
    confirm_and_commit(check(job), partner_user)
    response = partner_client.post(reverse("partners:import-confirm", args=[job.pk]), follow=True)
    assert "This file is not waiting to be imported" in response.content.decode()
    assert Concern.objects.count() == 1


def test_a_rejected_file_cannot_be_confirmed(partner_client, partner_user, force_area):
    _, job = upload(partner_client, csv_bytes([row(category="Nope")]))
    check(job)
    partner_client.post(reverse("partners:import-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJobStatus.REJECTED and Concern.objects.count() == 0


def test_an_xlsx_file_imports_with_its_own_dates_and_numbers(partner_client, partner_user, force_area):
    import datetime

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    values = row()
    sheet.append(list(values))
    when = datetime.datetime(2025, 6, 1, 14, 30)
    sheet.append([values["category"], 54.115, -3.227, "Abbey Road", when, None, "Email", "Graffiti on the bus shelter.", False,
                  None, None, None, "OFFICIAL-SENSITIVE", 1234])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _, job = upload(partner_client, buffer.getvalue(), name="concerns.xlsx")
    job = confirm_and_commit(check(job), partner_user)
    assert job.status == ImportJobStatus.IMPORTED, job.errors
    concern = Concern.objects.get()
    assert (concern.channel, concern.classification, concern.external_reference) == ("email", "official_sensitive", "1234")
    assert concern.occurred_at.astimezone(datetime.UTC) == datetime.datetime(2025, 6, 1, 13, 30, tzinfo=datetime.UTC)  # BST


def test_progress_is_reported_as_json(partner_client, force_area, settings):
    settings.CONCERN_IMPORT_PROGRESS_EVERY = 2
    _, job = upload(partner_client, csv_bytes(rows(5)))
    status = partner_client.get(reverse("partners:import-status", args=[job.pk])).json()
    assert status == {"status": "queued", "status_label": "Waiting to start", "processed_rows": 0, "total_rows": 0,
                      "percent": 0, "running": True}
    page = page_text(partner_client, job)
    assert 'data-status-url="/partners/imports/%d/status.json"' % job.pk in page
    assert "hub/import-progress.js" in page
    check(job)
    status = partner_client.get(reverse("partners:import-status", args=[job.pk])).json()
    assert (status["status"], status["processed_rows"], status["total_rows"], status["percent"], status["running"]) == ("checked", 5, 5, 100, False)


def test_the_police_cannot_import_concerns(officer_client, force_area):
    assert officer_client.get(reverse("partners:import-upload")).status_code == 403
    assert officer_client.get(reverse("partners:import-list")).status_code == 403


def test_another_organisations_job_answers_404(partner_client, partner_user, force_area, client):
    _, job = upload(partner_client, csv_bytes(rows(1)))
    other = UserFactory(username="fire-user")
    MembershipFactory(user=other, organisation=OrganisationFactory(name="Fire and rescue", slug="fire"), role=Role.PARTNER_USER)
    client.force_login(other)
    for name in ("partners:import-detail", "partners:import-status"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("partners:import-confirm", args=[job.pk])).status_code == 404
    assert job.original_name not in client.get(reverse("partners:import-list")).content.decode()


def test_the_job_list_takes_the_same_queries_however_many_jobs(partner_client, partner_user, force_area, django_assert_num_queries):
    upload(partner_client, csv_bytes(rows(1)))
    partner_client.get(reverse("partners:import-list"))  # warm caches
    # 1 session, 2 user, 3 memberships (importing organisation), 4 can_own, 5 count for the paginator,
    # 6 the page of jobs with who uploaded them, 7 roles for the navigation.
    with django_assert_num_queries(7):
        partner_client.get(reverse("partners:import-list"))
    for n in range(5):
        upload(partner_client, csv_bytes(rows(1, place=f"Street {n}")), name=f"file-{n}.csv")
    with django_assert_num_queries(7):
        response = partner_client.get(reverse("partners:import-list"))
    assert len(response.context["jobs"]) == 6


def test_the_job_page_takes_the_same_queries_however_many_problems(partner_client, force_area, django_assert_num_queries):
    _, job = upload(partner_client, csv_bytes([row(category="Nope")]))
    check(job)
    url = reverse("partners:import-detail", args=[job.pk])
    partner_client.get(url)
    # 1 session, 2 user, 3 memberships, 4 can_own, 5 the job with its organisation and uploader,
    # 6 an earlier import of the same file, 7 roles for the navigation.
    with django_assert_num_queries(7):
        partner_client.get(url)
    _, job = upload(partner_client, csv_bytes([row(category="Nope", description=f"Row {n}") for n in range(40)]), name="many.csv")
    check(job)
    with django_assert_num_queries(7):
        page = partner_client.get(reverse("partners:import-detail", args=[job.pk])).content.decode()
    assert page.count("is not a category the hub knows") == 40
