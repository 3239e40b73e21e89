"""The force's pages for the gazetteer files and a team's public contact routes; the public boundaries for maps."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from access.views import add_service_errors
from finder import services
from finder.forms import GazetteerUploadForm, TeamContactForm
from finder.loaders import GazetteerError, load_gazetteer
from finder.models import GazetteerLoad, PlaceName, Postcode, TeamContact
from geo.selectors import neighbourhood_feature_collection


class PublicBoundariesView(View):
    """Every neighbourhood's boundary, for the public map: public geography, with links to public pages."""

    def get(self, request):
        collection = neighbourhood_feature_collection(
            url=lambda force_code, code, pk: reverse("publication:area", args=[force_code, code]))
        response = JsonResponse(collection, content_type="application/geo+json")
        response["Access-Control-Allow-Origin"] = "*"
        return response


class EditorRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(*services.EDITOR_ROLES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class GazetteerView(EditorRequiredMixin, FormView):
    """Load a postcode or place-name file, and see what is loaded."""

    template_name = "finder/gazetteer.html"
    form_class = GazetteerUploadForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            postcode_count=Postcode.objects.count(), place_count=PlaceName.objects.count(),
            loads=GazetteerLoad.objects.select_related("loaded_by")[:10], **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            summary = load_gazetteer(raw=upload.file, kind=form.cleaned_data["kind"], file_name=upload.name, acting_user=self.request.user)
        except GazetteerError as error:
            for problem in error.problems[:20]:
                form.add_error("file", problem)
            if len(error.problems) > 20:
                form.add_error("file", f"… and {len(error.problems) - 20} more problems. Nothing was loaded.")
            return self.form_invalid(form)
        messages.success(self.request, f"{upload.name} is loaded. {summary}")
        return redirect("finder:gazetteer")


class TeamContactView(EditorRequiredMixin, FormView):
    """The routes the public may use to reach a neighbourhood's team, shown on its public page."""

    template_name = "finder/team_contact.html"
    form_class = TeamContactForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_role(*services.EDITOR_ROLES):
            self.neighbourhood = get_object_or_404(services.editable_neighbourhoods(request.user).select_related("force_area"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": TeamContact.objects.filter(neighbourhood=self.neighbourhood).first()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(neighbourhood=self.neighbourhood, **kwargs)

    def form_valid(self, form):
        try:
            services.team_contact_save(neighbourhood=self.neighbourhood, acting_user=self.request.user,
                                       **{name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"The contact routes for {self.neighbourhood.name} are saved and shown on its public page.")
        return redirect("geo:neighbourhood", pk=self.neighbourhood.pk)
