"""The GeoJSON boundary importer: every accepted shape goes in, and bad input gives a clear
error naming the feature, with nothing imported (not even the good features beside it)."""
import json

import pytest

from organisations.models import AuditEvent
from geo.boundaries import BoundaryImportError, BoundaryKind, import_boundaries
from geo.models import Neighbourhood, SmallArea, SmallAreaKind
from tests.factories import ForceAreaFactory, NeighbourhoodFactory, SmallAreaFactory, point, square

pytestmark = pytest.mark.django_db

# Two neighbouring squares of about 650 m by 1.1 km in Barrow-in-Furness.
HINDPOOL = (-3.24, 54.11)
CENTRAL = (-3.23, 54.11)


def ring(west: float, south: float, size: float = 0.01) -> list[list[float]]:
    """A closed GeoJSON ring, longitude first, going round a square."""
    return [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]


def polygon(west: float, south: float, size: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [ring(west, south, size)]}


def feature(properties: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def lsoa(code: str, name: str, geometry: dict | None = None) -> dict:
    return feature({"LSOA21CD": code, "LSOA21NM": name}, geometry or polygon(*HINDPOOL))


def good_lsoa() -> dict:
    return lsoa("E01019138", "Barrow-in-Furness 008A", polygon(*HINDPOOL))


def collection(*features: dict, **members) -> bytes:
    return json.dumps({"type": "FeatureCollection", **members, "features": list(features)}).encode()


def police_uk_boundary(corners: list[tuple[float, float]]) -> bytes:
    """police.uk's /boundary answer: latitude and longitude as strings, the ring left open."""
    return json.dumps([{"latitude": f"{lat}", "longitude": f"{lon}"} for lon, lat in corners]).encode()


def row_counts() -> dict[str, int]:
    return {
        "small areas": SmallArea.objects.count(),
        "neighbourhoods": Neighbourhood.objects.count(),
        "audit events": AuditEvent.objects.filter(action="boundaries.imported").count(),
    }


def refused(raw, *, kind: str = BoundaryKind.LSOA, **options) -> BoundaryImportError:
    """Import `raw`, expect it refused, and check that the database holds nothing new."""
    before = row_counts()
    with pytest.raises(BoundaryImportError) as caught:
        import_boundaries(raw=raw, kind=kind, **options)
    assert row_counts() == before
    return caught.value


@pytest.fixture
def force_area(force):
    return ForceAreaFactory(force=force, code="cumbria", name="Cumbria")


# Good input, in each accepted shape ---------------------------------------------------------


def test_a_feature_collection_of_lsoas_imports_each_lsoa_with_its_code_and_name():
    raw = collection(
        lsoa("E01019138", "Barrow-in-Furness 008A", polygon(*HINDPOOL)),
        lsoa("E01019139", "Barrow-in-Furness 008B", polygon(*CENTRAL)),
    )

    summary = import_boundaries(raw=raw, kind=BoundaryKind.LSOA)

    assert str(summary) == "Imported 2 LSOA boundaries: 2 new, 0 updated."
    assert list(SmallArea.objects.values_list("code", "name", "kind")) == [
        ("E01019138", "Barrow-in-Furness 008A", SmallAreaKind.LSOA),
        ("E01019139", "Barrow-in-Furness 008B", SmallAreaKind.LSOA),
    ]
    hindpool = SmallArea.objects.get(code="E01019138")
    assert hindpool.boundary.contains(point(-3.235, 54.115))
    assert not hindpool.boundary.contains(point(-3.225, 54.115))


def test_an_import_is_recorded_in_the_audit_trail_with_who_did_it(administrator):
    import_boundaries(raw=collection(good_lsoa()), kind=BoundaryKind.LSOA, acting_user=administrator)

    event = AuditEvent.objects.get(action="boundaries.imported")
    assert event.actor == administrator
    assert event.summary == "Imported 1 LSOA boundary: 1 new, 0 updated."
    assert event.details["created"] == ["E01019138"]


@pytest.mark.parametrize(
    ("kind", "code_property", "name_property", "code", "name"),
    [
        (BoundaryKind.MSOA, "MSOA21CD", "MSOA21NM", "E02003970", "Barrow-in-Furness 008"),
        (BoundaryKind.WARD, "WD24CD", "WD24NM", "E05013372", "Hindpool"),
    ],
)
def test_msoas_and_wards_are_found_by_their_ons_property_names(kind, code_property, name_property, code, name):
    import_boundaries(raw=collection(feature({code_property: code, name_property: name}, polygon(*HINDPOOL))), kind=kind)

    assert list(SmallArea.objects.values_list("code", "name", "kind")) == [(code, name, kind)]


def test_a_single_feature_imports_as_one_boundary():
    raw = json.dumps(good_lsoa()).encode()

    summary = import_boundaries(raw=raw, kind=BoundaryKind.LSOA)

    assert str(summary) == "Imported 1 LSOA boundary: 1 new, 0 updated."
    assert list(SmallArea.objects.values_list("code", "name")) == [("E01019138", "Barrow-in-Furness 008A")]


def test_a_file_saved_with_a_byte_order_mark_is_read():
    raw = "\ufeff".encode() + collection(good_lsoa())

    import_boundaries(raw=raw, kind=BoundaryKind.LSOA)

    assert SmallArea.objects.filter(code="E01019138").exists()


def test_a_bare_polygon_imports_as_a_neighbourhood_with_the_code_and_name_given(force_area):
    raw = json.dumps(polygon(*HINDPOOL)).encode()

    summary = import_boundaries(raw=raw, kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area, code="BF-HIND", name="Hindpool")

    assert str(summary) == "Imported 1 neighbourhood boundary: 1 new, 0 updated."
    hindpool = Neighbourhood.objects.get()
    assert (hindpool.force_area, hindpool.code, hindpool.name) == (force_area, "BF-HIND", "Hindpool")
    assert hindpool.boundary.contains(point(-3.235, 54.115))


def test_a_bare_multipolygon_imports_as_one_neighbourhood_of_several_parts(force_area):
    # Walney Island and the mainland: one neighbourhood in two pieces.
    raw = json.dumps({"type": "MultiPolygon", "coordinates": [[ring(-3.26, 54.10)], [ring(*CENTRAL)]]}).encode()

    import_boundaries(raw=raw, kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area, code="BF-WAL", name="Walney and Central")

    walney = Neighbourhood.objects.get(code="BF-WAL")
    assert walney.name == "Walney and Central"
    assert walney.boundary.num_geom == 2
    assert walney.boundary.contains(point(-3.255, 54.105))
    assert walney.boundary.contains(point(-3.225, 54.115))
    assert not walney.boundary.contains(point(-3.245, 54.105))


def test_police_uk_boundary_of_string_coordinates_and_an_open_ring_imports_as_a_neighbourhood(force_area):
    raw = police_uk_boundary([(-3.23, 54.11), (-3.22, 54.11), (-3.22, 54.12), (-3.23, 54.12)])

    import_boundaries(raw=raw, kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area, code="BF-CEN", name="Barrow Central")

    central = Neighbourhood.objects.get(code="BF-CEN")
    assert central.name == "Barrow Central"
    outer_ring = central.boundary[0][0]
    assert len(outer_ring) == 5
    assert outer_ring[0] == outer_ring[-1] == (-3.23, 54.11)
    assert central.boundary.contains(point(-3.225, 54.115))


def test_police_uk_boundary_imported_as_the_force_boundary_replaces_the_old_one(force_area):
    raw = police_uk_boundary([(-3.30, 54.05), (-3.10, 54.05), (-3.10, 54.25), (-3.30, 54.25)])
    force_area.boundary = square(west=-2.80, south=54.30)
    force_area.save()

    summary = import_boundaries(raw=raw, kind=BoundaryKind.FORCE, force_area=force_area)

    assert str(summary) == "Imported 1 force area boundary: 0 new, 1 updated."
    force_area.refresh_from_db()
    assert force_area.boundary.contains(point(-3.2261, 54.1108))
    assert not force_area.boundary.contains(point(-2.795, 54.305))


def test_a_force_boundary_in_several_uncoded_parts_is_imported_as_their_union(force_area):
    raw = collection(feature({}, polygon(-3.26, 54.10)), feature({}, polygon(*CENTRAL)))

    summary = import_boundaries(raw=raw, kind=BoundaryKind.FORCE, force_area=force_area)

    assert str(summary) == "Imported 1 force area boundary: 0 new, 1 updated."
    force_area.refresh_from_db()
    assert force_area.boundary.num_geom == 2
    assert force_area.boundary.contains(point(-3.255, 54.105))
    assert force_area.boundary.contains(point(-3.225, 54.115))


def test_importing_the_same_lsoas_again_updates_them_rather_than_duplicating():
    import_boundaries(raw=collection(good_lsoa()), kind=BoundaryKind.LSOA)
    redrawn = lsoa("E01019138", "Barrow-in-Furness 008A (redrawn)", polygon(*CENTRAL))

    summary = import_boundaries(raw=collection(redrawn), kind=BoundaryKind.LSOA)

    assert str(summary) == "Imported 1 LSOA boundary: 0 new, 1 updated."
    area = SmallArea.objects.get()
    assert (area.code, area.name) == ("E01019138", "Barrow-in-Furness 008A (redrawn)")
    assert area.boundary.contains(point(-3.225, 54.115))
    assert not area.boundary.contains(point(-3.235, 54.115))


def test_importing_a_neighbourhood_again_updates_it_and_leaves_other_forces_alone(force_area):
    elsewhere = NeighbourhoodFactory(code="BF-HIND", name="Someone else's Hindpool")
    import_boundaries(raw=json.dumps(polygon(*HINDPOOL)), kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area, code="BF-HIND", name="Hindpool")

    summary = import_boundaries(
        raw=json.dumps(polygon(*CENTRAL)), kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area, code="BF-HIND", name="Hindpool and Central",
    )

    assert str(summary) == "Imported 1 neighbourhood boundary: 0 new, 1 updated."
    ours = Neighbourhood.objects.get(force_area=force_area)
    assert (ours.code, ours.name) == ("BF-HIND", "Hindpool and Central")
    assert ours.boundary.contains(point(-3.225, 54.115))
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Someone else's Hindpool"


# Bad input: the whole file ----------------------------------------------------------------


def test_malformed_json_is_refused_with_the_line_and_column():
    raw = b'{\n  "type": "FeatureCollection",\n  "features": [\n    {"type": "Feature",}\n  ]\n}\n'

    error = refused(raw)

    assert error.problems == ["The file is not valid JSON: Expecting property name enclosed in double quotes at line 4, column 24."]
    assert str(error).startswith("Nothing was imported: 1 problem found.")


@pytest.mark.parametrize("raw", [b"", b"  \n\t\n"], ids=["no bytes", "only whitespace"])
def test_an_empty_file_is_refused(raw):
    assert refused(raw).problems == ["The file is empty."]


def test_a_file_that_is_not_utf8_is_refused_naming_the_byte():
    # Saved as Latin-1 (Windows-1252) rather than UTF-8: the é of Café is one unreadable byte.
    raw = '{"type": "Feature", "properties": {"LSOA21CD": "E01019138", "LSOA21NM": "Barrow Café"}}'.encode("latin-1")

    unreadable = raw.index("é".encode("latin-1"))

    error = refused(raw)

    assert error.problems == [f"The file is not UTF-8 text (byte {unreadable} cannot be read)."]


def test_json_nested_too_deeply_is_refused_rather_than_crashing():
    error = refused(b"[" * 100_000)

    assert error.problems == ["The file is not valid JSON: it is nested too deeply to be a boundary."]


def test_a_feature_collection_with_no_features_is_refused():
    assert refused(collection()).problems == ["The FeatureCollection holds no features."]


def test_a_geojson_type_that_is_not_an_area_is_refused():
    raw = json.dumps({"type": "LineString", "coordinates": [[-3.23, 54.11], [-3.22, 54.12]]})

    assert refused(raw).problems == [
        "The file's GeoJSON type is 'LineString'; expected a FeatureCollection, Feature, Polygon or MultiPolygon."
    ]


@pytest.mark.parametrize("crs_name", ["EPSG:27700", "urn:ogc:def:crs:EPSG::27700"])
def test_a_file_declaring_british_national_grid_is_refused_rather_than_misread(crs_name):
    eastings_and_northings = {"type": "Polygon", "coordinates": [[[319000, 469000], [320000, 469000], [320000, 470000], [319000, 469000]]]}
    raw = collection(
        lsoa("E01019138", "Barrow-in-Furness 008A", eastings_and_northings),
        crs={"type": "name", "properties": {"name": crs_name}},
    )

    error = refused(raw)

    assert error.problems == [
        f"The file declares the coordinate reference system {crs_name!r}; only WGS84 longitude and latitude "
        "(EPSG:4326 / CRS84) are accepted. Re-project the file first."
    ]


def test_a_file_declaring_wgs84_is_accepted():
    raw = collection(good_lsoa(), crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})

    import_boundaries(raw=raw, kind=BoundaryKind.LSOA)

    assert SmallArea.objects.filter(code="E01019138").exists()


# Bad input: one feature wrong, beside a good one --------------------------------------------


def test_a_self_intersecting_bow_tie_is_named_with_where_it_crosses_and_nothing_is_imported():
    bow_tie = {"type": "Polygon", "coordinates": [[[-3.23, 54.11], [-3.22, 54.12], [-3.22, 54.11], [-3.23, 54.12], [-3.23, 54.11]]]}

    error = refused(collection(good_lsoa(), lsoa("E01019139", "Barrow-in-Furness 008B", bow_tie)))

    assert error.problems == [
        "Feature 2 (E01019139): is not a valid polygon: the boundary crosses itself at longitude -3.22500, latitude 54.11500."
    ]
    assert not SmallArea.objects.filter(code="E01019138").exists()


def test_coordinates_outside_great_britain_are_named_and_nothing_is_imported():
    paris = polygon(2.35, 48.85)

    error = refused(collection(good_lsoa(), lsoa("E01019139", "Barrow-in-Furness 008B", paris)))

    assert error.problems == [
        "Feature 2 (E01019139): the polygon: position 1: longitude 2.35, latitude 48.85 is outside Great Britain."
    ]


def test_a_swapped_coordinate_is_named_and_nothing_is_imported():
    latitude_first = {"type": "Polygon", "coordinates": [[[latitude, longitude] for longitude, latitude in ring(*CENTRAL)]]}

    error = refused(collection(good_lsoa(), lsoa("E01019139", "Barrow-in-Furness 008B", latitude_first)))

    assert error.problems == [
        "Feature 2 (E01019139): the polygon: position 1: longitude 54.11, latitude -3.23 is outside Great Britain; "
        "the latitude and longitude look swapped (GeoJSON puts longitude first)."
    ]


@pytest.mark.parametrize(
    ("kind", "code", "problem"),
    [
        (BoundaryKind.LSOA, "X01019138", "'X01019138' is not an ONS LSOA code (expected the form E01019138)"),
        (BoundaryKind.LSOA, "E0101913", "'E0101913' is not an ONS LSOA code (expected the form E01019138)"),
        (
            BoundaryKind.LSOA, "E02003970",
            "'E02003970' is not an ONS LSOA code (expected the form E01019138); it is an MSOA code, so import the file as MSOAs",
        ),
        (
            BoundaryKind.MSOA, "E01019139",
            "'E01019139' is not an ONS MSOA code (expected the form E02003970); it is an LSOA code, so import the file as LSOAs",
        ),
        (BoundaryKind.WARD, "E5013372", "'E5013372' is not an ONS WARD code (expected the form E05013372)"),
        (BoundaryKind.WARD, "S05013372", "'S05013372' is not an ONS WARD code (expected the form E05013372)"),
    ],
    ids=["LSOA with a bad country letter", "LSOA one digit short", "MSOA code as LSOA", "LSOA code as MSOA", "ward one digit short", "Scottish ward"],
)
def test_a_bad_ons_code_is_named_and_nothing_is_imported(kind, code, problem):
    good = feature({"code": {"lsoa": "E01019138", "msoa": "E02003971", "ward": "E05013373"}[kind], "name": "Good"}, polygon(*HINDPOOL))
    bad = feature({"code": code, "name": "Bad"}, polygon(*CENTRAL))

    error = refused(collection(good, bad), kind=kind)

    assert error.problems == [f"Feature 2 ({code}): {problem}."]
    assert not SmallArea.objects.exists()


def test_a_feature_without_a_code_is_named_by_its_position_and_nothing_is_imported():
    nameless = feature({"LSOA21NM": "Barrow-in-Furness 008B"}, polygon(*CENTRAL))

    error = refused(collection(good_lsoa(), nameless))

    assert error.problems == ["Feature 2: has no code (looked for the property LSOANNCD or code)."]


def test_a_missing_code_names_the_property_that_was_asked_for():
    error = refused(collection(good_lsoa()), code_property="lsoa_code")

    assert error.problems == ["Feature 1: has no code (looked for the property lsoa_code)."]


def test_a_code_used_twice_in_one_file_is_named_and_nothing_is_imported():
    twin = lsoa("E01019138", "Barrow-in-Furness 008A again", polygon(*CENTRAL))

    error = refused(collection(good_lsoa(), twin))

    assert error.problems == ["Feature 2 (E01019138): the code E01019138 is used twice (also by Feature 1 (E01019138))."]


def test_an_unclosed_ring_in_geojson_is_named_and_nothing_is_imported():
    # Only police.uk's answer may leave the ring open; GeoJSON must close it.
    open_ring = {"type": "Polygon", "coordinates": [ring(*CENTRAL)[:-1]]}

    error = refused(collection(good_lsoa(), lsoa("E01019139", "Barrow-in-Furness 008B", open_ring)))

    assert error.problems == ["Feature 2 (E01019139): the polygon: the ring is not closed (its first and last positions differ)."]


def test_a_ring_of_fewer_than_four_positions_is_named_and_nothing_is_imported():
    sliver = {"type": "Polygon", "coordinates": [[[-3.23, 54.11], [-3.22, 54.12], [-3.23, 54.11]]]}

    error = refused(collection(good_lsoa(), lsoa("E01019139", "Barrow-in-Furness 008B", sliver)))

    assert error.problems == ["Feature 2 (E01019139): the polygon: a ring needs at least 4 positions, it has 3."]


def test_a_bad_hole_is_named_by_its_polygon_and_ring():
    walney = [ring(-3.26, 54.10)]
    holed = [ring(-3.24, 54.10, size=0.03), ring(-3.23, 54.11)[:-1]]
    multipolygon = {"type": "MultiPolygon", "coordinates": [walney, holed]}

    error = refused(collection(lsoa("E01019139", "Barrow-in-Furness 008B", multipolygon)))

    assert error.problems == [
        "Feature 1 (E01019139): polygon 2, ring 2: the ring is not closed (its first and last positions differ)."
    ]


def test_a_point_instead_of_a_polygon_is_named_and_nothing_is_imported():
    town_hall = {"type": "Point", "coordinates": [-3.2261, 54.1108]}

    error = refused(collection(good_lsoa(), lsoa("E01019139", "Barrow-in-Furness 008B", town_hall)))

    assert error.problems == ["Feature 2 (E01019139): is a Point, not a Polygon or MultiPolygon."]


def test_a_geometry_without_a_type_is_named_plainly():
    untyped = {"coordinates": [ring(*CENTRAL)]}

    error = refused(collection(good_lsoa(), lsoa("E01019139", "Barrow-in-Furness 008B", untyped)))

    assert error.problems == ["Feature 2 (E01019139): has a geometry with no type (expected Polygon or MultiPolygon)."]


def test_a_feature_without_a_geometry_is_named_and_nothing_is_imported():
    error = refused(collection(good_lsoa(), feature({"LSOA21CD": "E01019139"}, None)))

    assert error.problems == ["Feature 2 (E01019139): has no geometry."]


def test_non_numeric_geojson_coordinates_are_named_and_nothing_is_imported():
    quoted = {"type": "Polygon", "coordinates": [[[-3.23, 54.11], ["-3.22", "54.11"], [-3.22, 54.12], [-3.23, 54.11]]]}

    error = refused(collection(good_lsoa(), lsoa("E01019139", "Barrow-in-Furness 008B", quoted)))

    assert error.problems == ["Feature 2 (E01019139): the polygon: position 2 is not a [longitude, latitude] pair of numbers."]


def test_non_numeric_police_uk_coordinates_are_named_by_point_and_nothing_is_imported(force_area):
    raw = json.dumps([
        {"latitude": "54.11", "longitude": "-3.23"},
        {"latitude": "54.11", "longitude": "-3.22"},
        {"latitude": "54.12", "longitude": "west"},
        {"latitude": "54.12", "longitude": "-3.23"},
    ])

    error = refused(raw, kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area, code="BF-CEN", name="Barrow Central")

    assert error.problems == ["Point 3: latitude '54.12' or longitude 'west' is not a number."]


def test_a_code_already_held_as_another_kind_of_small_area_is_named_and_nothing_is_imported():
    SmallAreaFactory(kind=SmallAreaKind.MSOA, code="E01019139", name="Held as an MSOA")

    error = refused(collection(good_lsoa(), lsoa("E01019139", "Barrow-in-Furness 008B", polygon(*CENTRAL))))

    assert error.problems == ["Feature 2 (E01019139): E01019139 is already held as a Middle layer super output area (MSOA)."]
    assert not SmallArea.objects.filter(code="E01019138").exists()
    assert SmallArea.objects.get(code="E01019139").name == "Held as an MSOA"


def test_a_neighbourhood_code_with_spaces_is_named_and_nothing_is_imported(force_area):
    raw = collection(
        feature({"id": "BF-HIND", "name": "Hindpool"}, polygon(*HINDPOOL)),
        feature({"id": "Barrow Central", "name": "Barrow Central"}, polygon(*CENTRAL)),
    )

    error = refused(raw, kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area)

    assert error.problems == ["Feature 2 (Barrow Central): 'Barrow Central' is not a usable identifier (letters, digits, dots, - and _ only)."]


def test_neighbourhoods_without_a_force_area_are_refused():
    error = refused(json.dumps(polygon(*HINDPOOL)), kind=BoundaryKind.NEIGHBOURHOOD, code="BF-HIND", name="Hindpool")

    assert error.problems == ["Choose the force area these boundaries belong to."]


def test_every_bad_feature_is_named_not_only_the_first():
    raw = collection(
        good_lsoa(),
        lsoa("E01019139", "Barrow-in-Furness 008B", {"type": "Point", "coordinates": [-3.2261, 54.1108]}),
        lsoa("X01019140", "Barrow-in-Furness 008C", polygon(*CENTRAL)),
    )

    error = refused(raw)

    assert error.problems == [
        "Feature 2 (E01019139): is a Point, not a Polygon or MultiPolygon.",
        "Feature 3 (X01019140): 'X01019140' is not an ONS LSOA code (expected the form E01019138).",
    ]
    assert str(error).startswith("Nothing was imported: 2 problems found.\n  Feature 2 (E01019139)")


def test_a_refused_reimport_leaves_the_existing_boundaries_as_they_were():
    import_boundaries(raw=collection(good_lsoa()), kind=BoundaryKind.LSOA)
    redrawn = lsoa("E01019138", "Renamed", polygon(*CENTRAL))
    broken = lsoa("E01019139", "Barrow-in-Furness 008B", {"type": "Point", "coordinates": [-3.2261, 54.1108]})

    refused(collection(redrawn, broken))

    area = SmallArea.objects.get()
    assert area.name == "Barrow-in-Furness 008A"
    assert area.boundary.contains(point(-3.235, 54.115))

