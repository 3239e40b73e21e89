"""Finding a neighbourhood from what a resident types: a postcode, a street, a place, or a neighbourhood's
own name. Reads public geography and the open gazetteer files only."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models.functions import Upper

from finder.loaders import normalise_postcode
from finder.models import PlaceName, Postcode, TeamContact
from geo.models import Neighbourhood

MAX_MATCHES = 20


@dataclass
class Match:
    label: str
    neighbourhood: Neighbourhood | None  # None: the place is outside every neighbourhood


@dataclass
class SearchResult:
    query: str
    kind: str  # "postcode", "places" or "empty"
    matches: list[Match] = field(default_factory=list)
    message: str = ""

    @property
    def only_neighbourhood(self) -> Neighbourhood | None:
        """The one neighbourhood every match is in, when there is exactly one: go straight there."""
        found = {m.neighbourhood.pk: m.neighbourhood for m in self.matches if m.neighbourhood is not None}
        return next(iter(found.values())) if len(found) == 1 and all(m.neighbourhood for m in self.matches) else None


def postcodes_loaded() -> bool:
    return Postcode.objects.exists()


def place_names_loaded() -> bool:
    return PlaceName.objects.exists()


def neighbourhood_at(point) -> Neighbourhood | None:
    return Neighbourhood.objects.select_related("force_area").containing(point).only(
        "pk", "code", "name", "force_area__code", "force_area__name").order_by("pk").first()


def search(query: str) -> SearchResult:
    query = " ".join((query or "").split())[:100]
    if not query:
        return SearchResult(query=query, kind="empty")
    postcode = normalise_postcode(query)
    if postcode is not None:
        return _postcode_search(query, postcode)
    return _place_search(query)


def _postcode_search(query: str, postcode: str) -> SearchResult:
    found = Postcode.objects.filter(postcode=postcode).first()
    if found is None:
        if not postcodes_loaded():
            message = ("Postcode search is not available: no postcode file has been loaded. Use your location or "
                       "the map instead, or choose from the list of neighbourhoods.")
        else:
            message = f"We could not find the postcode {postcode}. Check it, or search for your street or town instead."
        return SearchResult(query=query, kind="postcode", message=message)
    place = neighbourhood_at(found.point)
    result = SearchResult(query=query, kind="postcode", matches=[Match(label=postcode, neighbourhood=place)])
    if place is None:
        result.message = f"{postcode} is outside the neighbourhoods on this site. Try police.uk for other areas."
    return result


def _place_search(query: str) -> SearchResult:
    upper = query.upper()
    matches: list[Match] = []
    for place in Neighbourhood.objects.select_related("force_area").annotate(upper_name=Upper("name")).filter(
            upper_name__contains=upper).only("pk", "code", "name", "force_area__code", "force_area__name").order_by("name")[:MAX_MATCHES]:
        matches.append(Match(label=place.name, neighbourhood=place))
    names = (
        PlaceName.objects.annotate(upper_name=Upper("name")).filter(upper_name__startswith=upper)
        .only("name", "locality", "local_type", "point").order_by("name", "locality", "pk")[:MAX_MATCHES]
    )
    for name in names:
        where = f"{name.name}, {name.locality}" if name.locality else name.name
        matches.append(Match(label=f"{where} ({name.local_type.lower()})", neighbourhood=neighbourhood_at(name.point)))
    result = SearchResult(query=query, kind="places", matches=matches[:MAX_MATCHES])
    if not matches:
        if place_names_loaded():
            result.message = f"We found no street, place or neighbourhood called {query!r}. Check the spelling, or use your postcode."
        else:
            result.message = (f"We found no neighbourhood called {query!r}. Street and place search is not available: "
                              "no place-name file has been loaded. Use your postcode, your location or the map.")
    return result


def contact_for(neighbourhood: Neighbourhood) -> TeamContact | None:
    contact = TeamContact.objects.filter(neighbourhood=neighbourhood).first()
    return None if contact is None or contact.is_empty else contact
