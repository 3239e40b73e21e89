"""Celery tasks for the collation: thin wrappers that take ids and dates, never objects."""
from datetime import date

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, reject_on_worker_lost=True)
def collate_partner_concerns(period_end: str | None = None, requested_by_id: int | None = None, run_id: int | None = None) -> int:
    """Collate every concern reported up to `period_end` (ISO date; today when Celery beat runs it)
    into the queued run `run_id` (saved here first when Celery beat runs it, so the job sweeper
    watches it). Returns the run's id."""
    from organisations.models import User
    from jobs.worker import job_running
    from partners.collation.services import collation_queue, collation_run
    from partners.models import CollationRun

    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    day = date.fromisoformat(period_end) if period_end else timezone.localdate()
    if run_id is None:
        run_id = collation_queue(period_end=day, requested_by=requested_by, dispatched=True).pk
    with job_running(CollationRun, run_id) as attempt:
        if attempt is not None:
            collation_run(period_end=day, requested_by=requested_by, run=CollationRun.objects.get(pk=run_id), attempt=attempt)
    return run_id
