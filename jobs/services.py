"""Trying a failed job again: one door for every job page's "Try again" button."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from organisations import audit
from jobs.dispatch import job_dispatch_on_commit
from jobs.models import BackgroundJob, waiting_fields


def job_retry(*, job: BackgroundJob, acting_user) -> BackgroundJob:
    """Queue a failed job again, from the start of its work, with an audit record. The caller has
    already checked that the user may act on the job (it reads jobs through visible_to)."""
    model = type(job)
    with transaction.atomic():
        job = model.objects.select_for_update().get(pk=job.pk)
        fields = job.job_retry_fields()
        if job.job_is_open or fields is None:
            raise ValidationError("This cannot be tried again: it is still in hand, or it finished.")
        model.objects.filter(pk=job.pk).update(**fields, **waiting_fields())
        audit.record(actor=acting_user, organisation=job.job_organisation(), action="jobs.retried",
                     summary=f"Tried again: {job}", model=model._meta.label, job=job.pk)
        job.refresh_from_db()
        job_dispatch_on_commit(job)
    return job
