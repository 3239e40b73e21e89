"""Notifications' part of the home page: unread ones (screening rejections of your wording among them, and for partners
what came of their organisation's concerns)."""
from django.urls import reverse

from access.roles import Role
from home.attention import Item, capped_count
from notifications.models import Kind, Notification


def items_for(user) -> list[Item]:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    items: list[Item] = [
        {"kind": "unread-notifications", "label": "Unread notifications", "count": capped_count(unread),
         "url": f"{reverse('notifications:list')}?show=unread"},
        {"kind": "screening-rejected", "label": "Your public wording a reviewer rejected", "count":
         capped_count(unread.filter(kind=Kind.SCREENING_REJECTED)), "url": f"{reverse('notifications:list')}?show=unread"},
    ]
    if user.has_role(Role.PARTNER_USER):
        # A priority the police resolved or closed, or a concern they closed (or reopened) without one, with what came
        # of it: told in a notification, counted here until read.
        items.append({"kind": "concern-outcomes", "label": "What came of your organisation's concerns (the police's outcomes)",
                      "count": capped_count(unread.filter(kind__in=(Kind.CONCERN_OUTCOME, Kind.CONCERN_CLOSED_BY_POLICE))),
                      "url": f"{reverse('notifications:list')}?show=unread"})
    return items
