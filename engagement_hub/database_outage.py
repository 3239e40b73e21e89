"""While PostgreSQL is unreachable (restarting, failing over), requests answer 503 "try again shortly" rather
than 500: it is not a fault in the request, and clients such as Open311 integrations retry on 503.
Once PostgreSQL is back, Django's connection health check (CONN_HEALTH_CHECKS) replaces the dead connections."""
import sys

from django.db import InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.views.defaults import server_error

RETRY_AFTER_SECONDS = 10


def server_error_or_unavailable(request, *args, **kwargs):
    """handler500: a lost database connection is a 503 with Retry-After; anything else Django's 500."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        from django.http import HttpResponse

        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return server_error(request, *args, **kwargs)
