"""Importing boundaries from GeoJSON, all or nothing.

Accepted shapes: a FeatureCollection, a single Feature, a bare Polygon or MultiPolygon,
and police.uk's `/boundary` answer (a list of {"latitude": "…", "longitude": "…"}).
Every feature is checked before anything is written; a file with any problem
imports nothing and the error names each feature that is wrong.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.contrib.gis.geos import GEOSException, LinearRing, MultiPolygon, Polygon
from django.db import transaction

from organisations import audit
from geo import services
from geo.coordinates import gb_coordinate_problem
from geo.models import WGS84, ForceArea, Neighbourhood, SmallArea, SmallAreaKind, as_multipolygon, ons_code_problem


class BoundaryKind:
    FORCE = "force"
    NEIGHBOURHOOD = "neighbourhood"
    LSOA = SmallAreaKind.LSOA.value
    MSOA = SmallAreaKind.MSOA.value
    WARD = SmallAreaKind.WARD.value
    CHOICES = [
        (FORCE, "Force area"),
        (NEIGHBOURHOOD, "Neighbourhoods"),
        (LSOA, "LSOAs"),
        (MSOA, "MSOAs"),
        (WARD, "Wards"),
    ]
    SMALL_AREAS = (LSOA, MSOA, WARD)


# Property names that ONS and police.uk files use for codes and names, tried in order
# when the caller does not name one.
CODE_PROPERTY_PATTERNS = {
    BoundaryKind.LSOA: [r"^LSOA\d\dCD$", r"^code$"],
    BoundaryKind.MSOA: [r"^MSOA\d\dCD$", r"^code$"],
    BoundaryKind.WARD: [r"^WD\d\dCD$", r"^code$"],
    BoundaryKind.NEIGHBOURHOOD: [r"^id$", r"^code$"],
    BoundaryKind.FORCE: [r"^id$", r"^code$"],
}
NAME_PROPERTY_PATTERNS = {
    BoundaryKind.LSOA: [r"^LSOA\d\dNM$", r"^name$"],
    BoundaryKind.MSOA: [r"^MSOA\d\dNM$", r"^name$"],
    BoundaryKind.WARD: [r"^WD\d\dNM$", r"^name$"],
    BoundaryKind.NEIGHBOURHOOD: [r"^name$"],
    BoundaryKind.FORCE: [r"^name$"],
}
# How a summary or a hint names one boundary of each kind, and the kind's plural as offered in the upload form.
KIND_NOUNS = {
    BoundaryKind.FORCE: "force area", BoundaryKind.NEIGHBOURHOOD: "neighbourhood",
    BoundaryKind.LSOA: "LSOA", BoundaryKind.MSOA: "MSOA", BoundaryKind.WARD: "ward",
}
# police.uk identifiers hold dots too, such as 55.CR3001.
NEIGHBOURHOOD_CODE = re.compile(r"^(?=.*[A-Za-z0-9])[A-Za-z0-9_.-]{1,60}$")  # never only dots: "..", in a URL, climbs
ACCEPTED_CRS = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"}


class BoundaryImportError(Exception):
    """Nothing was imported; `problems` names each feature that is wrong."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:50]
        more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(self.headline + "\n  " + "\n  ".join(shown) + more)

    @property
    def headline(self) -> str:
        return f"Nothing was imported: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} found."


@dataclass
class BoundaryFeature:
    label: str
    code: str
    name: str
    geometry: MultiPolygon


@dataclass
class ImportSummary:
    kind: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        total = len(self.created) + len(self.updated)
        return (
            f"Imported {total} {KIND_NOUNS.get(self.kind, self.kind)} boundar{'y' if total == 1 else 'ies'}: "
            f"{len(self.created)} new, {len(self.updated)} updated."
        )


def parse_boundary_file(
    raw: bytes | str, *, kind: str, code_property: str | None = None, name_property: str | None = None,
    code: str | None = None, name: str | None = None,
) -> list[BoundaryFeature]:
    """Read and check every feature; raise BoundaryImportError naming each bad one."""
    document = _load_json(raw)
    raw_features = _features_of(document, code=code, name=name)
    problems: list[str] = []
    features: list[BoundaryFeature] = []
    for index, raw_feature in enumerate(raw_features, start=1):
        properties = raw_feature.get("properties") or {}
        if not isinstance(properties, dict):
            properties = {}
        feature_code = _pick(properties, code_property, CODE_PROPERTY_PATTERNS[kind]) or code
        feature_name = _pick(properties, name_property, NAME_PROPERTY_PATTERNS[kind]) or name or feature_code
        label = f"Feature {index}" + (f" ({feature_code})" if feature_code else "")
        feature_problems = []
        if not feature_code:
            wanted = code_property or " or ".join(p.strip("^$").replace("\\d\\d", "NN") for p in CODE_PROPERTY_PATTERNS[kind])
            feature_problems.append(f"has no code (looked for the property {wanted})")
        else:
            feature_code = str(feature_code).strip()
            if kind in BoundaryKind.SMALL_AREAS and (problem := ons_code_problem(kind, feature_code)):
                feature_problems.append(problem + _other_kind_hint(kind, feature_code))
            elif kind in (BoundaryKind.NEIGHBOURHOOD, BoundaryKind.FORCE) and not NEIGHBOURHOOD_CODE.match(feature_code):
                feature_problems.append(f"{feature_code!r} is not a usable identifier (letters, digits, dots, - and _ only)")
        geometry, geometry_problem = _geometry_of(raw_feature)
        if geometry_problem:
            feature_problems.append(geometry_problem)
        if feature_problems:
            problems.extend(f"{label}: {problem}." for problem in feature_problems)
            continue
        features.append(BoundaryFeature(label=label, code=feature_code, name=str(feature_name).strip()[:200], geometry=geometry))
    seen: dict[str, str] = {}
    # A force boundary is the union of its parts, whatever they are called; other codes must be unique.
    for feature in features if kind != BoundaryKind.FORCE else []:
        if feature.code in seen:
            problems.append(f"{feature.label}: the code {feature.code} is used twice (also by {seen[feature.code]}).")
        seen.setdefault(feature.code, feature.label)
    if problems:
        raise BoundaryImportError(problems)
    return features


def import_boundaries(
    *, raw: bytes | str, kind: str, force_area: ForceArea | None = None, code_property: str | None = None,
    name_property: str | None = None, code: str | None = None, name: str | None = None, acting_user=None,
) -> ImportSummary:
    """Check the whole file, then write every boundary in one transaction with its audit record."""
    if kind in (BoundaryKind.NEIGHBOURHOOD, BoundaryKind.FORCE) and force_area is None:
        raise BoundaryImportError(["Choose the force area these boundaries belong to."])
    if kind == BoundaryKind.FORCE and not code:
        # The force boundary's features need no codes of their own (police.uk's /boundary carries none).
        code = force_area.code
    features = parse_boundary_file(raw, kind=kind, code_property=code_property, name_property=name_property, code=code, name=name)
    summary = ImportSummary(kind=kind)
    with transaction.atomic():
        if kind == BoundaryKind.FORCE:
            _save_force_boundary(force_area, features, summary)
        elif kind == BoundaryKind.NEIGHBOURHOOD:
            _save_neighbourhoods(force_area, features, summary)
            services.small_areas_assign_to_neighbourhoods(force_area=force_area, acting_user=acting_user)
        else:
            _save_small_areas(kind, features, summary)
            for each_force_area in ForceArea.objects.filter(neighbourhoods__isnull=False).distinct():
                services.small_areas_assign_to_neighbourhoods(force_area=each_force_area, acting_user=acting_user)
        audit.record(
            actor=acting_user, organisation=force_area.force if force_area else None, action="boundaries.imported", summary=str(summary),
            kind=kind, force_area_id=force_area.pk if force_area else None,
            created=summary.created[:1000], updated=summary.updated[:1000],
        )
    return summary


def _save_force_boundary(force_area: ForceArea, features: list[BoundaryFeature], summary: ImportSummary) -> None:
    union = features[0].geometry
    for feature in features[1:]:
        union = union.union(feature.geometry)
    force_area.boundary = as_multipolygon(union)
    force_area.save(update_fields=["boundary"])
    summary.updated.append(force_area.code)


def _save_neighbourhoods(force_area: ForceArea, features: list[BoundaryFeature], summary: ImportSummary) -> None:
    existing = {n.code: n for n in Neighbourhood.objects.filter(force_area=force_area, code__in=[f.code for f in features])}
    for feature in features:
        neighbourhood = existing.get(feature.code)
        if neighbourhood is None:
            Neighbourhood.objects.create(force_area=force_area, code=feature.code, name=feature.name, boundary=feature.geometry)
            summary.created.append(feature.code)
        else:
            neighbourhood.name, neighbourhood.boundary = feature.name, feature.geometry
            neighbourhood.save(update_fields=["name", "boundary"])
            summary.updated.append(feature.code)


def _save_small_areas(kind: str, features: list[BoundaryFeature], summary: ImportSummary) -> None:
    existing = {a.code: a for a in SmallArea.objects.filter(code__in=[f.code for f in features])}
    clashes = [f"{f.label}: {f.code} is already held as a {existing[f.code].get_kind_display()}." for f in features if f.code in existing and existing[f.code].kind != kind]
    if clashes:
        raise BoundaryImportError(clashes)
    new = []
    for feature in features:
        area = existing.get(feature.code)
        if area is None:
            new.append(SmallArea(kind=kind, code=feature.code, name=feature.name, boundary=feature.geometry))
            summary.created.append(feature.code)
        else:
            area.name, area.boundary = feature.name, feature.geometry
            summary.updated.append(feature.code)
    SmallArea.objects.bulk_create(new, batch_size=1000)
    SmallArea.objects.bulk_update([existing[code] for code in summary.updated], ["name", "boundary"], batch_size=1000)


def _load_json(raw: bytes | str):
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise BoundaryImportError([f"The file is not UTF-8 text (byte {error.start} cannot be read)."]) from None
    if not raw.strip():
        raise BoundaryImportError(["The file is empty."])
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise BoundaryImportError([f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."]) from None
    except RecursionError:
        raise BoundaryImportError(["The file is not valid JSON: it is nested too deeply to be a boundary."]) from None


def _features_of(document, *, code: str | None, name: str | None) -> list[dict]:
    if isinstance(document, list):
        return [_police_uk_boundary_feature(document)]
    if not isinstance(document, dict):
        raise BoundaryImportError(["The file holds neither GeoJSON nor a police.uk boundary."])
    _refuse_foreign_crs(document)
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise BoundaryImportError(["The FeatureCollection has no list of features."])
        if not features:
            raise BoundaryImportError(["The FeatureCollection holds no features."])
        bad = [f"Feature {i}: is not a GeoJSON Feature." for i, f in enumerate(features, start=1) if not isinstance(f, dict) or f.get("type") != "Feature"]
        if bad:
            raise BoundaryImportError(bad)
        return features
    if kind == "Feature":
        return [document]
    if kind in ("Polygon", "MultiPolygon"):
        return [{"type": "Feature", "properties": {}, "geometry": document}]
    raise BoundaryImportError([f"The file's GeoJSON type is {kind!r}; expected a FeatureCollection, Feature, Polygon or MultiPolygon."])


def _refuse_foreign_crs(document: dict) -> None:
    # We never take a spatial reference from a file: coordinates are WGS84 or refused.
    crs = document.get("crs")
    if crs is None:
        return
    crs_name = ((crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None) or ""
    if crs_name not in ACCEPTED_CRS:
        raise BoundaryImportError([
            f"The file declares the coordinate reference system {crs_name or crs!r}; only WGS84 longitude and latitude "
            "(EPSG:4326 / CRS84) are accepted. Re-project the file first."
        ])


def _police_uk_boundary_feature(points: list) -> dict:
    """police.uk's /boundary answer: [{"latitude": "54.1", "longitude": "-3.2"}, …], an unclosed ring."""
    ring, problems = [], []
    for index, point in enumerate(points, start=1):
        if not isinstance(point, dict) or "latitude" not in point or "longitude" not in point:
            problems.append(f"Point {index}: needs \"latitude\" and \"longitude\".")
            continue
        try:
            ring.append([float(point["longitude"]), float(point["latitude"])])
        except (TypeError, ValueError):
            problems.append(f"Point {index}: latitude {point['latitude']!r} or longitude {point['longitude']!r} is not a number.")
    if problems:
        raise BoundaryImportError(problems)
    if ring and ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _other_kind_hint(kind: str, code: str) -> str:
    """When a code is a good ONS code of another kind (an MSOA code in a file of LSOAs), say so."""
    for other in BoundaryKind.SMALL_AREAS:
        if other != kind and not ons_code_problem(other, code):
            noun = KIND_NOUNS[other]
            article = "an" if noun[0] in "AEFHILMNORSX" else "a"
            return f"; it is {article} {noun} code, so import the file as {dict(BoundaryKind.CHOICES)[other]}"
    return ""


def _pick(properties: dict, explicit: str | None, patterns: list[str]):
    if explicit:
        return properties.get(explicit)
    for pattern in patterns:
        for key, value in properties.items():
            if re.match(pattern, key, flags=re.IGNORECASE) and value not in (None, ""):
                return value
    return None


def _geometry_of(feature: dict) -> tuple[MultiPolygon | None, str | None]:
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        return None, "has no geometry"
    geometry_type = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if geometry_type == "Polygon":
        polygons = [coordinates]
    elif geometry_type == "MultiPolygon":
        polygons = coordinates if isinstance(coordinates, list) else None
    elif not geometry_type:
        return None, "has a geometry with no type (expected Polygon or MultiPolygon)"
    else:
        return None, f"is a {geometry_type}, not a Polygon or MultiPolygon"
    if not polygons or not isinstance(polygons, list):
        return None, "has no coordinates"
    built = []
    for polygon_index, rings in enumerate(polygons, start=1):
        where = f"polygon {polygon_index}" if len(polygons) > 1 else "the polygon"
        if not isinstance(rings, list) or not rings:
            return None, f"{where} has no rings"
        linear_rings = []
        for ring_index, ring in enumerate(rings, start=1):
            ring_name = f"{where}, ring {ring_index}" if len(rings) > 1 else where
            problem = _ring_problem(ring)
            if problem:
                return None, f"{ring_name}: {problem}"
            linear_rings.append(LinearRing([(float(x), float(y)) for x, y, *_ in ring], srid=WGS84))
        try:
            built.append(Polygon(*linear_rings, srid=WGS84))
        except (GEOSException, ValueError, TypeError) as error:
            return None, f"{where} cannot be built: {error}"
    multipolygon = MultiPolygon(*built, srid=WGS84)
    if not multipolygon.valid:
        return None, f"is not a valid polygon: {_explain_invalid(multipolygon.valid_reason)}"
    return multipolygon, None


def _ring_problem(ring) -> str | None:
    if not isinstance(ring, list):
        return "the ring is not a list of positions"
    for position_index, position in enumerate(ring, start=1):
        if (
            not isinstance(position, list) or len(position) < 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])
        ):
            return f"position {position_index} is not a [longitude, latitude] pair of numbers"
        problem = gb_coordinate_problem(float(position[0]), float(position[1]))
        if problem:
            return f"position {position_index}: {problem}"
    if len(ring) < 4:
        return f"a ring needs at least 4 positions, it has {len(ring)}"
    if ring[0][:2] != ring[-1][:2]:
        return "the ring is not closed (its first and last positions differ)"
    return None


def _explain_invalid(reason: str) -> str:
    # GEOS says e.g. "Self-intersection[-3.2101 54.1102]"; say where in longitude and latitude.
    match = re.match(r"^(?P<what>[^\[]+)\[(?P<x>-?[\d.e+-]+) (?P<y>-?[\d.e+-]+)\]$", reason or "")
    if not match:
        return reason or "unknown reason"
    what = match["what"].strip().lower().replace("self-intersection", "the boundary crosses itself")
    return f"{what} at longitude {float(match['x']):.5f}, latitude {float(match['y']):.5f}"
