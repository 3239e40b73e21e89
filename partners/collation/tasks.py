"""Celery tasks for the collation: thin wrappers that take ids and dates, never objects."""
from datetime import date

from celery import shared_task
from django.utils import timezone


@shared_task
def collate_partner_concerns(period_end: str | None = None, requested_by_id: int | None = None) -> int:
    """Collate every concern reported up to `period_end` (ISO date; today when Celery beat runs it).
    Returns the run's id."""
    from crm.models import User
    from partners.collation.services import collation_run

    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    day = date.fromisoformat(period_end) if period_end else timezone.localdate()
    return collation_run(period_end=day, requested_by=requested_by).pk
