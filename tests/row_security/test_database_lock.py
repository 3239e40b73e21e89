"""PostgreSQL's row-level security holds on its own: a bare query reads only what visible_to gives, no
context reads nothing, and a write to another organisation's row is refused by the database."""
from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from access.grants import GrantScopeMiddleware
from organisations.models import AuditEvent
from crm.models import Contact
from partners.models import Concern
from row_security.context import no_context, system_context, viewer_context
from row_security.middleware import RowSecurityMiddleware
from sharing_protocols.models import Classification
from sharing_protocols.shares import record_share
from tests.factories import ConcernFactory, ContactFactory, OrganisationFactory
from tests.sharing_protocols.conftest import publish_protocol


@pytest.fixture
def world(force, team, council, officer, partner_user):
    """The council receives the force's concerns and contacts at OFFICIAL only, and one fire-service
    concern shared one-off; everything else is someone else's."""
    fire = OrganisationFactory(name="Cumbria Fire and Rescue", slug="cumbria-fire", kind="fire_and_rescue")
    publish_protocol(provider=force, recipient=council, categories=("concerns", "contacts"))
    rows = {
        "own": ConcernFactory(organisation=council),
        "team official": ConcernFactory(organisation=team),
        "team sensitive": ConcernFactory(organisation=team, classification=Classification.OFFICIAL_SENSITIVE),
        "fire": ConcernFactory(organisation=fire),
        "fire shared": ConcernFactory(organisation=fire),
    }
    fire_user = partner_user.__class__.objects.create(username="fire-user")
    fire_user.memberships.create(organisation=fire, role="partner_user")
    record_share(record=rows["fire shared"], organisation=council, reason="Joint visit", expires_at=timezone.now() + timedelta(days=3),
                 includes_personal_data=False, acting_user=fire_user)
    ContactFactory(organisation=council), ContactFactory(organisation=team), ContactFactory(organisation=fire)
    return rows


def in_request(user, read):
    """Run `read` inside a request by `user`, through the hub's own middleware."""
    request = RequestFactory().get("/")
    request.user = user
    result = {}

    def view(request):
        result["value"] = read()
        return HttpResponse()

    GrantScopeMiddleware(RowSecurityMiddleware(view))(request)
    return result["value"]


def test_a_bare_query_in_a_partners_request_returns_only_what_visible_to_returns(world, partner_user):
    bare = in_request(partner_user, lambda: (set(Concern.objects.values_list("pk", flat=True)),
                                             set(Contact.objects.values_list("pk", flat=True))))
    door = in_request(partner_user, lambda: ({c.pk for c in Concern.objects.visible_to(partner_user)},
                                             {c.pk for c in Contact.objects.visible_to(partner_user)}))
    assert bare == door
    assert bare[0] == {world[name].pk for name in ("own", "team official", "fire shared")}
    assert len(bare[1]) == 2  # the council's and the team's contact, not the fire service's


def test_an_officer_reads_the_force_and_its_teams_but_not_the_partners_unshared_rows(world, officer):
    seen = in_request(officer, lambda: set(Concern.objects.values_list("pk", flat=True)))
    assert seen == {world["team official"].pk, world["team sensitive"].pk}


def test_history_rows_follow_their_records(world, partner_user):
    history = Concern.pgh_event_models["insert"]
    seen = in_request(partner_user, lambda: set(history.objects.values_list("pgh_obj_id", flat=True)))
    assert seen == {world[name].pk for name in ("own", "team official", "fire shared")}


def test_with_no_context_a_sensitive_table_returns_no_rows(world):
    assert Concern.objects.count() == 5
    with no_context():
        assert Concern.objects.count() == 0 and Contact.objects.count() == 0
        assert Concern.pgh_event_models["insert"].objects.count() == 0


def test_the_requests_context_ends_with_the_request(world, partner_user):
    in_request(partner_user, lambda: Concern.objects.count())
    assert Concern.objects.count() == 5  # back in the test's own system context


def test_a_police_write_to_a_partners_row_is_refused_by_with_check(world, officer, council):
    concern = world["team official"]
    own_to_partner = ConcernFactory.build(organisation=council, category=concern.category)
    with viewer_context(officer):
        shared = Concern.objects.filter(organisation=council)
        assert not shared.exists()  # the council shares nothing with the force
    publish_protocol(provider=council, recipient=officer.memberships.first().organisation, categories=("concerns",), reference="back")
    partners_row = world["own"]
    with viewer_context(officer):
        assert Concern.objects.filter(pk=partners_row.pk).exists()  # readable under the protocol back
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Concern.objects.filter(pk=partners_row.pk).update(place="Changed by the police")
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            own_to_partner.save()
        assert Concern.objects.filter(pk=partners_row.pk).delete()[0] == 0  # a delete finds only own rows
    partners_row.refresh_from_db()
    assert partners_row.place != "Changed by the police"


def test_a_partner_writes_its_own_rows(world, partner_user):
    with viewer_context(partner_user):
        assert Concern.objects.filter(pk=world["own"].pk).update(place="Back lane") == 1


def test_a_system_context_has_a_name_and_is_audited(world):
    before = AuditEvent.objects.filter(action="system.context").count()
    with no_context(), system_context("daily collation"):
        assert Concern.objects.count() == 5
    event = AuditEvent.objects.filter(action="system.context").latest("pk")
    assert AuditEvent.objects.filter(action="system.context").count() == before + 1
    assert event.details == {"context": "daily collation"} and "daily collation" in event.summary
    with pytest.raises(ValueError):
        with system_context(""):
            pass


def test_a_streamed_response_reads_under_its_requests_grants(world, partner_user):
    from django.http import StreamingHttpResponse

    request = RequestFactory().get("/")
    request.user = partner_user

    def view(request):
        return StreamingHttpResponse(str(pk) + "," for pk in Concern.objects.values_list("pk", flat=True).iterator())

    with no_context():
        response = GrantScopeMiddleware(RowSecurityMiddleware(view))(request)
        body = b"".join(response.streaming_content).decode()
    assert {int(pk) for pk in body.split(",") if pk} == {world[name].pk for name in ("own", "team official", "fire shared")}


@pytest.mark.parametrize(("path", "context"), [("/your-area/", "system"), ("/open-data/", "system"), ("/partners/concerns/", "viewer")])
def test_the_public_pages_read_in_the_named_public_context_and_the_rest_as_their_user(path, context, partner_user):
    """The public side reads only through publication/selectors.py, which picks what is published."""
    from django.urls import resolve

    from row_security.context import current

    request = RequestFactory().get(path)
    request.user, request.resolver_match = partner_user, resolve(path)
    seen = {}

    def view(request):
        RowSecurityMiddleware(None).process_view(request, None, (), {})
        seen["context"] = current()
        return HttpResponse()

    GrantScopeMiddleware(RowSecurityMiddleware(view))(request)
    assert seen["context"].kind == context
    assert seen["context"].name == ("public pages" if context == "system" else "")
    assert current().name == "tests"  # the request's context ended with it
