"""Plain-text mail to organisations' information governance, sent only once the change is committed.
(Kept small so the lead can route it through the notifications app later.)"""
from django.core.mail import send_mail
from django.db import transaction

from crm.models import Membership, Role


def governance_emails(organisation_ids) -> list[str]:
    """The active information-governance people of these organisations."""
    return sorted(set(Membership.objects.filter(
        organisation_id__in=list(organisation_ids), organisation__is_active=True, role=Role.INFORMATION_GOVERNANCE,
        user__is_active=True,
    ).values_list("user__email", flat=True)))


def tell_governance(*, organisation_ids, subject: str, message: str) -> None:
    """Email the organisations' information governance when (and only if) the surrounding transaction commits."""
    organisation_ids = list(organisation_ids)

    def send():
        recipients = governance_emails(organisation_ids)
        if recipients:
            send_mail(subject=subject, message=message + "\n\nEngagement Hub", from_email=None, recipient_list=recipients)

    transaction.on_commit(send)
