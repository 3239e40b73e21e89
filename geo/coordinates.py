"""Checks on coordinates from outside: GeoJSON files, forms, the browser's geolocation.

GeoJSON and GEOS put longitude first (x) and latitude second (y). The most common
mistake in files we are sent is the other order, so we say so by name.
"""
import math

from django.contrib.gis.geos import Point

from geo.models import WGS84

# Great Britain with its islands (Scilly to Shetland), in WGS84 degrees.
GB_MIN_LONGITUDE, GB_MAX_LONGITUDE = -8.75, 1.85
GB_MIN_LATITUDE, GB_MAX_LATITUDE = 49.8, 60.95


def _in_gb(longitude: float, latitude: float) -> bool:
    return GB_MIN_LONGITUDE <= longitude <= GB_MAX_LONGITUDE and GB_MIN_LATITUDE <= latitude <= GB_MAX_LATITUDE


def gb_coordinate_problem(longitude: float, latitude: float) -> str | None:
    """Why (longitude, latitude) is not a point in Great Britain, or None when it is."""
    if not (math.isfinite(longitude) and math.isfinite(latitude)):
        return "coordinates must be finite numbers"
    if _in_gb(longitude, latitude):
        return None
    if _in_gb(latitude, longitude):
        return (
            f"longitude {longitude:g}, latitude {latitude:g} is outside Great Britain; "
            "the latitude and longitude look swapped (GeoJSON puts longitude first)"
        )
    return f"longitude {longitude:g}, latitude {latitude:g} is outside Great Britain"


def gb_point(*, longitude: float, latitude: float) -> Point:
    """A WGS84 point, refused with a clear message when it is not in Great Britain."""
    problem = gb_coordinate_problem(longitude, latitude)
    if problem:
        raise ValueError(problem[0].upper() + problem[1:] + ".")
    return Point(longitude, latitude, srid=WGS84)
