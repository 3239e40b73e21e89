"""Hostile requests to every URL the hub has, generated from its URL resolver: nothing answers 5xx.

Every URL pattern is requested with its path converters filled with hostile and plausible values
and hostile query strings; every form found on the pages the personas open is posted with hostile
values (NUL and other control characters, very long text, wrong types, malformed and extreme
dates and numbers, repeated fields, bad page numbers), and raw bodies with a bad Content-Type or
charset are posted to every pattern; as each persona (officer, partner user, manager, information
governance officer, administrator) and signed out. A 5xx, or an exception Django did not turn
into a 4xx, is collected with the request that caused it; the test fails listing them all.

Bounded: a seeded random sample of HUB_FUZZ_REQUESTS requests (100 unless set) after one request
per pattern and form, which keeps it well under a minute. The seed is printed; to replay a failure
or to search wider:

    HUB_FUZZ_SEED=1234 HUB_FUZZ_REQUESTS=20000 python -m pytest tests/test_hostile_requests.py -p no:cacheprovider
"""
from __future__ import annotations

import os
import random
import re
import time
import traceback
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from access.roles import Role
from partners.api_keys import api_key_issue
from partners.imports.services import concern_import_start
from publication.models import PublicProfile
from tests.factories import (
    AdvisoryAdviceFactory, AdvisoryMembershipFactory, CommunityGroupFactory, ConcernFactory, ContactFactory,
    DoorstepVisitFactory, EngagementFactory, EngagementIssueFactory, ForceAreaFactory, MembershipFactory,
    NeighbourhoodFactory, PartnerContactFactory, PriorityActionFactory, PriorityFactory, QuestionnaireQuestionFactory,
    UserFactory,
)

SEED = int(os.environ.get("HUB_FUZZ_SEED", "20261127"))
BUDGET = int(os.environ.get("HUB_FUZZ_REQUESTS", "100"))
PERSONAS = ("anonymous", "officer", "partner", "manager", "information_governance", "administrator")
# Never posted to: signing out would leave the persona's client signed out for the rest of the run.
NOT_POSTED = {"logout"}
# Django's own admin pages with no form of ours: requested with hostile values, but not searched for forms.
ADMIN_NOT_OPENED = re.compile(r"/(history|delete|password)/$|^admin/(r|autocomplete|jsi18n|logout)/")

# -- hostile values -----------------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "\x00", "a\x00b", "\x01\x02\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f", "\r\n\r\nSet-Cookie: x=y", "a" * 10_000, "",
    " ", "%", "%00", "' OR '1'='1' --", "<script>alert(1)</script>", "{{ 7*7 }}", "../../../../etc/passwd", "🙂" * 50,
    "\u202e\u200b\ufeff", "null", "None", "undefined", "[]", "{}", "true",
]
HOSTILE_NUMBERS = [
    "-1", "0", "1.5", "1e309", "-1e309", "NaN", "inf", "99999999999999999999999999", "-9223372036854775809",
    "9223372036854775808", "2147483648", "0x10", "1,000", "١٢٣", "01", "+1",
]
HOSTILE_DATES = [
    "0001-01-01", "0001-01-01T00:00:00Z", "0000-00-00", "9999-12-31", "9999-12-31T23:59:59+14:00", "10000-01-01",
    "2026-02-30", "2026-13-01", "2026-00-10", "31/12/1899", "1899-12-31", "1900-01-01", "2026-11-27T25:61:61",
    "2026-11-27T12:00:00+99:00", "-2026-01-01", "2026-W48", "yesterday", "1e10", "2026-11-27 12:00",
]
HOSTILE_PAGES = ["0", "-1", "last", "first", "99999999", "1e5", "2.5", "\x00", "9" * 40, ""]
HOSTILE_PATH_VALUES = [
    "%00", "a%00b", "%01%1F", "0", "99999999999999999999999", "-1", "%F0%9F%99%82", "%ED%A0%80", "%C0%AF", "%FF",
    "..%2F..%2Fetc%2Fpasswd", "'%20OR%201=1--", "%3Cscript%3E", "a" * 3000, "null", "%20", "x.json", "x.xml",
]
QUERY_NAMES = [
    "q", "page", "sort", "order", "status", "category", "neighbourhood", "organisation", "kind", "reported_from",
    "reported_to", "start_date", "end_date", "from", "to", "service_code", "service_request_id", "api_key", "format",
    "next", "lat", "long", "lng", "version", "per_page", "o", "p", "_changelist_filters", "e", "all",
]
BAD_BODIES = [
    ("application/x-www-form-urlencoded; charset=klingon", b"a=b"),
    ("application/x-www-form-urlencoded; charset=utf-16", "a=b&c=\u00e9".encode("utf-16")),
    ("application/x-www-form-urlencoded; charset=iso-8859-1", b"q=caf\xe9&description=\xff\xfe"),
    ("application/x-www-form-urlencoded", b"\xef\xbb\xbfa=b&%00=%00"),
    ("application/x-www-form-urlencoded", b"a=%ff%fe%00&&&==&a=1&a=2"),
    ("application/x-www-form-urlencoded", b"\xff\xfe\x00\x01"),
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--"),  # no boundary
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"a\x00\"\r\n\r\nb\x00\r\n--x--\r\n"),
    ("multipart/form-data; boundary=x", b"garbage without a boundary"),
    ("application/json", b'{"a": "\\u0000", "b": "\\ud800"'),
    ("application/json", b"[" * 10_000),
    ("text/plain", b"\x00" * 100),
    ("", b"a=b"),
]
HOSTILE_FILES = [
    ("concerns.csv", b"\x00"),
    ("concerns.csv", "category,latitude\n\x00,1\n".encode("utf-16")),
    ("concerns.csv", b"category,latitude,longitude,occurred_at,description\nFly-tipping,54.1,-3.2,0001-01-01,x\n"),
    ("concerns.xlsx", b"PK\x03\x04 not really a zip"),
    ("boundaries.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null}]}'),
    ("empty.csv", b""),
    ("records.csv", "First name,Last name,Email,Lawful basis,Keep until\nA\x00,B,a@example.org,Public task,0001-01-01\n".encode()),
    ("records.csv", "Started,Ended,Turnout\n9999-12-31 23:59,0001-01-01 00:00,99999999999999999999\n".encode()),
    ("a\x00b.csv", b"x"),
    ("." * 300 + ".csv", b"x"),
]


def hostile_value(rng: random.Random, kind: str = "text") -> str:
    pool = {"date": HOSTILE_DATES, "number": HOSTILE_NUMBERS, "page": HOSTILE_PAGES}.get(kind)
    if pool is None or rng.random() < 0.3:
        pool = rng.choice([HOSTILE_TEXT, HOSTILE_NUMBERS, HOSTILE_DATES])
    return rng.choice(pool)


# -- the URL patterns ---------------------------------------------------------------------------------------------

_ROUTE_PART = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")


@dataclass
class Pattern:
    route: str  # "priorities/<int:pk>/actions/add/", regex groups rewritten as <regex:name>
    name: str
    choices: dict[str, list[str]] = field(default_factory=dict)  # a regex group's alternatives

    @property
    def placeholders(self) -> list[tuple[str, str]]:
        return [(m["converter"] or "str", m["name"]) for m in _ROUTE_PART.finditer(self.route)]

    def fill(self, values: dict[str, str]) -> str:
        return "/" + _ROUTE_PART.sub(lambda m: values[m["name"]], self.route)


def _route_text(pattern, choices: dict) -> str:
    text = str(pattern.pattern)
    if not hasattr(pattern.pattern, "converters"):  # a RegexPattern: ^(?P<app_label>crm|geo)/$
        def group(match):
            body = match["body"]
            if re.fullmatch(r"[\w|-]+", body):
                choices[match["name"]] = body.split("|")
            return f"<regex:{match['name']}>"
        text = _REGEX_GROUP.sub(group, text).lstrip("^").rstrip("$").replace(".*", "<str:rest>").replace("\\", "")
    return text


def url_patterns(patterns=None, prefix: str = "", choices=None) -> list[Pattern]:
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        own_choices = dict(choices or {})
        text = prefix + _route_text(pattern, own_choices)
        if isinstance(pattern, URLResolver):
            found.extend(url_patterns(pattern.url_patterns, text, own_choices))
        elif isinstance(pattern, URLPattern):
            found.append(Pattern(text, pattern.name or "", own_choices))
    return found


# -- the forms on a page ------------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, dict] = field(default_factory=dict)  # name -> {"type": ..., "options": [...]}


class FormFinder(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self.current, self.select = page_url, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action") or self.page_url
            self.current = Form(action=urlsplit(action).path or self.page_url, method=(attrs.get("method") or "get").lower())
            self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "textarea", "select") and attrs.get("name"):
            kind = attrs.get("type", tag).lower()
            self.current.fields.setdefault(attrs["name"], {"type": kind, "options": []})
            if kind in ("checkbox", "radio") and attrs.get("value") is not None:
                self.current.fields[attrs["name"]]["options"].append(attrs["value"])
            self.select = attrs["name"] if tag == "select" else None
        elif tag == "option" and self.current is not None and self.select:
            self.current.fields[self.select]["options"].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_on(page_url: str, html: str) -> list[Form]:
    finder = FormFinder(page_url)
    finder.feed(html)
    return [form for form in finder.forms if form.fields]


def hostile_form_data(rng: random.Random, form: Form) -> dict:
    """Every field: mostly hostile, sometimes a plausible option, sometimes missing; some repeated."""
    data = {}
    for name, spec in form.fields.items():
        kind = spec["type"]
        if name == "csrfmiddlewaretoken" or rng.random() < 0.1:
            continue
        if kind == "file":
            file_name, content = rng.choice(HOSTILE_FILES)
            data[name] = SimpleUploadedFile(file_name, content)
            continue
        if spec["options"] and rng.random() < 0.4:
            value = rng.choice(spec["options"])
        elif kind in ("date", "datetime-local", "month", "time"):
            value = hostile_value(rng, "date")
        elif kind == "number" or name in ("page", "turnout", "pk", "id"):
            value = hostile_value(rng, "number")
        else:
            value = hostile_value(rng)
        data[name] = [value, hostile_value(rng)] if rng.random() < 0.15 else value
    return data


# -- the world ----------------------------------------------------------------------------------------------------


@pytest.fixture
def world(force, team, council, officer, partner_user, administrator, tmp_path, settings):
    """A force area with a neighbourhood, one of each record, and the five personas."""
    settings.MEDIA_ROOT = tmp_path / "media"
    force_area = ForceAreaFactory(force=force, code="cumbria", name="Cumbria Constabulary")
    neighbourhood = NeighbourhoodFactory(force_area=force_area, code="HIND", name="Hindpool", team=team)
    manager = UserFactory(username="insp-malik")
    MembershipFactory(user=manager, organisation=force, role=Role.MANAGER, warranted=True)
    ig_officer = UserFactory(username="ig-officer")
    MembershipFactory(user=ig_officer, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    PublicProfile.objects.create(user=officer, display_name="PC Shah", rank="Police Constable", published=True)

    contact = ContactFactory(organisation=team)
    partner_contact = PartnerContactFactory(organisation=team)
    group = CommunityGroupFactory(organisation=team)
    membership = AdvisoryMembershipFactory(advisory_group__organisation=team)
    advice = AdvisoryAdviceFactory(advisory_group=membership.advisory_group)
    engagement = EngagementFactory(organisation=team, neighbourhood=neighbourhood)
    EngagementIssueFactory(engagement=engagement)
    visit = DoorstepVisitFactory(engagement__organisation=team, engagement__neighbourhood=neighbourhood)
    QuestionnaireQuestionFactory(questionnaire__organisation=force)
    priority = PriorityFactory(organisation=team, neighbourhood=neighbourhood)
    PriorityActionFactory(priority=priority)
    concern = ConcernFactory(organisation=council, neighbourhood=neighbourhood)
    key, plaintext = api_key_issue(organisation=council, name="Case system", acting_user=partner_user)
    job = concern_import_start(upload=SimpleUploadedFile("concerns.csv", b"category\nFly-tipping\n"), acting_user=partner_user)

    ids = {
        "people": officer.pk, "contacts": contact.pk, "partner-contacts": partner_contact.pk, "groups": group.pk,
        "advisory-groups": membership.advisory_group.pk, "engagements": visit.engagement.pk, "priorities": priority.pk,
        "neighbourhoods": neighbourhood.pk, "partners/collation/neighbourhoods": neighbourhood.pk,
        "partners/collation/teams": team.pk, "partners/concerns": concern.pk, "partners/imports": job.pk,
        "partners/api-keys": key.pk, "sharing/records": concern.pk, "open311/v2/requests": concern.pk,
        "admin/crm/organisation": force.pk, "admin/crm/user": officer.pk, "admin/partners/concern": concern.pk,
        "admin/crm/contact": contact.pk, "admin/geo/forcearea": force_area.pk, "admin/geo/neighbourhood": neighbourhood.pk,
    }
    named = {
        "advice_pk": str(advice.pk), "force": "cumbria", "neighbourhood": "HIND", "code": "HIND", "label": "partners.concern",
        "kind": "pdf", "fmt": "json", "token": str(concern.open311_token), "path": "concerns.csv", "version": "1",
        "uidb64": "MQ", "app_label": "crm", "content_type_id": "1",
    }
    clients = {"anonymous": Client(raise_request_exception=True)}
    for persona, user in (("officer", officer), ("partner", partner_user), ("manager", manager),
                          ("information_governance", ig_officer), ("administrator", administrator)):
        clients[persona] = Client(raise_request_exception=True)
        clients[persona].force_login(user)
    return {"ids": ids, "named": named, "clients": clients, "api_key": plaintext, "pool": sorted(set(ids.values()))}


def plausible_values(pattern: Pattern, world) -> dict[str, str]:
    values = {}
    for converter, name in pattern.placeholders:
        if name in pattern.choices:
            values[name] = pattern.choices[name][0]
        elif name in world["named"]:
            values[name] = world["named"][name]
        elif converter in ("int", "path") or name in ("pk", "object_id", "id"):
            prefix = max((p for p in world["ids"] if pattern.route.startswith(p)), key=len, default=None)
            values[name] = str(world["ids"][prefix] if prefix else world["pool"][0])
        elif converter == "uuid":
            values[name] = str(uuid.uuid4())
        else:
            values[name] = "HIND"
    return values


def hostile_values(rng: random.Random, pattern: Pattern, world) -> dict[str, str]:
    values = plausible_values(pattern, world)
    names = [name for _, name in pattern.placeholders]
    for name in rng.sample(names, k=rng.randint(1, len(names))) if names else []:
        values[name] = rng.choice(HOSTILE_PATH_VALUES)
    return values


def hostile_query(rng: random.Random, extra_names=()) -> str:
    pairs = []
    for _ in range(rng.randint(1, 4)):
        name = rng.choice([*QUERY_NAMES, *extra_names])
        kind = "page" if name == "page" else "date" if "date" in name or name in ("from", "to", "reported_from", "reported_to") else "text"
        pairs.extend((name, hostile_value(rng, kind)) for _ in range(rng.choice([1, 1, 1, 2, 3])))
    return urlencode(pairs)


# -- sending ------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    rng: random.Random
    world: dict
    failures: list[str] = field(default_factory=list)
    sent: int = 0

    def send(self, persona: str, method: str, url: str, **kwargs):
        client = self.world["clients"][persona]
        self.sent += 1
        described = f"{persona} {method} {url} {_short(kwargs)}"
        try:
            response = getattr(client, method.lower())(url, **kwargs) if method != "RAW" else client.generic("POST", url, **kwargs)
        except Exception as error:  # noqa: BLE001 (any exception that reached the client is a 500)
            frame = traceback.extract_tb(error.__traceback__)[-1]
            self.failures.append(f"{described}\n    {type(error).__name__}: {str(error)[:200]} at {frame.filename}:{frame.lineno}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{described}\n    answered {response.status_code}")
        return response


def _short(kwargs) -> str:
    text = repr({key: value for key, value in kwargs.items() if key != "follow"})
    return text if len(text) < 300 else text[:300] + "…"


@pytest.mark.django_db
def test_no_hostile_request_to_any_url_answers_5xx(world):
    rng = random.Random(SEED)
    run = Run(rng=rng, world=world)
    patterns = url_patterns()
    started, cpu_started = time.monotonic(), time.process_time()
    found_forms: list[tuple[str, Form]] = []
    seen_forms = set()

    # 1. Every page, filled plausibly, opened by the personas in a random order until one may: the forms on it.
    for pattern in patterns:
        if pattern.route.startswith("admin/") and ADMIN_NOT_OPENED.search(pattern.route):
            continue
        url = pattern.fill(plausible_values(pattern, world))
        personas = ["administrator"] if pattern.route.startswith("admin/") else rng.sample(PERSONAS, k=len(PERSONAS))
        for persona in personas:
            response = run.send(persona, "GET", url)
            if response is None or response.status_code != 200:
                continue
            if "html" in response.get("Content-Type", ""):
                for form in forms_on(url, response.content.decode(errors="replace")):
                    signature = (form.action, form.method, tuple(sorted(form.fields)))
                    if signature not in seen_forms:
                        seen_forms.add(signature)
                        found_forms.append((persona, form))
            break

    # 2. Every pattern once with hostile path values and a hostile query string.
    for pattern in patterns:
        persona = "administrator" if pattern.route.startswith("admin/") else rng.choice(PERSONAS)
        run.send(persona, "GET", pattern.fill(hostile_values(rng, pattern, world)) + "?" + hostile_query(rng))

    # 3. Every form found, once with hostile values (GET forms are filters: their fields go in the query string).
    for persona, form in found_forms:
        post_form(run, persona, form)

    # 4. The rest of the budget: a seeded random sample of all of these, and raw bodies with a bad Content-Type.
    postable = [p for p in patterns if p.name not in NOT_POSTED]
    for _ in range(BUDGET):
        choice = rng.random()
        if choice < 0.35 and found_forms:
            persona, form = rng.choice(found_forms)
            post_form(run, rng.choice([persona, persona, rng.choice(PERSONAS)]), form)
        elif choice < 0.55:
            pattern = rng.choice(postable)
            content_type, body = rng.choice(BAD_BODIES)
            url = pattern.fill(plausible_values(pattern, world))
            run.send(rng.choice(PERSONAS), "RAW", url, data=body, content_type=content_type)
        else:
            pattern = rng.choice(patterns)
            values = hostile_values(rng, pattern, world) if rng.random() < 0.5 else plausible_values(pattern, world)
            extra = [name for _, form in found_forms for name in form.fields][:50]
            run.send(rng.choice(PERSONAS), "GET", pattern.fill(values) + "?" + hostile_query(rng, extra))

    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu_started
    print(f"\nHostile requests: seed {SEED}, {run.sent} requests ({len(patterns)} URL patterns, {len(found_forms)} forms) "
          f"in {elapsed:.1f} s ({cpu:.1f} s of processor time in this process)")
    assert not run.failures, f"{len(run.failures)} requests answered 5xx (seed {SEED}):\n" + "\n".join(run.failures)


def post_form(run: Run, persona: str, form: Form) -> None:
    if form.action.rstrip("/").endswith("logout"):
        return
    data = hostile_form_data(run.rng, form)
    if form.method == "get":
        plain = {name: value for name, value in data.items() if not hasattr(value, "read")}
        run.send(persona, "GET", form.action, data=plain)
    else:
        run.send(persona, "POST", form.action, data=data)
