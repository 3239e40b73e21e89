"""Placing a post in a neighbourhood: by its coordinates first, then by the force's own place names.

Coordinates are tested against the neighbourhoods' boundaries by PostGIS, a batch at a time. A post
without them is matched against a gazetteer of the force's names (neighbourhoods, wards and small
areas, and the street and place names the force loads, where geo holds them) with rapidfuzz: the
place text the source gives first, then the post's own words. A name shared by two neighbourhoods
places nothing (it cannot say which). What did not place counts for the force only.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from rapidfuzz import fuzz, process

from geo.models import Neighbourhood, SmallArea


class PlacedBy:
    COORDINATES = "coordinates"
    PLACE_TEXT = "place_text"
    POST_TEXT = "post_text"
    UNPLACED = "unplaced"

    CHOICES = [
        (COORDINATES, "From the post's coordinates"),
        (PLACE_TEXT, "From the place the source gave"),
        (POST_TEXT, "From a place named in the post"),
        (UNPLACED, "Not placed: counted for the force only"),
    ]


# How alike a written name must be to a gazetteer name (rapidfuzz's 0–100 scale). High: a wrong place is
# worse than none. Names shorter than MIN_NAME characters ("Ash") match too much ordinary text to use.
PLACE_TEXT_SCORE = 88
POST_TEXT_SCORE = 94
MIN_NAME = 4
LOOKUPS_KEPT = 50_000


@dataclass(frozen=True)
class Placement:
    neighbourhood_id: int | None
    placed_by: str
    matched: str = ""


UNPLACED = Placement(None, PlacedBy.UNPLACED)


def _normalise(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s'-]", " ", name.lower())).strip()


class Gazetteer:
    """The force's names, each pointing at the one neighbourhood it lies in."""

    def __init__(self, entries):
        owners = defaultdict(set)
        spelling = {}
        for name, neighbourhood_id in entries:
            key = _normalise(name)
            if len(key) >= MIN_NAME and neighbourhood_id is not None:
                owners[key].add(neighbourhood_id)
                spelling.setdefault(key, name)
        # A name in two neighbourhoods (a long road, a common street name) cannot place a post.
        self.names = {key: ids.pop() for key, ids in owners.items() if len(ids) == 1}
        self.spelling = spelling
        self._choices = list(self.names)
        # Posts repeat their place words ("Walney Road", "Thanks", "Great") far more than they repeat posts: each
        # written phrase is matched once per import. Bounded: a file of new words never grows it without end.
        self._looked_up: dict[tuple[str, int], tuple[int, str] | None] = {}

    @classmethod
    def for_force(cls, force_area_id: int | None = None) -> Gazetteer:
        neighbourhoods = Neighbourhood.objects.all()
        small_areas = SmallArea.objects.filter(neighbourhood__isnull=False)
        if force_area_id is not None:
            neighbourhoods = neighbourhoods.filter(force_area_id=force_area_id)
            small_areas = small_areas.filter(neighbourhood__force_area_id=force_area_id)
        entries = list(neighbourhoods.values_list("name", "pk")) + list(small_areas.values_list("name", "neighbourhood_id"))
        entries += list(_loaded_place_names(force_area_id))
        return cls(entries)

    def lookup(self, phrase: str, *, score_cutoff: int) -> tuple[int, str] | None:
        """One written name: exactly, or the closest gazetteer name at least `score_cutoff` alike."""
        if (phrase, score_cutoff) in self._looked_up:
            return self._looked_up[phrase, score_cutoff]
        if len(self._looked_up) >= LOOKUPS_KEPT:
            self._looked_up.clear()
        found = self._looked_up[phrase, score_cutoff] = self._match(phrase, score_cutoff)
        return found

    def _match(self, phrase: str, score_cutoff: int) -> tuple[int, str] | None:
        key = _normalise(phrase)
        if len(key) < MIN_NAME:
            return None
        if key in self.names:
            return self.names[key], self.spelling[key]
        best = process.extractOne(key, self._choices, scorer=fuzz.ratio, score_cutoff=score_cutoff, processor=None)
        return (self.names[best[0]], self.spelling[best[0]]) if best else None

    def find_in_text(self, text: str, *, score_cutoff: int) -> tuple[int, str] | None:
        """A place named in a post: its runs of capitalised words ("Walney Road", "Barrow-in-Furness") are
        the candidates, longest first, so ordinary words never reach the fuzzy match."""
        for phrase in _proper_noun_phrases(text):
            if found := self.lookup(phrase, score_cutoff=score_cutoff):
                return found
        return None


PROPER = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|in|on|upon|le|de|of|the|St\.?)(?=\s+[A-Z]|\b))*(?:\s+[A-Z][\w'’-]*)?")


def _proper_noun_phrases(text: str) -> list[str]:
    phrases = []
    for run in PROPER.findall(text or ""):
        words = run.split()
        # Every stretch of the run, longest first: "Near Walney Road" offers "Walney Road" too.
        for size in range(min(len(words), 4), 0, -1):
            for start in range(len(words) - size + 1):
                phrases.append(" ".join(words[start:start + size]))
    return phrases


def _loaded_place_names(force_area_id):
    """Street and place names the force has loaded (OS Open Names, in the finder app), each given the
    neighbourhood its point lies in."""
    from django.apps import apps
    from django.db.models import OuterRef, Subquery

    try:
        model = apps.get_model("finder", "PlaceName")
    except LookupError:
        return []
    containing = Neighbourhood.objects.filter(boundary__intersects=OuterRef("point"))
    if force_area_id is not None:
        containing = containing.filter(force_area_id=force_area_id)
    return (model.objects.annotate(neighbourhood_id=Subquery(containing.values("pk")[:1])).exclude(neighbourhood_id=None)
            .values_list("name", "neighbourhood_id").iterator())


def neighbourhoods_for_points(points: list[tuple[float, float]], force_area_id: int | None = None) -> list[int | None]:
    """The neighbourhood containing each (longitude, latitude), in one query for the batch (the lowest id where
    two boundaries hold it).

    Each neighbourhood near the batch is read out of storage once (a boundary of many points is stored
    compressed, and testing points against it where it is stored unpacks it for every test: ten times the cost)
    and tested against all the batch's points in a row, so PostGIS prepares its shape once."""
    if not points:
        return []
    table = Neighbourhood._meta.db_table
    longitudes = [point[0] for point in points]
    latitudes = [point[1] for point in points]
    where, params = "", [min(longitudes), min(latitudes), max(longitudes), max(latitudes)]
    if force_area_id is not None:
        where, params = " AND force_area_id = %s", [*params, force_area_id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH n AS MATERIALIZED (
                    SELECT id, ST_Multi(boundary) AS shape FROM {table}
                     WHERE boundary && ST_MakeEnvelope(%s, %s, %s, %s, 4326){where}),
                p AS MATERIALIZED (
                    SELECT i, ST_SetSRID(ST_MakePoint(lng, lat), 4326) AS point
                      FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY u(lng, lat, i))
                SELECT DISTINCT ON (hit.i) hit.i, n.id
                  FROM n CROSS JOIN LATERAL (SELECT p.i FROM p WHERE ST_Intersects(n.shape, p.point)) hit
                 ORDER BY hit.i, n.id""",
            [*params, longitudes, latitudes],
        )
        found = dict(cursor.fetchall())
    return [found.get(index) for index in range(1, len(points) + 1)]


def place_posts(posts, gazetteer: Gazetteer, force_area_id: int | None = None) -> list[Placement]:
    """A placement for each post (objects with longitude, latitude, place_text and text)."""
    with_points = [index for index, post in enumerate(posts) if post.longitude is not None]
    found = neighbourhoods_for_points([(posts[i].longitude, posts[i].latitude) for i in with_points], force_area_id)
    by_point = dict(zip(with_points, found))
    placements = []
    for index, post in enumerate(posts):
        if by_point.get(index) is not None:
            placements.append(Placement(by_point[index], PlacedBy.COORDINATES))
        elif post.place_text and (match := gazetteer.lookup(post.place_text, score_cutoff=PLACE_TEXT_SCORE)
                                  or gazetteer.find_in_text(post.place_text, score_cutoff=PLACE_TEXT_SCORE)):
            placements.append(Placement(match[0], PlacedBy.PLACE_TEXT, match[1]))
        elif match := gazetteer.find_in_text(post.text, score_cutoff=POST_TEXT_SCORE):
            placements.append(Placement(match[0], PlacedBy.POST_TEXT, match[1]))
        else:
            placements.append(UNPLACED)
    return placements
