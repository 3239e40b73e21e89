"""Project-wide safety pieces that belong to no one app: the sign-in lockout page, and keeping API keys out of logs."""
from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

# Query-string and form parameters whose values never reach a log. Open311 clients send `api_key` in the
# query string (GeoReport v2), so every access-log line for the Open311 API would otherwise hold a live key.
SECRET_PARAMETERS = frozenset({"api_key", "password", "token"})
REDACTED = "[redacted]"
# name=value pairs in free text (a request line, a message), the name possibly percent-encoded (api%5Fkey).
_SECRET_PAIR = re.compile(r"(?P<name>(?:[A-Za-z0-9_.-]|%[0-9A-Fa-f]{2})+)=(?P<value>[^&\s\"'#]*)")


def redact_secrets(text: str) -> str:
    """`text` with the value of every secret parameter (however its name is encoded) replaced by [redacted]."""
    def replace(match: re.Match) -> str:
        name = unquote_plus(match.group("name")).lower()
        return f"{match.group('name')}={REDACTED}" if name in SECRET_PARAMETERS else match.group(0)

    return _SECRET_PAIR.sub(replace, text)


class RedactSecretsFilter(logging.Filter):
    """A logging filter: the record's message (arguments filled in) with secret parameters redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def sign_in_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: the same page whether or not the account exists."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def sign_in_username(request, credentials=None) -> str | None:
    """The username django-axes counts failed sign-ins by, cut to the 255 characters its table holds.

    Django's sign-in form adds its username length limit after the field is built, so a longer username still
    reaches authenticate(); axes then failed to store it and the sign-in page answered 500. No account's
    username is longer than 150 characters, so the cut never joins two real accounts' counts.
    """
    from django.conf import settings

    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    source = credentials if credentials else getattr(request, "data", None) or request.POST
    username = source.get(field) if source is not None else None
    if not isinstance(username, str):
        return username
    return username.replace("\x00", "")[:255]
