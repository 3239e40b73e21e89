"""The home page is a work queue: what needs the signed-in person's attention, gathered from each app's
own `attention.py` (`items_for(user)` returns a list of {"kind", "label", "count", "url"}). Each app
decides what its items are and who sees them; this module only asks them, in order.

An app whose attention module is not there yet is skipped (sharing_protocols' is written separately),
so the registry can name it before it lands."""
import importlib
from typing import TypedDict

from django.db.models import QuerySet

PROVIDERS = (
    "notifications.attention",
    "crm.attention",
    "partners.attention",
    "publication.attention",
    "reports.attention",
    "sharing_protocols.attention",
    "retention.attention",
    "subject_access.attention",
)
# Counts stop here: the home page says "100 or more" rather than count a million rows.
COUNT_CAP = 100


class Item(TypedDict, total=False):
    kind: str
    label: str
    count: int
    url: str
    hint: str


def capped_count(queryset: QuerySet) -> int:
    """How many rows, counting no further than COUNT_CAP (one query, cheap however many there are)."""
    return len(queryset.values("pk")[:COUNT_CAP])


def _provider(path: str):
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError as missing:
        if missing.name == path:
            return None
        raise


def items_for(user) -> list[Item]:
    items: list[Item] = []
    for path in PROVIDERS:
        module = _provider(path)
        if module is not None:
            items.extend(module.items_for(user))
    return items


def look_url(kind: str, target: str) -> str:
    """A link that notes "looked now" for `kind` and goes on to `target` (a path in the hub)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    return f"{reverse('home:look', args=[kind])}?{urlencode({'next': target})}"
