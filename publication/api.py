"""A police.uk-compatible neighbourhood API, in data.police.uk's exact shapes: latitudes and
longitudes as strings, hyphenated `issue-date` and `action-date`, dates as YYYY-MM-DDTHH:MM:SS
in UK local time (police.uk gives no offset). Read only through `publication.selectors`."""
import datetime as dt
import re

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from publication import selectors

POLICE_UK_DATETIME = "%Y-%m-%dT%H:%M:%S"
COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def police_uk_datetime(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime(POLICE_UK_DATETIME)
    return dt.datetime.combine(value, dt.time()).strftime(POLICE_UK_DATETIME)


def coordinate(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def event_description(meeting) -> str:
    """The meeting's screened description, with how it is made accessible and how to join online."""
    parts = [meeting.objectives.strip()] if meeting.objectives.strip() else []
    if meeting.adjustment_labels:
        parts.append("Accessibility: " + ", ".join(meeting.adjustment_labels) + ".")
    if meeting.online_link:
        parts.append(f"Join online: {meeting.online_link}")
    return "\n\n".join(parts)


def event_address(meeting) -> str:
    if meeting.venue_name:
        return meeting.venue_name
    return "Online" if meeting.is_online else ""


def officer(profile) -> dict:
    return {"name": profile.display_name, "rank": profile.rank, "bio": getattr(profile, "public_bio", "") or None, "contact_details": {}}


def api_response(data, *, status: int = 200) -> JsonResponse:
    """JSON open to any origin (it is open data), errors included, so a browser client can read why."""
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def api_error(message: str, *, status: int) -> JsonResponse:
    return api_response({"error": message}, status=status)


class ApiView(View):
    """GET only, JSON, open to any origin; a 404 or a refused method answers in JSON too."""

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404 as error:
            return api_error(str(error) or "Not found.", status=404)

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = api_error("Only GET is answered here.", status=405)
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response

    def get(self, request, *args, **kwargs):
        return api_response(self.payload(request, *args, **kwargs))

    def payload(self, request, *args, **kwargs):
        raise NotImplementedError

    def force_or_404(self, force_code: str):
        found = selectors.force(force_code)
        if found is None:
            raise Http404("No such force.")
        return found

    def neighbourhood_or_404(self, force_code: str, code: str):
        found = selectors.neighbourhood(force_code, code)
        if found is None:
            raise Http404("No such neighbourhood.")
        return found


class ForcesView(ApiView):
    def payload(self, request):
        return [{"id": force.code, "name": force.name} for force in selectors.forces()]


class ForceView(ApiView):
    def payload(self, request, force):
        force_area = self.force_or_404(force)
        return {
            "description": None,
            "url": request.build_absolute_uri(reverse("publication:area-list")),
            "engagement_methods": [],
            "telephone": "101",
            "id": force_area.code,
            "name": force_area.name,
        }


class ForcePeopleView(ApiView):
    def payload(self, request, force):
        return [officer(profile) for profile in selectors.force_people(self.force_or_404(force))]


class NeighbourhoodsView(ApiView):
    def payload(self, request, force):
        return [{"id": n.code, "name": n.name} for n in selectors.neighbourhoods(self.force_or_404(force))]


class NeighbourhoodView(ApiView):
    def payload(self, request, force, neighbourhood):
        place = self.neighbourhood_or_404(force, neighbourhood)
        centre = place.boundary.point_on_surface
        page = request.build_absolute_uri(reverse("publication:area", args=[place.force_area.code, place.code]))
        return {
            "url_force": request.build_absolute_uri(reverse("publication:area-list")),
            "contact_details": {},
            "name": place.name,
            "links": [{"url": page, "description": "Meetings, priorities and what was done", "title": "Your neighbourhood"}],
            "centre": {"latitude": coordinate(centre.y), "longitude": coordinate(centre.x)},
            "locations": [],
            "description": place.description or None,
            "url_boundary": request.build_absolute_uri(reverse("publication:api-boundary", args=[place.force_area.code, place.code])),
            "population": str(selectors.population(place)),
            "id": place.code,
        }


def outline(boundary) -> list[tuple[float, float]]:
    """police.uk's boundary is one ring. Parts that touch are merged first (the union); when the
    neighbourhood is still in separate pieces, the ring is the outline of the largest piece (by area),
    never the pieces joined into a line that crosses itself. Holes are left out, as police.uk has none."""
    merged = boundary.unary_union
    pieces = [merged] if merged.geom_type == "Polygon" else list(merged)
    largest = max(pieces, key=lambda piece: piece.area)
    return list(largest.exterior_ring.coords)


class BoundaryView(ApiView):
    def payload(self, request, force, neighbourhood):
        place = self.neighbourhood_or_404(force, neighbourhood)
        return [{"latitude": coordinate(latitude), "longitude": coordinate(longitude)} for longitude, latitude in outline(place.boundary)]


class PeopleView(ApiView):
    def payload(self, request, force, neighbourhood):
        return [officer(profile) for profile in selectors.team_people(self.neighbourhood_or_404(force, neighbourhood))]


class EventsView(ApiView):
    def payload(self, request, force, neighbourhood):
        return [
            {
                "contact_details": {},
                "description": event_description(meeting),
                "title": meeting.title,
                "address": event_address(meeting),
                "type": "meeting",
                "start_date": police_uk_datetime(meeting.starts_at),
                "end_date": police_uk_datetime(meeting.ends_at),
            }
            for meeting in selectors.public_meetings(self.neighbourhood_or_404(force, neighbourhood))
        ]


class PrioritiesView(ApiView):
    """police.uk gives one action per priority: the latest screened action (all of them are on the public page)."""

    def payload(self, request, force, neighbourhood):
        rows = []
        for priority in selectors.published_priorities(self.neighbourhood_or_404(force, neighbourhood)):
            latest = priority.public_actions[-1] if priority.public_actions else None
            rows.append({
                "action": latest.action if latest else None,
                "issue-date": police_uk_datetime(priority.issue_date),
                "action-date": police_uk_datetime(latest.action_date) if latest else None,
                "issue": priority.issue,
            })
        return rows


class LocateNeighbourhoodView(ApiView):
    def get(self, request, *args, **kwargs):
        match = COORDINATES.match(request.GET.get("q", ""))
        if match is None:
            return api_error("Give q as latitude,longitude, such as q=54.1108,-3.2261.", status=400)
        return super().get(request, latitude=float(match[1]), longitude=float(match[2]))

    def payload(self, request, latitude, longitude):
        place = selectors.locate_neighbourhood(latitude=latitude, longitude=longitude)
        if place is None:
            raise Http404("No neighbourhood here.")
        return {"force": place.force_area.code, "neighbourhood": place.code}


def not_found(request, rest: str = ""):
    """Any other path under /api/: a JSON 404 with the CORS header, as police.uk answers."""
    return api_error("No such API path. See /api/forces for the forces this hub answers for.", status=404)
