"""Refuse text the database cannot store wherever it comes in, before any view, session or
query sees it: one rule, instead of a 500 from whichever query meets it first.

A bad path is a page that does not exist (404); a bad query string, form field, header or cookie
is a request that cannot be read (400), naming the field. Form bodies are read here, in the
charset they declare (Django reads only UTF-8) and without a leading byte-order mark, so a
partner system's ISO-8859-1 form is read as it was meant."""
from __future__ import annotations

import codecs

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict

from input_rules.responses import refusal
from input_rules.text import storable, unstorable, unstorable_description

FORM_ENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
BOM = codecs.BOM_UTF8


class Refused(Exception):
    """`message` is the sentence a page shows; the APIs show `parameter: api_message`, like their other errors."""

    def __init__(self, status: int, message: str, parameter: str | None = None, api_message: str | None = None):
        super().__init__(message)
        self.status, self.message, self.parameter, self.api_message = status, message, parameter, api_message or message


def _check_pairs(pairs, *, where: str) -> None:
    for name, values in pairs:
        for text in (name, *values):
            if unstorable(text):
                shown = storable(name)
                what = unstorable_description(text)
                raise Refused(400, f"The {where} '{shown}' holds {what}, which the hub cannot store. Remove it and try again.",
                              parameter=shown, api_message=f"contains {what}, which the hub cannot store.")


def _header_name(meta_key: str) -> str:
    return meta_key.removeprefix("HTTP_").replace("_", "-").title()


def check_headers(request) -> None:
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key == "CONTENT_TYPE") and isinstance(value, str) and unstorable(value):
            name = _header_name(key)
            what = unstorable_description(value)
            raise Refused(400, f"The {name} header holds {what}, which the hub cannot store.", parameter=name,
                          api_message=f"the header contains {what}, which the hub cannot store.")


def read_form_body(request) -> None:
    """Read a form-encoded body in its declared charset, without a byte-order mark, into request.POST.
    Django itself refuses a form that declares any charset but UTF-8."""
    if request.content_type != FORM_ENCODED:
        return
    charset = request.content_params.get("charset") or "utf-8"
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        message = f"The form declares the charset '{storable(charset[:40])}', which the hub cannot read. Send it as UTF-8."
        raise Refused(400, message, parameter="Content-Type") from None
    body = request.body  # within DATA_UPLOAD_MAX_MEMORY_SIZE, or RequestDataTooBig
    if codec.name == "utf-8" and not body.startswith(BOM):
        return  # Django's own reading is right
    if body.startswith(BOM):
        body = body[len(BOM):]
    request.POST = QueryDict(body, encoding=codec.name)
    request._files = MultiValueDict()  # a form-encoded body has no files; FILES has no setter


def check_body(request) -> None:
    if request.method not in ("POST", "PUT", "PATCH") or request.content_type not in (FORM_ENCODED, MULTIPART):
        return
    try:
        read_form_body(request)
        form = request.POST
        request.FILES  # noqa: B018 (read now, so a malformed multipart body is refused here)
    except RequestDataTooBig:
        return  # unread, so nothing in it can reach the database: the view, or Django, answers it (413 on Open311, else 400)
    except (BadRequest, SuspiciousOperation, MultiPartParserError, LookupError, UnicodeDecodeError, ValueError):
        raise Refused(400, "The form could not be read. Send it again from the page it came from.") from None
    _check_pairs(form.lists(), where="form field")
    # Uploaded files' names need no check: Django's multipart parser drops every character that is not printable.


def check_request(request) -> None:
    if unstorable(request.path_info):
        raise Refused(404, "There is no page at this address: it holds a character no address of the hub has.")
    check_headers(request)
    # Cookies too, once parsed: a quoted cookie may spell a NUL as \000, which the parser turns into one.
    _check_pairs(((name, [value]) for name, value in request.COOKIES.items()), where="cookie")
    _check_pairs(request.GET.lists(), where="parameter")
    check_body(request)


class UnstorableInputMiddleware:
    """Placed before the session middleware, so a cookie the database cannot store is never looked up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_request(request)
        except Refused as refused:
            return refusal(request, status=refused.status, message=refused.message, parameter=refused.parameter,
                           api_message=refused.api_message)
        return self.get_response(request)
