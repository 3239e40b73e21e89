from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Delete expired sessions every night, so old sign-ins do not pile up in the database."""
    call_command("clearsessions")
