"""Plain-text mail to organisations' information governance, sent only once the change is committed.
(Kept small so the lead can route it through the notifications app later.)"""
from django.core.mail import send_mail
from django.db import transaction

from organisations.models import Membership
from access.roles import Role


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


def send_attention_digests() -> int:
    """Each morning: email every information-governance user what waits for them (sharing_protocols.attention),
    if anything does. Returns how many were sent."""
    from django.contrib.auth import get_user_model

    from sharing_protocols.attention import items_for

    sent = 0
    users = get_user_model().objects.filter(is_active=True, memberships__role=Role.INFORMATION_GOVERNANCE,
                                            memberships__organisation__is_active=True).distinct().order_by("pk")
    for user in users:
        items = items_for(user)
        if not items:
            continue
        lines = "\n".join(f"- {item['label']}" for item in items)
        send_mail(subject=f"Waiting for you in the Engagement Hub: {len(items)} {'item' if len(items) == 1 else 'items'}",
                  message=f"Good morning {user.get_full_name() or user.get_username()},\n\n{lines}\n\nOpen the hub's sharing protocols "
                          "and disclosure log pages to act on them.\n\nEngagement Hub",
                  from_email=None, recipient_list=[user.email])
        sent += 1
    return sent
