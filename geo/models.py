"""Boundaries are stored in WGS84 (SRID 4326), as police.uk and GeoJSON give them.
Lengths and areas are measured in British National Grid (EPSG:27700), in metres."""
import re

import pgtrigger
from django.contrib.gis.db import models
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.contrib.gis.db.models.functions import Area, Perimeter, Transform
from django.core.exceptions import ValidationError

from organisations.models import Organisation, OrganisationKind

BRITISH_NATIONAL_GRID = 27700
WGS84 = 4326


class SmallAreaKind(models.TextChoices):
    LSOA = "lsoa", "Lower layer super output area (LSOA)"
    MSOA = "msoa", "Middle layer super output area (MSOA)"
    WARD = "ward", "Electoral ward"


# ONS GSS codes: a country letter (E England, W Wales), an entity number, six digits.
ONS_CODE_PATTERNS = {
    SmallAreaKind.LSOA: re.compile(r"^[EW]01\d{6}$"),
    SmallAreaKind.MSOA: re.compile(r"^[EW]02\d{6}$"),
    SmallAreaKind.WARD: re.compile(r"^[EW]05\d{6}$"),
}
ONS_CODE_EXAMPLES = {SmallAreaKind.LSOA: "E01019138", SmallAreaKind.MSOA: "E02003970", SmallAreaKind.WARD: "E05013372"}


def ons_code_problem(kind: str, code: str) -> str | None:
    """Why `code` is not a valid ONS code for `kind`, or None when it is."""
    pattern = ONS_CODE_PATTERNS[SmallAreaKind(kind)]
    if pattern.match(code or ""):
        return None
    label = SmallAreaKind(kind).name
    return f"{code!r} is not an ONS {label} code (expected the form {ONS_CODE_EXAMPLES[SmallAreaKind(kind)]})"


def as_multipolygon(geometry) -> MultiPolygon:
    """Boundaries are always stored as MultiPolygons, whatever shape a union or a file gives."""
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon(geometry, srid=WGS84)
    return MultiPolygon(*[g for g in geometry if isinstance(g, Polygon)], srid=WGS84)


# Placing a point (partners.collation.services.place_rows) looks it up among the boundaries cut into small pieces,
# each with at most this many vertices: testing a point against a piece of a few dozen vertices is far cheaper
# than against a whole boundary of hundreds, and the pieces' boxes fit them closely on the GiST index.
PIECE_MAX_VERTICES = 64
# A point this near a piece's edge (in degrees: about 0.1 mm) is tested against the whole boundary instead, so that
# cutting (whose new corners are rounded) never moves a point on or beside an edge into or out of an area.
PIECE_EDGE_DEGREES = 1e-9


class BoundaryPieceKind(models.TextChoices):
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
    LSOA = "lsoa", "Lower layer super output area (LSOA)"


def _pieces_kept(kind: str, *, only_when: str = "") -> pgtrigger.Trigger:
    """The trigger that keeps a table's boundary pieces in step with its boundaries, whatever writes them (the
    boundary import, the admin, a fixture, raw SQL): a boundary written is cut again, one deleted loses its pieces."""
    return pgtrigger.Trigger(
        name="boundary_pieces_kept", when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.UpdateOf("boundary", *(("kind",) if kind == BoundaryPieceKind.LSOA else ())) | pgtrigger.Delete,
        func=f"""
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                DELETE FROM geo_boundarypiece WHERE kind = '{kind}' AND area_id = OLD.id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE'){f" AND {only_when}" if only_when else ""} THEN
                PERFORM geo_boundary_pieces_cut('{kind}', NEW.id, NEW.boundary);
            END IF;
            RETURN NULL;""",
    )


class BoundaryQuerySet(models.QuerySet):
    def with_measurements(self):
        """Annotate area (square metres) and perimeter (metres), measured in EPSG:27700."""
        projected = Transform("boundary", BRITISH_NATIONAL_GRID)
        return self.annotate(area_sq_m=Area(projected), perimeter_m=Perimeter(projected))

    def containing(self, point):
        """The areas that contain the point (a point on a shared edge belongs to both)."""
        return self.filter(boundary__intersects=point)


class ForceAreaQuerySet(BoundaryQuerySet):
    def administered_by(self, user):
        """The force areas whose boundaries `user` may change: their own force's (all, for a superuser)."""
        from access.visibility import can_see_everything, can_see_nothing, visible_organisation_ids

        if can_see_nothing(user):
            return self.none()
        if can_see_everything(user):
            return self.all()
        return self.filter(force__in=visible_organisation_ids(user))


class ForceArea(models.Model):
    force = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="force_area",
        limit_choices_to={"kind": OrganisationKind.POLICE_FORCE},
    )
    code = models.SlugField(max_length=60, unique=True, help_text="The force's police.uk identifier, such as 'cumbria'.")
    name = models.CharField(max_length=200)
    boundary = models.MultiPolygonField(srid=WGS84, null=True, blank=True)

    objects = ForceAreaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """A neighbourhood (beat): the area a neighbourhood team polices and holds beat meetings in."""

    force_area = models.ForeignKey(ForceArea, on_delete=models.PROTECT, related_name="neighbourhoods")
    code = models.CharField(max_length=60, help_text="The neighbourhood's police.uk identifier.")
    name = models.CharField(max_length=200)
    boundary = models.MultiPolygonField(srid=WGS84)
    team = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="neighbourhoods",
        limit_choices_to={"kind": OrganisationKind.NEIGHBOURHOOD_TEAM},
    )
    description = models.TextField(blank=True)

    objects = BoundaryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["force_area", "code"], name="neighbourhood_code_unique_in_force"),
        ]
        triggers = [_pieces_kept(BoundaryPieceKind.NEIGHBOURHOOD)]

    def __str__(self) -> str:
        return self.name


class SmallArea(models.Model):
    """An ONS statistical or electoral area, the unit demographic profiles are kept for."""

    kind = models.CharField(max_length=10, choices=SmallAreaKind.choices)
    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=200)
    boundary = models.MultiPolygonField(srid=WGS84)
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="small_areas",
    )

    objects = BoundaryQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "neighbourhood"])]
        triggers = [_pieces_kept(BoundaryPieceKind.LSOA, only_when="NEW.kind = 'lsoa'")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if self.kind and (problem := ons_code_problem(self.kind, self.code)):
            raise ValidationError({"code": problem[0].upper() + problem[1:] + "."})


class BoundaryPiece(models.Model):
    """A piece of a neighbourhood's or an LSOA's boundary (ST_Subdivide, at most PIECE_MAX_VERTICES vertices), with
    the piece's own edge: what placing looks points up in. Kept by triggers on the boundaries' tables (function
    geo_boundary_pieces_cut, migration 0002), never written by the application. A boundary PostGIS finds invalid
    is not cut: its one piece is its box with no edge, so every point in the box is tested against the whole."""

    kind = models.CharField(max_length=20, choices=BoundaryPieceKind.choices)
    area_id = models.BigIntegerField(help_text="The neighbourhood's or the small area's id.")
    piece = models.GeometryField(srid=WGS84)
    edge = models.GeometryField(srid=WGS84, null=True, spatial_index=False)

    class Meta:
        indexes = [models.Index(fields=["kind", "area_id"])]

    def __str__(self) -> str:
        return f"A piece of {self.kind} {self.area_id}"


# Categories follow the 2021 Census's high-level classifications, so that who an
# engagement reached can be set against who lives in the area.
AGE_BANDS = ("0-15", "16-24", "25-44", "45-64", "65-74", "75+")
ETHNIC_GROUPS = ("asian", "black", "mixed", "white", "other")
DISABILITY_STATUSES = ("limited_a_lot", "limited_a_little", "not_disabled")
# What people read for each category (the 2021 Census's own wording, shortened where it is long).
CATEGORY_LABELS = {
    "0-15": "Aged 15 and under", "16-24": "Aged 16 to 24", "25-44": "Aged 25 to 44", "45-64": "Aged 45 to 64",
    "65-74": "Aged 65 to 74", "75+": "Aged 75 and over",
    "asian": "Asian, Asian British or Asian Welsh", "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or multiple ethnic groups", "white": "White", "other": "Other ethnic group",
    "limited_a_lot": "Disabled, day-to-day activities limited a lot", "limited_a_little": "Disabled, limited a little",
    "not_disabled": "Not disabled",
}


class DemographicProfile(models.Model):
    """Who lives in a small area. Counts of usual residents."""

    area = models.OneToOneField(SmallArea, on_delete=models.CASCADE, related_name="profile")
    source = models.CharField(max_length=200, help_text="Where the figures come from, such as 'Census 2021'.")
    population_by_age_band = models.JSONField(help_text=f"Counts for the bands {', '.join(AGE_BANDS)}.")
    ethnicity = models.JSONField(help_text=f"Counts for the groups {', '.join(ETHNIC_GROUPS)}.")
    disability = models.JSONField(help_text=f"Counts for {', '.join(DISABILITY_STATUSES)}.")
    main_language = models.JSONField(help_text="Counts by main language, such as {'English': 1400, 'Polish': 30}.")
    bsl_users = models.PositiveIntegerField("British Sign Language users", default=0)

    def __str__(self) -> str:
        return f"Profile of {self.area}"

    @property
    def total_population(self) -> int:
        return sum(self.population_by_age_band.values())

    def clean(self) -> None:
        errors = {}
        for field, keys in (("population_by_age_band", AGE_BANDS), ("ethnicity", ETHNIC_GROUPS), ("disability", DISABILITY_STATUSES)):
            problem = _count_table_problem(getattr(self, field), expected_keys=keys)
            if problem:
                errors[field] = problem
        language_problem = _count_table_problem(self.main_language, expected_keys=None)
        if language_problem:
            errors["main_language"] = language_problem
        if not errors:
            total = self.total_population
            for field in ("ethnicity", "disability"):
                if sum(getattr(self, field).values()) != total:
                    errors[field] = f"The counts add up to {sum(getattr(self, field).values())}, not the population of {total}."
            if sum(self.main_language.values()) > total:
                errors["main_language"] = f"The counts add up to more than the population of {total}."
            if self.bsl_users > total:
                errors["bsl_users"] = f"More BSL users than the population of {total}."
        if errors:
            raise ValidationError(errors)


def _count_table_problem(table, *, expected_keys) -> str | None:
    if not isinstance(table, dict):
        return "Give a table of counts, such as {\"0-15\": 250}."
    if expected_keys is not None and set(table) != set(expected_keys):
        missing = [key for key in expected_keys if key not in table]
        unknown = sorted(set(table) - set(expected_keys))
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if unknown:
            parts.append("unknown " + ", ".join(unknown))
        return "The categories are wrong: " + "; ".join(parts) + "."
    for key, value in table.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"The count for {key!r} must be a whole number of 0 or more."
    return None
