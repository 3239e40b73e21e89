"""Every kind of file the hub keeps, in a real S3-compatible store (SeaweedFS, tests/filestore/conftest.py):
a concern import read from it by the worker (through a temporary copy, removed afterwards) and deleted from
it by retention, a report streamed or handed out by signed URL only to its requester, an open-data release
stored and served from it, a protocol agreement kept in it once. Nothing is written to the local disk."""
import io
import time
import urllib.error
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.imports.services import concern_import_check, concern_import_commit, concern_import_confirm, concern_import_start
from partners.models import Concern, ConcernImportJob, ImportJobStatus
from publication.models import Release, ReleaseStatus, ReleaseTrigger
from publication.releases import build
from reports.models import ReportRun
from reports.services import report_build, report_request
from retention.models import RecordClass
from retention.record_classes import kind_of
from tests.documents.helpers import make_waiting_documents
from sharing_protocols.services import protocol_send_for_signature
from tests.factories import ForceAreaFactory
from tests.partners.imports.conftest import csv_bytes, rows
from tests.reports.conftest import manager, seeded  # noqa: F401 (fixtures)
from tests.digital.conftest import force_area, places  # noqa: F401 (fixtures)
from tests.subject_access.conftest import governance, governance_client  # noqa: F401 (fixtures)
from tests.subject_access.test_requests import marjorie  # noqa: F401 (fixtures)
from tests.sharing_protocols.test_protocol_sign_off import council_ig, draft, force_ig, sign  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def fetch(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (the test's own loopback store)
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, b"", dict(error.headers)


def test_an_import_is_read_from_the_store_through_a_temporary_copy_and_retention_deletes_it_there(
        s3_files, partner_user, force, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    import tempfile

    ForceAreaFactory(force=force, code="cumbria")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    job = concern_import_start(upload=SimpleUploadedFile("concerns.csv", csv_bytes(rows(3))), acting_user=partner_user)
    assert s3_files.keys("media/imports/concerns/") == [f"media/{job.upload.name}"]
    assert s3_files.read(f"media/{job.upload.name}") == csv_bytes(rows(3))

    concern_import_check(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.errors) == (ImportJobStatus.CHECKED, 3, [])
    concern_import_confirm(job=job, acting_user=partner_user)
    concern_import_commit(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.IMPORTED and Concern.objects.filter(import_job=job).count() == 3
    assert list((tmp_path / "scratch").iterdir()) == []  # each temporary copy went once read
    assert not settings.MEDIA_ROOT.exists()  # nothing on this machine's disk

    with django_capture_on_commit_callbacks(execute=True):
        kind_of(RecordClass.IMPORT_FILES).delete(ConcernImportJob.objects.get(pk=job.pk))
    assert s3_files.keys("media/imports/") == []  # gone from the store, not only from the row


def test_a_workbook_is_checked_from_the_store(s3_files, partner_user, force):
    import openpyxl

    ForceAreaFactory(force=force, code="cumbria")
    workbook = openpyxl.Workbook()
    for values in [list(rows(1)[0]), *[list(r.values()) for r in rows(2)]]:
        workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = concern_import_start(upload=SimpleUploadedFile("concerns.xlsx", buffer.getvalue()), acting_user=partner_user)
    concern_import_check(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.file_format) == (ImportJobStatus.CHECKED, 2, "xlsx"), job.errors


@pytest.fixture
def built_report(s3_files, manager, seeded):  # noqa: F811
    run, _ = report_request(acting_user=manager, period_start=seeded.period_start, period_end=seeded.period_end,
                            force_area=seeded.force_area, include_maps=False)
    report_build(run_id=run.pk)
    return ReportRun.objects.get(pk=run.pk)


def test_a_report_is_streamed_from_the_store_to_its_requester_only(built_report, s3_files, client, manager, officer, settings):  # noqa: F811
    assert {key.rsplit(".", 1)[-1] for key in s3_files.keys(f"media/reports/{built_report.token}/")} == {"pdf", "csv", "xlsx"}
    assert not settings.MEDIA_ROOT.exists()
    client.force_login(manager)
    response = client.get(reverse("reports:download", args=[built_report.pk, "csv"]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body == s3_files.read(f"media/{built_report.csv.name}")
    assert int(response["Content-Length"]) == len(body) and "attachment" in response["Content-Disposition"]

    client.force_login(officer)  # the same force, not the requester
    for kind in ("pdf", "csv", "xlsx"):
        assert client.get(reverse("reports:download", args=[built_report.pk, kind])).status_code == 404


def test_a_signed_url_is_issued_only_after_the_permission_check_and_lapses(built_report, s3_files, client, manager, officer,
                                                                          settings):  # noqa: F811
    settings.FILE_DOWNLOADS_PRESIGNED = True
    client.force_login(officer)
    refused = client.get(reverse("reports:download", args=[built_report.pk, "pdf"]))
    assert refused.status_code == 404 and "Location" not in refused  # no URL for someone who may not see the report

    client.force_login(manager)
    response = client.get(reverse("reports:download", args=[built_report.pk, "pdf"]))
    assert response.status_code == 302 and response["Location"].startswith(s3_files.server.endpoint)
    assert response["Cache-Control"] == "no-store"
    status, body, headers = fetch(response["Location"])
    assert status == 200 and body.startswith(b"%PDF") and body == s3_files.read(f"media/{built_report.pdf.name}")
    assert headers["Content-Type"] == "application/pdf" and headers["Content-Disposition"].startswith("inline")

    unsigned = response["Location"].split("?", 1)[0]
    assert fetch(unsigned)[0] == 403  # the object is private: only the signature opens it
    tampered = response["Location"].replace(built_report.pdf.name.rsplit("/", 1)[-1], built_report.csv.name.rsplit("/", 1)[-1])
    assert fetch(tampered)[0] == 403  # a signature opens its own file only

    storage = built_report.pdf.storage
    storage.querystring_expire = 1
    try:
        short = client.get(reverse("reports:download", args=[built_report.pk, "pdf"]))["Location"]
    finally:
        storage.querystring_expire = 60
    time.sleep(2.1)
    assert fetch(short)[0] == 403  # lapsed


def test_an_open_data_release_is_stored_and_served_from_the_store(s3_files, client, settings):
    release = build(Release.objects.create(version=1, trigger=ReleaseTrigger.SCHEDULE))
    assert release.status == ReleaseStatus.PUBLISHED, release.error
    stored = s3_files.keys("open-data/1/")
    assert stored == sorted(f"open-data/1/{entry['path']}" for entry in release.files) and "open-data/1/datapackage.json" in stored
    assert not settings.OPEN_DATA_DIR.exists()
    for entry in release.files:
        response = client.get(reverse("publication:release-file", args=[1, entry["path"]]))
        assert response.status_code == 200 and response["Content-Type"] == entry["mediatype"]
        assert b"".join(response.streaming_content) == s3_files.read(f"open-data/1/{entry['path']}")
    # Only the names the release lists: nothing else under the bucket can be reached through it.
    assert client.get("/open-data/releases/1/..%2F..%2Fmedia%2Fimports%2Fa.csv").status_code == 404
    assert client.get(reverse("publication:release-file", args=[1, "datapackage.csv"])).status_code == 404


def test_a_release_whose_files_were_removed_from_the_store_answers_404(s3_files, client):
    release = build(Release.objects.create(version=1, trigger=ReleaseTrigger.SCHEDULE))
    client_s3 = s3_files.server.client()
    for key in s3_files.keys("open-data/1/"):
        client_s3.delete_object(Bucket="hub-files", Key=f"{s3_files.prefix}/{key}")
    response = client.get(reverse("publication:release-file", args=[1, release.files[0]["path"]]))
    assert response.status_code == 404  # not a server error


def test_an_agreement_pdf_is_kept_in_the_store_once_and_made_again_when_signed(s3_files, client, force, council, force_ig,  # noqa: F811
                                                                             council_ig, partner_user):  # noqa: F811
    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    url = reverse("sharing:protocol-agreement", args=[version.protocol_id, 1])
    client.force_login(council_ig)
    assert client.post(url).status_code == 302  # made in the background: the person waits on its page
    make_waiting_documents()
    first = b"".join(client.get(url).streaming_content)
    assert first.startswith(b"%PDF")
    assert client.get(url)["Content-Disposition"] == 'inline; filename="furness-contacts-v1.pdf"'
    kept = s3_files.keys("media/agreements/")
    assert len(kept) == 1 and s3_files.read(kept[0]) == first  # the second request read the kept file

    sign(version, force, force_ig, name="Jo Whitfield")
    assert client.post(url).status_code == 302
    make_waiting_documents()
    signed = b"".join(client.get(url).streaming_content)
    assert signed.startswith(b"%PDF") and signed != first  # a signature changes what the paper shows
    now_kept = s3_files.keys("media/agreements/")
    assert len(now_kept) == 1 and now_kept != kept  # the unsigned copy was deleted once the signed one was stored

    client.force_login(partner_user)  # not information governance
    assert client.get(url).status_code == 403


def test_a_conversation_import_is_read_from_the_store(s3_files, officer, places, settings):  # noqa: F811
    from digital.demo import as_generic_json, labelled_posts
    from digital.models import ImportStatus
    from tests.digital.conftest import boxes, import_file

    job = import_file(officer, as_generic_json(labelled_posts(20, boxes(places), seed=3)))
    assert (job.status, job.created_count, job.errors) == (ImportStatus.IMPORTED, 20, [])
    assert s3_files.keys("media/imports/conversations/") == [f"media/{job.upload.name}"]
    assert not settings.MEDIA_ROOT.exists()


def test_a_subject_access_package_is_kept_in_the_store_and_downloaded_by_governance_only(s3_files, governance_client,  # noqa: F811
                                                                                       marjorie, client, officer):  # noqa: F811
    from tests.subject_access.test_requests import new_request

    _, request = new_request(governance_client)
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    for item in request.items.all():
        governance_client.post(f"/subject-access/{request.pk}/items/{item.pk}/", {"decision": "include"})
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"})
    make_waiting_documents()
    package = request.packages.get()
    assert {key.rsplit(".", 1)[-1] for key in s3_files.keys("media/")} == {"pdf", "json"}
    url = f"/subject-access/{request.pk}/packages/{package.pk}/json/"
    response = governance_client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == s3_files.read(f"media/{package.json.name}")
    client.force_login(officer)
    assert client.get(url).status_code in (403, 404)

