"""A generated leak matrix: roles x organisations x protocol states x surfaces.

The world is built once for the module, inside a transaction rolled back at the end (every test runs in a
savepoint within it). Each protocol state has its own owning partner agency and its own three records
(a concern and an OFFICIAL-SENSITIVE concern that name their reporter in their personal fields and free
text, and a community contact), so the twelve states live side by side: each owner's records go to the
same recipient agency only under its own state's protocol or share. The owning organisation's people
belong to all twelve owners. Personal values carry a marker unique to the state and record
(`Quartermain03C`, `zq.03c@`): wherever personal data is not covered, the marker must appear nowhere in
the response bytes; where it is covered, it must appear on the detail page (so the test can fail).

Expected visibility is computed from the rules in `expected()`, not written per case:

- the owner sees its own records whole; the other organisations (a non-party agency, the force that
  is a party but no recipient, a neighbourhood team, another force) see none of them;
- the recipient sees them only under a live flow (active, started, not ended, of the protocol's current
  version) or an unexpired one-off share; whole only with personal data; the OFFICIAL-SENSITIVE concern
  only under a protocol allowing OFFICIAL-SENSITIVE (one-off shares here are of the other two).

Surfaces and what runs where:

- (a) `Model.objects.visible_to(user)`: the full product, every role in every organisation it fits
  (officers and managers in police organisations, partner users in partner agencies, information
  governance and non-superuser administrators everywhere) x 12 states.
- (b)-(h), the pages: one representative role per organisation (a partner user in each agency, an
  officer in each police organisation; non-superuser administrators for the admin). Role does not enter
  the rules, and (a) shows it; the pages are what cost time. List-shaped surfaces (the contact and
  concern lists, searching them for a withheld name, the CSV export, the admin changelist, Open311's
  list, the report) are fetched once per user and asserted for every organisation in every state.
  Per-record requests run on the subset named at RECORD_CELLS and RECIPIENT_CELLS below.
- (f) Open311 keys are for partner agencies only (the API refuses police organisations), so those cells
  are skipped. (h) is the engagement-coverage report's figures and CSV (counts of the concerns a user
  may see); the open-data release is public, aggregate by design, and not per-user, so it is not here.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm.models import Contact
from organisations.models import OrganisationKind
from access.roles import Role
from partners.models import Concern
from sharing_protocols.models import Classification, ConcernShare, ContactShare, ProtocolStatus
from sharing_protocols.services import protocol_change_status
from sharing_protocols.shares import record_share
from tests.built_once import built_once_per_module
from tests.factories import (
    ConcernFactory, ContactFactory, ForceAreaFactory, ForceFactory, MembershipFactory, NeighbourhoodFactory, OrganisationFactory,
    TeamFactory, UserFactory,
)
from tests.sharing_protocols.conftest import publish_protocol

ORGANISATIONS = ("owner", "recipient", "non_party", "force", "team", "other_force")
POLICE = frozenset({"force", "team", "other_force"})
ROLES = ("officer", "manager", "partner_user", "information_governance", "administrator")
STATES = (
    "no_protocol", "draft", "active_with_personal_data", "active_without_personal_data", "active_official_only", "suspended",
    "terminated", "past_end_date", "not_yet_started", "superseded_without_the_flow", "one_off_share", "one_off_share_expired",
)
RECORDS = ("concern", "sensitive_concern", "contact")
HIDDEN, WITHHELD, WHOLE = "hidden", "withheld", "whole"
PERSONAL = {"concern": Concern.PERSONAL_FIELDS, "sensitive_concern": Concern.PERSONAL_FIELDS, "contact": Contact.PERSONAL_FIELDS}


def role_fits(role: str, organisation: str) -> bool:
    if role in (Role.OFFICER, Role.MANAGER):
        return organisation in POLICE
    if role == Role.PARTNER_USER:
        return organisation not in POLICE
    return True


PERSONAS = [(role, organisation) for role in ROLES for organisation in ORGANISATIONS if role_fits(role, organisation)]
REPRESENTATIVE = {organisation: Role.OFFICER if organisation in POLICE else Role.PARTNER_USER for organisation in ORGANISATIONS}


def expected(state: str, organisation: str, record: str) -> str:
    if organisation == "owner":
        return WHOLE
    if organisation != "recipient":
        return HIDDEN
    if state == "active_with_personal_data":
        return WHOLE
    if state == "active_without_personal_data":
        return WITHHELD
    if state == "active_official_only":
        return HIDDEN if record == "sensitive_concern" else WHOLE
    if state == "one_off_share":
        return HIDDEN if record == "sensitive_concern" else WITHHELD
    return HIDDEN


def code(state: str) -> str:
    return f"{STATES.index(state):02d}"


def markers(state: str, record: str) -> list[str]:
    """Strings that only this record's personal fields hold (surname in the name and free text, email)."""
    letter = {"concern": "C", "sensitive_concern": "S", "contact": "K"}[record]
    return [f"Quartermain{code(state)}{letter}", f"zq.{code(state)}{letter.lower()}@"]


@dataclass
class World:
    organisations: dict = field(default_factory=dict)  # name -> Organisation; "owner" is per state in owners
    owners: dict = field(default_factory=dict)  # state -> Organisation
    users: dict = field(default_factory=dict)  # (role, organisation name) -> User (owners: a member of every state's owner)
    records: dict = field(default_factory=dict)  # state -> {record name: instance}
    neighbourhoods: dict = field(default_factory=dict)  # state -> Neighbourhood
    keys: dict = field(default_factory=dict)  # (organisation name, state or None) -> plaintext Open311 key
    responses: dict = field(default_factory=dict)  # cache of list-shaped surfaces

    def user(self, role: str, organisation: str, state: str):
        return self.users[(role, organisation)]

    def key(self, organisation: str, state: str):
        return self.keys[(organisation, state if organisation == "owner" else None)]

    def pks(self, model) -> list[int]:
        return [r.pk for records in self.records.values() for r in records.values() if isinstance(r, model)]


def make_user(world: World, role: str, organisation_name: str, organisations):
    from crm.demo import administrators_group

    user = UserFactory(username=f"{role}-{organisation_name}".replace("_", "-"), is_staff=role == Role.ADMINISTRATOR)
    for organisation in organisations:
        MembershipFactory(user=user, organisation=organisation, role=role, warranted=role == Role.OFFICER)
    if role == Role.ADMINISTRATOR:
        user.groups.add(administrators_group())
    world.users[(role, organisation_name)] = user
    return user


def set_up_state(state: str, *, owner, recipient, force, owner_user, records) -> None:
    """Publish (through the services) or share what the state needs; nothing for no_protocol."""
    common = {"provider": owner, "recipient": recipient, "others": [force], "lead": force, "reference": f"leak-{state}".replace("_", "-")}
    sensitive = Classification.OFFICIAL_SENSITIVE
    if state == "draft":
        publish_protocol(**common, personal=True, classification=sensitive, status=ProtocolStatus.DRAFT)
    elif state == "active_with_personal_data":
        publish_protocol(**common, personal=True, classification=sensitive)
    elif state == "active_without_personal_data":
        publish_protocol(**common, personal=False, classification=sensitive)
    elif state == "active_official_only":
        publish_protocol(**common, personal=True, classification=Classification.OFFICIAL)
    elif state in ("suspended", "terminated"):
        version = publish_protocol(**common, personal=True, classification=sensitive)
        protocol_change_status(protocol=version.protocol, status=state, acting_user=None, reason="The partnership paused")
    elif state == "past_end_date":
        publish_protocol(**common, personal=True, classification=sensitive, starts_in_days=-400, ends_in_days=-1)
    elif state == "not_yet_started":
        publish_protocol(**common, personal=True, classification=sensitive, starts_in_days=5)
    elif state == "superseded_without_the_flow":
        version = publish_protocol(**common, personal=True, classification=sensitive)
        publish_protocol(**common, protocol=version.protocol, categories=("priorities",), personal=True, classification=sensitive)
    elif state in ("one_off_share", "one_off_share_expired"):
        for name in ("concern", "contact"):
            share = record_share(record=records[name], organisation=recipient, reason=f"Joint visit {code(state)}",
                                 expires_at=timezone.now() + timedelta(days=7), includes_personal_data=False, acting_user=owner_user)
            if state == "one_off_share_expired":
                type(share).objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def build_world() -> World:
    from crm.vocabulary_seed import seed_vocabularies
    from partners.api_keys import api_key_issue

    seed_vocabularies(apps)  # live-server tests elsewhere flush the seeded rows
    world = World()
    force = ForceFactory(name="Leak Constabulary", slug="leak-force")
    orgs = world.organisations
    orgs.update(
        recipient=OrganisationFactory(name="Leak Borough Council", slug="leak-council", kind=OrganisationKind.COUNCIL),
        non_party=OrganisationFactory(name="Leak Fire and Rescue", slug="leak-fire", kind=OrganisationKind.FIRE_AND_RESCUE),
        force=force, team=TeamFactory(name="Leak neighbourhood team", slug="leak-team", parent=force),
        other_force=ForceFactory(name="Leak Other Constabulary", slug="leak-other-force"),
    )
    for name, organisation in orgs.items():
        for role in ROLES:
            if role_fits(role, name):
                make_user(world, role, name, [organisation])
        if name not in POLICE:
            world.keys[(name, None)] = api_key_issue(organisation=organisation, name="Case system",
                                                     acting_user=world.users[(Role.PARTNER_USER, name)])[1]
    area = ForceAreaFactory(force=force, code="leak-area", name="Leak force area")
    for state in STATES:
        world.owners[state] = OrganisationFactory(name=f"Leak Housing Trust {code(state)}", slug=f"leak-owner-{code(state)}",
                                                  kind=OrganisationKind.HOUSING)
    # The owning organisation's people belong to every state's owner: each record is their own.
    for role in ROLES:
        if role_fits(role, "owner"):
            make_user(world, role, "owner", world.owners.values())
    owner_user = world.users[(Role.PARTNER_USER, "owner")]
    for state in STATES:
        owner = world.owners[state]
        world.keys[("owner", state)] = api_key_issue(organisation=owner, name="Case system", acting_user=owner_user)[1]
        neighbourhood = world.neighbourhoods[state] = NeighbourhoodFactory(force_area=area, code=f"LEAK{code(state)}", name=f"Leak {code(state)}")
        records = {}
        for name, classification in (("concern", Classification.OFFICIAL), ("sensitive_concern", Classification.OFFICIAL_SENSITIVE)):
            surname, email = markers(state, name)
            records[name] = ConcernFactory(
                organisation=owner, classification=classification, neighbourhood=neighbourhood, place=f"Dock Street {code(state)}",
                reporter_name=f"Zebedee {surname}", reporter_email=f"{email}example.org", reporter_phone="01229 000000",
                holds_personal_data=True, description=f"Zebedee {surname} says sofas are dumped in the lane every week.",
            )
        surname, email = markers(state, "contact")
        records["contact"] = ContactFactory(organisation=owner, first_name="Zebedee", last_name=surname, email=f"{email}example.org",
                                            postcode="LA14 1AB", notes=f"Met {surname} at the surgery.")
        world.records[state] = records
        set_up_state(state, owner=owner, recipient=orgs["recipient"], force=force, owner_user=owner_user, records=records)
    return world


world = built_once_per_module(build_world)


pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_no_markers(content: bytes, state: str, organisation: str, *, where: str) -> None:
    """No personal marker of a record this organisation may not read whole is anywhere in `content`."""
    for record in RECORDS:
        if expected(state, organisation, record) != WHOLE:
            for marker in markers(state, record):
                assert marker.encode() not in content, f"{where}: {marker} ({state}, {record}) leaked to {organisation}"


def cached(world: World, key, fetch):
    if key not in world.responses:
        world.responses[key] = fetch()
    return world.responses[key]


# -- (a) visible_to: the full product -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(("role", "organisation"), PERSONAS, ids=[f"{r}-{o}" for r, o in PERSONAS])
def test_visible_to_returns_exactly_what_the_protocols_allow(world, role, organisation, state):
    user = world.user(role, organisation, state)
    records = world.records[state]
    # One read per user and model covers every state's records (they live side by side).
    seen = cached(world, ("visible_to", user.pk), lambda: {
        **{("concern", c.pk): c for c in Concern.objects.visible_to(user).filter(pk__in=world.pks(Concern))},
        **{("contact", c.pk): c for c in Contact.objects.visible_to(user).filter(pk__in=world.pks(Contact))},
    })
    for name, record in records.items():
        expectation = expected(state, organisation, name)
        row = seen.get(("contact" if name == "contact" else "concern", record.pk))
        if expectation == HIDDEN:
            assert row is None, f"{name} leaked to {role} at {organisation} ({state})"
            continue
        assert row is not None, f"{role} at {organisation} should see {name} ({state})"
        assert row.is_shared is (organisation != "owner")
        if expectation == WHOLE:
            assert row.withheld_fields == frozenset()
            assert all(getattr(row, f) == getattr(record, f) for f in PERSONAL[name])
        else:
            assert row.withheld_fields == frozenset(PERSONAL[name])
            assert all(getattr(row, f) in ("", None) for f in PERSONAL[name])
            assert not any(marker in str(vars(row)) for marker in markers(state, name))


# -- (b) list pages and search; (g) the concern list ----------------------------------------------------------------


def list_page(world, organisation, state, url_name, query=""):
    user = world.user(REPRESENTATIVE[organisation], organisation, state)
    key = (url_name, query, user.pk)
    return cached(world, key, lambda: client_for(user).get(reverse(url_name) + query))


SURFACE_CELLS = [(organisation, state) for organisation in ORGANISATIONS for state in STATES]
CELL_IDS = [f"{o}-{s}" for o, s in SURFACE_CELLS]
# Per-record requests (detail and edit pages) cost a request each, so they run on a subset: every state
# for the recipient (where the rules decide); two states for the owner (it sees its own whole whatever the
# protocol); for the others, the two states in which the recipient is let in by each route (a protocol
# without personal data, a one-off share), where a grant bleeding to the wrong organisation would show.
# The admin's change page and Open311's single request run for the recipient in every state. The
# list-shaped surfaces above cover every organisation in every state.
GRANTING = ("active_without_personal_data", "one_off_share")
RECORD_CELLS = ([("recipient", s) for s in STATES] + [("owner", s) for s in ("active_with_personal_data", "one_off_share")]
                + [(o, s) for o in ("non_party", "force", "team", "other_force") for s in GRANTING])
RECIPIENT_CELLS = [("recipient", s) for s in STATES]
RECORD_CELL_IDS = [f"{o}-{s}" for o, s in RECORD_CELLS]


@pytest.mark.parametrize(("organisation", "state"), SURFACE_CELLS, ids=CELL_IDS)
@pytest.mark.parametrize(("url_name", "detail", "names"), [
    ("crm:contact-list", "crm:contact-detail", ("contact",)),
    ("partners:concern-list", "partners:concern-detail", ("concern", "sensitive_concern")),
], ids=["contacts", "concerns"])
def test_list_pages_show_exactly_the_visible_rows_and_no_withheld_text(world, organisation, state, url_name, detail, names):
    response = list_page(world, organisation, state, url_name)
    assert response.status_code == 200
    for name in names:
        link = f'href="{reverse(detail, args=[world.records[state][name].pk])}"'.encode()
        assert (link in response.content) is (expected(state, organisation, name) != HIDDEN), f"{name} on {url_name}"
    assert_no_markers(response.content, state, organisation, where=url_name)


@pytest.mark.parametrize(("organisation", "state"), SURFACE_CELLS, ids=CELL_IDS)
@pytest.mark.parametrize(("url_name", "detail", "names"), [
    ("crm:contact-list", "crm:contact-detail", ("contact",)),
    ("partners:concern-list", "partners:concern-detail", ("concern", "sensitive_concern")),
], ids=["contacts", "concerns"])
def test_searching_for_a_withheld_name_finds_nothing(world, organisation, state, url_name, detail, names):
    """A search is an oracle: a row found by a name the user may not read would give the name away. Every
    marker holds "Quartermain", so one search per user covers every state."""
    response = list_page(world, organisation, state, url_name, query="?q=Quartermain")
    assert response.status_code == 200
    for name in names:
        link = f'href="{reverse(detail, args=[world.records[state][name].pk])}"'.encode()
        assert (link in response.content) is (expected(state, organisation, name) == WHOLE), f"searching a name on {url_name}"
    assert_no_markers(response.content, state, organisation, where=f"{url_name} search")


# -- (c) detail pages: 200 with the record, else 404 (never 403); edit pages of shared records 404 too ---------------

DETAIL_URLS = {"concern": "partners:concern-detail", "sensitive_concern": "partners:concern-detail", "contact": "crm:contact-detail"}
EDIT_URLS = {"concern": ("partners:concern-edit", "partners:concern-close"), "sensitive_concern": ("partners:concern-edit",),
             "contact": ("crm:contact-edit",)}


@pytest.mark.parametrize(("organisation", "state"), RECORD_CELLS, ids=RECORD_CELL_IDS)
def test_detail_pages_answer_200_or_404_and_never_show_withheld_text(world, organisation, state):
    client = client_for(world.user(REPRESENTATIVE[organisation], organisation, state))
    for name, record in world.records[state].items():
        expectation = expected(state, organisation, name)
        response = client.get(reverse(DETAIL_URLS[name], args=[record.pk]))
        assert response.status_code == (404 if expectation == HIDDEN else 200), f"{name} detail"
        assert_no_markers(response.content, state, organisation, where=f"{name} detail")
        if expectation == WHOLE:
            assert all(marker.encode() in response.content for marker in markers(state, name)), f"{name} detail lacks its own data"


@pytest.mark.parametrize(("organisation", "state"), RECORD_CELLS, ids=RECORD_CELL_IDS)
def test_edit_pages_answer_404_for_everyone_but_the_owner(world, organisation, state):
    """Invisible records and visible shared ones alike: the edit URL says nothing (404, never 403)."""
    client = client_for(world.user(REPRESENTATIVE[organisation], organisation, state))
    for name, record in world.records[state].items():
        for url_name in EDIT_URLS[name]:
            response = client.get(reverse(url_name, args=[record.pk]))
            assert response.status_code == (200 if organisation == "owner" else 404), f"{url_name} of {name}"
            assert_no_markers(response.content, state, organisation, where=url_name)


# -- (d) the CRM's CSV export -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("organisation", "state"), SURFACE_CELLS, ids=CELL_IDS)
def test_the_csv_export_holds_exactly_the_visible_contacts_without_withheld_fields(world, organisation, state):
    user = world.user(REPRESENTATIVE[organisation], organisation, state)
    def export():
        response = client_for(user).post(reverse("crm:export"), {"what": "contacts", "file_format": "csv"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        return b"".join(response.streaming_content) if response.streaming else response.content

    content = cached(world, ("export", user.pk), export)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    ids = {row[0] for row in rows[1:]}
    contact = world.records[state]["contact"]
    assert (str(contact.pk) in ids) is (expected(state, organisation, "contact") != HIDDEN), rows[0]
    assert_no_markers(content, state, organisation, where="contacts export")


# -- (e) the admin, for staff who are not superusers --------------------------------------------------------------


@pytest.mark.parametrize(("organisation", "state"), SURFACE_CELLS, ids=CELL_IDS)
def test_the_admin_changelist_holds_exactly_the_visible_contacts(world, organisation, state):
    user = world.user(Role.ADMINISTRATOR, organisation, state)
    assert user.is_staff and not user.is_superuser
    response = cached(world, ("admin", user.pk), lambda: client_for(user).get(reverse("admin:crm_contact_changelist")))
    assert response.status_code == 200
    contact = world.records[state]["contact"]
    link = f'href="{reverse("admin:crm_contact_change", args=[contact.pk])}"'.encode()
    assert (link in response.content) is (expected(state, organisation, "contact") != HIDDEN)
    assert_no_markers(response.content, state, organisation, where="admin changelist")


@pytest.mark.parametrize(("organisation", "state"), RECIPIENT_CELLS, ids=[f"{o}-{s}" for o, s in RECIPIENT_CELLS])
def test_the_admin_change_page_opens_only_visible_contacts(world, organisation, state):
    user = world.user(Role.ADMINISTRATOR, organisation, state)
    contact = world.records[state]["contact"]
    change = client_for(user).get(reverse("admin:crm_contact_change", args=[contact.pk]))
    # The admin sends a missing (or invisible) object to its index with a message: a 302, never the record.
    assert change.status_code == (200 if expected(state, organisation, "contact") != HIDDEN else 302)
    assert_no_markers(change.content, state, organisation, where="admin change page")


# -- (f) Open311 GET requests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("organisation", "state"), SURFACE_CELLS, ids=CELL_IDS)
def test_open311_requests_hold_exactly_the_visible_concerns(world, organisation, state):
    if organisation in POLICE:
        pytest.skip("Open311 keys are issued to partner agencies only; the police have none to read with.")
    plaintext = world.key(organisation, state)
    response = cached(world, ("open311", plaintext), lambda: Client().get(reverse("open311:requests", kwargs={"fmt": "json"}), {"api_key": plaintext}))
    assert response.status_code == 200
    ids = {item["service_request_id"] for item in json.loads(response.content)}
    for name in ("concern", "sensitive_concern"):
        record = world.records[state][name]
        assert (str(record.pk) in ids) is (expected(state, organisation, name) != HIDDEN), name
    assert_no_markers(response.content, state, organisation, where="Open311 requests")


@pytest.mark.parametrize(("organisation", "state"), RECIPIENT_CELLS, ids=[f"{o}-{s}" for o, s in RECIPIENT_CELLS])
def test_open311_answers_404_for_a_concern_the_key_may_not_read(world, organisation, state):
    plaintext = world.key(organisation, state)
    for name in ("concern", "sensitive_concern"):
        record = world.records[state][name]
        single = Client().get(reverse("open311:request", kwargs={"pk": record.pk, "fmt": "json"}), {"api_key": plaintext})
        assert single.status_code == (404 if expected(state, organisation, name) == HIDDEN else 200), name
        assert_no_markers(single.content, state, organisation, where="Open311 request")


# -- (h) the engagement-coverage report's figures and CSV --------------------------------------------------------------


@pytest.mark.parametrize(("organisation", "state"), SURFACE_CELLS, ids=CELL_IDS)
def test_the_report_counts_exactly_the_visible_concerns(world, organisation, state):
    from reports.figures import ReportScope, report_figures
    from reports.rendering import figure_rows, figures_csv

    user = world.user(REPRESENTATIVE[organisation], organisation, state)
    today = timezone.localdate()
    scope = ReportScope(period_start=today - timedelta(days=30), period_end=today,
                        neighbourhood_ids=tuple(n.pk for n in world.neighbourhoods.values()))

    def build():
        figures = report_figures(user=user, scope=scope)
        return figures, figures_csv(figure_rows(figures, protocols=[]), marking_label="OFFICIAL")

    figures, content = cached(world, ("report", user.pk), build)
    counts = {n.pk: n.concerns for n in figures.neighbourhoods}
    visible = sum(expected(state, organisation, name) != HIDDEN for name in ("concern", "sensitive_concern"))
    assert counts[world.neighbourhoods[state].pk] == visible
    assert_no_markers(content, state, organisation, where="report CSV")


# -- guardian: a one-off share is a django-guardian object permission ------------------------------------------------


def test_a_one_off_share_is_an_object_permission_guardian_itself_can_read(world):
    """The shares are guardian's direct-foreign-key group permissions, so guardian's own API answers for them."""
    from guardian.shortcuts import get_objects_for_group

    recipient = world.organisations["recipient"]
    shared = world.records["one_off_share"]
    assert ConcernShare.objects.filter(content_object=shared["concern"]).exists()
    assert ContactShare.objects.filter(content_object=shared["contact"]).exists()
    concerns = get_objects_for_group(recipient.group, "partners.view_concern", klass=Concern, accept_global_perms=False)
    # Guardian knows no expiry: it lists the expired share's record too; visible_to does not (see the matrix).
    assert {shared["concern"].pk, world.records["one_off_share_expired"]["concern"].pk} == set(concerns.values_list("pk", flat=True))


# -- every detail and edit URL of the CRM: 404 for the invisible, 404 for edits of the shared ------------------------

CRM_PAGES = [
    # (factory, category, detail URL, URLs that change the record)
    (ContactFactory, "contacts", "crm:contact-detail", ["crm:contact-edit"]),
    ("partner_contact", "partner_contacts", "crm:partner-contact-detail", ["crm:partner-contact-edit"]),
    ("group", "community_groups", "crm:group-detail", ["crm:group-edit"]),
    ("advisory", "advisory_groups", "crm:advisory-detail", ["crm:advisory-edit", "crm:advisory-member-add", "crm:advisory-advice-add"]),
    ("engagement", "engagements", "crm:engagement-detail", ["crm:engagement-edit", "crm:engagement-visit-add"]),
    ("priority", "priorities", "crm:priority-detail", ["crm:priority-action-add"]),
    (ConcernFactory, "concerns", "partners:concern-detail", ["partners:concern-edit", "partners:concern-close"]),
]


def make_record(kind, organisation):
    from tests.factories import AdvisoryGroupFactory, CommunityGroupFactory, EngagementFactory, PartnerContactFactory, PriorityFactory

    factories = {"partner_contact": PartnerContactFactory, "group": CommunityGroupFactory, "advisory": AdvisoryGroupFactory,
                 "engagement": EngagementFactory, "priority": PriorityFactory}
    return (factories.get(kind) or kind)(organisation=organisation)


@pytest.mark.parametrize(("kind", "category", "detail", "changes"), CRM_PAGES, ids=[row[1] for row in CRM_PAGES])
def test_every_record_page_answers_404_to_those_who_may_not_see_or_change_it(client, kind, category, detail, changes, force, team, council,
                                                                                  partner_user, outsider):
    """Shared (visible, read-only) records: detail 200, every changing URL 404. Invisible: all 404. A page
    gated by role (police only) may answer 403, but then exactly as it does for a record that does not
    exist, so the answer says nothing about the record."""
    holder = council if category == "concerns" else team
    recipient = force if category == "concerns" else council
    record = make_record(kind, holder)
    publish_protocol(provider=council if category == "concerns" else force, recipient=recipient, categories=(category,), personal=True)
    shared_with = partner_user if recipient == council else None
    if shared_with is None:
        shared_with = UserFactory(username="pc-recipient")
        MembershipFactory(user=shared_with, organisation=force, role=Role.OFFICER)
    missing = 2_000_000_000
    for user, sees in ((shared_with, True), (outsider, False)):
        client.force_login(user)
        assert client.get(reverse(detail, args=[record.pk])).status_code == (200 if sees else 404), (user, detail)
        for url_name in changes:
            status, status_missing = (client.get(reverse(url_name, args=[pk])).status_code for pk in (record.pk, missing))
            assert status == status_missing and status in (403, 404), (user, url_name, status, status_missing)


# -- (i) the information-governance pages: who can see a record, the protocol register, the disclosure log ----------

IG = Role.INFORMATION_GOVERNANCE
RECORD_LABELS = {"concern": "partners.concern", "sensitive_concern": "partners.concern", "contact": "crm.contact"}
PROTOCOL_STATES = [state for state in STATES if not state.startswith(("no_protocol", "one_off_share"))]
PARTIES = ("owner", "recipient", "force")  # set_up_state: the owner provides, the recipient receives, the force leads


@pytest.mark.parametrize(("organisation", "state"), RECORD_CELLS, ids=RECORD_CELL_IDS)
def test_who_can_see_answers_the_holder_wholly_a_recipient_for_itself_and_anyone_else_404(world, organisation, state):
    """The holder's IG sees every organisation (the recipient listed exactly when it can read the record); the
    recipient's IG sees only its own access, and only where it can read the record; everyone else gets 404.
    A one-off share's reason reaches only the holder and the organisation it was shared with."""
    recipient = world.organisations["recipient"]
    ig, other_role = client_for(world.user(IG, organisation, state)), client_for(world.user(REPRESENTATIVE[organisation], organisation, state))
    for name, record in world.records[state].items():
        url = reverse("sharing:who-can-see", args=[RECORD_LABELS[name], record.pk])
        assert other_role.get(url).status_code == 404, f"{name}: only information governance asks"
        response = ig.get(url)
        reaches_recipient = expected(state, "recipient", name) != HIDDEN
        if organisation == "owner":
            assert response.status_code == 200
            listed = {reason.organisation for reason in response.context["reasons"]}
            assert (recipient in listed) is reaches_recipient, f"{name}: the holder's answer about the recipient"
        elif expected(state, organisation, name) == HIDDEN:
            assert response.status_code == 404, f"{name}: {organisation} cannot read it, so cannot ask"
        else:
            assert response.status_code == 200
            assert {reason.organisation for reason in response.context["reasons"]} == {recipient}
        if organisation not in ("owner", "recipient"):
            assert f"Joint visit {code(state)}".encode() not in response.content
        assert_no_markers(response.content, state, organisation, where=f"who can see {name}")


@pytest.mark.parametrize("organisation", ORGANISATIONS)
def test_the_register_shows_a_protocol_only_to_its_parties_governance(world, organisation):
    from sharing_protocols.models import SharingProtocol

    ig = client_for(world.user(IG, organisation, None))
    listing = ig.get(reverse("sharing:protocol-list"))
    assert listing.status_code == 200
    assert client_for(world.user(REPRESENTATIVE[organisation], organisation, None)).get(reverse("sharing:protocol-list")).status_code == 403
    for state in PROTOCOL_STATES:
        protocol = SharingProtocol.objects.get(reference=f"leak-{state}".replace("_", "-"))
        party = organisation in PARTIES
        assert (f"Protocol {protocol.reference}<" in listing.content.decode()) is party, (state, "list")
        for url in (reverse("sharing:protocol-detail", args=[protocol.pk]), reverse("sharing:protocol-version", args=[protocol.pk, 1])):
            response = ig.get(url)
            assert response.status_code == (200 if party else 404), (state, url)
            assert_no_markers(response.content, state, organisation, where=url)


@pytest.mark.parametrize("organisation", ORGANISATIONS)
def test_the_disclosure_log_page_shows_an_organisation_only_its_own_entries(world, organisation):
    """Share reasons and protocol steps reach the governance of the organisations they concern, and no other."""
    ig = client_for(world.user(IG, organisation, None))
    response = ig.get(reverse("sharing:disclosure-log"))
    assert response.status_code == 200
    assert client_for(world.user(REPRESENTATIVE[organisation], organisation, None)).get(reverse("sharing:disclosure-log")).status_code == 403
    page = response.content.decode()
    for state in ("one_off_share", "one_off_share_expired"):
        assert (f"Joint visit {code(state)}" in page) is (organisation in ("owner", "recipient")), (state, organisation)
    for state in PROTOCOL_STATES:
        reference = f"leak-{state}".replace("_", "-") + " v1"
        assert (reference in page) is (organisation in PARTIES), (state, organisation)
        assert_no_markers(response.content, state, organisation, where="disclosure log")
    csv_export = ig.get(reverse("sharing:disclosure-log"), {"format": "csv"})
    content = b"".join(csv_export.streaming_content)
    assert (b"Joint visit" in content) is (organisation in ("owner", "recipient"))
