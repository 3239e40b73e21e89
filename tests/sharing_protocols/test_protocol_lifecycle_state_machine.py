"""A Hypothesis state machine drives protocols and one-off shares through their lifecycle, through the
services, and after every step checks what `visible_to` returns against a small Python model of the rules.

The model: a user sees a record when their organisation (or the force above their team) holds it, or a
live flow gives it to them, or a live one-off share does. A flow is live when its protocol's current
version is active, has started and has not ended; it covers the record's category, its provider is the
record's holder (or the force above the holding team) and the record's classification is at or below
the version's highest. Personal fields come whole only to the holder, or under a live flow or share with
personal data; otherwise they are blank and named in `withheld_fields` (a concern's free text only when it
holds personal data).

Each example gets its own database state: the machine opens a transaction in `__init__` and rolls it
back in `teardown`, inside the class-level transaction of Django's TestCase.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from crm.models import Contact
from organisations.models import OrganisationKind
from access.roles import Role
from partners.models import Concern
from sharing_protocols.models import Classification, ProtocolStatus
from sharing_protocols.services import protocol_change_status
from sharing_protocols.shares import record_share, record_share_revoke, share_model_for
from tests.factories import ConcernFactory, ContactFactory, ForceFactory, MembershipFactory, OrganisationFactory, TeamFactory, UserFactory
from tests.sharing_protocols.conftest import publish_protocol

OS, OFFICIAL = Classification.OFFICIAL_SENSITIVE, Classification.OFFICIAL
CATEGORY = {Concern: "concerns", Contact: "contacts"}
# Two protocols: the housing trust's records to the council, and the force's (its team's) to the council.
PROTOCOLS = {"housing": ("housing", "council"), "police": ("force", "council")}
DATES = {"current": (-30, 365), "past_end": (-400, -1), "not_started": (5, 365)}
CHANGES = [ProtocolStatus.ACTIVE, ProtocolStatus.SUSPENDED, ProtocolStatus.TERMINATED, ProtocolStatus.EXPIRED]


@dataclass(frozen=True)
class Version:
    status: str
    personal: bool
    classification: str
    categories: frozenset
    dates: str

    @property
    def live(self) -> bool:
        return self.status == ProtocolStatus.ACTIVE and self.dates == "current"


@dataclass
class Model:
    versions: dict = field(default_factory=dict)  # protocol name -> current Version
    shares: dict = field(default_factory=dict)  # record key -> includes personal data (live shares only)


class ProtocolLifecycle(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.model = Model()
        self.protocols = {}
        self.shares = {}
        orgs = self.orgs = {}
        orgs["force"] = ForceFactory(name="Machine Constabulary", slug="machine-force")
        orgs["team"] = TeamFactory(name="Machine team", slug="machine-team", parent=orgs["force"])
        orgs["housing"] = OrganisationFactory(name="Machine Housing", slug="machine-housing", kind=OrganisationKind.HOUSING)
        orgs["council"] = OrganisationFactory(name="Machine Council", slug="machine-council", kind=OrganisationKind.COUNCIL)
        self.users = {}
        for name, organisation, role in (("council", "council", Role.PARTNER_USER), ("housing", "housing", Role.PARTNER_USER),
                                          ("team_officer", "team", Role.OFFICER), ("force_manager", "force", Role.MANAGER)):
            self.users[name] = UserFactory(username=f"machine-{name}".replace("_", "-"))
            MembershipFactory(user=self.users[name], organisation=orgs[organisation], role=role)
        # Records, by key: (holder, model, classification, holds_personal_data).
        self.records = {}
        for holder in ("housing", "team"):
            self.records[f"{holder}-concern"] = ConcernFactory(organisation=orgs[holder], reporter_name="Zebedee Quartermain",
                                                               holds_personal_data=True, description="Zebedee Quartermain dumps sofas")
            self.records[f"{holder}-plain-concern"] = ConcernFactory(organisation=orgs[holder], reporter_name="Ann Other",
                                                                     description="A sofa in the lane")
            self.records[f"{holder}-sensitive"] = ConcernFactory(organisation=orgs[holder], classification=OS, reporter_name="Ottoline Q")
            self.records[f"{holder}-contact"] = ContactFactory(organisation=orgs[holder], first_name="Zebedee", last_name="Quartermain")
        self.holder_user = {"housing": self.users["housing"], "team": self.users["team_officer"]}

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # -- the model's expectations ---------------------------------------------------------------------------------

    def own_organisations(self, user_name: str) -> set[str]:
        return {"council": {"council"}, "housing": {"housing"}, "team_officer": {"team"}, "force_manager": {"force", "team"}}[user_name]

    def expected(self, user_name: str, model) -> dict:
        """pk -> withheld field names, for every record of `model` the user should see."""
        mine = self.own_organisations(user_name)
        out = {}
        for key, record in self.records.items():
            if not isinstance(record, model):
                continue
            holder = key.split("-")[0]
            providers = {holder, "force"} if holder == "team" else {holder}
            if holder in mine:
                out[record.pk] = frozenset()
                continue
            sensitive = getattr(record, "classification", OFFICIAL) == OS
            grants = []
            for name, version in self.model.versions.items():
                provider, recipient = PROTOCOLS[name]
                if (version.live and CATEGORY[model] in version.categories and provider in providers and recipient in mine
                        and (not sensitive or version.classification == OS)):
                    grants.append(version.personal)
            if key in self.model.shares and "council" in mine:
                grants.append(self.model.shares[key])
            if not grants:
                continue
            if any(grants):
                out[record.pk] = frozenset()
            else:
                personal = set(model.PERSONAL_FIELDS)
                if model is Concern and not record.holds_personal_data:
                    personal.discard("description")
                out[record.pk] = frozenset(personal)
        return out

    @invariant()
    def visible_to_matches_the_model(self):
        if not hasattr(self, "records"):
            return
        for user_name, user in self.users.items():
            if user_name == "housing":
                continue  # the holder sees its own records whole whatever happens (the leak matrix checks it)
            for model in (Concern, Contact):
                seen = {row.pk: row for row in model.objects.visible_to(user)}
                expected = self.expected(user_name, model)
                assert set(seen) == set(expected), (user_name, model.__name__, self.model)
                for pk, withheld in expected.items():
                    row = seen[pk]
                    assert row.withheld_fields == withheld, (user_name, model.__name__, pk, self.model)
                    assert all(getattr(row, f) in ("", None) for f in withheld)
                    if "reporter_name" in withheld or "last_name" in withheld:
                        assert "Quartermain" not in f"{getattr(row, 'reporter_name', '')}{getattr(row, 'last_name', '')}"

    # -- protocol rules ------------------------------------------------------------------------------------------------

    @rule(name=st.sampled_from(sorted(PROTOCOLS)), status=st.sampled_from([ProtocolStatus.DRAFT, ProtocolStatus.ACTIVE]),
          personal=st.booleans(), classification=st.sampled_from([OFFICIAL, OS]),
          categories=st.sets(st.sampled_from(["concerns", "contacts", "priorities"]), min_size=1), dates=st.sampled_from(sorted(DATES)))
    def publish_a_version(self, name, status, personal, classification, categories, dates):
        """A new version (the first, or the next): new flows, classification, personal data or dates."""
        current = self.model.versions.get(name)
        if current is not None and current.status == ProtocolStatus.TERMINATED:
            return  # a terminated protocol is replaced by a new one, not a new version (see the report)
        provider, recipient = PROTOCOLS[name]
        starts, ends = DATES[dates]
        version = publish_protocol(
            provider=self.orgs[provider], recipient=self.orgs[recipient], categories=sorted(categories), protocol=self.protocols.get(name),
            reference=f"machine-{name}", personal=personal, classification=classification, status=status,
            starts_in_days=starts, ends_in_days=ends,
        )
        self.protocols[name] = version.protocol
        self.model.versions[name] = Version(status, personal, classification, frozenset(categories), dates)

    @precondition(lambda self: bool(self.protocols))
    @rule(data=st.data(), status=st.sampled_from(CHANGES))
    def change_status(self, data, status):
        """Suspend, reactivate, terminate or expire, through protocol_change_status."""
        name = data.draw(st.sampled_from(sorted(self.protocols)))
        current = self.model.versions[name]
        refused = current.status == status or current.status == ProtocolStatus.TERMINATED
        try:
            protocol_change_status(protocol=self.protocols[name], status=status, acting_user=None, reason="Machine step")
        except ValidationError:
            assert refused, f"{current.status} -> {status} was refused"
            return
        assert not refused, f"{current.status} -> {status} should have been refused"
        self.protocols[name].refresh_from_db()
        self.model.versions[name] = replace(current, status=status)

    # -- one-off shares ----------------------------------------------------------------------------------------------

    @rule(key=st.sampled_from(["housing-concern", "housing-sensitive", "housing-contact", "team-concern", "team-contact"]),
          personal=st.booleans())
    def grant_a_share(self, key, personal):
        record = self.records[key]
        self.shares[key] = record_share(record=record, organisation=self.orgs["council"], reason="Joint visit", includes_personal_data=personal,
                                        expires_at=timezone.now() + timedelta(days=7), acting_user=self.holder_user[key.split("-")[0]])
        self.model.shares[key] = personal

    @precondition(lambda self: bool(self.shares))
    @rule(data=st.data(), revoke=st.booleans())
    def end_a_share(self, data, revoke):
        """Revoke it (the service), or let it pass its expiry."""
        key = data.draw(st.sampled_from(sorted(self.shares)))
        share = self.shares.pop(key)
        if revoke:
            record_share_revoke(share=share, acting_user=self.holder_user[key.split("-")[0]], reason="Visit done")
        else:
            share_model_for(type(self.records[key])).objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.model.shares.pop(key, None)


MACHINE_SETTINGS = settings(max_examples=6, stateful_step_count=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.mark.django_db(transaction=False)
class TestProtocolLifecycle(TestCase, ProtocolLifecycle.TestCase):
    """Django's TestCase (Hypothesis's, for the Django integration) around the state machine's test."""

    # Django's SimpleTestCase has a settings() method; the state machine's runner reads this attribute.
    settings = MACHINE_SETTINGS


@pytest.mark.django_db
def test_a_terminated_protocol_takes_no_new_version(force, council):
    """protocol_change_status refuses to change a terminated protocol ("agree a new one"); publishing a new
    version must refuse too, or a terminated protocol comes back to life with its flows."""
    version = publish_protocol(provider=council, recipient=force, personal=True, reference="ended-isp")
    protocol_change_status(protocol=version.protocol, status=ProtocolStatus.TERMINATED, acting_user=None, reason="Partnership ended")
    with pytest.raises(ValidationError):
        publish_protocol(provider=council, recipient=force, protocol=version.protocol, personal=True, reference="ended-isp")
