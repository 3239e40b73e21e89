"""Running the background worker's task for documents in the test's own process, as a worker would."""
from django.test import TestCase

from documents.models import DocumentBuild


def make_waiting_documents() -> list[DocumentBuild]:
    """Build every document waiting for a worker (the task itself: claim, heartbeat, build, notify), with what each
    build queues on commit run too (deleting an agreement's older files). Returns the builds, refreshed."""
    from documents.tasks import build_document

    waiting = list(DocumentBuild.objects.filter(status__in=DocumentBuild.JOB_OPEN_STATUSES).order_by("pk").values_list("pk", flat=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        for pk in waiting:
            build_document(pk)
    return list(DocumentBuild.objects.filter(pk__in=waiting).order_by("pk"))
