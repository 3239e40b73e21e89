"""Placing on boundaries cut into small pieces gives exactly what the whole boundaries give: the neighbourhood and
the LSOA that hold each point (ST_Intersects), the lowest id where a point sits on an edge two areas share, no LSOA
outside every LSOA, nothing outside every neighbourhood. Checked on real-shaped boundaries: hundreds of vertices
along winding shared edges, a neighbourhood in two parts, LSOAs that straddle two neighbourhoods, a strip with no
LSOA, and points on vertices, on edges and on the outer rim, in both of the ways the database may join them."""
import math
import random

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection

from geo.models import BoundaryPiece
from partners.collation.services import place_rows
from tests.factories import ForceAreaFactory, NeighbourhoodFactory, SmallAreaFactory

pytestmark = pytest.mark.django_db

SOUTH, NORTH, WEST, EAST = 54.10, 54.16, -3.30, -3.20
LSOA_EAST = -3.22  # east of this, up to EAST, no LSOA: points there are placed with no LSOA
ISLAND = (-3.15, 54.13, 0.01)  # centre and radius of the eastern neighbourhood's second part
POINTS = "placing_test_points"


def north_south_edge(vertices: int = 300) -> list[tuple[float, float]]:
    """The winding edge the two neighbourhoods share, south to north."""
    return [(-3.25 + 0.004 * math.sin(k * 0.37) + 0.002 * math.sin(k * 1.3), SOUTH + (NORTH - SOUTH) * (k / vertices) ** 1.1)
            for k in range(vertices + 1)]


def west_east_edge(vertices: int = 300) -> list[tuple[float, float]]:
    """The winding edge between the northern and the southern LSOA, west to east (it crosses the shared edge)."""
    return [(WEST + (LSOA_EAST - WEST) * (k / vertices) ** 1.1, 54.13 + 0.003 * math.sin(k * 0.41) + 0.001 * math.sin(k * 2.1))
            for k in range(vertices + 1)]


def island(vertices: int = 200) -> list[tuple[float, float]]:
    x, y, radius = ISLAND
    ring = [(x + radius * (1 + 0.1 * math.sin(5 * a)) * math.cos(a), y + radius * (1 + 0.1 * math.sin(5 * a)) * math.sin(a))
            for a in (2 * math.pi * k / vertices for k in range(vertices))]
    return ring + ring[:1]


def polygon(ring) -> Polygon:
    return Polygon(ring, srid=4326)


@pytest.fixture
def areas(db):
    """Two neighbourhoods on either side of a winding edge (the eastern one with an island), three LSOAs."""
    edge, cut = north_south_edge(), west_east_edge()
    force_area = ForceAreaFactory(boundary=MultiPolygon(polygon([(WEST, SOUTH), (1, SOUTH), (1, NORTH), (WEST, NORTH), (WEST, SOUTH)]), srid=4326))
    west = NeighbourhoodFactory(force_area=force_area, code="WEST", boundary=MultiPolygon(
        polygon([(WEST, SOUTH), *edge, (WEST, NORTH), (WEST, SOUTH)]), srid=4326))
    east = NeighbourhoodFactory(force_area=force_area, code="EAST", boundary=MultiPolygon(
        polygon([*edge, (EAST, NORTH), (EAST, SOUTH), edge[0]]), polygon(island()), srid=4326))
    north = SmallAreaFactory(code="E01000001", boundary=MultiPolygon(polygon([*cut, (LSOA_EAST, NORTH), (WEST, NORTH), cut[0]]), srid=4326))
    south = SmallAreaFactory(code="E01000002", boundary=MultiPolygon(polygon([(WEST, SOUTH), (LSOA_EAST, SOUTH), *reversed(cut), (WEST, SOUTH)]), srid=4326))
    on_island = SmallAreaFactory(code="E01000003", boundary=MultiPolygon(polygon(island()), srid=4326))
    return west, east, north, south, on_island


def points() -> list[tuple[float, float]]:
    """Points anywhere about the areas (as a file gives them, to six places), and points on their edges: every
    vertex of the winding edges and of the island, points part of the way along their segments, the outer rim."""
    chance = random.Random(14)
    chosen = [(round(chance.uniform(WEST - 0.01, -3.13), 6), round(chance.uniform(SOUTH - 0.005, NORTH + 0.005), 6)) for _ in range(600)]
    for line in (north_south_edge(), west_east_edge(), island()):
        chosen += line
        for (x1, y1), (x2, y2) in zip(line, line[1:]):
            chosen += [((x1 + x2) / 2, (y1 + y2) / 2), (x1 + (x2 - x1) / 3, y1 + (y2 - y1) / 3)]
    chosen += [(WEST, 54.12), (WEST, SOUTH), (EAST, NORTH), (-3.21, NORTH), (-3.21, SOUTH), (EAST, 54.15), (LSOA_EAST, 54.11), (LSOA_EAST, 54.15)]
    return chosen + beside_the_cuts()


def beside_the_cuts() -> list[tuple[float, float]]:
    """Points on the edges where the cutting crossed them: the new corners it made there are rounded, so a piece's
    edge strays from the boundary's by a hair, and a point on or beside the boundary's edge may fall on the other
    side of the piece's (the pieces alone would place it wrongly; placing tests it against the whole boundary)."""
    lines = [north_south_edge(), west_east_edge(), island()]
    vertices = {vertex for line in lines for vertex in line}
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT ST_X(d.geom), ST_Y(d.geom) FROM geo_boundarypiece AS p, ST_DumpPoints(p.piece) AS d")
        corners = [corner for corner in cursor.fetchall() if corner not in vertices]
    chosen = []
    for cx, cy in corners:
        for line in lines:
            for (x1, y1), (x2, y2) in zip(line, line[1:]):
                if min(x1, x2) - 1e-12 <= cx <= max(x1, x2) + 1e-12 and min(y1, y2) - 1e-12 <= cy <= max(y1, y2) + 1e-12:
                    along = ((cx - x1) * (x2 - x1) + (cy - y1) * (y2 - y1)) / ((x2 - x1) ** 2 + (y2 - y1) ** 2)
                    if 0 < along < 1 and abs((cx - x1) * (y2 - y1) - (cy - y1) * (x2 - x1)) < 1e-12:
                        chosen += [(x1 + (x2 - x1) * along * f, y1 + (y2 - y1) * along * f) for f in (0.5, 0.9, 0.99, 0.999, 0.9999, 1.0001, 1.001)]
    return chosen


def place_points(*, indexed: bool) -> dict[int, tuple]:
    """The points placed by place_rows, in a table of their own: with a GiST index on the points (each piece finds
    its points on it) or without (each point finds its pieces)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {POINTS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {POINTS} (id bigint PRIMARY KEY, location geometry(Point, 4326), "
                       "neighbourhood_id bigint, lsoa_id bigint) ON COMMIT DROP")
        chosen = points()
        cursor.execute(f"""INSERT INTO {POINTS} (id, location)
                           SELECT n, ST_SetSRID(ST_MakePoint(x, y), 4326) FROM unnest(%s::bigint[], %s::float8[], %s::float8[]) AS p (n, x, y)""",
                       [list(range(len(chosen))), [x for x, _ in chosen], [y for _, y in chosen]])
        if indexed:
            cursor.execute(f"CREATE INDEX ON {POINTS} USING gist (location)")
        cursor.execute(f"ANALYZE {POINTS}")
        placed = place_rows(cursor, table=POINTS)
        cursor.execute(f"SELECT id, neighbourhood_id, lsoa_id FROM {POINTS}")
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    assert placed == sum(1 for n, _ in rows.values() if n is not None)
    return rows


def placed_on_whole_boundaries() -> dict[int, tuple]:
    """What the whole boundaries say: the lowest id of the neighbourhoods, and of the LSOAs, that hold each point."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT t.id, n.id, CASE WHEN n.id IS NOT NULL THEN s.id END FROM {POINTS} AS t
                LEFT JOIN LATERAL (SELECT min(id) AS id FROM geo_neighbourhood WHERE ST_Intersects(boundary, t.location)) AS n ON TRUE
                LEFT JOIN LATERAL (SELECT min(id) AS id FROM geo_smallarea WHERE kind = 'lsoa' AND ST_Intersects(boundary, t.location)) AS s ON TRUE""")
        return {row[0]: row[1:] for row in cursor.fetchall()}


@pytest.mark.parametrize("indexed", [True, False], ids=["each piece finds its points", "each point finds its pieces"])
def test_placing_on_the_pieces_gives_what_the_whole_boundaries_give(areas, indexed):
    west, east, north, south, on_island = areas
    assert BoundaryPiece.objects.filter(kind="neighbourhood", area_id=west.pk).count() > 3  # cut: hundreds of vertices
    assert len(beside_the_cuts()) > 20
    placed = place_points(indexed=indexed)
    expected = placed_on_whole_boundaries()
    assert placed == expected
    # The points cover every case: each area, ties on the shared edges, neighbourhood without LSOA, and outside.
    outcomes = set(expected.values())
    assert {(west.pk, north.pk), (west.pk, south.pk), (east.pk, north.pk), (east.pk, south.pk), (east.pk, on_island.pk),
            (east.pk, None), (None, None)} <= outcomes
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT count(*) FROM {POINTS} AS t
                           WHERE (SELECT count(*) FROM geo_neighbourhood WHERE ST_Intersects(boundary, t.location)) = 2""")
        on_the_shared_edge = cursor.fetchone()[0]
    assert on_the_shared_edge > 300  # and each took the lower id, as the whole boundaries say


def test_an_lsoa_straddling_two_neighbourhoods_places_points_in_each(areas):
    west, east, north, _, _ = areas
    placed = place_points(indexed=True)
    in_north = {neighbourhood for neighbourhood, lsoa in placed.values() if lsoa == north.pk}
    assert in_north == {west.pk, east.pk}
