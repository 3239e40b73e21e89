"""Background work for documents, on the `reports` queue (CELERY_TASK_ROUTES): WeasyPrint runs in the worker whose
children are replaced when they grow, never in a web request."""
from celery import shared_task
from django.conf import settings

from documents.models import DocumentBuild
from documents.services import document_build
from jobs.worker import job_running
from row_security.context import viewer_context


# Late acknowledgement and a job claim (jobs.worker): a build lost with its worker is taken up again by the sweeper.
@shared_task(soft_time_limit=settings.REPORT_TIME_LIMIT, time_limit=settings.REPORT_TIME_LIMIT + 60,
             acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def build_document(build_id: int) -> None:
    with job_running(DocumentBuild, build_id) as attempt:
        if attempt is not None:
            requester = DocumentBuild.objects.select_related("requested_by").get(pk=build_id).requested_by
            with viewer_context(requester):  # the database reads as the requester, as the pages that asked do
                document_build(build_id=build_id, attempt=attempt)
