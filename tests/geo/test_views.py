"""The map, the neighbourhood pages and the locate endpoint, with their query counts pinned."""
import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import DemographicProfileFactory, NeighbourhoodFactory, SmallAreaFactory, TeamFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbourhoods(force):
    first = NeighbourhoodFactory(code="HIND", name="Hindpool", boundary=square(west=-3.25, south=54.10),
                                 team=TeamFactory(name="Hindpool team", parent=force))
    NeighbourhoodFactory(code="CENT", name="Central", boundary=square(west=-3.24, south=54.10), force_area=first.force_area)
    return first


def test_the_map_page_needs_a_sign_in(client, neighbourhoods):
    assert client.get(reverse("geo:map")).status_code == 302


def test_the_map_page_loads_leaflet_from_our_own_static_files_and_no_tiles_by_default(officer_client):
    page = officer_client.get(reverse("geo:map")).content.decode()
    assert '/static/leaflet/leaflet.js' in page
    assert 'data-tile-url=""' in page
    assert "http" not in page.split("<body", 1)[1].replace("http://testserver", "")


@override_settings(MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
def test_the_tile_url_comes_from_a_setting(officer_client):
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in officer_client.get(reverse("geo:map")).content.decode()


def test_the_boundaries_are_geojson_with_names_and_areas(officer_client, neighbourhoods, django_assert_num_queries):
    # 1 session, 2 user, 3 every neighbourhood with its area and GeoJSON.
    with django_assert_num_queries(3):
        response = officer_client.get(reverse("geo:neighbourhood-boundaries"))
    collection = response.json()
    assert response["Content-Type"] == "application/geo+json"
    assert [f["properties"]["name"] for f in collection["features"]] == ["Central", "Hindpool"]
    assert collection["features"][1]["geometry"]["type"] == "MultiPolygon"
    assert collection["features"][1]["properties"]["area_sq_km"] == pytest.approx(0.73, abs=0.01)


def test_locate_names_the_neighbourhood_of_a_point(officer_client, neighbourhoods):
    response = officer_client.get(reverse("geo:locate"), {"lat": "54.105", "lng": "-3.245"})
    assert response.json()["name"] == "Hindpool"


def test_locate_explains_swapped_coordinates(officer_client, neighbourhoods):
    response = officer_client.get(reverse("geo:locate"), {"lat": "-3.245", "lng": "54.105"})
    assert response.status_code == 400
    assert "look swapped" in response.json()["error"]


def test_locate_explains_missing_coordinates(officer_client):
    response = officer_client.get(reverse("geo:locate"), {"lat": "north"})
    assert response.status_code == 400
    assert "Give lat and lng" in response.json()["error"]


def test_locate_says_when_a_point_is_in_no_neighbourhood(officer_client, neighbourhoods):
    response = officer_client.get(reverse("geo:locate"), {"lat": "52.0", "lng": "-1.0"})
    assert response.status_code == 404
    assert response.json()["error"] == "That point is in none of our neighbourhoods."


def test_the_neighbourhood_list_shows_teams_and_areas_in_constant_queries(officer_client, neighbourhoods, django_assert_num_queries):
    officer_client.get(reverse("geo:neighbourhood-list"))  # warm Django's per-process SRID cache
    # 1 session, 2 user, 3 neighbourhoods with force, team and area, 4 roles for the navigation.
    with django_assert_num_queries(4):
        page = officer_client.get(reverse("geo:neighbourhood-list")).content.decode()
    assert "Hindpool team" in page and "No team yet" in page
    for n in range(5):
        NeighbourhoodFactory(code=f"X{n}", force_area=neighbourhoods.force_area)
    with django_assert_num_queries(4):
        officer_client.get(reverse("geo:neighbourhood-list"))


def test_the_neighbourhood_page_shows_who_lives_there(officer_client, neighbourhoods, django_assert_num_queries):
    DemographicProfileFactory(area=SmallAreaFactory(code="E01000010", name="Hindpool 001A", neighbourhood=neighbourhoods))
    officer_client.get(reverse("geo:neighbourhood", args=[neighbourhoods.pk]))  # warm Django's per-process SRID cache
    # 1 session, 2 user, 3 the neighbourhood, 4 the profiles, 5-8 the engagement signals (low turnout, repeated
    # issues, under-represented groups reached, last beat meeting), 9 recent engagements, 10 the small areas, 11 roles.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(12):
        page = officer_client.get(reverse("geo:neighbourhood", args=[neighbourhoods.pk])).content.decode()
    assert "1000 residents in 1 small area, of whom 3 use British Sign Language." in page
    assert "Hindpool 001A (E01000010)" in page
    assert "Source: Test profile." in page
