import pytest

from tests.factories import ForceAreaFactory, NeighbourhoodFactory, square


@pytest.fixture
def hindpool(force):
    """A neighbourhood of the officer's force around Barrow town hall (-3.2261, 54.1108)."""
    force_area = ForceAreaFactory(force=force, code="cumbria", name="Cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    return NeighbourhoodFactory(force_area=force_area, code="HIND", name="Hindpool", boundary=square(west=-3.25, south=54.10, size=0.05))
