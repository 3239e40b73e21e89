"""Leak-matrix rows for the police's answers to partner concerns (partners.responses), read with the ORM's predicate
switched off (access.visibility.ORM_PREDICATE) and on.

A council reports a concern; the Hindpool team takes it into a priority: its answer is the team's own record. Who may
read it: the team and its force (their own); the council (it reported the concern); a recipient of a live concerns
flow from the team (the usual rule). Who may not: a recipient of the council's concerns only (it reads the concern,
not the police's answer), a recipient of a flow that is a draft, suspended or past its end, and everyone else.
The history rows follow their records."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import DatabaseError, transaction

from access import visibility
from access.roles import Role
from organisations.models import OrganisationKind
from partners.models import Concern
from partners.responses.models import ConcernResponse
from row_security.context import no_context, system_context, viewer_context
from sharing_protocols.models import Classification, DataCategory, ProtocolStatus
from sharing_protocols.services import protocol_change_status
from tests.factories import (ConcernFactory, ConcernResponseFactory, ForceFactory, MembershipFactory, OrganisationFactory, PriorityFactory,
                             TeamFactory, UserFactory)
from tests.built_once import built_once_per_module
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = pytest.mark.django_db

READERS = frozenset({"team", "force", "reporter", "team_flow_live"})
ORGANISATIONS = ("team", "force", "reporter", "team_flow_live", "team_flow_draft", "team_flow_suspended", "team_flow_past",
                 "council_flow_only", "non_party")


@dataclass
class World:
    users: dict = field(default_factory=dict)
    answer: ConcernResponse | None = None
    concern: Concern | None = None


def _user(name: str, organisation, role: str = Role.PARTNER_USER):
    user = UserFactory(username=f"answers-{name}".replace("_", "-"))
    MembershipFactory(user=user, organisation=organisation, role=role, warranted=role == Role.OFFICER)
    return user


def build_world() -> World:
    world = World()
    force = ForceFactory(name="Answers Constabulary", slug="answers-force")
    team = TeamFactory(name="Answers neighbourhood team", slug="answers-team", parent=force)
    council = OrganisationFactory(name="Answers Borough Council", slug="answers-council", kind=OrganisationKind.COUNCIL)
    world.users = {"team": _user("team", team, Role.OFFICER), "force": _user("force", force, Role.OFFICER),
                   "reporter": _user("reporter", council)}
    for n, name in enumerate(ORGANISATIONS[3:]):
        organisation = OrganisationFactory(name=f"Answers Housing Trust {n}", slug=f"answers-{n}", kind=OrganisationKind.HOUSING)
        world.users[name] = _user(name, organisation)
        common = {"provider": team, "recipient": organisation, "lead": team, "categories": (DataCategory.CONCERNS,),
                  "reference": f"answers-{name}".replace("_", "-"), "personal": True, "classification": Classification.OFFICIAL_SENSITIVE}
        if name == "team_flow_live":
            publish_protocol(**common)
        elif name == "team_flow_draft":
            publish_protocol(**common, status=ProtocolStatus.DRAFT)
        elif name == "team_flow_suspended":
            version = publish_protocol(**common)
            protocol_change_status(protocol=version.protocol, status="suspended", acting_user=None, reason="The partnership paused")
        elif name == "team_flow_past":
            publish_protocol(**common, starts_in_days=-400, ends_in_days=-1)
        elif name == "council_flow_only":
            publish_protocol(**{**common, "provider": council, "lead": council})
    world.concern = ConcernFactory(organisation=council, place="Answers Lane")
    world.answer = ConcernResponseFactory(concern=world.concern, priority=PriorityFactory(organisation=team))
    return world


world = built_once_per_module(build_world)


@pytest.mark.parametrize("orm_predicate", [False, True], ids=["row-level-security-alone", "both-locks"])
@pytest.mark.parametrize("organisation", ORGANISATIONS)
def test_the_answer_and_its_history_are_read_exactly_by_whom_the_rule_says(world, organisation, orm_predicate, monkeypatch):
    monkeypatch.setattr(visibility, "ORM_PREDICATE", orm_predicate)
    user = world.users[organisation]
    expected = {world.answer.pk} if organisation in READERS else set()
    with viewer_context(user):
        through_the_door = set(ConcernResponse.objects.visible_to(user).values_list("pk", flat=True).filter(pk=world.answer.pk))
        bare = set(ConcernResponse._base_manager.filter(pk=world.answer.pk).values_list("pk", flat=True))
        history = set(ConcernResponse.pgh_event_models["insert"]._base_manager.filter(pgh_obj_id=world.answer.pk)
                      .values_list("pgh_obj_id", flat=True))
    assert through_the_door == bare == history == expected, organisation


def test_the_orm_door_alone_reads_the_same(world, monkeypatch):
    monkeypatch.setattr(visibility, "ORM_PREDICATE", True)
    with system_context("tests: the ORM alone", audit=False):
        for organisation, user in world.users.items():
            seen = ConcernResponse.objects.visible_to(user).filter(pk=world.answer.pk).exists()
            assert seen == (organisation in READERS), organisation


def test_a_third_organisation_reads_the_concern_but_not_the_police_answer(world):
    user = world.users["council_flow_only"]
    with viewer_context(user):
        assert Concern._base_manager.filter(pk=world.concern.pk).exists()
        assert not ConcernResponse._base_manager.filter(concern_id=world.concern.pk).exists()


def test_no_context_reads_no_answer(world):
    with no_context():
        assert not ConcernResponse._base_manager.filter(pk=world.answer.pk).exists()


def test_the_reporter_reads_the_answer_but_cannot_change_or_remove_it(world):
    with viewer_context(world.users["reporter"]):
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            ConcernResponse._base_manager.filter(pk=world.answer.pk).update(kind="closed")
        with transaction.atomic():
            assert ConcernResponse._base_manager.filter(pk=world.answer.pk).delete()[0] == 0  # not its row: nothing to delete
    with transaction.atomic():  # another of the council's concerns, rolled back with this block
        other = ConcernFactory(organisation=world.concern.organisation, place="Answers Close")
        with viewer_context(world.users["reporter"]):
            # Not even "taken" by the council itself under the team's name: an answer is written by its own organisation.
            with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
                ConcernResponse._base_manager.create(concern_id=other.pk, concern_organisation_id=other.organisation_id,
                                                     organisation_id=world.answer.organisation_id, priority_id=world.answer.priority_id)
        transaction.set_rollback(True)


def test_the_police_cannot_write_the_partners_concern_row(world):
    """WITH CHECK: under a live flow the force reads the council's concern, but a police write to the council's row
    (the old way of recording "taken into a priority") is refused by the database."""
    with transaction.atomic():  # the extra protocol is rolled back with this block
        publish_protocol(provider=world.concern.organisation, recipient=world.users["force"].memberships.get().organisation,
                         lead=world.concern.organisation, categories=(DataCategory.CONCERNS,), reference="answers-council-to-force",
                         personal=True, classification=Classification.OFFICIAL_SENSITIVE)
        with viewer_context(world.users["force"]):
            assert Concern._base_manager.filter(pk=world.concern.pk).exists()
            with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
                Concern._base_manager.filter(pk=world.concern.pk).update(status="taken_into_priority")
        transaction.set_rollback(True)
