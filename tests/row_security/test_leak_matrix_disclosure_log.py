"""Leak-matrix rows for the disclosure log (row_security/migrations/0006): an organisation reads the entries filed
under it (its own reads and acts) or about its records (as holder), and the steps of the protocols it leads or is a
party to; it appends only such entries, and nobody changes or removes one. The hash chain runs across every
organisation: writers chain onto the last entry whoever filed it, and the verifier walks all of them.

Read with the ORM's predicate switched off and on: the log has no ORM door of its own (the log's page filters
in the view), so a bare query is what row-level security lets through."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import DatabaseError, connection, transaction

from access import visibility
from access.roles import Role
from organisations.models import AuditEvent, OrganisationKind
from row_security.context import no_context, system_context, viewer_context
from sharing_protocols.disclosures import disclosure_entry, disclosure_record, disclosure_record_many, verify_chain
from sharing_protocols.models import DisclosureAction, DisclosureEntry
from tests.built_once import built_once_per_module
from tests.factories import ContactFactory, ForceFactory, MembershipFactory, OrganisationFactory, TeamFactory, UserFactory
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = pytest.mark.django_db

READERS = ("holder", "recipient", "non_party", "force")


@dataclass
class World:
    organisations: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)  # name -> (entry, the readers that may read it)

    def pks(self) -> set[int]:
        return {entry.pk for entry, _ in self.entries.values()}

    def expected(self, reader: str) -> set[int]:
        return {entry.pk for entry, readers in self.entries.values() if reader in readers}


def build_world() -> World:
    world = World()
    force = ForceFactory(name="Log Leak Constabulary", slug="log-leak-force")
    world.organisations = {
        "holder": OrganisationFactory(name="Log Leak Housing Trust", slug="log-leak-holder", kind=OrganisationKind.HOUSING),
        "recipient": OrganisationFactory(name="Log Leak Borough Council", slug="log-leak-council", kind=OrganisationKind.COUNCIL),
        "non_party": OrganisationFactory(name="Log Leak Fire and Rescue", slug="log-leak-fire", kind=OrganisationKind.FIRE_AND_RESCUE),
        "force": force,
        "team": TeamFactory(name="Log Leak North Team", slug="log-leak-team", parent=force),
    }
    for reader in READERS:
        world.users[reader] = UserFactory(username=f"log-leak-{reader}".replace("_", "-"))
        MembershipFactory(user=world.users[reader], organisation=world.organisations[reader], role=Role.INFORMATION_GOVERNANCE)
    o = world.organisations
    holder_contact, team_contact = ContactFactory(organisation=o["holder"]), ContactFactory(organisation=o["team"])
    version = publish_protocol(provider=o["holder"], recipient=o["recipient"], lead=o["holder"], reference="log-leak-isp")

    def entry(**fields):
        return disclosure_record(user=world.users["holder"], action=DisclosureAction.READ, purpose="Leak matrix", **fields)

    world.entries = {
        "recipient read the holder's record": (entry(organisation=o["recipient"], record=holder_contact), {"holder", "recipient"}),
        "the holder read its own": (entry(organisation=o["holder"], record_type="crm.contact"), {"holder"}),
        "recipient read the team's record": (entry(organisation=o["recipient"], record=team_contact), {"recipient", "force"}),
        # Written before the holder was kept: read by the organisation it was filed under (the holder cannot be added
        # without breaking the chain, whose digest covers it once present).
        "an entry without a holder": (entry(organisation=o["non_party"], record_type="crm.contact", record_id=str(holder_contact.pk)),
                                      {"non_party"}),
        "a protocol step": (entry(organisation=o["holder"], record=version), {"holder", "recipient"}),
        "filed under no one": (entry(organisation=None, record_type="crm.contact"), set()),
    }
    return world


world = built_once_per_module(build_world)


@pytest.fixture(params=[False, True], ids=["row-level-security-alone", "with-the-orm-predicate"])
def orm_predicate(request, monkeypatch):
    monkeypatch.setattr(visibility, "ORM_PREDICATE", request.param)


@pytest.mark.parametrize("reader", READERS)
def test_a_bare_query_reads_only_the_entries_about_an_organisation_or_filed_under_it(world, orm_predicate, reader):
    with viewer_context(world.users[reader]):
        bare = set(DisclosureEntry.objects.filter(pk__in=world.pks()).values_list("pk", flat=True))
        everything = set(DisclosureEntry.objects.values_list("pk", flat=True))
    assert bare == world.expected(reader), reader
    assert everything & world.pks() == bare


def test_with_no_context_no_entry_is_read(world):
    with no_context():
        assert not DisclosureEntry.objects.filter(pk__in=world.pks()).exists()


def test_nobody_changes_or_removes_an_entry_not_even_system_work(world):
    """No UPDATE or DELETE policy at all: no row is found to change, in any context (and the trigger refuses any
    that were)."""
    entry, _ = world.entries["recipient read the holder's record"]
    for context in (viewer_context(world.users["recipient"]), system_context("tests: trying to change the log", audit=False)):
        with context:
            assert DisclosureEntry.objects.filter(pk=entry.pk).update(purpose="Nothing to see") == 0
            assert DisclosureEntry.objects.filter(pk=entry.pk).delete()[0] == 0
    with system_context("tests: reading the log", audit=False):
        assert DisclosureEntry.objects.get(pk=entry.pk).purpose == "Leak matrix"


def test_a_writer_appends_only_entries_about_its_own_organisations(world):
    o = world.organisations
    with viewer_context(world.users["recipient"]):
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            disclosure_record(user=world.users["recipient"], organisation=o["non_party"], action=DisclosureAction.READ,
                              record_type="crm.contact", holder=o["holder"], purpose="Filed under someone else")
        mine = disclosure_record(user=world.users["recipient"], organisation=o["recipient"], action=DisclosureAction.READ,
                                 record_type="crm.contact", holder=o["holder"], purpose="Filed under my own")
    assert mine.pk


def test_writers_in_different_organisations_chain_onto_each_other_and_the_log_verifies(world):
    """Each writer reads the last hash through hub_disclosure_chain_head(), whoever filed the last entry; it does
    not open the table to the writer's next statement. The verifier reads everything in an audited system context."""
    o = world.organisations
    with viewer_context(world.users["recipient"]):
        first = disclosure_record(user=world.users["recipient"], organisation=o["recipient"], action=DisclosureAction.READ,
                                  record_type="crm.contact", purpose="First")
    with viewer_context(world.users["non_party"]):
        second, third = disclosure_record_many([
            disclosure_entry(user=world.users["non_party"], organisation=o["non_party"], action=DisclosureAction.READ, record_type="crm.contact",
                             purpose=purpose) for purpose in ("Second", "Third")])
        assert not DisclosureEntry.objects.filter(pk=first.pk).exists(), "the chain head opened the log to the writer"
        with connection.cursor() as cursor:
            cursor.execute("SELECT public.hub_disclosure_chain_head()")
            assert cursor.fetchone()[0] == third.entry_hash
    assert second.previous_hash == first.entry_hash and third.previous_hash == second.entry_hash
    audited = AuditEvent.objects.filter(action="system.context", details__context="disclosure log check").count()
    with viewer_context(world.users["holder"]):
        report = verify_chain()
    with system_context("tests: counting the log", audit=False):
        assert report.intact and report.checked == DisclosureEntry.objects.count() >= len(world.entries) + 3
    assert AuditEvent.objects.filter(action="system.context", details__context="disclosure log check").count() == audited + 1



def test_an_entry_costs_the_same_queries_as_before_the_log_was_guarded(world, django_assert_num_queries):
    """A savepoint, the chain's lock, the chain head (hub_disclosure_chain_head(), where an ORM query read the last
    entry before), the INSERT (carrying the context's settings in front of it, in the same query) and the release."""
    o = world.organisations
    with viewer_context(world.users["recipient"]):
        disclosure_record(user=world.users["recipient"], organisation=o["recipient"], action=DisclosureAction.READ,
                          record_type="crm.contact", purpose="Warming the grant set")
        with django_assert_num_queries(5):
            disclosure_record(user=world.users["recipient"], organisation=o["recipient"], action=DisclosureAction.READ,
                              record_type="crm.contact", purpose="Counted")
