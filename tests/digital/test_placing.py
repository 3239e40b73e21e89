"""Posts are placed by coordinates first, then by the force's own place names, and say how."""
from types import SimpleNamespace

import pytest

from digital.placing import Gazetteer, PlacedBy, place_posts

pytestmark = pytest.mark.django_db


def post(text="", place_text="", longitude=None, latitude=None):
    return SimpleNamespace(text=text, place_text=place_text, longitude=longitude, latitude=latitude)


def test_coordinates_inside_a_neighbourhood_place_the_post_there(places):
    (placement,) = place_posts([post("Bikes again", longitude=-3.255, latitude=54.105)], Gazetteer.for_force())
    assert (placement.neighbourhood_id, placement.placed_by) == (places["Walney North"].pk, PlacedBy.COORDINATES)


def test_coordinates_win_over_a_place_named_in_the_text(places):
    (placement,) = place_posts([post("Seen in Roose", longitude=-3.235, latitude=54.105)], Gazetteer.for_force())
    assert placement.neighbourhood_id == places["Hindpool"].pk


def test_the_sources_place_text_places_the_post_even_misspelt(places):
    placements = place_posts([post("Noise", place_text="Walney North"), post("Noise", place_text="Walney Nrth")], Gazetteer.for_force())
    assert [(p.neighbourhood_id, p.placed_by) for p in placements] == [(places["Walney North"].pk, PlacedBy.PLACE_TEXT)] * 2


def test_a_small_area_named_in_the_text_places_the_post_in_its_neighbourhood(places):
    (placement,) = place_posts([post("Needles left by the flats in Ormsgill again")], Gazetteer.for_force())
    assert (placement.neighbourhood_id, placement.placed_by, placement.matched) == (places["Hindpool"].pk, PlacedBy.POST_TEXT, "Ormsgill")


def test_ordinary_words_and_points_outside_every_neighbourhood_place_nothing(places):
    placements = place_posts([post("the roses in the garden are lovely"), post("Bikes", longitude=-2.0, latitude=53.0)], Gazetteer.for_force())
    assert [p.placed_by for p in placements] == [PlacedBy.UNPLACED, PlacedBy.UNPLACED]


def test_a_name_in_two_neighbourhoods_places_nothing():
    gazetteer = Gazetteer([("Station Road", 1), ("Station Road", 2), ("Roose", 3)])
    assert gazetteer.find_in_text("Parking on Station Road", score_cutoff=90) is None
    assert gazetteer.find_in_text("Parking in Roose", score_cutoff=90) == (3, "Roose")


def test_a_batch_of_points_is_placed_as_each_point_alone_would_be(places, force_area):
    import random

    from django.contrib.gis.geos import Point

    from digital.placing import neighbourhoods_for_points
    from geo.models import Neighbourhood
    from tests.factories import NeighbourhoodFactory, square

    # Another force's neighbourhood over Roose: never this force's answer.
    NeighbourhoodFactory(name="Elsewhere", boundary=square(west=-3.22, south=54.10))
    rng = random.Random(5)
    points = [(rng.uniform(-3.27, -3.20), rng.uniform(54.095, 54.115)) for _ in range(300)]
    expected = []
    for lng, lat in points:
        inside = Neighbourhood.objects.filter(force_area=force_area, boundary__intersects=Point(lng, lat, srid=4326)).order_by("pk")
        expected.append(inside.values_list("pk", flat=True).first())
    assert neighbourhoods_for_points(points, force_area.pk) == expected
    assert {pk for pk in expected if pk} == {place.pk for place in places.values()} and None in expected
