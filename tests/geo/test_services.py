"""Placing small areas in neighbourhoods: one force's assignment never touches another's."""
import pytest

from geo.models import SmallArea
from geo.services import small_areas_assign_to_neighbourhoods
from tests.factories import ForceAreaFactory, NeighbourhoodFactory, SmallAreaFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbouring_forces():
    # Two forces side by side, sharing the meridian -3.20 as their border.
    west = ForceAreaFactory(code="west", boundary=square(west=-3.30, south=54.00, size=0.10))
    east = ForceAreaFactory(code="east", boundary=square(west=-3.20, south=54.00, size=0.10))
    west_beat = NeighbourhoodFactory(force_area=west, code="W1", boundary=square(west=-3.30, south=54.00, size=0.10))
    east_beat = NeighbourhoodFactory(force_area=east, code="E1", boundary=square(west=-3.20, south=54.00, size=0.10))
    return west, east, west_beat, east_beat


def test_each_small_area_goes_to_the_neighbourhood_holding_it(neighbouring_forces):
    west, east, west_beat, east_beat = neighbouring_forces
    in_west = SmallAreaFactory(code="E01000101", boundary=square(west=-3.28, south=54.02, size=0.01))
    small_areas_assign_to_neighbourhoods(force_area=west)
    in_west.refresh_from_db()
    assert in_west.neighbourhood == west_beat


def test_assigning_one_force_leaves_a_neighbouring_forces_areas_alone(neighbouring_forces):
    west, east, west_beat, east_beat = neighbouring_forces
    # This LSOA lies in the east force but touches the west force's border.
    on_the_border = SmallAreaFactory(code="E01000102", boundary=square(west=-3.20, south=54.02, size=0.01))
    small_areas_assign_to_neighbourhoods(force_area=east)
    small_areas_assign_to_neighbourhoods(force_area=west)
    on_the_border.refresh_from_db()
    assert on_the_border.neighbourhood == east_beat


def test_a_small_area_no_longer_in_any_of_the_forces_neighbourhoods_is_cleared(neighbouring_forces):
    west, _, west_beat, _ = neighbouring_forces
    area = SmallAreaFactory(code="E01000103", boundary=square(west=-3.28, south=54.02, size=0.01))
    small_areas_assign_to_neighbourhoods(force_area=west)
    west_beat.boundary = square(west=-3.30, south=54.08, size=0.02)  # redrawn away from the area
    west_beat.save()
    small_areas_assign_to_neighbourhoods(force_area=west)
    assert SmallArea.objects.get(pk=area.pk).neighbourhood is None


def test_importing_lsoas_places_them_in_the_existing_neighbourhoods(neighbouring_forces):
    import json

    from geo.boundaries import import_boundaries

    _, _, west_beat, _ = neighbouring_forces
    ring = [[-3.28, 54.02], [-3.27, 54.02], [-3.27, 54.03], [-3.28, 54.03], [-3.28, 54.02]]
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA21CD": "E01000104", "LSOA21NM": "West 001A"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
    ]}
    import_boundaries(raw=json.dumps(collection), kind="lsoa")
    assert SmallArea.objects.get(code="E01000104").neighbourhood == west_beat
