"""Writes of geography that go beyond a boundary import."""
from django.contrib.gis.db.models import Union
from django.db import connection, transaction

from organisations import audit
from geo.models import ForceArea, Neighbourhood, SmallArea, as_multipolygon


@transaction.atomic
def small_areas_assign_to_neighbourhoods(*, force_area: ForceArea, acting_user=None) -> int:
    """Put each small area in the force's neighbourhood that holds a point on its surface.

    Small areas that no neighbourhood of this force holds are left as they are, unless
    they pointed at one of this force's neighbourhoods (then they are cleared), so one
    force's assignment never touches a neighbouring force's. Written in SQL because
    Django 5.2 cannot resolve PointOnSurface(OuterRef(...)) inside a subquery."""
    small_area, neighbourhood = SmallArea._meta.db_table, Neighbourhood._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH matches AS (
                SELECT DISTINCT ON (s.id) s.id AS small_area_id, n.id AS neighbourhood_id
                FROM {small_area} AS s
                JOIN {neighbourhood} AS n
                  ON n.force_area_id = %(force_area)s AND ST_Intersects(n.boundary, ST_PointOnSurface(s.boundary))
                ORDER BY s.id, n.id
            ), cleared AS (
                UPDATE {small_area} SET neighbourhood_id = NULL
                WHERE neighbourhood_id IN (SELECT id FROM {neighbourhood} WHERE force_area_id = %(force_area)s)
                  AND id NOT IN (SELECT small_area_id FROM matches)
                RETURNING id
            )
            UPDATE {small_area} AS s SET neighbourhood_id = matches.neighbourhood_id
            FROM matches
            WHERE s.id = matches.small_area_id AND s.neighbourhood_id IS DISTINCT FROM matches.neighbourhood_id
            """,
            {"force_area": force_area.pk},
        )
        updated = cursor.rowcount
    if updated:
        audit.record(actor=acting_user, organisation=force_area.force, action="small_areas.assigned",
                     summary=f"{updated} small areas placed in {force_area.name}'s neighbourhoods")
    return updated


@transaction.atomic
def force_area_boundary_from_neighbourhoods(*, force_area: ForceArea, acting_user=None) -> None:
    """Make the force boundary the union of its neighbourhoods (when no force boundary was imported)."""
    union = Neighbourhood.objects.filter(force_area=force_area).aggregate(union=Union("boundary"))["union"]
    force_area.boundary = as_multipolygon(union) if union is not None else None
    force_area.save(update_fields=["boundary"])
    audit.record(actor=acting_user, organisation=force_area.force, action="force_area.boundary_rebuilt", summary=f"{force_area.name} boundary rebuilt from its neighbourhoods")
