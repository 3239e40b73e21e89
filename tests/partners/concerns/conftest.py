"""Concern pages: a force area around Barrow-in-Furness, and a protocol that shares the council's concerns with the police."""
from datetime import timedelta

import pytest
from django.utils import timezone

from organisations.models import OrganisationKind
from access.roles import Role
from sharing_protocols.models import ProtocolStatus
from sharing_protocols.services import Flow, Party, protocol_publish_version
from tests.factories import ForceAreaFactory, MembershipFactory, NeighbourhoodFactory, OrganisationFactory, UserFactory, square


@pytest.fixture
def force_area(force):
    # Barrow-in-Furness and around it: the town hall is at latitude 54.1108, longitude -3.2261.
    return ForceAreaFactory(force=force, code="cumbria", boundary=square(west=-3.30, south=54.05, size=0.2))


@pytest.fixture
def hindpool(force_area, team):
    return NeighbourhoodFactory(force_area=force_area, name="Hindpool", code="hindpool", team=team,
                                boundary=square(west=-3.25, south=54.10, size=0.03))


@pytest.fixture
def housing(db):
    return OrganisationFactory(name="Furness Housing Services", slug="furness-housing", kind=OrganisationKind.HOUSING)


@pytest.fixture
def housing_user(housing):
    user = UserFactory(username="housing-officer", first_name="Kim", last_name="Birkett")
    MembershipFactory(user=user, organisation=housing, role=Role.PARTNER_USER)
    return user


def share_concerns(*, provider, recipient, acting_user, personal_data: bool = False, classification: str = "official"):
    """A live protocol under which `provider`'s concerns flow to `recipient`."""
    today = timezone.localdate()
    return protocol_publish_version(
        acting_user=acting_user, reference=f"isp-{provider.slug}-{recipient.slug}", title="Furness community safety ISP",
        lead_organisation=recipient, parties=[Party(provider, "Sam Okafor", "cs@council.example"), Party(recipient, "Jo Whitfield", "dpo@police.example")],
        flows=[Flow("concerns", provider, recipient, "4.1")],
        terms={
            "purpose": "Collate partner-reported concerns to set neighbourhood priorities.", "article_6_basis": "public_task",
            "legal_power": "Section 115 of the Crime and Disorder Act 1998", "includes_personal_data": personal_data,
            "highest_classification": classification, "retention_and_deletion": "Deleted after 12 months.", "security": "Hub only.",
            "starts_on": today - timedelta(days=1), "review_on": today + timedelta(days=365), "ends_on": today + timedelta(days=730),
            "signatories": "Both parties", "signed_off_on": today - timedelta(days=1), "status": ProtocolStatus.ACTIVE,
        },
    )


@pytest.fixture
def council_shares_concerns_with_police(council, force, officer):
    return share_concerns(provider=council, recipient=force, acting_user=officer)
