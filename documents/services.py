"""Asking for a document, and making it in the background worker (documents.tasks). Each request validates, saves
and audits in one transaction and hands the work to the worker once it commits (the jobs outbox)."""
from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from documents.models import BuildStatus, DocumentBuild, DocumentKind
from jobs.dispatch import job_dispatch_on_commit
from jobs.files import files_stored_with_commit
from jobs.worker import job_is_still_mine
from organisations import audit

logger = logging.getLogger(__name__)

FAILED_MESSAGE = "The document could not be made. Nothing was saved. Try again; if it happens again, tell the hub's administrators."
TIMED_OUT_MESSAGE = "Making the document took too long, so it was stopped. Nothing was saved. Try again later."


def _open_build(**subject) -> DocumentBuild | None:
    return DocumentBuild.objects.select_for_update().filter(status__in=DocumentBuild.JOB_OPEN_STATUSES, **subject).first()


@transaction.atomic
def agreement_request(*, version, acting_user, organisation) -> DocumentBuild:
    """Ask for the version's agreement PDF (the caller has checked the user may read the version). One person
    asking twice while it is being made gets the same build."""
    build = _open_build(kind=DocumentKind.AGREEMENT, protocol_version=version, requested_by=acting_user)
    if build is not None:
        return build
    build = DocumentBuild.objects.create(kind=DocumentKind.AGREEMENT, protocol_version=version, requested_by=acting_user,
                                         organisation=organisation, stage=DocumentBuild.JOB_WAITING_STAGE)
    audit.record(actor=acting_user, organisation=organisation, action="documents.agreement_requested",
                 summary=f"Printable agreement asked for: {version.protocol.reference} version {version.number}",
                 protocol=version.protocol_id, version=version.number, build=build.pk)
    job_dispatch_on_commit(build)
    return build


@transaction.atomic
def package_request(*, request, acting_user) -> DocumentBuild:
    """Ask for a subject-access package for the request: refused with the reason if it cannot be made now."""
    from subject_access.services import package_check

    package_check(request=request, acting_user=acting_user)
    build = _open_build(kind=DocumentKind.SUBJECT_ACCESS_PACKAGE, data_request=request)
    if build is not None:
        raise ValidationError("A package for this request is already being made: wait for it to finish.")
    build = DocumentBuild.objects.create(kind=DocumentKind.SUBJECT_ACCESS_PACKAGE, data_request=request, requested_by=acting_user,
                                         organisation=request.organisation, stage=DocumentBuild.JOB_WAITING_STAGE)
    audit.record(actor=acting_user, organisation=request.organisation, action="subject_access.package_requested",
                 summary=f"{request.reference}: package asked for", request=request.pk, build=build.pk)
    job_dispatch_on_commit(build)
    return build


def _set(build_id: int, **fields) -> None:
    DocumentBuild.objects.filter(pk=build_id).update(**fields)


def document_build(*, build_id: int, attempt: int) -> None:
    """The worker's side: make the document as the requester sees it (the task sets their context), record it if the
    job is still this attempt's, and tell the requester it is ready. A failure ends the build with a plain message."""
    build = DocumentBuild.objects.select_related("requested_by", "protocol_version__protocol", "data_request__organisation").get(pk=build_id)
    _set(build_id, status=BuildStatus.BUILDING, stage="Making the PDF", started_at=timezone.now())
    try:
        if build.kind == DocumentKind.AGREEMENT:
            done = _build_agreement(build, attempt)
        else:
            done = _build_package(build, attempt)
    except SoftTimeLimitExceeded:
        _set(build_id, status=BuildStatus.FAILED, stage="Stopped", error=TIMED_OUT_MESSAGE, finished_at=timezone.now())
        return
    except ValidationError as error:  # the request changed since it was asked for (a record back to review, say)
        _set(build_id, status=BuildStatus.FAILED, stage="Stopped", error=" ".join(error.messages), finished_at=timezone.now())
        return
    except Exception:
        logger.exception("Document build %s failed", build_id)
        _set(build_id, status=BuildStatus.FAILED, stage="Stopped", error=FAILED_MESSAGE, finished_at=timezone.now())
        return
    if not done:
        logger.info("Document build %s: attempt %s was superseded and saved nothing", build_id, attempt)


def _finish(build: DocumentBuild, **result) -> None:
    """Inside the final transaction: the build is ready, and its requester is told (email on commit)."""
    from notifications.models import Kind
    from notifications.services import notify

    _set(build.pk, status=BuildStatus.READY, stage="Ready", finished_at=timezone.now(), **result)
    notify(recipients=[build.requested_by], kind=Kind.DOCUMENT_READY, subject=f"Ready: {build}", template="document_ready.txt",
           context={"build": build}, url=reverse("documents:build-detail", args=[build.pk]))


def _build_agreement(build: DocumentBuild, attempt: int) -> bool:
    from documents.agreements import agreement_render, agreement_store

    fingerprint, pdf = agreement_render(build.protocol_version)
    with files_stored_with_commit() as files:
        if not job_is_still_mine(DocumentBuild, build.pk, attempt):
            return False
        stored = agreement_store(build.protocol_version, fingerprint, pdf, files=files)
        _finish(build, agreement_id=stored.pk)
    return True


def _build_package(build: DocumentBuild, attempt: int) -> bool:
    from subject_access.services import package_make

    # One transaction: the package, its files, its disclosure entry and the build's end commit together, or none of
    # them (the files are deleted again if it does not commit).
    with files_stored_with_commit() as files:
        package = package_make(request=build.data_request, acting_user=build.requested_by, files=files,
                               still_mine=lambda: job_is_still_mine(DocumentBuild, build.pk, attempt))
        if package is None:
            return False
        _finish(build, package_id=package.pk)
    return True
