"""Background work for bulk files of concerns: thin wrappers that take a job's id.

Both are safe to run twice (the job's status says what is left to do, and a worker claims the job
once: jobs.worker), so they are acknowledged late and given back if their worker is lost; a worker
that dies mid-file leaves the job to be taken up again by the job sweeper, not lost."""
from celery import shared_task
from django.conf import settings

from jobs.worker import job_running
from partners.imports.services import concern_import_check, concern_import_commit
from partners.models import ConcernImportJob
from row_security.context import viewer_context


def _as_importer(job_id: int):
    """The database reads and writes as the organisation whose file it is (only its own rows)."""
    job = ConcernImportJob.objects.select_related("organisation").filter(pk=job_id).first()
    return viewer_context(job.organisation if job else None)

LIMITS = {"acks_late": True, "reject_on_worker_lost": True,
          "time_limit": settings.CELERY_TASK_TIME_LIMIT, "soft_time_limit": settings.CELERY_TASK_TIME_LIMIT - 60}


@shared_task(**LIMITS)
def check_concern_import(job_id: int) -> str:
    with job_running(ConcernImportJob, job_id) as attempt:
        if attempt is None:
            return "not taken up"
        with _as_importer(job_id):
            return concern_import_check(job_id=job_id).status


@shared_task(**LIMITS)
def commit_concern_import(job_id: int) -> str:
    with job_running(ConcernImportJob, job_id) as attempt:
        if attempt is None:
            return "not taken up"
        with _as_importer(job_id):
            return concern_import_commit(job_id=job_id, attempt=attempt).status


@shared_task
def warn_expiring_api_keys() -> int:
    from partners.api_keys import api_keys_warn_expiring
    from row_security.context import system_context

    with system_context("telling partner organisations their API keys expire soon"):  # every organisation's keys
        return api_keys_warn_expiring()
