"""Each morning: remind information governance of requests due soon or overdue (by email, naming references only)."""
import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from organisations.models import Membership
from access.roles import Role
from subject_access.models import DataSubjectRequest


@shared_task
def remind_deadlines() -> int:
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=settings.SUBJECT_ACCESS_REMINDER_DAYS)
    due = (DataSubjectRequest.objects.open().filter(Q(extended_to__lte=soon) | Q(extended_to__isnull=True, due_on__lte=soon))
           .select_related("organisation").order_by("organisation_id", "due_on"))
    sent = 0
    by_organisation: dict = {}
    for request in due:
        by_organisation.setdefault(request.organisation, []).append(request)
    for organisation, requests in by_organisation.items():
        emails = list(Membership.objects.filter(Q(organisation=organisation) | Q(organisation__parent=organisation),
                                                role=Role.INFORMATION_GOVERNANCE, user__is_active=True)
                      .values_list("user__email", flat=True).distinct())
        if not emails:
            continue
        lines = [f"{r.reference}: {r.get_kind_display().lower()} request, answer by {r.deadline:%d %B %Y}"
                 f"{' (overdue)' if r.is_overdue else ''}" for r in requests]
        send_mail(subject=f"{len(requests)} request(s) about personal data due soon", from_email=None, recipient_list=emails,
                  message="These requests need answering:\n\n" + "\n".join(lines) + "\n\nOpen them in the Engagement Hub under Subject access.")
        sent += 1
    return sent
