"""Handing a job's task to the broker without ever hanging the request that asked for it.

The broker's connection and publish timeouts are short (CELERY_BROKER_* settings); if it does not
answer, the job simply stays in the outbox (`dispatched_at` empty) and the sweeper sends it when
the broker is back. Results are never stored for job tasks: the job row is their result, so the
web process never opens the result backend either.
"""
from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from jobs.models import BackgroundJob

logger = logging.getLogger(__name__)


def job_dispatch(job: BackgroundJob) -> bool:
    """Send the job's task now. Returns whether the broker took it; the job waits in the outbox if not."""
    task, args = job.job_task()
    try:
        result = task.apply_async(args=args, ignore_result=True)
    except Exception as error:  # kombu, redis-py and socket errors all mean the same here: try again later
        logger.warning("%s %s waits in the outbox: the broker did not take its task (%s)", type(job).__name__, job.pk, error)
        return False
    fields = {"dispatched_at": timezone.now()}
    if hasattr(job, "celery_task_id"):
        fields["celery_task_id"] = result.id or ""
    type(job).objects.filter(pk=job.pk).update(**fields)
    return True


def job_dispatch_on_commit(job: BackgroundJob) -> None:
    """Send the job's task once the transaction that saved the job commits (so the worker finds it)."""
    transaction.on_commit(lambda: job_dispatch(job))
