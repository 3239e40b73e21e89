"""Background work for publication: thin wrappers round the services."""
from celery import shared_task

from publication.models import ReleaseTrigger


@shared_task
def screen_pending_texts() -> int:
    """Screen new or edited public wording (priorities, actions, meetings); on the beat schedule."""
    from publication.services import screening_pending

    return screening_pending()


# Late acknowledgement and a job claim (jobs.worker): a build lost with its worker is taken up again once.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_release(release_id: int) -> int:
    from jobs.worker import job_running
    from publication.models import Release
    from publication.releases import build

    with job_running(Release, release_id) as attempt:
        release = Release.objects.get(pk=release_id)
        return build(release, attempt=attempt).version if attempt is not None else release.version


@shared_task
def scheduled_release() -> None:
    """The monthly open-data release: screen what is waiting first, so the release is up to date."""
    from publication.services import release_request, screening_pending

    screening_pending()
    release_request(trigger=ReleaseTrigger.SCHEDULE)
