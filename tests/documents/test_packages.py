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
