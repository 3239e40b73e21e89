from django.contrib import admin, messages
from django.contrib.gis.admin import GISModelAdmin
from django.shortcuts import redirect, render
from django.urls import path, reverse

from geo.boundaries import BoundaryImportError, import_boundaries
from geo.forms import BoundaryUploadForm
from geo.models import DemographicProfile, ForceArea, Neighbourhood, SmallArea


@admin.register(ForceArea)
class ForceAreaAdmin(GISModelAdmin):
    list_display = ["name", "code", "force"]
    search_fields = ["name", "code"]
    actions = ["import_boundaries_action"]

    def get_urls(self):
        return [
            path("import-boundaries/", self.admin_site.admin_view(self.import_boundaries_view), name="geo_forcearea_import_boundaries"),
            *super().get_urls(),
        ]

    @admin.action(description="Import boundaries from a GeoJSON file…")
    def import_boundaries_action(self, request, queryset):
        force_area = queryset.first()
        url = reverse("admin:geo_forcearea_import_boundaries")
        return redirect(f"{url}?force_area={force_area.pk}" if force_area else url)

    def import_boundaries_view(self, request):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        if request.method == "POST":
            form = BoundaryUploadForm(request.POST, request.FILES, user=request.user)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    summary = import_boundaries(
                        raw=data["file"].read(), kind=data["kind"], force_area=data["force_area"],
                        code_property=data["code_property"] or None, name_property=data["name_property"] or None,
                        code=data["code"] or None, name=data["name"] or None, acting_user=request.user,
                    )
                except BoundaryImportError as error:
                    form.add_error(None, error.headline)  # say plainly that nothing went in, and how many problems
                    form.add_error("file", list(error.problems[:50]))
                else:
                    self.message_user(request, str(summary), messages.SUCCESS)
                    return redirect("admin:geo_forcearea_changelist")
        else:
            form = BoundaryUploadForm(initial={"force_area": request.GET.get("force_area")}, user=request.user)
        context = {**self.admin_site.each_context(request), "form": form, "title": "Import boundaries from GeoJSON", "opts": self.model._meta}
        return render(request, "admin/geo/import_boundaries.html", context)


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(GISModelAdmin):
    list_display = ["name", "code", "force_area", "team"]
    list_filter = ["force_area"]
    search_fields = ["name", "code"]
    list_select_related = ["force_area", "team"]


@admin.register(SmallArea)
class SmallAreaAdmin(GISModelAdmin):
    list_display = ["code", "name", "kind", "neighbourhood"]
    list_filter = ["kind", "neighbourhood__force_area"]
    search_fields = ["code", "name"]
    list_select_related = ["neighbourhood"]


@admin.register(DemographicProfile)
class DemographicProfileAdmin(admin.ModelAdmin):
    list_display = ["area", "source", "bsl_users"]
    search_fields = ["area__code", "area__name"]
    list_select_related = ["area"]
