"""The grant resolver (access/grants.py), through visible_to, against the protocol rules written again,
independently, in plain Python: live flows (the protocol's current version, active, started, not past its
end), classification, personal-data cover, a force's units, inactive organisations, one-off shares with
expiry; for a person with memberships and for an organisation reading by API key."""
import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access.grants import GrantScopeMiddleware, Viewer, forget_kept_grants, grant_scope, grants_for
from crm.models import Contact
from organisations.models import OrganisationKind
from access.roles import Role
from partners.models import Concern
from sharing_protocols.models import ConcernShare, ContactShare, ProtocolDataFlow, ProtocolVersion, SharingProtocol
from sharing_protocols.shares import organisation_group, view_permission
from tests.factories import ConcernFactory, ContactFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PARENT = {"team_a": "force", "team_b": "force"}
ORGANISATIONS = ("force", "team_a", "team_b", "council", "fire")
KINDS = {"force": OrganisationKind.POLICE_FORCE, "team_a": OrganisationKind.NEIGHBOURHOOD_TEAM,
         "team_b": OrganisationKind.NEIGHBOURHOOD_TEAM, "council": OrganisationKind.COUNCIL,
         "fire": OrganisationKind.FIRE_AND_RESCUE}
CATEGORIES = ("concerns", "contacts")
STATUSES = ("active", "active", "active", "active", "suspended", "terminated", "expired", "draft", "awaiting_signatures")

organisation = st.sampled_from(ORGANISATIONS)
version = st.fixed_dictionaries({
    "status": st.sampled_from(STATUSES),
    "starts": st.integers(-60, 3),  # days from today: a start after today has not come
    "length": st.one_of(st.none(), st.integers(1, 120)),  # ends this many days after it starts (past, today or to come)
    "sensitive": st.booleans(), "personal": st.booleans(),
    "flows": st.lists(st.tuples(st.sampled_from(CATEGORIES), organisation, organisation), min_size=1, max_size=4, unique=True),
})
protocol = st.fixed_dictionaries({"versions": st.lists(version, min_size=1, max_size=2), "current": st.sampled_from([0, 0, 1, None])})
record = st.fixed_dictionaries({"category": st.sampled_from(CATEGORIES), "holder": organisation, "sensitive": st.booleans(),
                                "holds_personal": st.booleans()})
share = st.fixed_dictionaries({"record": st.integers(0, 7), "to": organisation, "expired": st.booleans(), "personal": st.booleans()})
world = st.fixed_dictionaries({
    "inactive": st.sets(organisation, max_size=2),
    "viewer": st.one_of(st.tuples(st.just("user"), st.sets(organisation, min_size=1, max_size=2)), st.tuples(st.just("organisation"), organisation)),
    "protocols": st.lists(protocol, max_size=5),
    "records": st.lists(record, min_size=1, max_size=8),
    "shares": st.lists(share, max_size=3, unique_by=lambda s: (s["record"], s["to"])),
})


# -- the rules, in plain Python -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Seen:
    shared: bool
    personal: bool


def own_and_live(world):
    active = {name for name in ORGANISATIONS if name not in world["inactive"]}
    kind, who = world["viewer"]
    direct = ({who} if who in active else set()) if kind == "organisation" else who & active
    own = {name for name in active if name in direct or PARENT.get(name) in direct}
    live = []
    for proto in world["protocols"]:
        current = proto["current"]
        if current is None or current >= len(proto["versions"]):
            continue
        terms = proto["versions"][current]
        ends = None if terms["length"] is None else terms["starts"] + terms["length"]
        if terms["status"] == "active" and terms["starts"] <= 0 and (ends is None or ends >= 0):
            live += [(category, provider, recipient, terms["sensitive"], terms["personal"]) for category, provider, recipient in terms["flows"]]
    return active, own, live


def expected_providers(world) -> dict[tuple[str, bool, bool], set[str]]:
    """(category, up to OFFICIAL-SENSITIVE, with personal data) -> the organisations whose rows the viewer receives."""
    active, own, live = own_and_live(world)
    return {(category, sensitive, personal): {
        holder for holder in active for flow in live
        if flow[0] == category and flow[2] in own and (holder == flow[1] or PARENT.get(holder) == flow[1])
        and (flow[3] or not sensitive) and (flow[4] or not personal)}
        for category in CATEGORIES for sensitive in (False, True) for personal in (False, True)}


def expected(world) -> dict[int, Seen]:
    """Record index -> how the viewer sees it, for every record the viewer sees."""
    active, own, live = own_and_live(world)
    seen = {}
    for index, row in enumerate(world["records"]):
        holder = row["holder"]
        sensitive = row["sensitive"] and row["category"] == "concerns"  # contacts carry no classification
        flows = [flow for flow in live if flow[0] == row["category"] and flow[2] in own and holder in active
                 and (holder == flow[1] or PARENT.get(holder) == flow[1]) and (flow[3] or not sensitive)]
        shares = [s for s in world["shares"] if s["record"] == index and s["to"] in own and not s["expired"]]
        if holder in own:
            seen[index] = Seen(shared=False, personal=True)
        elif flows or shares:
            seen[index] = Seen(shared=True, personal=any(f[4] for f in flows) or any(s["personal"] for s in shares))
    return seen


# -- the same world in the database ---------------------------------------------------------------------------

def build(world):
    today, now = timezone.localdate(), timezone.now()
    organisations = {name: OrganisationFactory(name=f"Org {name}", slug=f"org-{name.replace('_', '-')}", kind=KINDS[name])
                     for name in ("force", "council", "fire")}
    for name in ("team_a", "team_b"):
        organisations[name] = OrganisationFactory(name=f"Org {name}", slug=f"org-{name.replace('_', '-')}", kind=KINDS[name],
                                                  parent=organisations["force"])
    for n, proto in enumerate(world["protocols"]):
        made = SharingProtocol.objects.create(reference=f"prop-{n}", title=f"Protocol {n}", lead_organisation=organisations["force"])
        versions = []
        for number, terms in enumerate(proto["versions"], start=1):
            starts_on = today + dt.timedelta(days=terms["starts"])
            made_version = ProtocolVersion.objects.create(
                protocol=made, number=number, purpose="Property test", retention_and_deletion="12 months", security="Hub only",
                starts_on=starts_on, review_on=starts_on, article_6_basis="public_task",
                ends_on=None if terms["length"] is None else starts_on + dt.timedelta(days=terms["length"]),
                includes_personal_data=terms["personal"],
                highest_classification="official_sensitive" if terms["sensitive"] else "official",
            )
            ProtocolDataFlow.objects.bulk_create([
                ProtocolDataFlow(version=made_version, category=category, provider=organisations[provider],
                                 recipient=organisations[recipient], clause=f"4.{i}")
                for i, (category, provider, recipient) in enumerate(terms["flows"])])
            ProtocolVersion.objects.filter(pk=made_version.pk).update(status=terms["status"])  # a draft's terms may still change
            versions.append(made_version)
        if proto["current"] is not None and proto["current"] < len(versions):
            made.current_version = versions[proto["current"]]
            made.save(update_fields=["current_version"])
    records = []
    for row in world["records"]:
        if row["category"] == "concerns":
            records.append(ConcernFactory(organisation=organisations[row["holder"]], reporter_name="Ada Reporter",
                                          classification="official_sensitive" if row["sensitive"] else "official",
                                          holds_personal_data=row["holds_personal"]))
        else:
            records.append(ContactFactory(organisation=organisations[row["holder"]]))
    for s in world["shares"]:
        if s["record"] >= len(records):
            continue
        target = records[s["record"]]
        share_model = ConcernShare if isinstance(target, Concern) else ContactShare
        share_model.objects.create(group=organisation_group(organisations[s["to"]]), permission=view_permission(type(target)),
                                   content_object=target, reason="Joint visit", includes_personal_data=s["personal"],
                                   expires_at=now + dt.timedelta(days=-1 if s["expired"] else 1))
    for name in world["inactive"]:
        organisations[name].is_active = False
        organisations[name].save(update_fields=["is_active"])
    kind, who = world["viewer"]
    if kind == "organisation":
        viewer = organisations[who]
    else:
        viewer = UserFactory(username="property-viewer")
        for name in who:
            MembershipFactory(user=viewer, organisation=organisations[name], role=Role.PARTNER_USER)
    return viewer, records, organisations


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=world)
def test_visible_to_follows_the_protocol_rules_written_independently(world):
    with transaction.atomic():
        viewer, records, organisations = build(world)
        names = {organisation.pk: name for name, organisation in organisations.items()}
        grants = grants_for(viewer)
        providers = {key: {names[pk] for pk in grants.providers(key[0], sensitive=key[1], personal=key[2])}
                     for key in expected_providers(world)}
        own = {names[pk] for pk in grants.own}
        rule = expected(world)
        ids = {(type(record), record.pk): index for index, record in enumerate(records)}  # concerns' and contacts' ids overlap
        seen, editable = {}, set()
        for model in (Concern, Contact):
            mine = [r.pk for r in records if isinstance(r, model)]
            for row in model.objects.visible_to(viewer).filter(pk__in=mine):
                seen[ids[model, row.pk]] = Seen(shared=row.is_shared, personal=not row.withheld_fields)
            editable |= {ids[model, pk] for pk in model.objects.editable_by(viewer).filter(pk__in=mine).values_list("pk", flat=True)}
        transaction.set_rollback(True)
    assert own == own_and_live(world)[1]
    assert providers == expected_providers(world)
    assert seen == rule
    assert editable == {index for index, how in rule.items() if not how.shared}


# -- the cache: once per request or scope, and never stale across requests ------------------------------------------

def test_a_request_resolves_the_grants_once_however_many_reads(team, officer, django_assert_num_queries):
    ContactFactory(organisation=team)
    with grant_scope():
        with django_assert_num_queries(1):  # the officer's grant set
            first = grants_for(officer)
        with django_assert_num_queries(0):
            assert grants_for(officer) is first
            Contact.objects.visible_to(officer)  # builds the query from the grant set: no query yet


def test_outside_a_request_each_call_reads_the_grants_afresh(team, officer, django_assert_num_queries):
    with django_assert_num_queries(2):  # resolved, then checked against the grant-change log
        grants_for(officer)
        grants_for(officer)


# -- kept across requests: one small check, and never served once anything it is made of changed ------------------
# These commit (transaction=True), as requests do: an answer read by a transaction that has written is never kept.

kept_across_requests = pytest.mark.django_db(transaction=True)

def _in_a_request(read, method="post"):
    """What the request's view read (its last run: a GET read under a stale kept grant set is read again)."""
    from django.test import RequestFactory

    seen = []
    GrantScopeMiddleware(lambda request: seen.append(read()))(getattr(RequestFactory(), method)("/"))
    return seen[-1]


def _shared_contacts(partner_user, method="post"):
    return _in_a_request(lambda: list(Contact.objects.visible_to(partner_user)), method)


both_methods = pytest.mark.parametrize("method", ["get", "post"])


@kept_across_requests
@both_methods
def test_a_later_request_reuses_the_kept_grants_after_one_small_check(team, officer, django_assert_num_queries, method):
    forget_kept_grants()
    with django_assert_num_queries(1):  # resolved
        first = _in_a_request(lambda: grants_for(officer), method)
    # A POST checks the grant-change log's state first; a GET that read no protected table checks it at its end.
    with django_assert_num_queries(1):
        second = _in_a_request(lambda: grants_for(officer), method)
    assert second is first and team.pk in first.own


@kept_across_requests
def test_a_get_request_checks_the_kept_grants_in_the_same_round_trip_as_its_first_read(team, officer, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from row_security.context import viewer_context

    def page():  # read as the request's user, as RowSecurityMiddleware has it
        with viewer_context(officer):
            return list(Contact.objects.visible_to(officer))

    contact = ContactFactory(organisation=team)
    assert _in_a_request(page, "get") == [contact]
    with CaptureQueriesContext(connection) as queries:
        assert _in_a_request(page, "get") == [contact]
    assert len(queries) == 1 and "hub_grants_unchanged" in queries[0]["sql"]
    with django_assert_num_queries(2):  # a POST: the check, then the read
        assert _in_a_request(page, "post") == [contact]


@pytest.fixture
def kept_then_suspended(force, council, partner_user, team):
    """The council receives the force's contacts under a protocol; a GET keeps the partner's grant set; then the
    protocol is suspended, so the kept set is stale. The team's contact the partner no longer sees."""
    from sharing_protocols.services import protocol_change_status
    from tests.sharing_protocols.conftest import publish_protocol

    contact = ContactFactory(organisation=team)
    version = publish_protocol(provider=force, recipient=council, categories=("contacts",))
    assert _shared_contacts(partner_user, "get") == [contact]
    protocol_change_status(protocol=version.protocol, status="suspended", acting_user=None, reason="Breach under review")
    return contact


@kept_across_requests
def test_a_get_read_under_a_stale_kept_grant_set_reads_nothing_and_the_request_is_read_again(partner_user, kept_then_suspended):
    from row_security.context import viewer_context

    runs = []

    def view():
        runs.append("ran")
        with viewer_context(partner_user):  # as RowSecurityMiddleware reads
            rows = list(Contact.objects.visible_to(partner_user))
        runs.append("read")
        return rows

    assert _in_a_request(view, "get") == []
    # The first run's read stopped at the guard (it never got past its list()); the second read under the fresh set.
    assert runs == ["ran", "ran", "read"]


@kept_across_requests
def test_a_get_that_reads_no_protected_table_is_checked_before_it_is_answered(force, council, partner_user, team):
    from sharing_protocols.services import protocol_change_status
    from tests.sharing_protocols.conftest import publish_protocol

    version = publish_protocol(provider=force, recipient=council, categories=("contacts",))
    assert _in_a_request(lambda: force.pk in grants_for(partner_user).providers("contacts"), "get")
    protocol_change_status(protocol=version.protocol, status="suspended", acting_user=None, reason="Breach under review")
    answers = []
    _in_a_request(lambda: answers.append(force.pk in grants_for(partner_user).providers("contacts")), "get")
    assert answers == [True, False]  # the kept (stale) answer was never sent: the request was read again


@kept_across_requests
def test_a_get_whose_guard_fails_inside_a_transaction_is_read_again(partner_user, kept_then_suspended):
    from django.db import transaction

    from row_security.context import viewer_context

    reads = []

    def view():
        with viewer_context(partner_user), transaction.atomic():
            reads.append(list(Contact.objects.visible_to(partner_user)))

    _in_a_request(view, "get")
    assert reads == [[]]  # the first run's read stopped at the guard, inside its transaction


@kept_across_requests
@both_methods
def test_a_suspended_protocol_is_never_read_from_the_kept_grants(force, council, partner_user, team, method):
    """The kept answers listen to no signal: the triggers on the grant tables record the change, in the
    suspending transaction, and the next request resolves."""
    from sharing_protocols.services import protocol_change_status
    from tests.sharing_protocols.conftest import publish_protocol

    contact = ContactFactory(organisation=team)
    version = publish_protocol(provider=force, recipient=council, categories=("contacts",))
    assert _shared_contacts(partner_user, method) == [contact]
    assert _shared_contacts(partner_user, method) == [contact]  # read again from the kept answer
    protocol_change_status(protocol=version.protocol, status="suspended", acting_user=None, reason="Breach under review")
    assert _shared_contacts(partner_user, method) == []


@kept_across_requests
def test_a_membership_ended_by_raw_sql_is_never_read_from_the_kept_grants(team, officer):
    from django.db import connection

    contact = ContactFactory(organisation=team)
    assert _in_a_request(lambda: list(Contact.objects.visible_to(officer))) == [contact]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM crm_membership WHERE user_id = %s", [officer.pk])
    assert _in_a_request(lambda: list(Contact.objects.visible_to(officer))) == []


@kept_across_requests
@both_methods
def test_a_protocol_that_lapses_at_midnight_ends_access_with_no_write(force, council, partner_user, team, monkeypatch, method):
    from read_routing.models import GrantChange
    from tests.sharing_protocols.conftest import publish_protocol

    contact = ContactFactory(organisation=team)
    publish_protocol(provider=force, recipient=council, categories=("contacts",), ends_in_days=0)  # its last day is today
    assert _shared_contacts(partner_user, method) == [contact]
    log = list(GrantChange.objects.values_list("pk", "lsn"))
    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert _shared_contacts(partner_user, method) == []
    assert list(GrantChange.objects.values_list("pk", "lsn")) == log  # nothing was written: the date alone ended it


@kept_across_requests
@both_methods
def test_a_one_off_share_that_expires_ends_access_with_no_write(force, council, partner_user, team, monkeypatch, method):
    contact = ContactFactory(organisation=team)
    ContactShare.objects.create(group=organisation_group(council), permission=view_permission(Contact), content_object=contact,
                                reason="Joint visit", includes_personal_data=False,
                                expires_at=timezone.now() + dt.timedelta(hours=1))
    assert _shared_contacts(partner_user, method) == [contact]
    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _shared_contacts(partner_user, method) == []


@kept_across_requests
def test_a_change_rolled_back_is_never_read_from_the_kept_grants(team, officer):
    """A request that changed a membership and failed: what it resolved under its own change is never served."""
    contact = ContactFactory(organisation=team)
    newcomer = UserFactory(username="newcomer")
    assert _in_a_request(lambda: list(Contact.objects.visible_to(newcomer))) == []
    with pytest.raises(RuntimeError), transaction.atomic():
        MembershipFactory(user=newcomer, organisation=team, role=Role.OFFICER)
        assert _in_a_request(lambda: list(Contact.objects.visible_to(newcomer))) == [contact]
        raise RuntimeError("the request failed")
    assert _in_a_request(lambda: list(Contact.objects.visible_to(newcomer))) == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_protocol_suspended_during_a_request_ends_access_on_the_next(force, council, partner_user, team, method):
    from django.test import RequestFactory

    from sharing_protocols.services import protocol_change_status
    from tests.sharing_protocols.conftest import publish_protocol

    contact = ContactFactory(organisation=team)
    version = publish_protocol(provider=force, recipient=council, categories=("contacts",))
    seen = []
    middleware = GrantScopeMiddleware(lambda request: seen.append(list(Contact.objects.visible_to(partner_user))))
    middleware(getattr(RequestFactory(), method)("/"))
    protocol_change_status(protocol=version.protocol, status="suspended", acting_user=None, reason="Breach under review")
    middleware(getattr(RequestFactory(), method)("/"))
    assert seen == [[contact], []]


def test_a_change_to_a_membership_within_a_request_is_read_at_once(team, council, django_assert_num_queries):
    contact = ContactFactory(organisation=team)
    newcomer = UserFactory(username="newcomer")
    with grant_scope():
        assert list(Contact.objects.visible_to(newcomer)) == []
        MembershipFactory(user=newcomer, organisation=team, role=Role.OFFICER)
        assert list(Contact.objects.visible_to(newcomer)) == [contact]


def test_a_viewer_is_one_value_for_a_person_an_organisation_and_nobody(officer, council):
    from django.contrib.auth.models import AnonymousUser

    assert Viewer.of(officer) == Viewer("user", officer.pk, True, False)
    assert Viewer.of(council) == Viewer("organisation", council.pk, True, False)
    assert Viewer.of(AnonymousUser()).sees_nothing and Viewer.of(None).sees_nothing


@kept_across_requests
def test_a_streamed_body_reads_under_a_grant_set_checked_before_the_response_leaves(force, council, partner_user, team):
    from row_security.context import Context
    from sharing_protocols.services import protocol_change_status
    from tests.sharing_protocols.conftest import publish_protocol

    version = publish_protocol(provider=force, recipient=council, categories=("contacts",))
    assert _shared_contacts(partner_user, "get") == []
    fixed = []  # what RowSecurityMiddleware fixes for a streamed body, run by run
    _in_a_request(lambda: fixed.append(Context("viewer", who=partner_user).frozen().setting()), "get")
    protocol_change_status(protocol=version.protocol, status="suspended", acting_user=None, reason="Breach under review")
    _in_a_request(lambda: fixed.append(Context("viewer", who=partner_user).frozen().setting()), "get")
    assert len(fixed) == 3 and fixed[0] == fixed[1] != fixed[2]  # the stale one was never answered: read again


def test_a_fill_of_the_log_is_no_change_and_the_database_guard_says_the_same(team, officer):
    from django.db import DatabaseError, connection

    from access.grants import log_moved_since

    assert not log_moved_since("4:,9:", "4:120,9:120")  # filled
    assert not log_moved_since("4:100,9:120", "9:120")  # a superseded row removed
    assert log_moved_since("4:,9:", "4:,9:,11:")  # a change committed since
    assert log_moved_since("9:120", "4:100")  # an older transaction committed later: a new id all the same

    def guard(kept):
        with connection.cursor() as cursor:
            cursor.execute("SELECT public.hub_grants_unchanged(%s::bigint[])", [kept])

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(array_agg(id), '{}') FROM read_routing_grantchange")
        ids = cursor.fetchone()[0]
    guard("{" + ",".join(map(str, ids)) + "}")  # holds: no id beyond these
    if ids:
        with pytest.raises(DatabaseError, match="sharing grants changed"):
            guard("{" + ",".join(map(str, ids[1:])) + "}")


@kept_across_requests
def test_nothing_is_written_under_a_kept_grant_set_no_one_has_checked(partner_user, kept_then_suspended):
    from organisations import audit
    from organisations.models import AuditEvent

    before = AuditEvent.objects.filter(summary="Looked at the providers").count()

    def view():  # decides from the kept grant set alone, then writes to a table without row-level security
        grants_for(partner_user)
        audit.record(actor=None, organisation=None, action="system.context", summary="Looked at the providers")

    _in_a_request(view, "get")
    assert AuditEvent.objects.filter(summary="Looked at the providers").count() == before + 1  # once: the checked run's


@kept_across_requests
def test_a_page_read_under_a_stale_kept_grant_set_is_read_again_with_no_error_logged(force, council, partner_user, team, client):
    from django.core.signals import got_request_exception

    from sharing_protocols.services import protocol_change_status
    from tests.factories import ConcernFactory
    from tests.sharing_protocols.conftest import publish_protocol

    version = publish_protocol(provider=team, recipient=council, lead=force, categories=("concerns",))
    ConcernFactory(organisation=team, place="Behind the library")
    client.force_login(partner_user)
    assert "Behind the library" in client.get("/partners/concerns/").content.decode()
    assert "Behind the library" in client.get("/partners/concerns/").content.decode()  # the kept grant set, checked by its guard
    protocol_change_status(protocol=version.protocol, status="suspended", acting_user=None, reason="Breach under review")
    errors = []
    got_request_exception.connect(errors.append, weak=False, dispatch_uid="test-stale-guard")
    try:
        response = client.get("/partners/concerns/")
    finally:
        got_request_exception.disconnect(dispatch_uid="test-stale-guard")
    assert response.status_code == 200 and "Behind the library" not in response.content.decode()
    assert errors == []  # the stale read was turned into a second reading, not into an error page
