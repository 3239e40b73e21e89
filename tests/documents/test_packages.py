"""A subject-access package is made in the background: asked for on the request's page, waited for on its own page,
downloaded from the request's page (which checks again)."""
import pytest
from django.urls import reverse

from documents.models import BuildStatus, DocumentBuild, DocumentKind
from notifications.models import Kind, Notification
from organisations.models import AuditEvent
from tests.documents.helpers import make_waiting_documents
from tests.subject_access.conftest import governance, governance_client  # noqa: F401 (fixtures)
from tests.subject_access.test_requests import marjorie, new_request  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def package_files(media, request) -> list[str]:
    folder = media / "subject-access" / str(request.token)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def reviewed_request(client):
    _, request = new_request(client)
    client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    for item in request.items.all():
        client.post(f"/subject-access/{request.pk}/items/{item.pk}/", {"decision": "include"})
    return request


def test_a_package_is_asked_for_made_in_the_background_and_downloaded_from_the_request(governance_client, governance, marjorie):  # noqa: F811
    request = reviewed_request(governance_client)
    response = governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"})
    build = DocumentBuild.objects.get()
    assert response["Location"] == reverse("documents:build-detail", args=[build.pk])
    assert (build.kind, build.status, build.data_request) == (DocumentKind.SUBJECT_ACCESS_PACKAGE, BuildStatus.QUEUED, request)
    assert not request.packages.exists()  # nothing rendered in the request
    assert AuditEvent.objects.filter(action="subject_access.package_requested").count() == 1
    assert reverse("documents:build-detail", args=[build.pk]) in governance_client.get(f"/subject-access/{request.pk}/").content.decode()
    again = governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"}, follow=True)
    assert "already being made" in again.content.decode() and DocumentBuild.objects.count() == 1

    [build] = make_waiting_documents()
    package = request.packages.get()
    assert build.status == BuildStatus.READY and build.package == package
    told = Notification.objects.get(recipient=governance, kind=Kind.DOCUMENT_READY)
    assert request.reference in told.body and "Marjorie" not in told.body + told.subject
    page = governance_client.get(told.url).content.decode()
    pdf_url = reverse("subject_access:package-file", args=[request.pk, package.pk, "pdf"])
    assert pdf_url in page and "Ready" in page
    download = governance_client.get(pdf_url)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_package_cannot_be_asked_for_before_every_record_is_reviewed(governance_client, marjorie):  # noqa: F811
    _, request = new_request(governance_client)
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "search"})
    refused = governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"}, follow=True)
    assert "Review every record first" in refused.content.decode() and not DocumentBuild.objects.exists()


def test_a_record_sent_back_to_review_while_the_package_waits_ends_the_build_with_the_reason(governance_client, marjorie):  # noqa: F811
    from subject_access.models import ItemDecision

    request = reviewed_request(governance_client)
    page = governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"})["Location"]
    request.items.filter(pk=request.items.first().pk).update(decision=ItemDecision.PENDING)
    [build] = make_waiting_documents()
    assert build.status == BuildStatus.FAILED and "Review every record first: 1 still to review" in build.error
    assert "Review every record first" in governance_client.get(page).content.decode() and not request.packages.exists()


def test_only_the_requester_sees_the_build_page(governance_client, marjorie, client, officer, other_force):  # noqa: F811
    from tests.sharing_protocols.test_protocol_sign_off import governance as governance_of

    request = reviewed_request(governance_client)
    page = governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"})["Location"]
    for outsider in (officer, governance_of("other-ig", other_force)):
        client.force_login(outsider)
        assert client.get(page).status_code == 404
        assert client.post(page + "retry/").status_code == 404


def test_a_package_build_that_fails_after_storing_its_files_leaves_neither_a_row_nor_a_file(governance_client, marjorie, media,  # noqa: F811
                                                                                           monkeypatch):
    """The files are written inside the transaction that records them; if it rolls back (here the build's last
    step fails, after the files, the package row and its disclosure entry), the files go with it."""
    from organisations.models import AuditEvent
    from sharing_protocols.models import DisclosureEntry

    request = reviewed_request(governance_client)
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"})
    stored_before_the_failure = []

    def failing_finish(build, **result):
        stored_before_the_failure.extend(package_files(media, request))
        raise RuntimeError("the notification could not be saved")

    monkeypatch.setattr("documents.services._finish", failing_finish)
    [build] = make_waiting_documents()
    assert build.status == BuildStatus.FAILED and "could not be made" in build.error
    assert stored_before_the_failure == [f"{request.reference}.json", f"{request.reference}.pdf"]  # the failure came after them
    assert not request.packages.exists() and package_files(media, request) == []
    assert not AuditEvent.objects.filter(action="subject_access.package_made").exists()
    assert not DisclosureEntry.objects.filter(purpose__contains=request.reference).exists()

    monkeypatch.undo()  # tried again, it is made, with one file of each
    governance_client.post(reverse("documents:build-retry", args=[build.pk]))
    [build] = make_waiting_documents()
    package = request.packages.get()
    assert build.status == BuildStatus.READY
    assert package_files(media, request) == [f"{request.reference}.json", f"{request.reference}.pdf"]
    assert (package.pdf.name, package.json.name) == (f"subject-access/{request.token}/{request.reference}.pdf",
                                                     f"subject-access/{request.token}/{request.reference}.json")


def test_files_a_killed_worker_left_in_the_requests_folder_are_deleted_by_the_next_build(governance_client, marjorie, media):  # noqa: F811
    """A worker killed between storing and committing runs no cleanup: what no package records is deleted by the
    next build of that request, which holds the job's row while it writes there."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    request = reviewed_request(governance_client)
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"})
    make_waiting_documents()
    kept = package_files(media, request)
    default_storage.save(f"subject-access/{request.token}/{request.reference}_half.pdf", ContentFile(b"%PDF half-written"))
    governance_client.post(f"/subject-access/{request.pk}/", {"action": "package"})
    make_waiting_documents()
    names = {name.rsplit("/", 1)[1] for pair in request.packages.values_list("pdf", "json") for name in pair}
    assert request.packages.count() == 2 and set(kept) <= names
    assert set(package_files(media, request)) == names  # the half-written file is gone; every recorded one is there
