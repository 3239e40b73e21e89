"""Nightly retention (Celery beat): the dry run lists what falls due; the real run acts on what was listed before."""
from celery import shared_task

from retention.enforcement import enforce


@shared_task(acks_late=True)  # idempotent: a re-delivered run does nothing twice
def enforce_retention(dry_run: bool = False, requested_by_id: int | None = None) -> int:
    from organisations.models import User

    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    return enforce(dry_run=dry_run, requested_by=requested_by).pk
