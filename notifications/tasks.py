"""Background work for notifications: thin wrappers round the services."""
from celery import shared_task


@shared_task(acks_late=True)  # a notification's email is a job (NotificationEmail): claimed once, sent once
def send_notification_email(email_id: int) -> bool:
    from jobs.worker import job_running
    from notifications.models import NotificationEmail
    from notifications.services import email_send

    with job_running(NotificationEmail, email_id) as attempt:
        if attempt is None:
            return False  # sent already, or another worker is sending it (a duplicate message)
        return email_send(email_id=email_id, attempt=attempt)


@shared_task
def send_daily_digests() -> int:
    from notifications.services import daily_digests_send
    from row_security.context import system_context

    with system_context("daily notification digests"):  # each notification was written for its recipient
        return daily_digests_send()
