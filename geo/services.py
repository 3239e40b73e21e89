"""Writes of geography that go beyond a boundary import."""
from django.contrib.gis.db.models import Union
from django.db import connection, transaction

from crm import audit
from geo.boundaries import as_multipolygon
from geo.models import ForceArea, Neighbourhood, SmallArea


@transaction.atomic
def small_areas_assign_to_neighbourhoods(*, force_area: ForceArea, acting_user=None) -> int:
    """Put each small area inside the force in the neighbourhood that holds a point on its surface.

    One UPDATE on the spatial indexes. Written in SQL because Django 5.2 cannot resolve
    PointOnSurface(OuterRef(...)) inside a subquery."""
    small_area, neighbourhood, force = SmallArea._meta.db_table, Neighbourhood._meta.db_table, ForceArea._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {small_area} AS s SET neighbourhood_id = (
                SELECT n.id FROM {neighbourhood} AS n
                WHERE n.force_area_id = %(force_area)s AND ST_Intersects(n.boundary, ST_PointOnSurface(s.boundary))
                ORDER BY n.id LIMIT 1
            )
            FROM {force} AS f
            WHERE f.id = %(force_area)s AND ST_Intersects(s.boundary, f.boundary)
            """,
            {"force_area": force_area.pk},
        )
        updated = cursor.rowcount
    audit.record(actor=acting_user, action="small_areas.assigned", summary=f"{updated} small areas placed in {force_area.name}'s neighbourhoods")
    return updated


@transaction.atomic
def force_area_boundary_from_neighbourhoods(*, force_area: ForceArea, acting_user=None) -> None:
    """Make the force boundary the union of its neighbourhoods (when no force boundary was imported)."""
    union = Neighbourhood.objects.filter(force_area=force_area).aggregate(union=Union("boundary"))["union"]
    force_area.boundary = as_multipolygon(union) if union is not None else None
    force_area.save(update_fields=["boundary"])
    audit.record(actor=acting_user, action="force_area.boundary_rebuilt", summary=f"{force_area.name} boundary rebuilt from its neighbourhoods")
