"""Background work for reports, routed to the `reports` queue (CELERY_TASK_ROUTES)."""
from celery import shared_task
from django.conf import settings

from jobs.worker import job_running
from reports.models import ReportRun
from reports.services import report_build
from row_security.context import viewer_context


# Late acknowledgement and a job claim (jobs.worker): a build lost with its worker is taken up again once.
@shared_task(soft_time_limit=settings.REPORT_TIME_LIMIT, time_limit=settings.REPORT_TIME_LIMIT + 60,
             acks_late=True, reject_on_worker_lost=True)
def build_report(run_id: int) -> None:
    with job_running(ReportRun, run_id) as attempt:
        if attempt is not None:
            requester = ReportRun.objects.select_related("requested_by").get(pk=run_id).requested_by
            with viewer_context(requester):  # the database reads as the requester, as visible_to does
                report_build(run_id=run_id, attempt=attempt)
