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


# Charts are drawn in HTML blocks, not images: each bar sits in the same block as its label, so it cannot drift
# from it; labels wrap instead of being cut off; the figures are real text (searchable, read aloud); and WeasyPrint
# lays out a few blocks far more cheaply than it decodes an SVG image.
CHART_WIDTH_MM = 150


# Each series is one SVG path (a subpath per bar, per column or per area) rather than an element each: WeasyPrint
# styles and draws every SVG element on its own, at about a millisecond apiece, and the picture is the same.


def _boxes(boxes) -> str:
    """Rectangles (x, y, width, height; numbers or numbers already written) as the subpaths of one path."""
    return "".join(f"M{x} {y}h{width}v{height}h-{width}z" for x, y, width, height in boxes)


BAR_ROW = 20  # viewBox units per bar
# The drawings carry their printed size, so the page needs no style of its own on each chart (an element with a style
# attribute gets a style object of its own in WeasyPrint). The stylesheet gives each label the same row height.
BAR_WIDTH_MM, BAR_ROW_MM = 80, 5


def bar_chart(rows: list[tuple[str, int]]) -> dict:
    """Horizontal bars scaled to the largest, as one SVG with a row per bar, and the labels (with their values)
    for the rows of the same height beside it."""
    largest = max((value for _, value in rows), default=0) or 1
    width = 300
    bars = _boxes((0, index * BAR_ROW + 4, f"{max(value / largest * width, 0.5):.1f}", BAR_ROW - 8) for index, (_, value) in enumerate(rows))
    body = [f'<path d="{bars}" fill="{BAR}"/>'] if rows else []
    body.append(f'<line x1="0.5" y1="0" x2="0.5" y2="{len(rows) * BAR_ROW}" stroke="{INK}" stroke-width="1"/>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {len(rows) * BAR_ROW}" width="{BAR_WIDTH_MM}mm" '
           f'height="{len(rows) * BAR_ROW_MM}mm" preserveAspectRatio="none">{"".join(body)}</svg>')
    return {"svg": svg, "rows": [{"label": label, "value": value} for label, value in rows]}


REACH_ROW = 20  # viewBox units per group
REACH_WIDTH_MM, REACH_ROW_MM = 62, 8


def paired_bars(rows: list[tuple[str, float, float, int]]) -> dict:
    """Two shares per group, on one scale: residents (grey) and engagements that reached them (orange), as one SVG
    with a row per group (a rule between rows) and labels as text beside it, each label exactly one row high."""
    largest = max((max(a, b) for _, a, b, _ in rows), default=0) or 1
    width, body = 300, []
    if rows:
        rules = "".join(f"M0 {index * REACH_ROW + REACH_ROW - 0.5:g}H{width}" for index in range(len(rows)))
        residents = _boxes((0, index * REACH_ROW + 3, f"{max(a / largest * width, 0.5):.1f}", 6) for index, (_, a, _, _) in enumerate(rows))
        reached = _boxes((0, index * REACH_ROW + 10, f"{max(b / largest * width, 0.5):.1f}", 6) for index, (_, _, b, _) in enumerate(rows))
        body += [f'<path d="{rules}" fill="none" stroke="#dddddd" stroke-width="1"/>', f'<path d="{residents}" fill="{MUTED}"/>',
                 f'<path d="{reached}" fill="{SECOND}"/>']
    body.append(f'<line x1="0.5" y1="0" x2="0.5" y2="{len(rows) * REACH_ROW}" stroke="{INK}" stroke-width="1"/>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {len(rows) * REACH_ROW}" width="{REACH_WIDTH_MM}mm" '
           f'height="{len(rows) * REACH_ROW_MM}mm" preserveAspectRatio="none">{"".join(body)}</svg>')
    labels = [{"label": label, "residents_percent": round(a * 100), "engagement_percent": round(b * 100), "engagements": engagements}
              for label, a, b, engagements in rows]
    return {"svg": svg, "rows": labels}


def month_columns(rows: list[tuple]) -> dict:
    """Columns by month: the columns as a small SVG (cheap to lay out) with a y axis from 0 to the largest, and under
    each column, in a cell of the same width, its month and year and then its count as text ("3 held")."""
    largest = max((value for _, value in rows), default=0)
    step, height = 40, 100
    # The viewBox is stretched wide, so the y axis is drawn thin to print as thin as the base line.
    body = [f'<line x1="0.3" y1="0" x2="0.3" y2="{height}" stroke="{INK}" stroke-width="0.5"/>',
            f'<line x1="0" y1="{height - 1}" x2="{step * len(rows)}" y2="{height - 1}" stroke="{INK}" stroke-width="2"/>']
    columns = []
    for index, (_, value) in enumerate(rows):
        column = (value / largest * (height - 6)) if largest else 0
        columns.append((index * step + 8, f"{height - 1 - column:.1f}", step - 16, f"{max(column, 0.5):.1f}"))
    if columns:
        body.append(f'<path d="{_boxes(columns)}" fill="{BAR}"/>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {step * max(len(rows), 1)} {height}" width="{step * max(len(rows), 1)}" '
           f'height="{height}" preserveAspectRatio="none">{"".join(body)}</svg>')
    return {
        "largest": largest, "width": f"{CHART_WIDTH_MM / max(len(rows), 1) - 0.01:.2f}", "svg": svg,
        "columns": [{"month": month.strftime("%b"), "year": month.strftime("%Y"), "value": value} for month, value in rows],
    }


def _boundaries(queryset, tolerance: float):
    projected = Transform("boundary", BRITISH_NATIONAL_GRID)
    inside = Func(projected, function="ST_PointOnSurface", output_field=GeometryField(srid=BRITISH_NATIONAL_GRID))
    return queryset.annotate(
        path=AsSVG(Simplified(projected, tolerance), precision=0),
        label_x=Bound(inside, function="ST_X"), label_y=Bound(inside, function="ST_Y"),
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
    """The scale bar at the bottom left, with end ticks and its length written above it."""
    metres = scale_bar_metres(width)
    x, y = xmin + width * 0.03, -ymax + height * 0.95
    stroke, tick, size = width / 150, height * 0.02, width / 32
    return (f'<path d="M{x:.0f} {y - tick:.0f}V{y:.0f}H{x + metres:.0f}V{y - tick:.0f}" fill="none" stroke="{INK}" '
            f'stroke-width="{stroke:.1f}"/>' + _text(x, y - tick * 1.6, scale_label(metres), size, anchor="start"))


def _text(x, y, text, size, *, anchor="middle", halo=True) -> str:
    """A label, on a white ground where it must read over shading. WeasyPrint lays SVG text out a letter at a time
    (about a millisecond a letter), so the ground is a box of about the label's size (Helvetica bold averages 0.6 em a
    letter), not a white copy of the text under it, and the light small-area maps go without."""
    common = f'x="{x:.0f}" y="{y:.0f}" font-family="Helvetica, Arial, sans-serif" font-size="{size:.0f}" font-weight="bold" text-anchor="{anchor}"'
    under = ""
    if halo:
        width, pad = len(text) * size * 0.6, size * 0.2
        left = x - width / 2 if anchor == "middle" else x
        under = (f'<rect x="{left - pad:.0f}" y="{y - size * 0.85:.0f}" width="{width + 2 * pad:.0f}" height="{size * 1.1:.0f}" '
                 f'fill="#ffffff" fill-opacity="0.85"/>')
    return f'{under}<text {common} fill="{INK}">{escape(text)}</text>'


def _frame(xmin, ymin, xmax, ymax, margin=0.05):
    width, height = (xmax - xmin) or 1, (ymax - ymin) or 1
    pad = max(width, height) * margin
    return xmin - pad, ymin - pad, xmax + pad, ymax + pad


def shading_legend(shading: dict[int, float | None]) -> list[dict]:
    """The overview map's legend: each shade in use, with the range of engagements per 1,000 residents it stands for."""
    values = sorted(v for v in shading.values() if v is not None)
    legend = []
    if values:
        breaks = _breaks(values)
        for index, colour in enumerate(SHADES):
            members = [v for v in values if sum(1 for b in breaks if v >= b) == index]
            if members:
                legend.append({"colour": colour, "label": f"{members[0]:.1f} to {members[-1]:.1f}"})
    if any(v is None for v in shading.values()):
        legend.append({"colour": "#ffffff", "label": "No demographic profile"})
    return legend


def _breaks(values: list[float]) -> list[float]:
    return [values[int(len(values) * i / len(SHADES))] for i in range(1, len(SHADES))]


def area_maps(neighbourhood_ids, *, shading: dict[int, float | None], names: dict[int, str]) -> tuple[tuple, dict[int, tuple]]:
    """An overview map of every neighbourhood shaded by `shading` (engagements per 1,000 residents),
    and a map of each neighbourhood with its small areas (LSOAs), each as (svg, scale bar length).
    Three queries in all."""
    rows = list(_boundaries(Neighbourhood.objects.filter(pk__in=neighbourhood_ids), 5).values(
        "pk", "path", "xmin", "ymin", "xmax", "ymax", "label_x", "label_y"))
    if not rows:
        return ("", ""), {}
    coarse = {row["pk"]: row["path"] for row in _boundaries(Neighbourhood.objects.filter(pk__in=neighbourhood_ids), 25).values("pk", "path")}
    lsoas = {}
    small_areas = SmallArea.objects.filter(neighbourhood_id__in=neighbourhood_ids, kind=SmallAreaKind.LSOA)
    for row in _boundaries(small_areas, 5).values("neighbourhood_id", "path", "code", "label_x", "label_y"):
        lsoas.setdefault(row["neighbourhood_id"], []).append(row)

    xmin, ymin, xmax, ymax = _frame(min(r["xmin"] for r in rows), min(r["ymin"] for r in rows),
                                    max(r["xmax"] for r in rows), max(r["ymax"] for r in rows), margin=0.03)
    width, height = xmax - xmin, ymax - ymin
    values = sorted(v for v in shading.values() if v is not None)
    breaks = _breaks(values) if values else []

    def shade(value):
        if value is None:
            return "#ffffff"
        return SHADES[sum(1 for b in breaks if value >= b)]

    stroke = max(width, height) / 600
    # One filled path per shade, then every outline as one path on top.
    by_shade: dict[str, list[str]] = {}
    for row in rows:
        by_shade.setdefault(shade(shading.get(row["pk"])), []).append(coarse[row["pk"]])
    body = [f'<path d="{" ".join(paths)}" fill="{colour}"/>' for colour, paths in by_shade.items()]
    body.append(f'<path d="{" ".join(coarse[row["pk"]] for row in rows)}" fill="none" stroke="{INK}" stroke-width="{stroke:.1f}"/>')
    # Names only where they can be read: up to 40 neighbourhoods (a whole force's map is shaded, not labelled).
    if len(rows) <= 40:
        size = max(width, height) / 32
        body.extend(_text(row["label_x"], -row["label_y"], names.get(row["pk"], ""), size) for row in rows)
    body.append(_scale_bar(xmin, ymax, width, height))
    overview = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{xmin:.0f} {-ymax:.0f} {width:.0f} {height:.0f}" '
                f'width="{width:.0f}" height="{height:.0f}">{"".join(body)}</svg>')

    maps = {}
    for row in rows:
        nxmin, nymin, nxmax, nymax = _frame(row["xmin"], row["ymin"], row["xmax"], row["ymax"])
        nwidth, nheight = nxmax - nxmin, nymax - nymin
        nstroke = max(nwidth, nheight) / 250
        title = f"Map of {names.get(row['pk'], 'the neighbourhood')}: its boundary and small areas"
        areas = " ".join(area["path"] for area in lsoas.get(row["pk"], []))
        parts = [f'<path d="{areas}" fill="#f3f2f1" stroke="{MUTED}" stroke-width="{nstroke / 2:.1f}"/>'] if areas else []
        parts.append(f'<path d="{row["path"]}" fill="none" stroke="{BAR}" stroke-width="{nstroke * 1.5:.1f}"/>')
        parts.extend(_text(area["label_x"], -area["label_y"], area["code"], max(nwidth, nheight) / 28, halo=False)
                     for area in lsoas.get(row["pk"], []))
        parts.append(_scale_bar(nxmin, nymax, nwidth, nheight))
        maps[row["pk"]] = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{nxmin:.0f} {-nymax:.0f} {nwidth:.0f} {nheight:.0f}" '
                           f'width="{nwidth:.0f}" height="{nheight:.0f}"><title>{escape(title)}</title>{"".join(parts)}</svg>',
                           scale_label(scale_bar_metres(nwidth)))
    return (overview, scale_label(scale_bar_metres(width))), maps
