"""The pages and API answers that are named read-only work: each URL name here, read with GET or HEAD, reads
from the standby on the terms of read_routing/standby.py. A page is listed only if it decides nothing about
sharing beyond what visible_to decides (with the grant set resolved on the primary)."""
from __future__ import annotations

from django.urls import Resolver404, resolve

from read_routing.standby import reads_from_standby, standby_configured

PUBLIC_PAGES = "public pages"
POLICE_API = "police.uk-style API"
OPEN_DATA = "open-data pages"
CONCERN_LIST = "a partner's concern list"

ROUTED_VIEWS = {
    "publication:area-list": PUBLIC_PAGES,
    "publication:profile": PUBLIC_PAGES,
    "publication:area": PUBLIC_PAGES,
    "publication:area-calendar": PUBLIC_PAGES,
    "publication:api-forces": POLICE_API,
    "publication:api-force": POLICE_API,
    "publication:api-force-people": POLICE_API,
    "publication:api-locate": POLICE_API,
    "publication:api-neighbourhoods": POLICE_API,
    "publication:api-neighbourhood": POLICE_API,
    "publication:api-boundary": POLICE_API,
    "publication:api-people": POLICE_API,
    "publication:api-events": POLICE_API,
    "publication:api-priorities": POLICE_API,
    "publication:api-not-found": POLICE_API,
    "publication:open-data": OPEN_DATA,
    "publication:latest-release": OPEN_DATA,
    "publication:release": OPEN_DATA,
    "publication:release-file": OPEN_DATA,
    "partners:concern-list": CONCERN_LIST,
}
READ_METHODS = {"GET", "HEAD"}


def routed_work(request) -> str | None:
    """The name of the read-only work this request is, or None (the primary answers)."""
    if request.method not in READ_METHODS:
        return None
    try:
        return ROUTED_VIEWS.get(resolve(request.path_info).view_name)
    except Resolver404:
        return None


class StandbyReadsMiddleware:
    """Runs a listed page as named read-only work. The reader and their session are looked up first, on the
    primary: a session or account made a moment ago may not have reached the standby."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = routed_work(request) if standby_configured() else None
        if name is None:
            return self.get_response(request)
        if hasattr(request, "user"):
            request.user.is_authenticated  # noqa: B018 - evaluates the lazy user (and the session) now, on the primary
        with reads_from_standby(name):
            return self.get_response(request)
