"""What needs information governance's attention today, for the home pages (helper i14-day calls items_for).
Counts are capped like every home page count (home.attention.capped_count)."""
import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from home.attention import capped_count
from subject_access.selectors import requests_for


def items_for(user) -> list[dict]:
    """Open requests overdue, and those due within SUBJECT_ACCESS_REMINDER_DAYS: {"kind", "label", "count", "url"}."""
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=settings.SUBJECT_ACCESS_REMINDER_DAYS)
    open_requests = requests_for(user).open()
    overdue = capped_count(open_requests.filter(Q(extended_to__lt=today) | Q(extended_to__isnull=True, due_on__lt=today)))
    due_soon = capped_count(open_requests.filter(Q(extended_to__range=(today, soon)) | Q(extended_to__isnull=True, due_on__range=(today, soon))))
    url = reverse("subject_access:request-list")
    items = []
    if overdue:
        items.append({"kind": "subject_access_overdue", "label": f"Request{'s' if overdue != 1 else ''} about personal data overdue",
                      "count": overdue, "url": url})
    if due_soon:
        items.append({"kind": "subject_access_due", "label": f"Request{'s' if due_soon != 1 else ''} about personal data due within "
                      f"{settings.SUBJECT_ACCESS_REMINDER_DAYS} days", "count": due_soon, "url": url})
    return items
