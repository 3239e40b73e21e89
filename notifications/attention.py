"""Notifications' part of the home page: unread ones (screening rejections of your wording among them)."""
from django.urls import reverse

from home.attention import Item, capped_count
from notifications.models import Kind, Notification


def items_for(user) -> list[Item]:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return [
        {"kind": "unread-notifications", "label": "Unread notifications", "count": capped_count(unread),
         "url": f"{reverse('notifications:list')}?show=unread"},
        {"kind": "screening-rejected", "label": "Your public wording a reviewer rejected", "count":
         capped_count(unread.filter(kind=Kind.SCREENING_REJECTED)), "url": f"{reverse('notifications:list')}?show=unread"},
    ]
