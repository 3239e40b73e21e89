"""One sweeper for every job model (each subclass of jobs.models.BackgroundJob), run by Celery beat
every minute (`sweep-jobs` in CELERY_BEAT_SCHEDULE).

For each open job whose row no live connection holds (rows are read with SKIP LOCKED):
- its heartbeat has stopped (older than JOB_STALE_SECONDS): its worker died. It is queued again,
  or, after JOB_MAX_RESTARTS, ended as failed with a plain message;
- it waits in the outbox (never handed to the broker, for longer than JOB_OUTBOX_GRACE_SECONDS),
  or was handed over but never taken up within JOB_PICKUP_SECONDS (the broker lost it): it is sent
  again; one that cannot be started for JOB_GIVE_UP_SECONDS is ended as failed.
Sending twice is harmless: a worker claims a job only once (jobs.worker.job_claim).

It then asks each job model to delete what its jobs left behind (BackgroundJob.job_leftovers_delete), such as an
import's progress counts a day after its job stopped running.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jobs.dispatch import job_dispatch
from jobs.models import BackgroundJob
from jobs.worker import stale_before

logger = logging.getLogger(__name__)


@dataclass
class Sweep:
    requeued: list[str] = field(default_factory=list)
    resent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    leftovers_deleted: int = 0


def job_models() -> list[type[BackgroundJob]]:
    return [model for model in apps.get_models() if issubclass(model, BackgroundJob)]


def jobs_sweep() -> Sweep:
    sweep = Sweep()
    for model in job_models():
        _sweep_model(model, sweep)
        sweep.leftovers_deleted += model.job_leftovers_delete()
    for label in sweep.failed:
        logger.warning("Job %s ended as failed by the sweeper", label)
    return sweep


def _sweep_model(model, sweep: Sweep) -> None:
    now = timezone.now()
    to_send = []
    with transaction.atomic():
        open_jobs = model.objects.select_for_update(skip_locked=True).filter(status__in=model.JOB_OPEN_STATUSES)
        for job in open_jobs.filter(heartbeat_at__lt=stale_before()):
            label = f"{model._meta.label} {job.pk}"
            if job.restarts >= settings.JOB_MAX_RESTARTS:
                model.objects.filter(pk=job.pk).update(heartbeat_at=None, **job.job_failed_fields(job.JOB_GAVE_UP_MESSAGE))
                sweep.failed.append(label)
            else:
                model.objects.filter(pk=job.pk).update(heartbeat_at=None, dispatched_at=None, restarts=job.restarts + 1)
                to_send.append(job)
                sweep.requeued.append(label)
        unsent = Q(dispatched_at__isnull=True, queued_at__lt=now - timedelta(seconds=settings.JOB_OUTBOX_GRACE_SECONDS))
        lost = Q(dispatched_at__lt=now - timedelta(seconds=settings.JOB_PICKUP_SECONDS))
        for job in open_jobs.filter(unsent | lost, heartbeat_at__isnull=True).exclude(pk__in=[job.pk for job in to_send]):
            label = f"{model._meta.label} {job.pk}"
            if job.queued_at < now - timedelta(seconds=settings.JOB_GIVE_UP_SECONDS):
                model.objects.filter(pk=job.pk).update(**job.job_failed_fields(job.JOB_NEVER_STARTED_MESSAGE))
                sweep.failed.append(label)
            else:
                to_send.append(job)
                sweep.resent.append(label)
    for job in to_send:  # after the commit, so the worker finds the row as the sweeper left it
        job.refresh_from_db()
        job_dispatch(job)
