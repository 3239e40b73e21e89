"""Advisory groups of the Cumbria force, and the neighbourhoods they advise on."""
import pytest

from tests.factories import AdvisoryGroupFactory, ForceAreaFactory, NeighbourhoodFactory


@pytest.fixture
def force_area(force):
    return ForceAreaFactory(force=force, code="cumbria", name="Cumbria")


@pytest.fixture
def hindpool(force_area, team):
    return NeighbourhoodFactory(force_area=force_area, code="hindpool", name="Hindpool", team=team)


@pytest.fixture
def ormsgill(force_area, team):
    return NeighbourhoodFactory(force_area=force_area, code="ormsgill", name="Ormsgill", team=team)


@pytest.fixture
def lancashire_neighbourhood(other_force):
    return NeighbourhoodFactory(force_area=ForceAreaFactory(force=other_force, code="lancashire"), code="preston", name="Preston Central")


@pytest.fixture
def iag(force):
    return AdvisoryGroupFactory(organisation=force, name="Cumbria Independent Advisory Group", description="Advises on stop and search.")
