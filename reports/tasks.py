"""Background work for reports, routed to the `reports` queue (CELERY_TASK_ROUTES)."""
from celery import shared_task
from django.conf import settings

from reports.services import report_build


@shared_task(soft_time_limit=settings.REPORT_TIME_LIMIT, time_limit=settings.REPORT_TIME_LIMIT + 60)
def build_report(run_id: int) -> None:
    report_build(run_id=run_id)
