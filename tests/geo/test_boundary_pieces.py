"""The boundaries cut into pieces for placing are kept in step with the boundaries by the database, whatever
writes them: a boundary written is cut again, one deleted loses its pieces, only LSOAs among the small areas."""
import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection

from geo.models import BoundaryPiece, SmallAreaKind
from tests.factories import NeighbourhoodFactory, SmallAreaFactory, square

pytestmark = pytest.mark.django_db


def pieces_cover(kind: str, area_id: int, table: str) -> bool:
    """Whether the area's pieces, put back together, are its boundary (to within rounding)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT ST_Area(ST_SymDifference(ST_Union(p.piece), a.boundary)) < 1e-12 * ST_Area(a.boundary)
                  FROM geo_boundarypiece AS p JOIN {table} AS a ON a.id = p.area_id
                 WHERE p.kind = %s AND p.area_id = %s GROUP BY a.boundary""",
            [kind, area_id],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def dense_square(*, west: float, south: float, size: float, per_side: int = 100) -> MultiPolygon:
    """A square with a vertex every 1/per_side of a side: enough vertices to be cut into several pieces."""
    steps = [k / per_side * size for k in range(per_side)]
    ring = ([(west + d, south) for d in steps] + [(west + size, south + d) for d in steps]
            + [(west + size - d, south + size) for d in steps] + [(west, south + size - d) for d in steps] + [(west, south)])
    return MultiPolygon(Polygon(ring, srid=4326), srid=4326)


def test_a_neighbourhood_is_cut_into_pieces_when_saved_again_when_moved_and_loses_them_when_deleted():
    neighbourhood = NeighbourhoodFactory(boundary=dense_square(west=-3.25, south=54.10, size=0.01))
    first = set(BoundaryPiece.objects.filter(kind="neighbourhood", area_id=neighbourhood.pk).values_list("pk", flat=True))
    assert len(first) > 1 and pieces_cover("neighbourhood", neighbourhood.pk, "geo_neighbourhood")

    neighbourhood.boundary = dense_square(west=-3.20, south=54.10, size=0.02)
    neighbourhood.save(update_fields=["boundary"])
    moved = BoundaryPiece.objects.filter(kind="neighbourhood", area_id=neighbourhood.pk)
    assert not first & set(moved.values_list("pk", flat=True))
    assert pieces_cover("neighbourhood", neighbourhood.pk, "geo_neighbourhood")

    neighbourhood.delete()
    assert not BoundaryPiece.objects.filter(kind="neighbourhood", area_id=neighbourhood.pk).exists()


def test_a_change_of_name_alone_keeps_the_pieces():
    neighbourhood = NeighbourhoodFactory(boundary=dense_square(west=-3.25, south=54.10, size=0.01))
    before = set(BoundaryPiece.objects.filter(area_id=neighbourhood.pk).values_list("pk", flat=True))
    neighbourhood.name = "Renamed"
    neighbourhood.save(update_fields=["name"])
    assert set(BoundaryPiece.objects.filter(area_id=neighbourhood.pk).values_list("pk", flat=True)) == before


def test_only_lsoas_among_the_small_areas_are_cut():
    lsoa = SmallAreaFactory(boundary=square(west=-3.25, south=54.10))
    ward = SmallAreaFactory(kind=SmallAreaKind.WARD, code="E05013372", boundary=square(west=-3.24, south=54.10))
    assert pieces_cover("lsoa", lsoa.pk, "geo_smallarea")
    assert not BoundaryPiece.objects.filter(area_id=ward.pk).exists()

    lsoa.kind = SmallAreaKind.MSOA
    lsoa.save(update_fields=["kind"])
    assert not BoundaryPiece.objects.filter(kind="lsoa", area_id=lsoa.pk).exists()


def test_an_invalid_boundary_is_kept_whole_as_its_box_with_no_edge():
    # A bow tie (the boundary crosses itself): ST_Subdivide may refuse it, and its pieces could not be trusted.
    bow_tie = Polygon(((-3.23, 54.11), (-3.22, 54.12), (-3.22, 54.11), (-3.23, 54.12), (-3.23, 54.11)), srid=4326)
    neighbourhood = NeighbourhoodFactory(boundary=MultiPolygon(bow_tie, srid=4326))
    (piece,) = BoundaryPiece.objects.filter(kind="neighbourhood", area_id=neighbourhood.pk)
    # No edge: placing tests every point in the box against the whole boundary.
    assert piece.edge is None and piece.piece.extent == bow_tie.extent
