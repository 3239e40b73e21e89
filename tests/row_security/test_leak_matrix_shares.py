"""Leak-matrix rows for the one-off share tables (row_security/migrations/0006): which record went to which
organisation is itself sensitive, so a share is read only by the organisation that shared it (the record's
holder, or the force it belongs to) and the organisation it went to, and written only by the one that shared it.

Read with the ORM's predicate switched off (access.visibility.ORM_PREDICATE) and with it on: shares have no ORM
door of their own, so a bare query is what row-level security lets through; the records they share still read
exactly as the grant set says, whose resolver reads the shares under that same lock."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from access import visibility
from access.grants import forget_kept_grants, grant_scope, grants_for
from access.roles import Role
from crm.models import CommunityGroup, Contact, Engagement, Priority
from organisations.models import OrganisationKind
from partners.models import Concern
from row_security.context import no_context, system_context, viewer_context
from sharing_protocols.shares import organisation_group, record_share, record_share_revoke, share_model_for, view_permission
from tests.built_once import built_once_per_module
from tests.factories import (CommunityGroupFactory, ConcernFactory, ContactFactory, EngagementFactory, ForceFactory, MembershipFactory,
                             NeighbourhoodFactory, OrganisationFactory, PriorityFactory, TeamFactory, UserFactory)

pytestmark = pytest.mark.django_db

MODELS = (Concern, Contact, CommunityGroup, Engagement, Priority)
READERS = ("owner", "recipient", "non_party", "force")
# (holder, shared with, live): a live share and an expired one from the owner to the recipient, one from the
# force's team to the recipient, and one from the owner to the non-party.
SHARES = (("owner", "recipient", True), ("owner", "recipient", False), ("team", "recipient", True), ("owner", "non_party", True))


@dataclass
class World:
    organisations: dict = field(default_factory=dict)  # name -> Organisation
    users: dict = field(default_factory=dict)  # reader -> User
    shares: dict = field(default_factory=dict)  # (model, holder, shared with, live) -> share
    own: dict = field(default_factory=dict)  # reader -> the organisation names it reads as its own

    def pks(self, model) -> set[int]:
        return {share.pk for (shared_model, *_), share in self.shares.items() if shared_model is model}

    def expected(self, reader: str, model) -> set[int]:
        """The rule, written out: a share is read by the organisations that shared it and that received it."""
        return {share.pk for (shared_model, holder, recipient, _), share in self.shares.items()
                if shared_model is model and {holder, recipient} & self.own[reader]}

    def shared_records(self, reader: str, model) -> set[int]:
        """What the reader receives by one-off share: the records of the live shares to its organisations."""
        return {share.content_object_id for (shared_model, _, recipient, live), share in self.shares.items()
                if shared_model is model and live and recipient in self.own[reader]}


def _record(model, organisation, neighbourhood):
    if model is Concern:
        return ConcernFactory(organisation=organisation)
    if model is Contact:
        return ContactFactory(organisation=organisation)
    if model is CommunityGroup:
        return CommunityGroupFactory(organisation=organisation)
    if model is Engagement:
        return EngagementFactory(organisation=organisation)
    return PriorityFactory(organisation=organisation, neighbourhood=neighbourhood)


def build_world() -> World:
    world = World()
    force = ForceFactory(name="Share Leak Constabulary", slug="share-leak-force")
    world.organisations = {
        "owner": OrganisationFactory(name="Share Leak Housing Trust", slug="share-leak-owner", kind=OrganisationKind.HOUSING),
        "recipient": OrganisationFactory(name="Share Leak Borough Council", slug="share-leak-council", kind=OrganisationKind.COUNCIL),
        "non_party": OrganisationFactory(name="Share Leak Fire and Rescue", slug="share-leak-fire", kind=OrganisationKind.FIRE_AND_RESCUE),
        "force": force,
        "team": TeamFactory(name="Share Leak North Team", slug="share-leak-team", parent=force),
    }
    world.own = {"owner": {"owner"}, "recipient": {"recipient"}, "non_party": {"non_party"}, "force": {"force", "team"}}
    for reader in READERS:
        world.users[reader] = UserFactory(username=f"share-leak-{reader}".replace("_", "-"))
        role = Role.OFFICER if reader == "force" else Role.PARTNER_USER
        MembershipFactory(user=world.users[reader], organisation=world.organisations[reader], role=role, warranted=role == Role.OFFICER)
    neighbourhood = NeighbourhoodFactory()
    for model in MODELS:
        for holder, recipient, live in SHARES:
            record = _record(model, world.organisations[holder], neighbourhood)
            sharer = world.users["force" if holder == "team" else holder]
            share = record_share(record=record, organisation=world.organisations[recipient], reason="Joint visit", includes_personal_data=False,
                                 expires_at=timezone.now() + timedelta(days=7), acting_user=sharer)
            if not live:
                type(share).objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
            world.shares[(model, holder, recipient, live)] = share
    return world


world = built_once_per_module(build_world)


@pytest.fixture(params=[False, True], ids=["row-level-security-alone", "with-the-orm-predicate"])
def orm_predicate(request, monkeypatch):
    monkeypatch.setattr(visibility, "ORM_PREDICATE", request.param)
    return request.param


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


CELLS = [(reader, model) for reader in READERS for model in MODELS]
CELL_IDS = [f"{reader}-{model._meta.model_name}" for reader, model in CELLS]


@pytest.mark.parametrize(("reader", "model"), CELLS, ids=CELL_IDS)
def test_a_bare_query_reads_only_the_shares_an_organisation_made_or_received(world, orm_predicate, reader, model):
    share_model = share_model_for(model)
    with viewer_context(world.users[reader]):
        bare = _ids(share_model._base_manager.filter(pk__in=world.pks(model)))
        everything = _ids(share_model.objects.all())
    assert bare == world.expected(reader, model), f"{share_model.__name__} as {reader}"
    assert everything & world.pks(model) == bare, "objects.all() reads no more than the filtered query"


@pytest.mark.parametrize(("reader", "model"), CELLS, ids=CELL_IDS)
def test_the_resolver_reads_the_shares_under_the_lock_and_the_records_follow(world, orm_predicate, reader, model):
    """The grant set's share ids come from the share tables read under row-level security (the resolver's own
    minimal context), and the shared records read through visible_to and bare agree with them."""
    user = world.users[reader]
    records = {share.content_object_id for (shared_model, *_), share in world.shares.items() if shared_model is model}
    holders = {share.content_object_id for (shared_model, holder, *_), share in world.shares.items()
               if shared_model is model and holder in world.own[reader]}
    forget_kept_grants()
    with viewer_context(user):
        assert grants_for(user).shared_ids(share_model_for(model)) == world.shared_records(reader, model)
        through_the_door = _ids(model.objects.visible_to(user).filter(pk__in=records))
        bare = _ids(model._base_manager.filter(pk__in=records))
    assert through_the_door == bare == world.shared_records(reader, model) | holders, f"{model.__name__} as {reader}"


def test_with_no_context_no_share_is_read(world):
    with no_context():
        for model in MODELS:
            assert not share_model_for(model)._base_manager.filter(pk__in=world.pks(model)).exists(), model.__name__


def test_the_recipient_cannot_extend_end_or_pass_on_a_share_it_received(world):
    """WITH CHECK: the recipient reads its share, but only the organisation that shared may change or end it, and
    sharing a record it received makes the holder the sharer, which is not the recipient's to write."""
    share = world.shares[(Concern, "owner", "recipient", True)]
    ConcernShare = type(share)
    with viewer_context(world.users["recipient"]):
        assert ConcernShare._base_manager.filter(pk=share.pk).exists()
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            ConcernShare._base_manager.filter(pk=share.pk).update(expires_at=timezone.now() + timedelta(days=80))
        assert ConcernShare._base_manager.filter(pk=share.pk).delete()[0] == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            ConcernShare._base_manager.create(group=organisation_group(world.organisations["non_party"]), permission=view_permission(Concern),
                                              content_object_id=share.content_object_id, reason="Passed on",
                                              expires_at=timezone.now() + timedelta(days=1), sharing_organisation=world.organisations["recipient"])
        with pytest.raises(ValidationError):
            record_share(record=Concern._base_manager.get(pk=share.content_object_id), organisation=world.organisations["non_party"],
                         reason="Passed on", includes_personal_data=False, expires_at=timezone.now() + timedelta(days=1),
                         acting_user=world.users["recipient"])
    with system_context("tests: the share is unchanged", audit=False):
        assert ConcernShare._base_manager.get(pk=share.pk).expires_at == share.expires_at


def test_a_record_the_writer_cannot_read_cannot_be_shared(world):
    """The database names the sharer from the record, read under the writer's own lock: a record the writer
    cannot read leaves it empty, which the policy's WITH CHECK refuses (before NOT NULL would)."""
    share = world.shares[(Concern, "owner", "non_party", True)]
    ConcernShare = type(share)
    with viewer_context(world.users["recipient"]), pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        # bulk_create: straight to the database (guardian's save() would first fail to read the record in Python)
        ConcernShare._base_manager.bulk_create([ConcernShare(
            group=organisation_group(world.organisations["recipient"]), permission=view_permission(Concern), content_object_id=share.content_object_id,
            reason="Helping myself", expires_at=timezone.now() + timedelta(days=1), sharing_organisation=world.organisations["recipient"])])


def test_the_database_names_the_holder_as_the_sharer_whatever_the_writer_says(world):
    contact = ContactFactory(organisation=world.organisations["owner"])
    ContactShare = share_model_for(Contact)
    with viewer_context(world.users["owner"]):
        share = ContactShare._base_manager.create(
            group=organisation_group(world.organisations["recipient"]), permission=view_permission(Contact), content_object=contact,
            reason="Joint visit", expires_at=timezone.now() + timedelta(days=1), sharing_organisation=world.organisations["recipient"])
        assert ContactShare._base_manager.get(pk=share.pk).sharing_organisation_id == world.organisations["owner"].pk


def test_the_holder_shares_and_ends_a_share_in_its_own_context(world):
    engagement = EngagementFactory(organisation=world.organisations["owner"])
    owner, recipient = world.users["owner"], world.users["recipient"]
    with viewer_context(owner):
        share = record_share(record=engagement, organisation=world.organisations["recipient"], reason="Joint visit",
                             includes_personal_data=False, expires_at=timezone.now() + timedelta(days=3), acting_user=owner)
    forget_kept_grants()
    with viewer_context(recipient):
        assert engagement.pk in grants_for(recipient).shared_ids(type(share))
    with viewer_context(owner):
        record_share_revoke(share=type(share)._base_manager.get(pk=share.pk), acting_user=owner, reason="Visit done")
    with viewer_context(recipient):
        assert engagement.pk not in grants_for(recipient).shared_ids(type(share))
        assert not Engagement._base_manager.filter(pk=engagement.pk).exists()


def test_resolving_another_viewer_inside_a_transaction_leaves_this_context_in_force(world):
    """The resolver writes a minimal context of its own (the viewer it resolves): the next statement on a protected
    table writes this context's grant set again, so it reads as this viewer, never as the one just resolved."""
    records = {share.content_object_id for (model, *_), share in world.shares.items() if model is Concern}
    recipient, owner = world.users["recipient"], world.users["owner"]
    with viewer_context(recipient), transaction.atomic():
        before = _ids(Concern._base_manager.filter(pk__in=records))
        forget_kept_grants()
        with grant_scope():
            grants_for(owner)
        after = _ids(Concern._base_manager.filter(pk__in=records))
    assert before == after == world.shared_records("recipient", Concern)
