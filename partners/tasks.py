"""Background work for bulk files of concerns: thin wrappers that take a job's id.

Both are safe to run twice (the job's status says what is left to do), so they are acknowledged
late: a worker that dies mid-file leaves the task to be run again, not lost."""
from celery import shared_task
from django.conf import settings

from partners.imports.services import concern_import_check, concern_import_commit

LIMITS = {"acks_late": True, "time_limit": settings.CELERY_TASK_TIME_LIMIT, "soft_time_limit": settings.CELERY_TASK_TIME_LIMIT - 60}


@shared_task(**LIMITS)
def check_concern_import(job_id: int) -> str:
    return concern_import_check(job_id=job_id).status


@shared_task(**LIMITS)
def commit_concern_import(job_id: int) -> str:
    return concern_import_commit(job_id=job_id).status
