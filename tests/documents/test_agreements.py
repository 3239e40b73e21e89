"""A protocol version's printable agreement is made in the background (never in the web request), kept once per
what it shows, its older copies deleted once a new one is stored, and deleted under the retention schedule once
the protocol has ended beyond the period."""
import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from documents.agreements import agreement_fingerprint, agreement_folder
from documents.models import AgreementFile, BuildStatus, DocumentBuild, DocumentKind
from notifications.models import Kind, Notification
from retention.models import RecordClass
from retention.record_classes import kind_of
from sharing_protocols.models import ProtocolStatus
from sharing_protocols.services import protocol_send_for_signature, protocol_suspend_or_terminate
from tests.documents.helpers import make_waiting_documents
from tests.sharing_protocols.test_protocol_sign_off import council_ig, draft, force_ig, sign  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sent(force, council, force_ig):  # noqa: F811
    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    return version


def agreement_url(version) -> str:
    return reverse("sharing:protocol-agreement", args=[version.protocol_id, version.number])


def fresh(version):
    return type(version).objects.get(pk=version.pk)


def stored_files(media, version) -> list[str]:
    folder = media / agreement_folder(version)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_opening_an_agreement_not_made_yet_queues_nothing_and_offers_a_button_to_make_it(client, sent, council_ig, media):  # noqa: F811
    """A GET only reads: a link prefetcher, a crawler or a refresh must not queue a build."""
    client.force_login(council_ig)
    for _ in range(3):
        response = client.get(agreement_url(sent))
        assert response.status_code == 200
    assert not DocumentBuild.objects.exists() and stored_files(media, sent) == []
    page = response.content.decode()
    assert "has not been made yet" in page and "Make the printable agreement" in page
    assert f'<form method="post" action="{agreement_url(sent)}">' in page and "csrfmiddlewaretoken" in page
    assert "document-progress.js" not in page  # nothing to wait for


def test_making_the_agreement_needs_the_csrf_token(sent, council_ig):  # noqa: F811
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(council_ig)
    assert strict.post(agreement_url(sent)).status_code == 403
    assert not DocumentBuild.objects.exists()


def test_asking_for_the_agreement_queues_it_and_the_requester_waits_on_its_page(client, sent, council_ig, media):  # noqa: F811
    client.force_login(council_ig)
    response = client.post(agreement_url(sent))
    build = DocumentBuild.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:build-detail", args=[build.pk])
    assert (build.kind, build.status, build.requested_by, build.protocol_version) == (DocumentKind.AGREEMENT, BuildStatus.QUEUED, council_ig, sent)
    assert stored_files(media, sent) == []  # nothing rendered in the request
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to start" in page and "document-progress.js" in page
    waiting = client.get(agreement_url(sent)).content.decode()  # the link again, while it is made: its progress, polled
    assert "Waiting to start" in waiting and "document-progress.js" in waiting and reverse("documents:build-status", args=[build.pk]) in waiting
    assert "Make the printable agreement" not in waiting
    client.post(agreement_url(sent))
    assert DocumentBuild.objects.count() == 1  # asking again while it is made is the same build

    [built] = make_waiting_documents()
    assert built.status == BuildStatus.READY and built.agreement.name.endswith(f"-{agreement_fingerprint(fresh(sent))}.pdf")
    ready = Notification.objects.get(recipient=council_ig, kind=Kind.DOCUMENT_READY)
    assert ready.url == reverse("documents:build-detail", args=[build.pk]) and "furness-contacts version 1" in ready.body
    page = client.get(ready.url).content.decode()
    assert "Ready" in page and agreement_url(sent) in page and "document-progress.js" not in page
    pdf = client.get(agreement_url(sent))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    again = client.post(agreement_url(sent))  # made already (another tab's button): opened, not made again
    assert again.status_code == 302 and again["Location"] == agreement_url(sent) and DocumentBuild.objects.count() == 1


def test_someone_else_sees_neither_the_build_page_nor_a_protocol_they_are_not_party_to(client, sent, council_ig, other_force):  # noqa: F811
    from tests.sharing_protocols.test_protocol_sign_off import governance

    client.force_login(council_ig)
    build_page = client.post(agreement_url(sent))["Location"]
    outsider = governance("other-ig", other_force)
    client.force_login(outsider)
    assert client.get(build_page).status_code == 404
    assert client.get(build_page.rstrip("/") + "/status/").status_code == 404
    assert client.get(agreement_url(sent)).status_code == 404
    assert client.post(agreement_url(sent)).status_code == 404
    assert DocumentBuild.objects.count() == 1  # the outsider queued nothing


def test_a_new_signature_makes_a_new_copy_and_the_older_ones_are_deleted_once_it_is_stored(client, sent, force, force_ig, council_ig, media):  # noqa: F811
    client.force_login(council_ig)
    client.post(agreement_url(sent))
    make_waiting_documents()
    [unsigned] = stored_files(media, sent)
    # A copy stored before copies were recorded (an older hub) is found by its name and deleted too; another
    # version's copy is left alone.
    default_storage.save(f"{agreement_folder(sent)}/v{sent.number}-{'0' * 32}.pdf", ContentFile(b"%PDF old"))
    default_storage.save(f"{agreement_folder(sent)}/v{sent.number + 1}-{'1' * 32}.pdf", ContentFile(b"%PDF other version"))

    sign(sent, force, force_ig, name="Jo Whitfield")
    assert "It must be made again" in client.get(agreement_url(sent)).content.decode()  # what the paper shows changed
    assert client.post(agreement_url(sent)).status_code == 302
    make_waiting_documents()
    signed = f"v{sent.number}-{agreement_fingerprint(fresh(sent))}.pdf"
    assert signed != unsigned
    assert stored_files(media, sent) == sorted([signed, f"v{sent.number + 1}-{'1' * 32}.pdf"])
    assert list(AgreementFile.objects.values_list("name", flat=True)) == [f"{agreement_folder(sent)}/{signed}"]


def test_a_build_that_fails_says_so_plainly_and_can_be_tried_again(client, sent, council_ig, monkeypatch):  # noqa: F811
    client.force_login(council_ig)
    page = client.post(agreement_url(sent))["Location"]

    def broken(version):
        raise OSError("the renderer fell over")

    monkeypatch.setattr("documents.agreements.agreement_pdf", broken)
    [build] = make_waiting_documents()
    assert build.status == BuildStatus.FAILED and "could not be made" in build.error and "renderer" not in build.error
    assert "Try again" in client.get(page).content.decode()
    failed = client.get(agreement_url(sent)).content.decode()  # the agreement's own link says so too, and offers the button
    assert "could not be made" in failed and "Make the printable agreement" in failed
    monkeypatch.undo()
    client.post(reverse("documents:build-retry", args=[build.pk]))
    [build] = make_waiting_documents()
    assert build.status == BuildStatus.READY


def test_an_agreement_build_that_fails_after_storing_its_file_leaves_no_file(client, sent, council_ig, media, monkeypatch):  # noqa: F811
    client.force_login(council_ig)
    client.post(agreement_url(sent))
    stored_before_the_failure = []

    def failing_finish(build, **result):
        stored_before_the_failure.extend(stored_files(media, sent))
        raise RuntimeError("the notification could not be saved")

    monkeypatch.setattr("documents.services._finish", failing_finish)
    [build] = make_waiting_documents()
    assert build.status == BuildStatus.FAILED and len(stored_before_the_failure) == 1
    assert stored_files(media, sent) == [] and not AgreementFile.objects.exists()


def test_agreement_pdfs_of_a_protocol_ended_beyond_the_period_fall_due_and_are_deleted(client, sent, force, council, force_ig, council_ig, media):  # noqa: F811
    sign(sent, force, force_ig)
    sign(sent, council, council_ig)
    client.force_login(council_ig)
    client.post(agreement_url(sent))
    make_waiting_documents()
    stored = AgreementFile.objects.get()
    kind = kind_of(RecordClass.AGREEMENT_PDFS)
    today = timezone.localdate()
    sent.protocol.refresh_from_db()
    assert sent.protocol.current_version.status == ProtocolStatus.ACTIVE
    six_years_on = today + datetime.timedelta(days=6 * 365)
    assert list(kind.candidates(organisation_ids=[force.pk], months=72, today=six_years_on)) == []  # ends in a year: not yet
    past_its_end = sent.ends_on + datetime.timedelta(days=73 * 31)
    assert list(kind.candidates(organisation_ids=[force.pk], months=72, today=past_its_end)) == [stored]  # expired long ago

    ending = protocol_suspend_or_terminate(protocol=sent.protocol, status=ProtocolStatus.TERMINATED, acting_user=force_ig, acted_for=force,
                                           reason="The partnership ended")
    assert list(kind.candidates(organisation_ids=[force.pk], months=72, today=today)) == []  # ended today
    assert list(kind.candidates(organisation_ids=[force.pk], months=72, today=six_years_on - datetime.timedelta(days=10))) == []
    later = ending.created_at.date() + datetime.timedelta(days=73 * 31)
    [due] = kind.candidates(organisation_ids=[force.pk], months=72, today=later)
    assert due == stored and kind.organisation_id_of(due) == force.pk
    assert list(kind.candidates(organisation_ids=[council.pk], months=72, today=later)) == []  # the lead's schedule decides
    assert kind.url_of(due) == reverse("sharing:protocol-version", args=[sent.protocol_id, sent.number])

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        kind.delete_many([due])
    assert not AgreementFile.objects.exists() and stored_files(media, sent) == []
    # The register keeps the version: asked for again, the agreement is simply made again.
    assert client.post(agreement_url(sent)).status_code == 302


def test_the_retention_pages_show_the_agreement_class_and_its_default(client, force_ig):  # noqa: F811
    client.force_login(force_ig)
    page = client.get(reverse("retention:schedule-list")).content.decode()
    assert "Printed sharing agreements (PDF)" in page and "Limitation Act 1980" in page
    form = client.get(reverse("retention:schedule-create")).content.decode()
    assert 'value="agreement_pdfs"' in form
