from celery import shared_task

from sharing_protocols.reviews import protocols_flag_reviews_due


@shared_task
def flag_protocol_reviews_due() -> int:
    """Each morning: flag protocols whose review falls due within the notice period."""
    return len(protocols_flag_reviews_due())
