"""The doors the pages and the Celery tasks use for bulk files of concerns.

`concern_import_start` (the upload page) and `concern_import_confirm` (the confirm button) are
quick and queue the work on commit; `concern_import_check` (the dry run) and
`concern_import_commit` (all or nothing) are what the tasks in partners.tasks run, and what the
benchmark times. A job's status makes a task that runs twice harmless.
"""
from __future__ import annotations

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from organisations import audit
from access.visibility import can_own, owning_organisation
from filestore.files import local_path
from input_rules.text import storable_data
from jobs.dispatch import job_dispatch_on_commit
from jobs.models import waiting_fields
from jobs.worker import job_is_still_mine
from partners.imports import limits, writer
from partners.imports.files import FileProblem, file_format_for
from partners.models import ConcernImportJob, ImportJobStatus

logger = logging.getLogger(__name__)

STOPPED = "The import stopped unexpectedly and nothing was imported. Try again; if it happens again, tell the hub's administrators."


def importing_organisation(user):
    """The partner organisation `user` imports concerns for, or None (the police report none)."""
    organisation = owning_organisation(user) if user.is_authenticated else None
    if organisation is None or organisation.is_police or not can_own(user, organisation):
        return None
    return organisation


def concern_import_start(*, upload, acting_user) -> ConcernImportJob:
    """Keep an uploaded file as a job of the user's partner organisation and queue its dry run."""
    organisation = importing_organisation(acting_user)
    if organisation is None:
        raise ValidationError("Only a partner organisation's users can import concerns, for their own organisation.")
    file_format = file_format_for(upload.name)
    if file_format is None:
        raise ValidationError({"upload": "The file must be a CSV file (.csv) or an Excel workbook (.xlsx)."})
    if not upload.size:
        raise ValidationError({"upload": "The file is empty."})
    if upload.size > limits.max_bytes():
        raise ValidationError({"upload": f"The file is {limits.megabytes(upload.size)}; it must be no larger than "
                                         f"{limits.megabytes(limits.max_bytes())}. Split it into smaller files."})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = ConcernImportJob(
        organisation=organisation, created_by=acting_user, original_name=upload.name[:255], file_format=file_format,
        file_size=upload.size, file_sha256=digest.hexdigest(), status=ImportJobStatus.QUEUED,
    )
    with transaction.atomic():
        job.upload.save(upload.name, upload, save=False)
        job.save()
        job_dispatch_on_commit(job)
    return job


def earlier_import(job: ConcernImportJob) -> ConcernImportJob | None:
    """The organisation's last completed import of the very same file, if there was one."""
    return (ConcernImportJob.objects.filter(organisation_id=job.organisation_id, file_sha256=job.file_sha256,
                                            status=ImportJobStatus.IMPORTED, created_at__lte=job.created_at)
            .exclude(pk=job.pk).order_by("-finished_at").only("pk", "original_name", "finished_at", "created_count").first())


def concern_import_confirm(*, job: ConcernImportJob, acting_user) -> None:
    """Queue the import of a checked file (all or nothing)."""
    if not can_own(acting_user, job.organisation):
        raise ValidationError("You cannot import concerns for that organisation.")
    with transaction.atomic():
        started = ConcernImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.CHECKED).update(
            status=ImportJobStatus.IMPORTING, processed_rows=0, started_at=timezone.now(), **waiting_fields(),
        )
        if not started:
            raise ValidationError("This file is not waiting to be imported: it has been imported already, or has problems.")
        job.refresh_from_db()
        job_dispatch_on_commit(job)


def _progress(job_id: int):
    def report(processed: int, total: int) -> None:
        ConcernImportJob.objects.filter(pk=job_id).update(processed_rows=processed, total_rows=total)
    return report


def _format(job_id: int):
    def report(file_format: str, estimated: int) -> None:
        ConcernImportJob.objects.filter(pk=job_id).update(file_format=file_format, total_rows=estimated)
    return report


def _finish(job: ConcernImportJob, *, status: str, errors: list, total_rows: int | None = None, strict: bool = False,
            **counts) -> None:
    """Save the job's outcome. If that fails, the job is failed with the general message instead, so it never stays
    "Checking the file"; unless `strict`: the outcome of a commit is saved in the import's transaction, which must
    then roll back whole."""
    # A message may quote the file (a heading, a cell): made storable first, so saving it cannot fail on what it quotes.
    job.status, job.errors, job.finished_at = status, storable_data(errors), timezone.now()
    if total_rows is not None:
        job.total_rows = job.processed_rows = total_rows
    for name, value in counts.items():
        setattr(job, name, value)
    fields = ["status", "errors", "finished_at", "total_rows", "processed_rows", "created_count", "already_held_count",
              "file_format", "updated_at"]
    if strict:
        job.save(update_fields=fields)
    else:
        try:
            with transaction.atomic():  # a savepoint, so the connection is usable after a refusal
                job.save(update_fields=fields)
        except DatabaseError:
            logger.exception("Concern import %s: its outcome could not be saved", job.pk)
            job.status, job.created_count, job.errors = ImportJobStatus.FAILED, 0, [{"row": None, "column": None, "message": STOPPED}]
            ConcernImportJob.objects.filter(pk=job.pk).update(status=job.status, finished_at=job.finished_at,
                                                              created_count=0, errors=job.errors)
    if job.status in (ImportJobStatus.IMPORTED, ImportJobStatus.REJECTED, ImportJobStatus.FAILED, ImportJobStatus.CHECKED):
        _tell_uploader(job)


def _tell_uploader(job: ConcernImportJob) -> None:
    from django.urls import reverse

    from notifications.models import Kind
    from notifications.services import notify

    checked = job.status == ImportJobStatus.CHECKED
    notify(recipients=[job.created_by], kind=Kind.IMPORT_FINISHED, about=job, template="import_finished.txt",
           subject=f"{job.original_name}: {'checked, ready to confirm' if checked else job.get_status_display().lower()}",
           url=reverse("partners:import-detail", args=[job.pk]))


def _stage(job: ConcernImportJob, *, count_held: bool) -> writer.Outcome:
    # openpyxl and the zip check need a file name: with S3 the worker reads a temporary copy.
    with local_path(job.upload.storage, job.upload.name) as path:
        return writer.stage(path=path, file_format=job.file_format, organisation_id=job.organisation_id,
                            default_reported_at=job.created_at, on_progress=_progress(job.pk), on_format=_format(job.pk),
                            count_held=count_held)


def concern_import_check(*, job_id: int) -> ConcernImportJob:
    """The dry run: check every row and count what would be created; nothing is written."""
    job = ConcernImportJob.objects.select_related("organisation").get(pk=job_id)
    if job.status not in (ImportJobStatus.QUEUED, ImportJobStatus.CHECKING):
        return job
    ConcernImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.CHECKING, started_at=timezone.now(), processed_rows=0)
    try:
        outcome = _stage(job, count_held=True)
    except FileProblem as problem:
        _finish(job, status=ImportJobStatus.REJECTED, errors=[{"row": problem.row, "column": problem.column, "message": problem.message}])
        return job
    except Exception:
        logger.exception("Concern import %s: the check failed", job.pk)
        _finish(job, status=ImportJobStatus.FAILED, errors=[{"row": None, "column": None, "message": STOPPED}])
        return job
    finally:
        writer.drop_staging()
    job.file_format = outcome.file_format
    _finish(job, status=ImportJobStatus.REJECTED if outcome.errors else ImportJobStatus.CHECKED, errors=outcome.errors,
            total_rows=outcome.total_rows, already_held_count=outcome.already_held)
    return job


def concern_import_commit(*, job_id: int, attempt: int | None = None) -> ConcernImportJob:
    """Check every row again (the dry run is advice, never a permission) and write them all in one
    transaction with the job's one audit record, or write nothing. `attempt` is the worker's claim
    (jobs.worker): a worker superseded by a newer attempt writes nothing."""
    job = ConcernImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.status != ImportJobStatus.IMPORTING:
        return job
    try:
        outcome = _stage(job, count_held=False)
        job.file_format = outcome.file_format or job.file_format
        if outcome.errors:
            _finish(job, status=ImportJobStatus.REJECTED, errors=outcome.errors, total_rows=outcome.total_rows, created_count=0)
            return job
        with transaction.atomic():
            if not job_is_still_mine(ConcernImportJob, job.pk, attempt):
                return job  # another run of this task finished it, or took it over
            # The same history context pghistory.context(user=..., via=...) would record, attached once (see writer.write).
            # The rows are placed, and their near-duplicates linked, as they are written (see writer.write).
            written = writer.write(organisation_id=job.organisation_id, created_by_id=job.created_by_id, import_job_id=job.pk,
                                   history_metadata={"user": job.created_by_id, "via": f"bulk import {job.pk}"})
            created = written.created
            held = outcome.total_rows - created
            _finish(job, status=ImportJobStatus.IMPORTED, errors=[], total_rows=outcome.total_rows, created_count=created,
                    already_held_count=held, strict=True)
            audit.record(
                actor=job.created_by, organisation=job.organisation, action="concerns.imported",
                summary=f"Imported concerns from {job.original_name}: {created:,} added, {held:,} already held",
                job=job.pk, rows=outcome.total_rows, created=created, already_held=held, file_sha256=job.file_sha256,
                placed=written.placed, unplaced=created - written.placed,
            )
    except FileProblem as problem:
        _finish(job, status=ImportJobStatus.REJECTED, created_count=0,
                errors=[{"row": problem.row, "column": problem.column, "message": problem.message}])
    except Exception:
        logger.exception("Concern import %s: the import failed", job.pk)
        _finish(job, status=ImportJobStatus.FAILED, created_count=0, errors=[{"row": None, "column": None, "message": STOPPED}])
    finally:
        writer.drop_staging()
    return job
