"""Background work for digital engagement: thin wrappers over digital.services, taking ids.

Imports and analysis are safe to run twice (a job's status, and the post id's uniqueness, say what is
left to do), so they are acknowledged late: a worker that dies mid-file leaves the task to run again."""
from celery import shared_task
from django.conf import settings

from digital import services
from digital.models import ConversationImport
from jobs.worker import job_running
from row_security.context import viewer_context


def _as_organisation(organisation_id: int | None):
    """The database reads and writes as the organisation whose posts these are (only its own rows)."""
    from organisations.models import Organisation

    return viewer_context(Organisation.objects.filter(pk=organisation_id).first())


def _as_importer(job_id: int):
    return _as_organisation(ConversationImport.objects.filter(pk=job_id).values_list("organisation_id", flat=True).first())

LIMITS = {"acks_late": True, "reject_on_worker_lost": True,
          "time_limit": settings.CELERY_TASK_TIME_LIMIT, "soft_time_limit": settings.CELERY_TASK_TIME_LIMIT - 60}


@shared_task(**LIMITS)
def check_conversation_import(job_id: int) -> str:
    with job_running(ConversationImport, job_id) as attempt:
        if attempt is None:
            return "not taken up"
        with _as_importer(job_id):
            return services.conversation_import_check(job_id=job_id).status


@shared_task(**LIMITS)
def commit_conversation_import(job_id: int) -> str:
    with job_running(ConversationImport, job_id) as attempt:
        if attempt is None:
            return "not taken up"
        with _as_importer(job_id):
            return services.conversation_import_commit(job_id=job_id, attempt=attempt).status


@shared_task(**LIMITS)
def analyse_conversations(organisation_id: int) -> int:
    with _as_organisation(organisation_id):
        return len(services.analyse_conversations(organisation_id=organisation_id))


@shared_task(**LIMITS)
def analyse_free_text(analysis_id: int) -> str:
    """Topics in the issues raised and concerns one organisation may read, read as that organisation."""
    from digital.analysis_text import text_analysis_run
    from digital.text_models import TextAnalysis

    with job_running(TextAnalysis, analysis_id) as attempt:
        if attempt is None:
            return "not taken up"
        organisation_id = TextAnalysis.objects.filter(pk=analysis_id).values_list("organisation_id", flat=True).first()
        with _as_organisation(organisation_id):
            return text_analysis_run(analysis_id=analysis_id, attempt=attempt).status


@shared_task(acks_late=True)
def analyse_free_text_after_collation() -> int:
    """After the daily collation: drop topics whose texts retention removed, then queue one analysis per organisation."""
    from digital.analysis_text import text_analyses_after_collation, text_topics_expire
    from row_security.context import system_context

    text_topics_expire()
    with system_context("queueing each organisation's topics in issues raised and concerns"):
        return text_analyses_after_collation()
