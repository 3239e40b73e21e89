"""Loading the open gazetteer files, all or nothing.

- **ONS Postcode Directory (ONSPD)**, CSV with a header row: `pcd, pcd2, pcds, dointr, doterm, …, oseast1m,
  osnrth1m, …, lat, long, …` (newer editions call the first columns `pcd7, pcd8, pcds`). We read `pcds` (the
  postcode with one space), `doterm` (blank while the postcode is live) and `lat`/`long` (WGS84). Postcodes
  with no grid reference carry latitude 99.999999 and are skipped, as are terminated ones.
- **OS Open Names**, CSV as OS ships it: no header row (the header is a separate file in DOC/), 34 columns
  `ID, NAMES_URI, NAME1, NAME1_LANG, NAME2, NAME2_LANG, TYPE, LOCAL_TYPE, GEOMETRY_X, GEOMETRY_Y, …,
  POSTCODE_DISTRICT, …, POPULATED_PLACE, …, DISTRICT_BOROUGH, …`; a file with the header row as its first
  line is accepted too. GEOMETRY_X and GEOMETRY_Y are British National Grid (EPSG:27700) eastings and
  northings. Rows of LOCAL_TYPE "Postcode" are postcode centroids and go with the postcodes.

Only rows that fall near a force area (its boundary's extent widened by about 2 km) are kept, so the
national files can be loaded as they come. A row that cannot be read stops the whole load, and the error
names its line."""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass

from django.contrib.gis.gdal import CoordTransform, OGRGeometry, SpatialReference
from django.contrib.gis.geos import Point, Polygon
from django.db import transaction

from organisations import audit
from finder.models import GazetteerKind, GazetteerLoad, PlaceName, Postcode
from geo.coordinates import gb_coordinate_problem
from geo.models import BRITISH_NATIONAL_GRID, WGS84, ForceArea

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
NO_GRID_REFERENCE_LATITUDE = 99.999999
OPEN_NAMES_COLUMNS = (
    "ID", "NAMES_URI", "NAME1", "NAME1_LANG", "NAME2", "NAME2_LANG", "TYPE", "LOCAL_TYPE", "GEOMETRY_X", "GEOMETRY_Y",
    "MOST_DETAIL_VIEW_RES", "LEAST_DETAIL_VIEW_RES", "MBR_XMIN", "MBR_YMIN", "MBR_XMAX", "MBR_YMAX", "POSTCODE_DISTRICT",
    "POSTCODE_DISTRICT_URI", "POPULATED_PLACE", "POPULATED_PLACE_URI", "POPULATED_PLACE_TYPE", "DISTRICT_BOROUGH",
    "DISTRICT_BOROUGH_URI", "DISTRICT_BOROUGH_TYPE", "COUNTY_UNITARY", "COUNTY_UNITARY_URI", "COUNTY_UNITARY_TYPE",
    "REGION", "REGION_URI", "COUNTRY", "COUNTRY_URI", "RELATED_SPATIAL_OBJECT", "SAME_AS_DBPEDIA", "SAME_AS_GEONAMES",
)
# What a resident might type: roads, and places people say they live in.
PLACE_LOCAL_TYPES = {"Named Road", "City", "Town", "Village", "Hamlet", "Suburban Area", "Other Settlement"}
MARGIN_DEGREES = 0.02  # about 2 km
MAX_PROBLEMS_SHOWN = 50


class GazetteerError(Exception):
    """Nothing was loaded; `problems` names each line that is wrong."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__("Nothing was loaded:\n  " + "\n  ".join(shown) + more)


@dataclass
class LoadSummary:
    kind: str
    rows_read: int = 0
    postcodes: int = 0
    place_names: int = 0
    skipped_terminated: int = 0
    outside: int = 0

    def __str__(self) -> str:
        kept = []
        if self.postcodes:
            kept.append(f"{self.postcodes} postcode{'s' if self.postcodes != 1 else ''}")
        if self.place_names:
            kept.append(f"{self.place_names} place name{'s' if self.place_names != 1 else ''}")
        text = f"Read {self.rows_read} rows; kept {' and '.join(kept) or 'nothing'}"
        if self.outside:
            text += f"; {self.outside} outside the force areas were left out"
        if self.skipped_terminated:
            text += f"; {self.skipped_terminated} terminated or without a location were left out"
        return text + "."


def normalise_postcode(text: str) -> str | None:
    """'la142lr', ' LA14  2LR ' → 'LA14 2LR'; None when it is not a full postcode."""
    squeezed = re.sub(r"\s+", "", (text or "").upper())
    match = POSTCODE.match(squeezed)
    return f"{match[1]} {match[2]}" if match else None


def force_extent() -> Polygon | None:
    """The force areas' extent, widened by the margin; None when no force has a boundary (keep everything)."""
    extents = [area.boundary.extent for area in ForceArea.objects.exclude(boundary__isnull=True).only("boundary")]
    if not extents:
        return None
    west, south = min(e[0] for e in extents) - MARGIN_DEGREES, min(e[1] for e in extents) - MARGIN_DEGREES
    east, north = max(e[2] for e in extents) + MARGIN_DEGREES, max(e[3] for e in extents) + MARGIN_DEGREES
    return Polygon.from_bbox((west, south, east, north))


def _text(raw: bytes | str | io.IOBase) -> io.TextIOBase:
    if isinstance(raw, str):
        return io.StringIO(raw)
    if isinstance(raw, bytes):
        raw = io.BytesIO(raw)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")


def _rows(raw):
    try:
        yield from enumerate(csv.reader(_text(raw)), start=1)
    except UnicodeDecodeError as error:
        raise GazetteerError([f"The file is not UTF-8 text (byte {error.start} cannot be read): is it a CSV file?"]) from None
    except csv.Error as error:
        raise GazetteerError([f"The file is not a readable CSV file: {error}."]) from None


def _number(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def read_onspd(raw, *, within: Polygon | None) -> tuple[dict[str, Point], set[str], LoadSummary, list[str]]:
    summary, problems, points, terminated = LoadSummary(kind=GazetteerKind.POSTCODES), [], {}, set()
    columns = None
    for line, row in _rows(raw):
        if columns is None:
            header = [cell.strip().lower() for cell in row]
            missing = [name for name in ("pcds", "lat", "long") if name not in header]
            if missing:
                raise GazetteerError([
                    f"Line 1: this is not an ONS Postcode Directory file: the header has no {', '.join(missing)} "
                    f"column{'s' if len(missing) > 1 else ''} (expected pcd, pcd2, pcds, dointr, doterm, …, lat, long, …)."
                ])
            columns = {name: header.index(name) for name in ("pcds", "lat", "long")}
            columns["doterm"] = header.index("doterm") if "doterm" in header else None
            continue
        if not any(cell.strip() for cell in row):
            continue
        summary.rows_read += 1
        if len(row) <= max(index for index in columns.values() if index is not None):
            problems.append(f"Line {line}: has {len(row)} columns; the header has more.")
            continue
        postcode = normalise_postcode(row[columns["pcds"]])
        if postcode is None:
            problems.append(f"Line {line}: {row[columns['pcds']]!r} is not a postcode.")
            continue
        try:
            latitude, longitude = _number(row[columns["lat"]]), _number(row[columns["long"]])
        except ValueError:
            problems.append(f"Line {line} ({postcode}): latitude {row[columns['lat']]!r} or longitude {row[columns['long']]!r} is not a number.")
            continue
        if (columns["doterm"] is not None and row[columns["doterm"]].strip()) or latitude == NO_GRID_REFERENCE_LATITUDE:
            summary.skipped_terminated += 1
            terminated.add(postcode)
            continue
        if (problem := gb_coordinate_problem(longitude, latitude)) and not postcode.startswith(("BT", "GY", "JE", "IM")):
            problems.append(f"Line {line} ({postcode}): {problem}.")
            continue
        point = Point(longitude, latitude, srid=WGS84)
        if within is not None and not within.contains(point):
            summary.outside += 1
            continue
        points[postcode] = point
    if columns is None:
        raise GazetteerError(["The file is empty."])
    return points, terminated, summary, problems


def read_open_names(raw, *, within: Polygon | None) -> tuple[dict[str, Point], list[PlaceName], LoadSummary, list[str]]:
    summary, problems, postcodes, places = LoadSummary(kind=GazetteerKind.PLACE_NAMES), [], {}, []
    to_wgs84 = CoordTransform(SpatialReference(BRITISH_NATIONAL_GRID), SpatialReference(WGS84))
    column = {name: index for index, name in enumerate(OPEN_NAMES_COLUMNS)}
    for line, row in _rows(raw):
        if line == 1 and row and row[0].strip().upper() == "ID":
            continue  # the header, when someone has joined it to the data
        if not any(cell.strip() for cell in row):
            continue
        summary.rows_read += 1
        if len(row) != len(OPEN_NAMES_COLUMNS):
            problems.append(f"Line {line}: has {len(row)} columns; OS Open Names has {len(OPEN_NAMES_COLUMNS)} (ID, NAMES_URI, NAME1, …).")
            continue
        local_type, name = row[column["LOCAL_TYPE"]].strip(), row[column["NAME1"]].strip()
        if local_type != "Postcode" and local_type not in PLACE_LOCAL_TYPES:
            continue
        try:
            easting, northing = _number(row[column["GEOMETRY_X"]]), _number(row[column["GEOMETRY_Y"]])
        except ValueError:
            problems.append(f"Line {line} ({name}): GEOMETRY_X {row[column['GEOMETRY_X']]!r} or GEOMETRY_Y {row[column['GEOMETRY_Y']]!r} "
                            "is not a number.")
            continue
        if not (0 <= easting <= 700_000 and 0 <= northing <= 1_300_000):
            problems.append(f"Line {line} ({name}): {easting:g}, {northing:g} is not a British National Grid easting and northing.")
            continue
        projected = OGRGeometry(f"POINT ({easting} {northing})", srs=BRITISH_NATIONAL_GRID)
        projected.transform(to_wgs84)
        point = Point(round(projected.x, 6), round(projected.y, 6), srid=WGS84)
        if within is not None and not within.contains(point):
            summary.outside += 1
            continue
        if local_type == "Postcode":
            if (postcode := normalise_postcode(name)) is not None:
                postcodes[postcode] = point
            continue
        if not name:
            problems.append(f"Line {line}: has no NAME1.")
            continue
        locality = row[column["POPULATED_PLACE"]].strip() or row[column["DISTRICT_BOROUGH"]].strip()
        places.append(PlaceName(
            os_id=row[column["ID"]].strip()[:60], name=name[:200], local_type=local_type, locality=locality[:200] if locality != name else "",
            postcode_district=row[column["POSTCODE_DISTRICT"]].strip()[:8], point=point,
        ))
    return postcodes, places, summary, problems


def load_gazetteer(*, raw, kind: str, file_name: str, acting_user=None) -> LoadSummary:
    """Read and check the whole file, then write it in one transaction with its audit record."""
    within = force_extent()
    if kind == GazetteerKind.POSTCODES:
        postcodes, terminated, summary, problems = read_onspd(raw, within=within)
        places = []
    elif kind == GazetteerKind.PLACE_NAMES:
        postcodes, places, summary, problems = read_open_names(raw, within=within)
        terminated = set()
    else:
        raise GazetteerError([f"Unknown kind of file {kind!r}."])
    if problems:
        raise GazetteerError(problems)
    with transaction.atomic():
        Postcode.objects.filter(postcode__in=terminated).delete()
        Postcode.objects.bulk_create(
            [Postcode(postcode=code, point=point) for code, point in postcodes.items()], batch_size=5000,
            update_conflicts=True, unique_fields=["postcode"], update_fields=["point"],
        )
        PlaceName.objects.bulk_create(
            places, batch_size=5000, update_conflicts=True, unique_fields=["os_id"],
            update_fields=["name", "local_type", "locality", "postcode_district", "point"],
        )
        summary.postcodes, summary.place_names = len(postcodes), len(places)
        GazetteerLoad.objects.create(kind=kind, file_name=file_name[:255], rows_read=summary.rows_read,
                                     rows_kept=summary.postcodes + summary.place_names, loaded_by=acting_user)
        audit.record(actor=acting_user, organisation=None, action="gazetteer.loaded", summary=f"{file_name}: {summary}")
    return summary
