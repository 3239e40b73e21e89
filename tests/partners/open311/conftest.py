"""Partner API keys for the Open311 tests: the council's, and another partner's that must read none of the council's."""
from datetime import UTC, timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from organisations.models import OrganisationKind
from access.roles import Role
from crm.vocabulary_seed import seed_vocabularies
from partners.api_keys import api_key_issue
from tests.factories import ForceAreaFactory, MembershipFactory, OrganisationFactory, UserFactory, square

# Inside the test force area (a square from -3.30, 54.05): the rear of Market Street, Barrow.
MARKET_STREET = {"lat": "54.115", "long": "-3.227"}


@pytest.fixture
def vocabularies(db):
    """The seeded issue categories (Open311's services). Tests with a live server flush the database
    after themselves, seeded rows included, so put them back (it adds only what is missing)."""
    seed_vocabularies(apps)


@pytest.fixture
def force_area(vocabularies, force):
    return ForceAreaFactory(force=force, boundary=square(west=-3.30, south=54.05, size=0.2))


@pytest.fixture
def council_key(force_area, council, partner_user):
    """(key, plaintext) issued to the council by its own partner user."""
    return api_key_issue(organisation=council, name="Council case management system", acting_user=partner_user)


@pytest.fixture
def housing(db):
    return OrganisationFactory(name="Furness Housing Trust", slug="furness-housing", kind=OrganisationKind.HOUSING)


@pytest.fixture
def housing_user(housing):
    user = UserFactory(username="hana-housing", first_name="Hana", last_name="Novak")
    MembershipFactory(user=user, organisation=housing, role=Role.PARTNER_USER)
    return user


@pytest.fixture
def housing_key(force_area, housing, housing_user):
    return api_key_issue(organisation=housing, name="Housing repairs line", acting_user=housing_user)


def w3(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def days_ago(days: float) -> str:
    return w3(timezone.now() - timedelta(days=days))


def report(**overrides) -> dict:
    """A valid GeoReport v2 POST body (without the api_key), reported three days ago."""
    return {
        "service_code": "fly-tipping", **MARKET_STREET, "address_string": "Rear of Market Street car park",
        "description": "Mattresses and bin bags dumped behind the shops again.",
        "requested_datetime": days_ago(3), **overrides,
    }
