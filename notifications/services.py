"""The one way the hub tells someone something: `notify`. It renders each notification for its recipient
alone, reading the record it is about through visible_to as that recipient (a field withheld from them is
blank), saves it, and queues its email on commit when the recipient wants email at once."""
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jobs.dispatch import job_dispatch_on_commit
from jobs.worker import job_is_still_mine
from notifications.models import Delivery, EmailStatus, Kind, Notification, NotificationEmail, Preference
from row_security.context import viewer_context

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def delivery_for(user, kind: str) -> str:
    return Preference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first() or Delivery.IMMEDIATE


def notify(*, recipients: Iterable, kind: Kind, subject: str, template: str, context: dict | None = None, url: str = "",
           about=None) -> list[Notification]:
    """Tell each active recipient. `template` (under templates/notifications/) is rendered with `recipient`,
    `record` and `context`; `record` is `about` as the recipient sees it, and a recipient who may not see
    `about` at all is not told. Call inside the service's transaction: the emails go once it commits, through
    the jobs outbox (NotificationEmail), so an email asked for while the broker is down is sent when it is back."""
    created = []
    for recipient in {user.pk: user for user in recipients if user is not None and user.is_active}.values():
        # Read and rendered as the recipient sees it, in the database too: the sender (an officer finishing a priority,
        # say) may not see the partner's record that the partner is told about.
        with viewer_context(recipient):
            record = None
            if about is not None:
                record = type(about).objects.visible_to(recipient).filter(pk=about.pk).first()
                if record is None:
                    continue
            body = render_to_string(f"notifications/{template}", {"recipient": recipient, "record": record, **(context or {})}).strip()
        notification = Notification.objects.create(recipient=recipient, kind=kind, subject=subject[:200], body=body, url=url[:500])
        created.append(notification)
        if delivery_for(recipient, kind) == Delivery.IMMEDIATE:
            job_dispatch_on_commit(NotificationEmail.objects.create(notification=notification))
    return created


def unsubscribe_token(user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_from_token(token: str):
    """(user, kind) for a good token; raises signing.BadSignature for a forged or damaged one."""
    from organisations.models import User

    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or data.get("k") not in Kind.values:
        raise signing.BadSignature("Unknown user or kind")
    return user, data["k"]


def preference_set(*, user, kind: str, delivery: str) -> Preference:
    preference, _ = Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
    return preference


def _absolute(path: str) -> str:
    return f"{settings.HUB_BASE_URL.rstrip('/')}{path}" if path else ""


def _message(*, user, subject: str, notifications: list[Notification], kind: str) -> EmailMultiAlternatives:
    unsubscribe = _absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user, kind)]))
    context = {
        "user": user, "notifications": [(n, _absolute(n.url)) for n in notifications], "unsubscribe_url": unsubscribe,
        "kind_label": Kind(kind).label, "settings_url": _absolute(reverse("notifications:settings")),
    }
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string("notifications/email/message.txt", context), to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("notifications/email/message.html", context), "text/html")
    return message


def email_send(*, email_id: int, attempt: int | None = None) -> bool:
    """Send one notification's email, once: `attempt` is the worker's claim (jobs.worker); a superseded worker, a
    duplicate message or a retried task finds the email sent, or not its own, and does nothing. Returns whether it sent.
    The rows stay locked while the SMTP server takes the message, so nothing else can send it meanwhile."""
    with transaction.atomic():
        if not job_is_still_mine(NotificationEmail, email_id, attempt):
            return False
        notification = (Notification.objects.select_for_update(of=("self",)).select_related("recipient")
                        .get(email__pk=email_id))
        recipient = notification.recipient
        # Not wanted any more (the choice changed after it was queued: a digest takes it, or sent it already), or unsendable.
        if (notification.emailed_at is not None or not recipient.email or not recipient.is_active
                or delivery_for(recipient, notification.kind) != Delivery.IMMEDIATE):
            NotificationEmail.objects.filter(pk=email_id).update(status=EmailStatus.NOT_SENT)
            return False
        message = _message(user=recipient, subject=notification.subject, notifications=[notification], kind=notification.kind)
        with get_connection() as mail:
            mail.send_messages([message])
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(emailed_at=now)
        NotificationEmail.objects.filter(pk=email_id).update(status=EmailStatus.SENT, sent_at=now)
    return True


def daily_digests_send() -> int:
    """One email per person and kind chosen for a daily digest, with everything not yet emailed. Returns emails sent."""
    chosen = Preference.objects.filter(user=OuterRef("recipient"), kind=OuterRef("kind")).values("delivery")[:1]
    waiting = (Notification.objects.filter(emailed_at__isnull=True, recipient__is_active=True).exclude(recipient__email="")
               .annotate(delivery=Subquery(chosen)).filter(delivery=Delivery.DAILY).select_related("recipient").order_by("recipient", "kind", "pk"))
    groups: dict[tuple[int, str], list[Notification]] = {}
    for notification in waiting:
        groups.setdefault((notification.recipient_id, notification.kind), []).append(notification)
    sent = 0
    with get_connection() as mail:
        for (_user_id, kind), notifications in groups.items():
            user = notifications[0].recipient
            count = len(notifications)
            subject = f"Engagement Hub: {count} update{'s' if count != 1 else ''} today"
            mail.send_messages([_message(user=user, subject=subject, notifications=notifications, kind=kind)])
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=timezone.now())
            sent += 1
    return sent


def mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them if no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
