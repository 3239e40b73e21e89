"""A small force for the collation: two neighbourhoods of Barrow with their teams, an LSOA, two partner
agencies whose concerns the force receives under a live protocol, and a manager in the Hindpool team."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from organisations.models import OrganisationKind
from access.roles import Role
from sharing_protocols.models import ProtocolStatus
from sharing_protocols.services import Flow, Party, protocol_publish_version
from tests.factories import (
    ConcernFactory, ForceAreaFactory, MembershipFactory, NeighbourhoodFactory, OrganisationFactory, SmallAreaFactory, TeamFactory,
    UserFactory, point, square,
)

# Points inside Hindpool (the square from -3.25, 54.10, 0.05 degrees a side). At this latitude 0.0009
# degrees of latitude is about 100 metres.
HINDPOOL_POINT = (-3.2270, 54.1150)


def metres_north(longitude_latitude, metres: float):
    longitude, latitude = longitude_latitude
    return point(longitude, latitude + metres / 111_200)


@pytest.fixture
def cumbria(force):
    return ForceAreaFactory(force=force, code="cumbria", name="Cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))


@pytest.fixture
def hindpool(cumbria, team):
    return NeighbourhoodFactory(force_area=cumbria, code="HIND", name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.05))


@pytest.fixture
def ormsgill(cumbria, force):
    ormsgill_team = TeamFactory(name="Ormsgill neighbourhood team", slug="team-ormsgill", parent=force)
    return NeighbourhoodFactory(force_area=cumbria, code="ORMS", name="Ormsgill", team=ormsgill_team, boundary=square(west=-3.30, south=54.10, size=0.05))


@pytest.fixture
def hindpool_lsoa(hindpool):
    return SmallAreaFactory(code="E01019120", name="Barrow-in-Furness 005A", boundary=square(west=-3.235, south=54.11, size=0.01))


@pytest.fixture
def fire_service(db):
    return OrganisationFactory(name="Cumbria Fire and Rescue", slug="cumbria-fire", kind=OrganisationKind.FIRE_AND_RESCUE)


@pytest.fixture
def manager(team):
    user = UserFactory(username="insp-morgan", first_name="Alex", last_name="Morgan", email="alex.morgan@police.example")
    MembershipFactory(user=user, organisation=team, role=Role.MANAGER)
    return user


@pytest.fixture
def concerns_shared(officer, force, team, council, fire_service):
    """The council and the fire service send their concerns to the force and to the Hindpool team, whose digests count
    only what the team may see (without personal data)."""
    today = timezone.localdate()
    terms = {
        "purpose": "Collate partner-reported concerns to set neighbourhood priorities.", "article_6_basis": "public_task",
        "legal_power": "Section 115 of the Crime and Disorder Act 1998", "includes_personal_data": False,
        "highest_classification": "official", "retention_and_deletion": "Deleted after 12 months.", "security": "Hub only.",
        "starts_on": today - timedelta(days=30), "review_on": today + timedelta(days=335), "ends_on": today + timedelta(days=700),
        "signatories": "Chief Inspector A. Morgan; Head of Community Safety", "signed_off_on": today - timedelta(days=30),
        "status": ProtocolStatus.ACTIVE,
    }
    return protocol_publish_version(
        acting_user=officer, reference="furness-csp", title="Furness community safety ISP", lead_organisation=force, terms=terms,
        parties=[Party(force, "Jo Whitfield", "dpo@police.example"), Party(council, "Sam Okafor", "cs@council.example"),
                 Party(fire_service, "Lee Hart", "prevention@fire.example"), Party(team, "Sgt Dee Rowe", "hindpool@police.example")],
        flows=[Flow("concerns", council, force, "4.1"), Flow("concerns", fire_service, force, "4.2"),
               Flow("concerns", council, team, "4.3"), Flow("concerns", fire_service, team, "4.4")],
    )


def concern(organisation, *, at=HINDPOOL_POINT, days_ago: float = 1, category=None, **fields):
    """A concern that happened `days_ago` days ago and was reported then."""
    when = timezone.now() - timedelta(days=days_ago)
    location = at if not isinstance(at, tuple) else point(*at)
    extra = {"category": category} if category is not None else {}
    return ConcernFactory(organisation=organisation, location=location, occurred_at=when, reported_at=when, **extra, **fields)


def today() -> date:
    return timezone.localdate()
