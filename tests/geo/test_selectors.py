"""Finding the neighbourhood of a point, and measuring areas in British National Grid."""
import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geo.models import Neighbourhood
from geo.selectors import neighbourhood_for_point, neighbourhood_profile
from tests.factories import DemographicProfileFactory, NeighbourhoodFactory, SmallAreaFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_neighbourhoods():
    west = NeighbourhoodFactory(code="HIND", name="Hindpool", boundary=square(west=-3.25, south=54.10))
    east = NeighbourhoodFactory(code="CENT", name="Central", boundary=square(west=-3.24, south=54.10), force_area=west.force_area)
    return west, east


def test_a_point_is_placed_in_the_neighbourhood_that_contains_it(two_neighbourhoods):
    assert neighbourhood_for_point(longitude=-3.245, latitude=54.105).name == "Hindpool"
    assert neighbourhood_for_point(longitude=-3.235, latitude=54.105).name == "Central"


def test_a_point_in_no_neighbourhood_gives_none(two_neighbourhoods):
    assert neighbourhood_for_point(longitude=-2.0, latitude=53.0) is None


def test_a_point_on_a_shared_edge_goes_to_one_neighbourhood_consistently(two_neighbourhoods):
    west, _ = two_neighbourhoods
    assert neighbourhood_for_point(longitude=-3.24, latitude=54.105) == west


def test_swapped_coordinates_are_refused_by_name(two_neighbourhoods):
    with pytest.raises(ValueError, match="latitude and longitude look swapped"):
        neighbourhood_for_point(longitude=54.105, latitude=-3.245)


def test_a_point_outside_great_britain_is_refused(two_neighbourhoods):
    with pytest.raises(ValueError, match="outside Great Britain"):
        neighbourhood_for_point(longitude=2.35, latitude=48.85)  # Paris


def test_areas_and_perimeters_are_measured_in_metres_in_british_national_grid():
    # A 1 km square on the National Grid near Barrow, stored as WGS84 like every boundary.
    grid_square = Polygon(((320000, 470000), (321000, 470000), (321000, 471000), (320000, 471000), (320000, 470000)), srid=27700)
    grid_square.transform(4326)
    NeighbourhoodFactory(code="KM", boundary=MultiPolygon(grid_square, srid=4326))
    measured = Neighbourhood.objects.with_measurements().get(code="KM")
    assert measured.area_sq_m.sq_m == pytest.approx(1_000_000, rel=1e-4)
    assert measured.perimeter_m.m == pytest.approx(4_000, rel=1e-4)


def test_a_neighbourhood_profile_adds_up_its_small_areas(two_neighbourhoods):
    west, _ = two_neighbourhoods
    for code in ("E01000001", "E01000002"):
        DemographicProfileFactory(area=SmallAreaFactory(code=code, neighbourhood=west))
    profile = neighbourhood_profile(west)
    assert profile["population"] == 2000
    assert profile["bsl_users"] == 6
    assert {row["label"]: row["count"] for row in profile["ethnicity"]}["white"] == 1880
    assert profile["main_language"][0] == {"label": "English", "name": "English", "count": 1900, "share": 0.95}
    assert {row["label"]: row["name"] for row in profile["disability"]}["limited_a_lot"] == "Disabled, day-to-day activities limited a lot"


def test_a_neighbourhood_without_profiles_has_no_profile(two_neighbourhoods):
    assert neighbourhood_profile(two_neighbourhoods[0]) is None
