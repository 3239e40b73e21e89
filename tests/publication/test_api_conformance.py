"""police.uk conformance beyond the client's reading: one valid ring per neighbourhood whatever its
shape, errors in JSON with the CORS header, and police.uk's dotted identifiers."""
import json

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from shapely.geometry import Polygon as ShapelyPolygon

from geo import demo as geo_demo
from geo.boundaries import BoundaryKind, import_boundaries
from geo.models import Neighbourhood
from tests.factories import ForceAreaFactory, NeighbourhoodFactory, square

pytestmark = pytest.mark.django_db


def ring_of(answer: list[dict]) -> list[tuple[float, float]]:
    return [(float(point["longitude"]), float(point["latitude"])) for point in answer]


def read_back(client, force_area, place) -> Neighbourhood:
    """Check the answer with shapely, then import it through the hub's own importer as another neighbourhood."""
    answer = client.get(f"/api/{force_area.code}/{place.code}/boundary").json()
    ring = ring_of(answer)
    assert ring[0] == ring[-1], f"{place.code}: the ring is not closed"
    shape = ShapelyPolygon(ring)
    assert shape.is_valid and shape.area > 0, f"{place.code}: the ring crosses itself or is empty"
    import_boundaries(raw=json.dumps(answer), kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area,
                      code=f"{place.code}-copy", name=f"{place.name} (copy)")
    return Neighbourhood.objects.get(force_area=force_area, code=f"{place.code}-copy")


def test_a_neighbourhood_in_two_separate_pieces_answers_the_outline_of_the_larger(client, force):
    force_area = ForceAreaFactory(force=force, code="cumbria")
    big, small = square(west=-3.25, south=54.10, size=0.02), square(west=-3.20, south=54.10, size=0.005)
    place = NeighbourhoodFactory(force_area=force_area, code="ISLES", boundary=MultiPolygon(big[0], small[0], srid=4326))

    copy = read_back(client, force_area, place)

    assert copy.boundary.sym_difference(big).area < 1e-10  # the same square, to the API's six decimal places


def test_touching_pieces_are_merged_into_one_outline(client, force):
    force_area = ForceAreaFactory(force=force, code="cumbria")
    left, right = square(west=-3.25, south=54.10), square(west=-3.24, south=54.10)
    place = NeighbourhoodFactory(force_area=force_area, code="PAIR", boundary=MultiPolygon(left[0], right[0], srid=4326))

    copy = read_back(client, force_area, place)

    assert copy.boundary.area == pytest.approx(left.area + right.area)


def test_every_demo_neighbourhood_answers_a_ring_the_importer_takes_back(client, force, lsoa_wheel):
    force_area = ForceAreaFactory(force=force, code="cumbria")
    chosen = geo_demo.choose_lsoas(geo_demo.read_lsoas(lsoa_wheel), place="Barrow-in-Furness", count=None)
    places = geo_demo.seed_geography(force_area=force_area, lsoas=chosen)
    several_pieces = {place.code for place in places if len(place.boundary) > 1}
    assert {"barrow-in-furness-006", "barrow-in-furness-010"} <= several_pieces  # the cases that once broke

    for place in places:
        copy = read_back(client, force_area, place)
        largest = max(place.boundary.unary_union if place.boundary.unary_union.geom_type == "MultiPolygon"
                      else [place.boundary.unary_union], key=lambda piece: piece.area)
        assert copy.boundary.area == pytest.approx(Polygon(largest.exterior_ring).area, rel=1e-4), place.code  # six decimal places move a vertex by up to 5 cm


@pytest.mark.parametrize("path", [
    "/api/nowhere/neighbourhoods", "/api/cumbria/NOPE", "/api/cumbria/NOPE/boundary", "/api/cumbria/NOPE/people",
    "/api/forces/nowhere", "/api/no/such/path/at/all",
])
def test_api_errors_are_json_with_the_cors_header(client, force, path):
    ForceAreaFactory(force=force, code="cumbria")

    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["error"]


def test_a_refused_method_is_json_too(client, force):
    ForceAreaFactory(force=force, code="cumbria")

    response = client.post("/api/forces")

    assert response.status_code == 405 and response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.json()["error"]


def test_a_dotted_police_uk_identifier_imports_and_resolves(client, force):
    force_area = ForceAreaFactory(force=force, code="metropolitan")
    ring = [{"latitude": str(lat), "longitude": str(lon)} for lon, lat in square(west=-0.13, south=51.50)[0].exterior_ring.coords]

    import_boundaries(raw=json.dumps(ring), kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area, code="55.CR3001", name="Covent Garden")

    assert client.get("/api/metropolitan/55.CR3001").json()["id"] == "55.CR3001"
    assert len(client.get("/api/metropolitan/55.CR3001/boundary").json()) == 5
    assert client.get("/your-area/metropolitan/55.CR3001/").status_code == 200
    assert client.get("/api/metropolitan/neighbourhoods").json() == [{"id": "55.CR3001", "name": "Covent Garden"}]


def test_an_identifier_of_dots_alone_is_refused(force):
    from geo.boundaries import BoundaryImportError

    force_area = ForceAreaFactory(force=force, code="metropolitan")
    ring = [{"latitude": str(lat), "longitude": str(lon)} for lon, lat in square(west=-0.13, south=51.50)[0].exterior_ring.coords]

    with pytest.raises(BoundaryImportError):
        import_boundaries(raw=json.dumps(ring), kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area, code="..", name="Up")
