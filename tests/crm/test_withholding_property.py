"""No ORM expression over personal fields lets a reader observe a value withheld from them (access/withholding.py).

Hypothesis builds queries over the personal fields of every model that can be shared without personal data
(contacts, partner contacts, engagements' notes, concerns, digital posts): filter, exclude, annotate,
aggregate, order_by over functions, distinct, values and values_list over expressions, Subquery, Exists and
`__in` reaching the row through OuterRef, window functions, F() between two fields, and plain instances.
They run as a council user that receives the police team's records under a protocol without personal data.

The oracle: the answer may not depend on what the reader may not read. Each query runs twice in one
transaction: over the seeded records, whose personal fields hold distinctive values, and again once those
withheld values are really blanked in the tables (in a savepoint, rolled back). The two answers must be
equal, and neither may contain a seeded secret. Each query is asked three ways: through `visible_to` with no
grant set written (the query's own viewer withholds), through `visible_to` inside a transaction carrying the
reader's grant set, and through the bare manager inside that transaction (the database's lock alone).

Every kind of query, four generated examples each, each asked the three ways: derandomised and bounded (seconds),
so CI runs the same examples every time.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Subquery, TextField, Value, Window
from django.db.models.functions import (
    MD5, Coalesce, Concat, Left, Length, Lower, NullIf, Replace, Reverse, RowNumber, StrIndex, Substr, Trim, Upper,
)
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access import grant_settings
from access.grants import grants_for
from crm.models import Contact, Engagement, PartnerContact
from digital.models import ConversationImport, Post
from partners.models import Concern
from tests.factories import ConcernFactory, ContactFactory, EngagementFactory, PartnerContactFactory
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = pytest.mark.django_db

MODELS = (Contact, PartnerContact, Engagement, Concern, Post)
CATEGORIES = ("contacts", "partner_contacts", "engagements", "concerns", "social_media")

# Secrets in an alphabet nothing else uses; the first of each pair sorts after the second, against their ids.
SECRETS = {
    "first_name": ("Zqxjvone", "Aqxjvtwo"), "last_name": ("Zqxjvsur", "Aqxjvfam"), "email": ("zqxjv@one.example", "aqxjv@two.example"),
    "phone": ("07999 qxjv 91", "07111 qxjv 12"), "postcode": ("ZQ9 9XJ", "AQ1 1XJ"), "notes": ("Zqxjv lives alone", "Aqxjv has a dog"),
    "name": ("Zqxjv Officer", "Aqxjv Officer"), "reporter_name": ("Zqxjv Reporter", "Aqxjv Reporter"),
    "reporter_email": ("zqxjv@rep.example", "aqxjv@rep.example"), "reporter_phone": ("07999 qxjv 33", "07111 qxjv 44"),
    "description": ("Zqxjv at number 4", "Aqxjv at number 9"), "text": ("Zqxjv says hello", "Aqxjv says bye"),
    "author": ("@zqxjv", "@aqxjv"), "url": ("https://x.example/zqxjv", "https://x.example/aqxjv"), "place_text": ("Zqxjv Road", "Aqxjv Lane"),
    "community": ("r/zqxjvgroup", "r/aqxjvgroup"),
}
OWN = {"first_name": "Alice", "last_name": "Ordinary", "email": "alice@council.example", "phone": "01229 000000",
       "postcode": "LA14 1AA", "notes": "Own note", "name": "Bea Own", "reporter_name": "Cal Own", "reporter_email": "cal@council.example",
       "reporter_phone": "01229 111111", "description": "Own description", "text": "Own post", "author": "@own",
       "url": "https://x.example/own", "place_text": "Own Street", "community": "r/owngroup"}
FRAGMENTS = sorted({"", "a", "Z", "qxjv", "Zqxjv", "aqxjv", "07999", "@", "Own", *(s[:4] for pair in SECRETS.values() for s in pair)})


def make(model, organisation, values: dict):
    """One record of `model` held by `organisation` with `values` in its personal fields."""
    if model is Contact:
        return ContactFactory(organisation=organisation, **values)
    if model is PartnerContact:
        return PartnerContactFactory(organisation=organisation, **values)
    if model is Engagement:
        return EngagementFactory(organisation=organisation, **values)
    if model is Concern:
        return ConcernFactory(organisation=organisation, holds_personal_data=True, **values)
    export, _ = ConversationImport.objects.get_or_create(
        organisation=organisation, original_name="mentions.csv",
        defaults={"upload": "imports/conversations/mentions.csv", "file_format": "generic", "file_sha256": "3" * 64,
                  "lawful_basis": "law_enforcement", "purpose": "Hot topics", "status": "imported"})
    return Post.objects.create(organisation=organisation, source_import=export, site="X", post_id=f"{Post.objects.count()}",
                               posted_at=timezone.now(), **values)


@pytest.fixture
def world(force, team, council, other_force, partner_user):
    """Per model: two police-team records with secrets (shared without personal data), one of another force
    (not shared at all) and one of the council's own; plus a team concern whose free text names no one."""
    for model in MODELS:
        for index in (0, 1):
            make(model, team, {name: SECRETS[name][index] for name in model.PERSONAL_FIELDS})
        make(model, other_force, {name: SECRETS[name][1] for name in model.PERSONAL_FIELDS})
        make(model, council, {name: OWN[name] for name in model.PERSONAL_FIELDS})
    ConcernFactory(organisation=team, holds_personal_data=False, description="Bins left out", reporter_name="Zqxjv Plain")
    publish_protocol(provider=force, recipient=council, categories=CATEGORIES, personal=False)
    return council


def blank_what_is_withheld(council) -> None:
    """Really blank, in the tables, every personal value the council may not read (all but its own)."""
    for model in MODELS:
        others = model.objects.exclude(organisation=council)
        fields = [name for name in model.PERSONAL_FIELDS if name not in getattr(model, "PERSONAL_ONLY_WHEN", {})]
        others.update(**{name: "" for name in fields})
        for name, flag in getattr(model, "PERSONAL_ONLY_WHEN", {}).items():
            others.filter(**{flag: True}).update(**{name: ""})


# -- the generated queries ------------------------------------------------------------------------------------

def text_expressions(fields: tuple[str, ...]):
    def grow(inner):
        text = {"output_field": TextField()}
        return st.one_of(
            inner.map(Upper), inner.map(Lower), inner.map(Reverse), inner.map(Trim), inner.map(MD5),
            inner.map(lambda e: Substr(e, 2, 4)), inner.map(lambda e: Left(e, 3)),
            inner.map(lambda e: Replace(e, Value("q"), Value("Q"), **text)),
            inner.map(lambda e: Coalesce(NullIf(e, Value(""), **text), Value("none"), **text)),
            st.tuples(inner, inner).map(lambda pair: Concat(pair[0], Value("|"), pair[1], **text)),
        )
    return st.recursive(st.sampled_from(fields).map(F), grow, max_leaves=3)


def number_expressions(fields):
    return text_expressions(fields).flatmap(lambda e: st.sampled_from([Length(e), StrIndex(e, Value("q"))]))


LOOKUPS = ("exact", "iexact", "icontains", "istartswith", "gt", "lt", "regex")


@dataclass(frozen=True)
class Probe:
    model: type
    description: str
    run: Callable  # (queryset) -> a plain value to compare

    def __repr__(self):
        return f"{self.model.__name__}: {self.description}"


def ordered(rows):
    return sorted(rows, key=repr)


KINDS = ("values", "values_list", "filter", "field_filter", "exclude", "aggregate", "order_by", "distinct", "group",
         "subquery", "exists", "in", "window", "row_number", "f_compare", "instances")


@st.composite
def probes(draw, kind: str) -> Probe:
    model = draw(st.sampled_from(MODELS))
    fields = model.PERSONAL_FIELDS
    text = draw(text_expressions(fields))
    number = draw(number_expressions(fields))
    lookup, value = draw(st.sampled_from(LOOKUPS)), draw(st.sampled_from(FRAGMENTS))
    if lookup == "regex":
        value = value.replace("@", "") or "."
    condition = {f"x__{lookup}": value}
    field, other = draw(st.sampled_from(fields)), draw(st.sampled_from(fields))
    same_row = model.objects.filter(pk=OuterRef("pk"))  # an inner queryset with no viewer of its own
    runs = {
        "values": lambda qs: ordered(qs.annotate(x=text, n=number).values_list("pk", "x", "n")),
        "values_list": lambda qs: ordered(qs.values_list("pk", text, field)),
        "filter": lambda qs: ordered(qs.annotate(x=text).filter(**condition).values_list("pk", flat=True)),
        "field_filter": lambda qs: ordered(qs.filter(**{f"{field}__{lookup}": value}).values_list("pk", flat=True)),
        "exclude": lambda qs: ordered(qs.annotate(x=text).exclude(**condition).values_list("pk", flat=True)),
        "aggregate": lambda qs: qs.aggregate(hi=Max(text), lo=Min(number), kinds=Count(text, distinct=True), raw=Max(field)),
        "order_by": lambda qs: list(qs.order_by(text.desc(), number, "pk").values_list("pk", flat=True)),
        "distinct": lambda qs: [pk for pk, _ in qs.annotate(x=text).order_by("x", "pk").distinct("x").values_list("pk", "x")],
        "group": lambda qs: ordered(qs.values(x=text).annotate(n=Count("pk")).values_list("x", "n")),
        "subquery": lambda qs: ordered(qs.annotate(s=Subquery(same_row.annotate(x=text).values("x")[:1])).values_list("pk", "s")),
        "exists": lambda qs: ordered(qs.filter(Exists(same_row.annotate(x=text).filter(**condition))).values_list("pk", flat=True)),
        "in": lambda qs: ordered(qs.filter(pk__in=model.objects.filter(**{f"{field}__{lookup}": value}).values("pk")).values_list("pk", flat=True)),
        "window": lambda qs: ordered(qs.annotate(w=Window(Max(text), partition_by=F("organisation"))).values_list("pk", "w")),
        "row_number": lambda qs: ordered(qs.annotate(r=Window(RowNumber(), order_by=[text.asc(), F("pk").asc()])).values_list("pk", "r")),
        "f_compare": lambda qs: ordered(qs.filter(**{f"{field}__lt": F(other)}).values_list("pk", flat=True)),
        "instances": lambda qs: ordered((row.pk, *(getattr(row, name) for name in fields)) for row in qs.order_by("pk")),
    }
    return Probe(model, f"{kind} over {text!r} / {number!r}, {field} {lookup} {value!r}, {field} < {other}", runs[kind])


# -- the property ---------------------------------------------------------------------------------------------

def observable_secrets(answer) -> set[str]:
    seen = repr(answer).lower()
    return {secret for pair in SECRETS.values() for secret in pair
            if secret.lower() in seen or secret.lower()[::-1] in seen}


WAYS = {
    "visible_to, no grant set written": (lambda model, user: model.objects.visible_to(user), False),
    "visible_to, in the reader's transaction": (lambda model, user: model.objects.visible_to(user), True),
    "the bare manager, in the reader's transaction": (lambda model, user: model.objects.all(), True),
}


def answers(probe, make_queryset, user, council, *, in_readers_transaction: bool):
    """The probe's answer over the seeded records, and over the same records with the withheld values blanked."""
    with transaction.atomic():
        if in_readers_transaction:
            grant_settings.write(grant_settings.grants_document(grants_for(user)))
        answer = probe.run(make_queryset(probe.model, user))
        sid = transaction.savepoint()
        if in_readers_transaction:  # the reader may not write others' rows (row-level security): the test does
            grant_settings.write(grant_settings.system_document("tests: blanking what is withheld"))
        blank_what_is_withheld(council)
        if in_readers_transaction:
            grant_settings.write(grant_settings.grants_document(grants_for(user)))
        answer_when_blank = probe.run(make_queryset(probe.model, user))
        transaction.savepoint_rollback(sid)
    return answer, answer_when_blank


@pytest.mark.parametrize("kind", KINDS)
def test_no_query_over_personal_fields_observes_a_withheld_value(world, partner_user, kind):
    @settings(max_examples=4, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(probe=probes(kind))
    def each(probe):
        for way, (make_queryset, in_readers_transaction) in WAYS.items():
            answer, answer_when_blank = answers(probe, make_queryset, partner_user, world, in_readers_transaction=in_readers_transaction)
            assert not observable_secrets(answer), (way, probe)
            assert answer == answer_when_blank, (way, probe)

    each()


def test_the_oracle_sees_a_leak_when_nothing_is_withheld(world, partner_user):
    """The property can fail: read as the system (everything), the answers differ and secrets show."""
    with transaction.atomic():
        grant_settings.write(grant_settings.system_document("withholding property check"))
        answer = list(Contact.objects.order_by("last_name").values_list("pk", "last_name"))
    assert observable_secrets(answer)
    with transaction.atomic():
        blank_what_is_withheld(world)
        assert list(Contact.objects.order_by("last_name").values_list("pk", "last_name")) != answer
        transaction.set_rollback(True)
