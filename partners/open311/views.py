"""The GeoReport v2 endpoints. Thin: reading parameters is in intake, shapes in serialisers,
writing in partners.services.concern_report, keys in partners.api_keys.

Services, service definitions and discovery are public (a vocabulary). Service requests
are OFFICIAL, not public: reading them needs an API key as much as writing them does, and
a key reads only what its organisation may see. The key comes as the spec's `api_key`
parameter, or by HTTP Basic authentication (the key as the password, or as the user name
with no password) for clients such as the georeport package that send no api_key on GET.
An id the key's organisation may not see answers 404, exactly like one that does not exist."""
from __future__ import annotations

import base64
import binascii
import uuid

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from crm.models import IssueCategory
from partners.api_keys import ApiKeyRefused, api_key_authenticate
from partners.open311 import serialisers
from partners.open311.intake import MAX_RESULTS, read_filters, read_new_request, service_errors
from partners.open311.rendering import render, render_errors
from partners.open311.selectors import concerns_visible_to_organisation
from sharing_protocols.explain import log_shared_reads
from partners.responses.selectors import with_police_answer
from partners.selectors import concern_near_duplicates
from partners.services import concern_report

BIGINT_MAX = 2**63 - 1
MAX_NEAR_DUPLICATES = 20  # the nearest; a report with more is one the police are certain to see


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions)
        self.status = status
        self.descriptions = list(descriptions)

    def response(self, fmt: str):
        response = render_errors(self.descriptions, fmt=fmt, status=self.status)
        if self.status == 401:  # RFC 9110: a 401 names how to authenticate (the key as HTTP Basic credentials does)
            response["WWW-Authenticate"] = 'Basic realm="Open311 API key"'
        return response


def key_from_request(request) -> str:
    """The api_key parameter (form body on POST, else the query string, where some partner systems
    put it even on a POST), else HTTP Basic credentials."""
    key = (request.POST.get("api_key", "") if request.method == "POST" else "") or request.GET.get("api_key", "")
    if key:
        return key
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    username, _, password = decoded.partition(":")
    return password or username


def key_purpose(key, what: str) -> str:
    """The disclosure log's purpose for a read by API key: which key, of which organisation (there is no user)."""
    return f"Open311 {what} by API key '{key.name}' ({key.prefix}…) of {key.organisation.name}"


class Open311View(View):
    """Answers in the format the URL names (.json or .xml); every error in the spec's shape."""

    fmt = "json"

    def dispatch(self, request, *args, fmt: str = "json", **kwargs):
        self.fmt = fmt
        try:
            return super().dispatch(request, *args, **kwargs)
        except Open311Error as error:
            return error.response(self.fmt)

    def http_method_not_allowed(self, request, *args, **kwargs):
        allowed = ", ".join(method.upper() for method in self._allowed_methods())
        response = render_errors([f"method: {request.method} is not allowed here (use {allowed})."], fmt=self.fmt, status=405)
        response["Allow"] = allowed
        return response

    def authenticated_key(self):
        from row_security.context import read_for_rest_of_request

        try:
            key = api_key_authenticate(key_from_request(self.request))
        except ApiKeyRefused as refused:
            raise Open311Error(refused.status, str(refused)) from refused
        read_for_rest_of_request(key.organisation)  # PostgreSQL reads as the key's organisation too
        return key

    def visible_concerns(self, organisation):
        # With the police's answer the organisation may read, so the status is the one its pages show (Concern.shown_status).
        return with_police_answer(concerns_visible_to_organisation(organisation).select_related("category")
                                  .annotate(agency_responsible=F("neighbourhood__team__name")), organisation)


class DiscoveryView(Open311View):
    def get(self, request):
        services_url = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "json"}))
        data = serialisers.discovery(
            endpoint_url=services_url.rsplit("/", 1)[0] + "/",
            key_service=("A partner agency's users make keys for their organisation at "
                         f"{request.build_absolute_uri(reverse('partners:api-key-list'))} (signed in)."),
            contact="Ask the hub's administrators, through your organisation's information-sharing contact.",
        )
        return render(data, fmt=self.fmt, root="discovery")


class ServiceListView(Open311View):
    def get(self, request):
        services = [serialisers.service(category) for category in IssueCategory.objects.filter(is_active=True).order_by("name")]
        return render(services, fmt=self.fmt, root="services", item="service")


class ServiceDefinitionView(Open311View):
    def get(self, request, code: str):
        category = IssueCategory.objects.filter(slug=code, is_active=True).first()
        if category is None:
            raise Open311Error(404, f"service_code: '{code}' is not a service the hub offers (GET services.{self.fmt} lists them).")
        return render(serialisers.service_definition(category), fmt=self.fmt, root="service_definition")


@method_decorator(csrf_exempt, name="dispatch")  # callers authenticate with an API key, never a session cookie
class RequestsView(Open311View):
    def get(self, request):
        key = self.authenticated_key()
        filters = read_filters(request.GET)
        if filters.errors:
            raise Open311Error(400, *filters.errors)
        concerns = self.visible_concerns(key.organisation)
        if filters.ids is not None:
            concerns = concerns.filter(pk__in=filters.ids)
        else:
            if filters.service_codes:
                known = set(IssueCategory.objects.filter(slug__in=filters.service_codes).values_list("slug", flat=True))
                unknown = [code for code in filters.service_codes if code not in known]
                if unknown:
                    raise Open311Error(400, f"service_code: '{unknown[0][:60]}' is not a service the hub offers.")
                concerns = concerns.filter(category__slug__in=filters.service_codes)
            concerns = concerns.filter(reported_at__gte=filters.start, reported_at__lte=filters.end)
            if filters.statuses:
                concerns = concerns.filter(status__in=filters.statuses)
        concerns = list(concerns.order_by("-reported_at", "-pk")[:MAX_RESULTS])
        log_shared_reads(user=key.organisation, records=concerns, purpose=key_purpose(key, "GET requests"))
        requests = [serialisers.service_request(concern) for concern in concerns]
        return render(requests, fmt=self.fmt, root="service_requests", item="request")

    def post(self, request):
        try:
            data = request.POST
        except RequestDataTooBig as error:
            raise Open311Error(413, "request: the request is too large; a description may be 5,000 characters.") from error
        except SuspiciousOperation as error:
            raise Open311Error(400, "request: the form could not be read.") from error
        if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            raise Open311Error(400, f"request: send the fields form-encoded (Content-Type: application/x-www-form-urlencoded), "
                                    f"as GeoReport v2 asks, not as '{request.content_type[:60] or 'no content type'}'.")
        key = self.authenticated_key()
        new = read_new_request(data, fmt=self.fmt)
        if new.errors:
            raise Open311Error(400, *new.errors)
        try:
            concern, _created = concern_report(concern=new.concern, acting_user=None, organisation=key.organisation,
                                              via=f"api key {key.prefix}")
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            raise Open311Error(400, *service_errors(messages, occurred_given=new.occurred_given)) from error
        # The near-duplicates linked as it was placed (in concern_report's transaction), as far as the organisation may read
        # them; those of other organisations are disclosures, logged. A retry (the same report again) gets the same answer.
        near_duplicates = list(concern_near_duplicates(user=key.organisation, concern=concern)[:MAX_NEAR_DUPLICATES])
        log_shared_reads(user=key.organisation, records=near_duplicates, purpose=key_purpose(key, "POST requests: near-duplicates"))
        return render([serialisers.created_request(concern, near_duplicates)], fmt=self.fmt, root="service_requests", item="request")


class RequestDetailView(Open311View):
    def get(self, request, pk: int):
        key = self.authenticated_key()
        concern = self.visible_concerns(key.organisation).filter(pk=pk).first() if pk <= BIGINT_MAX else None
        if concern is None:
            raise Open311Error(404, f"service_request_id: there is no request {pk}.")
        log_shared_reads(user=key.organisation, records=[concern], purpose=key_purpose(key, "GET a request"))
        return render([serialisers.service_request(concern)], fmt=self.fmt, root="service_requests", item="request")


class TokenView(Open311View):
    def get(self, request, token: str):
        key = self.authenticated_key()
        try:
            parsed = uuid.UUID(token)
        except ValueError:
            parsed = None
        ids = list(concerns_visible_to_organisation(key.organisation).filter(open311_token=parsed).values_list("pk", flat=True)[:1]) if parsed else []
        if not ids:
            raise Open311Error(404, f"token: there is no request with the token '{token[:60]}'.")
        return render([{"service_request_id": str(ids[0]), "token": str(parsed)}], fmt=self.fmt, root="service_requests", item="request")


class NotFoundView(Open311View):
    """Anything else under the API: a 404 in the spec's shape (XML, the spec's default, unless the path ends .json)."""

    def dispatch(self, request, *args, **kwargs):
        fmt = "json" if request.path.endswith(".json") else "xml"
        return render_errors([f"path: {request.path} is not a GeoReport v2 resource of this hub."], fmt=fmt, status=404)
