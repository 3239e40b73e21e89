"""Background work for notifications: thin wrappers round the services."""
from celery import shared_task


@shared_task(acks_late=True)  # idempotent: a notification is emailed once
def send_notification_email(notification_id: int) -> bool:
    from notifications.services import email_send

    return email_send(notification_id=notification_id)


@shared_task
def send_daily_digests() -> int:
    from notifications.services import daily_digests_send
    from row_security.context import system_context

    with system_context("daily notification digests"):  # each notification was written for its recipient
        return daily_digests_send()
