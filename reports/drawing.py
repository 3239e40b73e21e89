"""SVG charts and maps for the PDF, drawn as text: no images, no tiles, nothing fetched.

Maps come from PostGIS: boundaries are projected to British National Grid (metres),
simplified and written as SVG paths by ST_AsSVG, which flips the y axis for us.
"""
from __future__ import annotations

import math

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsSVG, Transform
from django.db.models import FloatField, Func
from django.utils.html import escape

from geo.models import BRITISH_NATIONAL_GRID, Neighbourhood, SmallArea, SmallAreaKind

BAR = "#1d70b8"
SECOND = "#f47738"
MUTED = "#b1b4b6"
INK = "#0b0c0c"
# Five shades of blue for the coverage map, lightest for the thinnest engagement.
SHADES = ("#d2e2f1", "#a5c5e3", "#6f9fd0", "#3c78b8", "#1d4f8c")


class Simplified(Func):
    function = "ST_SimplifyPreserveTopology"
    output_field = GeometryField(srid=BRITISH_NATIONAL_GRID)


class Bound(Func):
    output_field = FloatField()


def _svg(width, height, body, *, stretch=False) -> str:
    # Charts carry no text: their labels and figures are in the page beside them, where they are
    # real text (searchable, read aloud) and far cheaper to lay out than SVG text.
    ratio = ' preserveAspectRatio="none"' if stretch else ""
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"{ratio}>{"".join(body)}</svg>'


ROW = 20  # viewBox units per bar row; the template gives each row the same height as its label


def bar_chart(values: list[int], *, width: int = 300) -> str:
    """Horizontal bars, one per row, scaled to the largest."""
    if not values:
        return ""
    largest = max(values) or 1
    body = [f'<rect x="0" y="{i * ROW + 4}" width="{max(v / largest * width, 0.5):.1f}" height="{ROW - 8}" fill="{BAR}"/>'
            for i, v in enumerate(values)]
    return _svg(width, len(values) * ROW, body, stretch=True)


def paired_bars(pairs: list[tuple[float, float]], *, width: int = 300) -> str:
    """Two shares per row (residents, then engagements that reached them), on the same scale."""
    if not pairs:
        return ""
    largest = max(max(a, b) for a, b in pairs) or 1
    body = []
    for i, (a, b) in enumerate(pairs):
        body.append(f'<rect x="0" y="{i * ROW + 2}" width="{max(a / largest * width, 0.5):.1f}" height="7" fill="{MUTED}"/>')
        body.append(f'<rect x="0" y="{i * ROW + 10}" width="{max(b / largest * width, 0.5):.1f}" height="7" fill="{SECOND}"/>')
    return _svg(width, len(pairs) * ROW, body, stretch=True)


def column_chart(values: list[int], *, height: int = 100) -> str:
    """Vertical columns (months), scaled to the largest, on a base line."""
    if not values:
        return ""
    largest = max(values) or 1
    step = 40
    body = [f'<line x1="0" y1="{height}" x2="{step * len(values)}" y2="{height}" stroke="{MUTED}" stroke-width="2"/>']
    for i, v in enumerate(values):
        h = v / largest * (height - 4)
        body.append(f'<rect x="{i * step + 6}" y="{height - h:.1f}" width="{step - 12}" height="{max(h, 0.5):.1f}" fill="{BAR}"/>')
    return _svg(step * len(values), height, body, stretch=True)


def _boundaries(queryset, tolerance: float):
    projected = Transform("boundary", BRITISH_NATIONAL_GRID)
    return queryset.annotate(
        path=AsSVG(Simplified(projected, tolerance), precision=0),
        xmin=Bound(projected, function="ST_XMin"), ymin=Bound(projected, function="ST_YMin"),
        xmax=Bound(projected, function="ST_XMax"), ymax=Bound(projected, function="ST_YMax"),
    )


def scale_bar_metres(width: float) -> float:
    """A round number of metres, about a fifth of the map's width."""
    target = width / 5
    metres = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if metres * step <= target:
            return metres * step
    return metres


def scale_label(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _scale_bar(xmin, ymax, width, height) -> str:
    """The scale bar at the bottom left; its length is written in the caption."""
    metres = scale_bar_metres(width)
    x, y = xmin + width * 0.03, -ymax + height * 0.95
    return f'<line x1="{x:.0f}" y1="{y:.0f}" x2="{x + metres:.0f}" y2="{y:.0f}" stroke="{INK}" stroke-width="{width / 120:.1f}"/>'


def _frame(xmin, ymin, xmax, ymax, margin=0.05):
    width, height = (xmax - xmin) or 1, (ymax - ymin) or 1
    pad = max(width, height) * margin
    return xmin - pad, ymin - pad, xmax + pad, ymax + pad


def area_maps(neighbourhood_ids, *, shading: dict[int, float | None], names: dict[int, str]) -> tuple[tuple, dict[int, tuple]]:
    """An overview map of every neighbourhood shaded by `shading` (engagements per 1,000 residents),
    and a map of each neighbourhood with its small areas (LSOAs), each as (svg, scale bar length).
    Three queries in all."""
    rows = list(_boundaries(Neighbourhood.objects.filter(pk__in=neighbourhood_ids), 5).values("pk", "path", "xmin", "ymin", "xmax", "ymax"))
    if not rows:
        return ("", ""), {}
    coarse = {row["pk"]: row["path"] for row in _boundaries(Neighbourhood.objects.filter(pk__in=neighbourhood_ids), 25).values("pk", "path")}
    lsoas = {}
    small_areas = SmallArea.objects.filter(neighbourhood_id__in=neighbourhood_ids, kind=SmallAreaKind.LSOA)
    for row in _boundaries(small_areas, 5).values("neighbourhood_id", "path"):
        lsoas.setdefault(row["neighbourhood_id"], []).append(row["path"])

    xmin, ymin, xmax, ymax = _frame(min(r["xmin"] for r in rows), min(r["ymin"] for r in rows),
                                    max(r["xmax"] for r in rows), max(r["ymax"] for r in rows), margin=0.03)
    width, height = xmax - xmin, ymax - ymin
    values = sorted(v for v in shading.values() if v is not None)
    breaks = [values[int(len(values) * i / len(SHADES))] for i in range(1, len(SHADES))] if values else []

    def shade(value):
        if value is None:
            return "#ffffff"
        return SHADES[sum(1 for b in breaks if value >= b)]

    stroke = max(width, height) / 600
    body = [f'<path d="{coarse[row["pk"]]}" fill="{shade(shading.get(row["pk"]))}" stroke="{INK}" stroke-width="{stroke:.1f}"/>' for row in rows]
    body.append(_scale_bar(xmin, ymax, width, height))
    overview = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{xmin:.0f} {-ymax:.0f} {width:.0f} {height:.0f}" '
                f'width="{width:.0f}" height="{height:.0f}">{"".join(body)}</svg>')

    maps = {}
    for row in rows:
        nxmin, nymin, nxmax, nymax = _frame(row["xmin"], row["ymin"], row["xmax"], row["ymax"])
        nwidth, nheight = nxmax - nxmin, nymax - nymin
        nstroke = max(nwidth, nheight) / 250
        title = f"Map of {names.get(row['pk'], 'the neighbourhood')}: its boundary and small areas"
        parts = [f'<path d="{path}" fill="#f3f2f1" stroke="{MUTED}" stroke-width="{nstroke / 2:.1f}"/>' for path in lsoas.get(row["pk"], [])]
        parts.append(f'<path d="{row["path"]}" fill="none" stroke="{BAR}" stroke-width="{nstroke * 1.5:.1f}"/>')
        parts.append(_scale_bar(nxmin, nymax, nwidth, nheight))
        maps[row["pk"]] = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{nxmin:.0f} {-nymax:.0f} {nwidth:.0f} {nheight:.0f}" '
                           f'width="{nwidth:.0f}" height="{nheight:.0f}"><title>{escape(title)}</title>{"".join(parts)}</svg>',
                           scale_label(scale_bar_metres(nwidth)))
    return (overview, scale_label(scale_bar_metres(width))), maps
