"""Leak-matrix rows for the tables guarded by row_security/migrations/0002 (engagements and their issues and
doorstep visits, community groups, advisory groups with their memberships and advice, priorities and their
actions, partner contacts, social media posts and topics), read with the ORM's predicate switched off
(access.visibility.ORM_PREDICATE): what a viewer reads is what PostgreSQL's row-level security lets through.

Each state of a protocol (or one-off share) gets an owning organisation holding one record of every kind;
the recipient may read them exactly when a live flow gives it the category, or the record (or its parent)
is shared with it one-off. Everyone else reads none of them. The history rows follow their records."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from access import visibility
from access.roles import Role
from crm.models import (AdvisoryAdvice, AdvisoryGroup, AdvisoryMembership, CommunityGroup, DoorstepVisit, Engagement,
                        EngagementIssue, PartnerContact, Priority, PriorityAction)
from digital.models import ConversationImport, Post, Topic
from organisations.models import OrganisationKind
from row_security.context import system_context, viewer_context
from sharing_protocols.models import Classification, DataCategory, ProtocolStatus
from sharing_protocols.services import protocol_change_status
from sharing_protocols.shares import record_share, share_model_for
from tests.built_once import built_once_per_module
from tests.factories import (AdvisoryAdviceFactory, AdvisoryGroupFactory, AdvisoryMembershipFactory, CommunityGroupFactory,
                             DoorstepVisitFactory, EngagementFactory, EngagementIssueFactory, ForceFactory, MembershipFactory,
                             NeighbourhoodFactory, OrganisationFactory, PartnerContactFactory, PriorityActionFactory, PriorityFactory,
                             UserFactory)
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = pytest.mark.django_db

STATES = ("no_protocol", "draft", "active_with_personal_data", "active_without_personal_data", "active_official_only",
          "suspended", "past_end_date", "one_off_share", "one_off_share_expired")
LIVE = frozenset({"active_with_personal_data", "active_without_personal_data", "active_official_only"})
ORGANISATIONS = ("owner", "recipient", "non_party", "force")
MODELS = (Engagement, EngagementIssue, DoorstepVisit, CommunityGroup, AdvisoryGroup, AdvisoryMembership, AdvisoryAdvice,
          Priority, PriorityAction, PartnerContact, Topic, Post)
# A child is shared with its parent: its own visibility is its parent's.
PARENT = {EngagementIssue: Engagement, DoorstepVisit: Engagement, AdvisoryMembership: AdvisoryGroup, PriorityAction: Priority}


def readable(state: str, organisation: str, model) -> bool:
    """The rule, written out: the owner reads its own; the recipient what a live flow or a live share gives."""
    if organisation == "owner":
        return True
    if organisation != "recipient":
        return False
    if state in LIVE:
        return True
    return state == "one_off_share" and share_model_for(PARENT.get(model, model)) is not None


@dataclass
class World:
    owners: dict = field(default_factory=dict)  # state -> Organisation
    users: dict = field(default_factory=dict)  # organisation name -> User
    records: dict = field(default_factory=dict)  # state -> {model: instance}

    def pks(self, model) -> set[int]:
        return {records[model].pk for records in self.records.values()}

    def expected(self, organisation: str, model) -> set[int]:
        return {records[model].pk for state, records in self.records.items() if readable(state, organisation, model)}


def _user(name: str, organisations, role: str):
    user = UserFactory(username=f"rls-more-{name}".replace("_", "-"))
    for organisation in organisations:
        MembershipFactory(user=user, organisation=organisation, role=role, warranted=role == Role.OFFICER)
    return user


def _records(owner, neighbourhood, non_party, n: int) -> dict:
    engagement = EngagementFactory(organisation=owner, title=f"Leak beat meeting {n}")
    advisory = AdvisoryGroupFactory(organisation=owner)
    priority = PriorityFactory(organisation=owner, neighbourhood=neighbourhood)
    upload = ConversationImport(organisation=owner, original_name="mentions.csv", file_format="generic", file_sha256=f"{n:064d}",
                                lawful_basis="law_enforcement", purpose="Hot topics", status="imported")
    upload.upload.save("mentions.csv", ContentFile(b"post_id,author,text\n"), save=False)
    upload.save()
    topic = Topic.objects.create(organisation=owner, analysed_at=timezone.now(), label=f"Bikes on the field {n}")
    return {
        Engagement: engagement,
        EngagementIssue: EngagementIssueFactory(engagement=engagement),
        DoorstepVisit: DoorstepVisitFactory(engagement=engagement),
        CommunityGroup: CommunityGroupFactory(organisation=owner),
        AdvisoryGroup: advisory,
        AdvisoryMembership: AdvisoryMembershipFactory(advisory_group=advisory),
        AdvisoryAdvice: AdvisoryAdviceFactory(advisory_group=advisory),
        Priority: priority,
        PriorityAction: PriorityActionFactory(priority=priority),
        PartnerContact: PartnerContactFactory(organisation=owner, partner_organisation=non_party),
        Topic: topic,
        Post: Post.objects.create(organisation=owner, source_import=upload, site="X", post_id=f"leak-{n}", posted_at=timezone.now(),
                                  author="@zebedee", text="Bikes on the field again", topic=topic,
                                  location=Point(-3.2270, 54.1110, srid=4326)),
    }


def _set_up(state: str, *, owner, recipient, force, owner_user, records) -> None:
    common = {"provider": owner, "recipient": recipient, "others": [force], "lead": force, "categories": tuple(DataCategory.values),
              "reference": f"rls-more-{state}".replace("_", "-")}
    sensitive = Classification.OFFICIAL_SENSITIVE
    if state == "draft":
        publish_protocol(**common, personal=True, classification=sensitive, status=ProtocolStatus.DRAFT)
    elif state == "active_with_personal_data":
        publish_protocol(**common, personal=True, classification=sensitive)
    elif state == "active_without_personal_data":
        publish_protocol(**common, personal=False, classification=sensitive)
    elif state == "active_official_only":
        publish_protocol(**common, personal=True, classification=Classification.OFFICIAL)
    elif state == "suspended":
        version = publish_protocol(**common, personal=True, classification=sensitive)
        protocol_change_status(protocol=version.protocol, status=state, acting_user=None, reason="The partnership paused")
    elif state == "past_end_date":
        publish_protocol(**common, personal=True, classification=sensitive, starts_in_days=-400, ends_in_days=-1)
    elif state in ("one_off_share", "one_off_share_expired"):
        for model in (Engagement, CommunityGroup, Priority):
            share = record_share(record=records[model], organisation=recipient, reason="Joint visit", includes_personal_data=False,
                                 expires_at=timezone.now() + timedelta(days=7), acting_user=owner_user)
            if state == "one_off_share_expired":
                type(share).objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def build_world() -> World:
    from crm.vocabulary_seed import seed_vocabularies

    seed_vocabularies(apps)
    world = World()
    force = ForceFactory(name="Leak More Constabulary", slug="rls-more-force")
    recipient = OrganisationFactory(name="Leak More Borough Council", slug="rls-more-council", kind=OrganisationKind.COUNCIL)
    non_party = OrganisationFactory(name="Leak More Fire and Rescue", slug="rls-more-fire", kind=OrganisationKind.FIRE_AND_RESCUE)
    for n, state in enumerate(STATES):
        world.owners[state] = OrganisationFactory(name=f"Leak More Housing Trust {n}", slug=f"rls-more-owner-{n}", kind=OrganisationKind.HOUSING)
    world.users = {"owner": _user("owner", world.owners.values(), Role.PARTNER_USER),
                   "recipient": _user("recipient", [recipient], Role.PARTNER_USER),
                   "non_party": _user("non_party", [non_party], Role.PARTNER_USER),
                   "force": _user("force", [force], Role.OFFICER)}
    neighbourhood = NeighbourhoodFactory()
    for n, state in enumerate(STATES):
        owner = world.owners[state]
        world.records[state] = _records(owner, neighbourhood, non_party, n)
        _set_up(state, owner=owner, recipient=recipient, force=force, owner_user=world.users["owner"], records=world.records[state])
    return world


world = built_once_per_module(build_world)


@pytest.fixture(autouse=True)
def orm_predicate_off(monkeypatch):
    monkeypatch.setattr(visibility, "ORM_PREDICATE", False)


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


CELLS = [(organisation, model) for organisation in ORGANISATIONS for model in MODELS]
CELL_IDS = [f"{organisation}-{model._meta.model_name}" for organisation, model in CELLS]


@pytest.mark.parametrize(("organisation", "model"), CELLS, ids=CELL_IDS)
def test_visible_to_and_a_bare_query_read_exactly_what_the_protocols_allow(world, organisation, model):
    user = world.users[organisation]
    pks = world.pks(model)
    with viewer_context(user):
        through_the_door = _ids(model.objects.visible_to(user).filter(pk__in=pks))
        bare = _ids(model._base_manager.filter(pk__in=pks))
    assert through_the_door == bare == world.expected(organisation, model), f"{model.__name__} as {organisation}"


@pytest.mark.parametrize(("organisation", "model"), CELLS, ids=CELL_IDS)
def test_history_rows_follow_their_records(world, organisation, model):
    event_models = set(getattr(model, "pgh_event_models", {}).values())
    if not event_models:
        pytest.skip(f"{model.__name__} keeps no history")
    pks = world.pks(model)
    for event_model in event_models:
        with system_context("tests: every history row", audit=False):
            every = {(e.pk, e.pgh_obj_id) for e in event_model._base_manager.filter(pgh_obj_id__in=pks)}
        assert {obj for _, obj in every} == pks, f"{event_model.__name__}: each record has its insert event"
        with viewer_context(world.users[organisation]):
            seen = {(e.pk, e.pgh_obj_id) for e in event_model._base_manager.filter(pgh_obj_id__in=pks)}
        assert seen == {(pk, obj) for pk, obj in every if obj in world.expected(organisation, model)}, event_model.__name__


def test_the_orm_door_alone_reads_the_same(world, monkeypatch):
    """With the ORM's predicate back on and no row-level security in the way (a system context), visible_to
    gives the same rows: the two locks say the same thing."""
    monkeypatch.setattr(visibility, "ORM_PREDICATE", True)
    with system_context("tests: the ORM alone", audit=False):
        for organisation, user in world.users.items():
            for model in MODELS:
                assert _ids(model.objects.visible_to(user).filter(pk__in=world.pks(model))) == world.expected(organisation, model), \
                    f"{model.__name__} as {organisation}"


def test_no_context_reads_none_of_them(world):
    from row_security.context import no_context

    with no_context():
        for model in MODELS:
            assert not model._base_manager.filter(pk__in=world.pks(model)).exists(), model.__name__


def test_a_partner_cannot_write_to_a_row_it_may_only_read(world):
    """WITH CHECK: the recipient reads the engagement under a live protocol, but cannot change it."""
    from django.db import DatabaseError

    engagement = world.records["active_with_personal_data"][Engagement]
    with viewer_context(world.users["recipient"]):
        assert Engagement._base_manager.filter(pk=engagement.pk).exists()
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Engagement._base_manager.filter(pk=engagement.pk).update(title="Changed by the council")
