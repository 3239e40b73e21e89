"""Charts as pictures (inline SVG), each with a text alternative and the table beside it.

Tone over time: bars for the week's posts (left axis, a count) and a line for the average tone (right
axis, -1 to +1, with 0 marked), weeks labelled by their Monday's date so a count is never read as one.
"""
from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 48, 16, 44


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    posts: int


def tone_chart(series: list[dict]) -> dict:
    """Coordinates for templates/digital/_tone_chart.svg.html."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    most = max([point["posts"] for point in series] + [1])
    step = plot_width / max(len(series), 1)
    bars, line = [], []
    for index, point in enumerate(series):
        height = plot_height * point["posts"] / most
        x = LEFT + index * step
        bars.append(Bar(x + step * 0.15, TOP + plot_height - height, step * 0.7, height, f"{point['week']:%-d %b}", point["posts"]))
        if point["tone"] is not None:
            line.append((round(x + step / 2, 1), round(TOP + plot_height * (1 - (point["tone"] + 1) / 2), 1)))
    ticks = sorted({0, most // 2, most})
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": TOP + plot_height,
        "bars": bars, "line": " ".join(f"{x},{y}" for x, y in line), "points": line,
        "count_ticks": [(tick, TOP + plot_height - plot_height * tick / most) for tick in ticks],
        "tone_ticks": [(label, TOP + plot_height * (1 - (value + 1) / 2)) for label, value in (("+1", 1), ("0", 0), ("−1", -1))],
        "zero_y": TOP + plot_height / 2, "label_y": TOP + plot_height + 16, "axis_label_y": HEIGHT - 6,
        "summary": _summary(series),
    }


def _summary(series: list[dict]) -> str:
    if not any(point["posts"] for point in series):
        return "No posts in these weeks."
    busiest = max(series, key=lambda point: point["posts"])
    toned = [point for point in series if point["tone"] is not None]
    low = min(toned, key=lambda point: point["tone"]) if toned else None
    text = f"Posts each week over {len(series)} weeks; the busiest was the week of {busiest['week']:%-d %B} with {busiest['posts']} posts."
    if low is not None:
        text += f" The most negative week on average was the week of {low['week']:%-d %B} (tone {low['tone']:+.2f})."
    return text
