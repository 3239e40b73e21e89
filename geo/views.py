from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from access.roles import Role
from geo import selectors
from geo.models import Neighbourhood


class MapView(LoginRequiredMixin, TemplateView):
    template_name = "geo/map.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tile_url=settings.MAP_TILE_URL, tile_attribution=settings.MAP_TILE_ATTRIBUTION, **kwargs
        )


class NeighbourhoodBoundariesView(LoginRequiredMixin, View):
    def get(self, request):
        return JsonResponse(selectors.neighbourhood_feature_collection(), content_type="application/geo+json")


class LocateNeighbourhoodView(LoginRequiredMixin, View):
    """Which neighbourhood holds this point? ?lat=…&lng=… (what the browser's geolocation gives)."""

    def get(self, request):
        try:
            latitude = float(request.GET["lat"])
            longitude = float(request.GET["lng"])
        except (KeyError, ValueError):
            return JsonResponse({"error": "Give lat and lng as decimal degrees, for example ?lat=54.1108&lng=-3.2261."}, status=400)
        try:
            neighbourhood = selectors.neighbourhood_for_point(longitude=longitude, latitude=latitude)
        except ValueError as error:
            return JsonResponse({"error": str(error)}, status=400)
        if neighbourhood is None:
            return JsonResponse({"error": "That point is in none of our neighbourhoods."}, status=404)
        return JsonResponse({"id": neighbourhood.pk, "code": neighbourhood.code, "name": neighbourhood.name, "force": neighbourhood.force_area.code})


class NeighbourhoodListView(LoginRequiredMixin, ListView):
    template_name = "geo/neighbourhood_list.html"
    context_object_name = "neighbourhoods"

    def get_queryset(self):
        return Neighbourhood.objects.with_measurements().select_related("force_area", "team").defer("boundary")


class NeighbourhoodDetailView(LoginRequiredMixin, DetailView):
    template_name = "geo/neighbourhood_detail.html"
    context_object_name = "neighbourhood"

    def get_queryset(self):
        return Neighbourhood.objects.with_measurements().select_related("force_area", "team")

    def get_context_data(self, **kwargs):
        profile = selectors.neighbourhood_profile(self.object)
        profile_tables = []
        if profile:
            profile_tables = [
                ("Age", profile["age_bands"]), ("Ethnic group", profile["ethnicity"]),
                ("Disability", profile["disability"]), ("Main language", profile["main_language"]),
            ]
        # The CRM's view of the neighbourhood: what the user may see of its engagement.
        from crm.effectiveness import neighbourhood_signals
        from crm.models import Engagement

        recent = list(
            Engagement.objects.visible_to(self.request.user).filter(neighbourhood=self.object)
            .only("pk", "title", "kind", "status", "starts_at", "turnout", "organisation_id").order_by("-starts_at")[:10]
        )
        from sharing_protocols.explain import log_shared_reads

        log_shared_reads(user=self.request.user, records=recent, purpose=f"Listed on {self.request.path}")
        return super().get_context_data(
            signals=neighbourhood_signals(neighbourhood=self.object, user=self.request.user, profile=profile),
            beat_meeting_interval_weeks=settings.BEAT_MEETING_INTERVAL_DAYS // 7,
            recent_engagements=recent,
            can_edit_public_contact=self.request.user.has_role(Role.MANAGER, Role.ADMINISTRATOR),
            profile=profile, profile_tables=profile_tables,
            small_areas=self.object.small_areas.order_by("code").only("code", "name", "kind", "neighbourhood_id"),
            **kwargs,
        )
