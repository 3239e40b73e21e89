"""Reads for the collation: hot spots and rising topics, as plain dataclasses.

Each takes the concerns to count (`Concern.objects.visible_to(user)` for a page, every concern for
the collation's own digests) and counts only non-personal columns (neighbourhood, category, date).
A period is `COLLATION_PERIOD_DAYS` days ending on `period_end`, set against the same number of
days before it."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class HotSpot:
    """A neighbourhood where partners report markedly more than in the period before."""

    neighbourhood_id: int
    neighbourhood: str
    force_area_id: int
    current: int
    previous: int
    rise_percent: int | None  # None when there were none the period before


@dataclass(frozen=True)
class RisingTopic:
    """A category reported markedly more than in the period before: in one neighbourhood, or across
    a force area (then `neighbourhood_id` is None)."""

    category_id: int
    category: str
    neighbourhood_id: int | None
    neighbourhood: str
    force_area_id: int
    current: int
    previous: int
    rise_percent: int | None


@dataclass(frozen=True)
class Signals:
    hot_spots: list[HotSpot]
    rising_topics: list[RisingTopic]


@dataclass(frozen=True)
class Periods:
    current_start: datetime
    end: datetime
    previous_start: datetime


def periods(period_end: date, days: int | None = None) -> Periods:
    days = days or settings.COLLATION_PERIOD_DAYS
    end = timezone.make_aware(datetime.combine(period_end + timedelta(days=1), time.min))
    return Periods(current_start=end - timedelta(days=days), end=end, previous_start=end - timedelta(days=2 * days))


def rises(current: int, previous: int, *, min_count: int, rise_percent: int) -> bool:
    """At least `min_count` now, and at least `rise_percent` more than before (anything counts against none)."""
    return current >= min_count and current > previous and current * 100 >= previous * (100 + rise_percent)


def _rise(current: int, previous: int) -> int | None:
    return round((current - previous) * 100 / previous) if previous else None


def collation_signals(*, concerns: QuerySet, period_end: date, neighbourhoods=None) -> Signals:
    """Hot spots and rising topics in one query. `neighbourhoods` (ids or a subquery) narrows the count."""
    window = periods(period_end)
    rows = (
        concerns.filter(neighbourhood__isnull=False, reported_at__gte=window.previous_start, reported_at__lt=window.end)
        .filter(**({"neighbourhood__in": neighbourhoods} if neighbourhoods is not None else {}))
        .values("neighbourhood_id", "neighbourhood__name", "neighbourhood__force_area_id", "category_id", "category__name")
        .annotate(current=Count("pk", filter=Q(reported_at__gte=window.current_start)),
                  previous=Count("pk", filter=Q(reported_at__lt=window.current_start)))
        .order_by()
    )
    by_neighbourhood: dict[int, list] = defaultdict(lambda: ["", 0, 0, 0])  # name, force area, current, previous
    by_area_category: dict[tuple[int, int], list] = defaultdict(lambda: ["", 0, 0])  # category, current, previous
    topics: list[RisingTopic] = []
    topic_min, topic_rise = settings.COLLATION_RISING_TOPIC_MIN_COUNT, settings.COLLATION_RISING_TOPIC_RISE_PERCENT
    for row in rows:
        totals = by_neighbourhood[row["neighbourhood_id"]]
        totals[0], totals[1] = row["neighbourhood__name"], row["neighbourhood__force_area_id"]
        totals[2] += row["current"]
        totals[3] += row["previous"]
        area = by_area_category[(row["neighbourhood__force_area_id"], row["category_id"])]
        area[0] = row["category__name"]
        area[1] += row["current"]
        area[2] += row["previous"]
        if rises(row["current"], row["previous"], min_count=topic_min, rise_percent=topic_rise):
            topics.append(RisingTopic(
                category_id=row["category_id"], category=row["category__name"], neighbourhood_id=row["neighbourhood_id"],
                neighbourhood=row["neighbourhood__name"], force_area_id=row["neighbourhood__force_area_id"],
                current=row["current"], previous=row["previous"], rise_percent=_rise(row["current"], row["previous"]),
            ))
    for (force_area_id, category_id), (category, current, previous) in by_area_category.items():
        if rises(current, previous, min_count=topic_min, rise_percent=topic_rise):
            topics.append(RisingTopic(category_id=category_id, category=category, neighbourhood_id=None, neighbourhood="",
                                      force_area_id=force_area_id, current=current, previous=previous, rise_percent=_rise(current, previous)))
    spots = [
        HotSpot(neighbourhood_id=pk, neighbourhood=name, force_area_id=area, current=current, previous=previous, rise_percent=_rise(current, previous))
        for pk, (name, area, current, previous) in by_neighbourhood.items()
        if rises(current, previous, min_count=settings.COLLATION_HOT_SPOT_MIN_COUNT, rise_percent=settings.COLLATION_HOT_SPOT_RISE_PERCENT)
    ]
    spots.sort(key=lambda s: (-s.current, s.neighbourhood))
    topics.sort(key=lambda t: (t.neighbourhood_id is not None, -t.current, t.category, t.neighbourhood))
    return Signals(hot_spots=spots, rising_topics=topics)


def hot_spots(*, concerns: QuerySet, period_end: date, neighbourhoods=None) -> list[HotSpot]:
    return collation_signals(concerns=concerns, period_end=period_end, neighbourhoods=neighbourhoods).hot_spots


def rising_topics(*, concerns: QuerySet, period_end: date, neighbourhoods=None) -> list[RisingTopic]:
    return collation_signals(concerns=concerns, period_end=period_end, neighbourhoods=neighbourhoods).rising_topics
