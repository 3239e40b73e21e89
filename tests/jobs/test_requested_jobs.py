"""A job one person asks for and waits on (a report, a document) is one pattern (jobs.models.RequestedJob): the same
fields, the same failing and "Try again", and only its requester sees it."""
import datetime

import pytest

from documents.models import BuildStatus, DocumentBuild, DocumentKind
from jobs.models import RequestedJob
from jobs.sweeper import job_models
from reports.models import ReportRun, ReportStatus
from tests.sharing_protocols.test_protocol_sign_off import council_ig, draft, force_ig  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def report_of(user) -> ReportRun:
    return ReportRun.objects.create(requested_by=user, period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 31),
                                    parameters_key="k", status=ReportStatus.RUNNING, stage="Counting engagements")


def agreement_build_of(user, force, council) -> DocumentBuild:
    version = draft(user, force, council)
    return DocumentBuild.objects.create(kind=DocumentKind.AGREEMENT, protocol_version=version, requested_by=user, organisation=force,
                                        status=BuildStatus.BUILDING, stage="Making the PDF")


def test_reports_and_documents_are_the_requested_jobs_and_name_their_own_statuses():
    requested = [model for model in job_models() if issubclass(model, RequestedJob)]
    assert sorted(model.__name__ for model in requested) == ["DocumentBuild", "ReportRun"]
    for model in requested:  # each names statuses of its own field: an unset one would fail or retry nothing
        choices = {value for value, _ in model._meta.get_field("status").choices}
        assert {model.JOB_QUEUED_STATUS, model.JOB_FAILED_STATUS, *model.JOB_FINISHED_STATUSES, *model.JOB_OPEN_STATUSES} <= choices
        assert model.JOB_FAILED_STATUS in model.JOB_FINISHED_STATUSES and model.JOB_QUEUED_STATUS in model.JOB_OPEN_STATUSES


def test_the_shared_fields_are_each_models_own_columns(force_ig):  # noqa: F811
    """Moved into one abstract model, the fields are the same columns as before (no migration), each table its own."""
    for model in (DocumentBuild, ReportRun):
        names = {field.name for field in model._meta.get_fields()}
        assert {"token", "requested_by", "stage", "error", "created_at", "started_at", "finished_at", "status", "organisation"} <= names
        assert model._meta.get_field("requested_by").column == "requested_by_id" and model._meta.get_field("token").unique
    assert report_of(force_ig).token != report_of(force_ig).token


@pytest.mark.parametrize("make", [lambda user, force, council: report_of(user), agreement_build_of], ids=["report", "document"])
def test_a_requested_job_fails_with_its_message_and_is_tried_again_by_its_requester_only(make, force_ig, council_ig, force, council):  # noqa: F811
    job = make(force_ig, force, council)
    model = type(job)
    assert not job.is_finished and job.job_retry_fields() is None  # in hand: nothing to try again
    model.objects.filter(pk=job.pk).update(**job.job_failed_fields("The worker stopped."))
    job.refresh_from_db()
    assert (job.status, job.stage, job.error) == (model.JOB_FAILED_STATUS, "Stopped", "The worker stopped.")
    assert job.is_finished and job.finished_at is not None and job.job_can_retry
    assert job.job_user_may_retry(force_ig) and not job.job_user_may_retry(council_ig)
    assert job.job_organisation() == job.organisation
    retry = job.job_retry_fields()
    assert (retry["status"], retry["stage"], retry["error"], retry["started_at"], retry["finished_at"]) == (
        model.JOB_QUEUED_STATUS, model.JOB_WAITING_STAGE, "", None, None)
    assert model.objects.visible_to(force_ig).filter(pk=job.pk).exists()
    assert not model.objects.visible_to(council_ig).filter(pk=job.pk).exists()


def test_a_reports_retry_starts_its_progress_again(force_ig):  # noqa: F811
    run = report_of(force_ig)
    ReportRun.objects.filter(pk=run.pk).update(progress=35, **run.job_failed_fields("Stopped."))
    run.refresh_from_db()
    assert run.job_retry_fields()["progress"] == 0 and run.job_retry_fields()["stage"] == "Waiting for the report builder"
