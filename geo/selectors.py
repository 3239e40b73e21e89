"""Reads of geography. Boundaries and profiles are not personal data: every signed-in user sees them."""
import json
from collections import Counter

from django.contrib.gis.db.models.functions import AsGeoJSON, PointOnSurface
from django.urls import reverse

from geo.coordinates import gb_point
from geo.models import AGE_BANDS, CATEGORY_LABELS, DISABILITY_STATUSES, ETHNIC_GROUPS, DemographicProfile, Neighbourhood


def neighbourhood_for_point(*, longitude: float, latitude: float) -> Neighbourhood | None:
    """The neighbourhood a point falls in (the lowest id if it sits on a shared edge). Uses the spatial index."""
    point = gb_point(longitude=longitude, latitude=latitude)
    return Neighbourhood.objects.containing(point).select_related("force_area").order_by("pk").first()


def neighbourhood_feature_collection(*, url=None) -> dict:
    """Every neighbourhood as a GeoJSON FeatureCollection for the map, in one query. `url(force_code, code, pk)`
    gives each one's link (the signed-in page by default); `label` is a point inside it for its name on the map."""
    url = url or (lambda force_code, code, pk: reverse("geo:neighbourhood", args=[pk]))
    rows = (
        Neighbourhood.objects.with_measurements()
        .annotate(geojson=AsGeoJSON("boundary", precision=6), label=PointOnSurface("boundary"))
        .values("pk", "code", "name", "geojson", "area_sq_m", "label", "force_area__code")
        .order_by("name")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["pk"],
                "properties": {
                    "code": row["code"],
                    "name": row["name"],
                    "area_sq_km": round(row["area_sq_m"].sq_m / 1_000_000, 2),
                    "url": url(row["force_area__code"], row["code"], row["pk"]),
                    "label": [round(row["label"].y, 6), round(row["label"].x, 6)],
                },
                "geometry": json.loads(row["geojson"]),
            }
            for row in rows
        ],
    }


PROFILE_TABLES = ("population_by_age_band", "ethnicity", "disability", "main_language")


def summed_profiles(profiles) -> tuple[dict[str, Counter], list[DemographicProfile]] | None:
    """Add up small areas' profiles (a DemographicProfile queryset) table by table, in one query."""
    profiles = list(profiles.only(*PROFILE_TABLES, "bsl_users", "source"))
    if not profiles:
        return None
    totals = {name: Counter() for name in PROFILE_TABLES}
    for profile in profiles:
        for name, counter in totals.items():
            counter.update(getattr(profile, name))
    return totals, profiles


def neighbourhood_profile(neighbourhood: Neighbourhood) -> dict | None:
    """The demographic profile of a neighbourhood: the sum of its small areas' profiles (one query)."""
    summed = summed_profiles(DemographicProfile.objects.filter(area__neighbourhood=neighbourhood))
    if summed is None:
        return None
    totals, profiles = summed
    population = sum(totals["population_by_age_band"].values())

    def table(counter: Counter, order) -> list[dict]:
        keys = order if order is not None else [key for key, _ in counter.most_common()]
        return [
            {"label": key, "name": CATEGORY_LABELS.get(key, key), "count": counter.get(key, 0),
             "share": (counter.get(key, 0) / population) if population else 0}
            for key in keys
        ]

    return {
        "population": population,
        "areas": len(profiles),
        "sources": sorted({p.source for p in profiles}),
        "age_bands": table(totals["population_by_age_band"], AGE_BANDS),
        "ethnicity": table(totals["ethnicity"], ETHNIC_GROUPS),
        "disability": table(totals["disability"], DISABILITY_STATUSES),
        "main_language": table(totals["main_language"], None),
        "bsl_users": sum(p.bsl_users for p in profiles),
    }
