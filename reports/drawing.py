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


def _text(x, y, content, *, size=11, anchor="start", weight="normal", fill=INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}">{escape(content)}</text>')


def _svg(width, height, title, body) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>')


def bar_chart(rows: list[tuple[str, int]], *, title: str, width: int = 480) -> str:
    """Horizontal bars, one per row, with the value written at the end of each."""
    if not rows:
        return ""
    label_width, row_height = 190, 20
    largest = max(value for _, value in rows) or 1
    scale = (width - label_width - 50) / largest
    body = []
    for index, (label, value) in enumerate(rows):
        y = index * row_height
        body.append(_text(label_width - 6, y + 14, label, anchor="end"))
        body.append(f'<rect x="{label_width}" y="{y + 3}" width="{max(value * scale, 0.5):.1f}" height="{row_height - 6}" fill="{BAR}"/>')
        body.append(_text(label_width + value * scale + 4, y + 14, f"{value:,}"))
    return _svg(width, len(rows) * row_height + 4, title, body)


def column_chart(columns: list[tuple[str, int]], *, title: str, width: int = 480, height: int = 150) -> str:
    """Vertical columns (months), labelled underneath, values on top."""
    if not columns:
        return ""
    top, bottom = 16, 20
    largest = max(value for _, value in columns) or 1
    step = width / len(columns)
    body = [f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="{MUTED}"/>']
    for index, (label, value) in enumerate(columns):
        bar_height = value / largest * (height - top - bottom)
        x = index * step
        body.append(f'<rect x="{x + step * 0.15:.1f}" y="{height - bottom - bar_height:.1f}" width="{step * 0.7:.1f}" '
                    f'height="{max(bar_height, 0.5):.1f}" fill="{BAR}"/>')
        body.append(_text(x + step / 2, height - bottom - bar_height - 3, f"{value:,}", size=10, anchor="middle"))
        body.append(_text(x + step / 2, height - 6, label, size=10, anchor="middle"))
    return _svg(width, height, title, body)


def paired_bars(rows: list[tuple[str, float, float]], *, title: str, first: str, second: str, width: int = 560) -> str:
    """Two shares side by side per row (residents against engagements), as percentages."""
    if not rows:
        return ""
    label_width, row_height = 250, 26
    scale = (width - label_width - 50) / max(max(max(a, b) for _, a, b in rows), 0.01)
    body = [
        f'<rect x="{label_width}" y="2" width="10" height="8" fill="{MUTED}"/>', _text(label_width + 14, 10, first, size=10),
        f'<rect x="{label_width + 80}" y="2" width="10" height="8" fill="{SECOND}"/>', _text(label_width + 94, 10, second, size=10),
    ]
    for index, (label, a, b) in enumerate(rows):
        y = 16 + index * row_height
        body.append(_text(label_width - 6, y + 15, label, anchor="end", size=10))
        for offset, value, colour in ((2, a, MUTED), (13, b, SECOND)):
            body.append(f'<rect x="{label_width}" y="{y + offset}" width="{max(value * scale, 0.5):.1f}" height="10" fill="{colour}"/>')
            body.append(_text(label_width + value * scale + 4, y + offset + 9, f"{value:.0%}", size=9))
    return _svg(width, 16 + len(rows) * row_height, title, body)


def _boundaries(queryset, tolerance: float):
    projected = Transform("boundary", BRITISH_NATIONAL_GRID)
    return queryset.annotate(
        path=AsSVG(Simplified(projected, tolerance), precision=0),
        xmin=Bound(projected, function="ST_XMin"), ymin=Bound(projected, function="ST_YMin"),
        xmax=Bound(projected, function="ST_XMax"), ymax=Bound(projected, function="ST_YMax"),
    )


def _scale_bar(xmin, ymax, width, height) -> str:
    """A scale bar of a round number of metres, about a fifth of the map's width, at the bottom left."""
    target = width / 5
    metres = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if metres * step <= target:
            metres *= step
            break
    x, y = xmin + width * 0.03, -ymax + height * 0.95
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    font = width / 35
    return (f'<line x1="{x:.0f}" y1="{y:.0f}" x2="{x + metres:.0f}" y2="{y:.0f}" stroke="{INK}" stroke-width="{width / 250:.1f}"/>'
            f'<text x="{x:.0f}" y="{y - font * 0.5:.0f}" font-size="{font:.0f}" fill="{INK}">{label}</text>')


def _frame(xmin, ymin, xmax, ymax, margin=0.05):
    width, height = (xmax - xmin) or 1, (ymax - ymin) or 1
    pad = max(width, height) * margin
    return xmin - pad, ymin - pad, xmax + pad, ymax + pad


def area_maps(neighbourhood_ids, *, shading: dict[int, float | None], names: dict[int, str]) -> tuple[str, dict[int, str]]:
    """An overview map of every neighbourhood shaded by `shading` (engagements per 1,000 residents),
    and a map of each neighbourhood with its small areas (LSOAs). Three queries in all."""
    rows = list(_boundaries(Neighbourhood.objects.filter(pk__in=neighbourhood_ids), 5).values("pk", "path", "xmin", "ymin", "xmax", "ymax"))
    if not rows:
        return "", {}
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
                f'role="img" aria-label="Map of the report\'s neighbourhoods shaded by engagements per 1,000 residents">'
                f'<title>Map of the report\'s neighbourhoods shaded by engagements per 1,000 residents</title>{"".join(body)}</svg>')

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
                           f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(parts)}</svg>')
    return overview, maps
