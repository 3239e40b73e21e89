"""The sweeper on Celery beat (every minute): see jobs.sweeper."""
from celery import shared_task


@shared_task(ignore_result=True)
def sweep_jobs() -> dict:
    from jobs.sweeper import jobs_sweep

    sweep = jobs_sweep()
    return {"requeued": sweep.requeued, "resent": sweep.resent, "failed": sweep.failed, "leftovers_deleted": sweep.leftovers_deleted}
