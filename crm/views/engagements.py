from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, FormView, ListView

from crm import services
from crm.forms.engagements import DoorstepVisitForm, EngagementForm
from crm.models import AdvisoryGroup, Engagement, EngagementIssue, EngagementKind, VisitOutcome
from organisations.models import User
from access.filtering import FilteredListMixin
from crm.filtersets import EngagementFilterSet
from access.views import (
    POLICE_ROLES, DisclosedDetailMixin, DisclosedListMixin, EditableByUserMixin, PoliceRoleRequiredMixin, VisibleToUserMixin, add_service_errors, keeping_hidden, owning_organisation,
)


class EngagementListView(FilteredListMixin, DisclosedListMixin, ListView):
    model = Engagement
    filterset_class = EngagementFilterSet
    template_name = "crm/engagements/list.html"
    context_object_name = "engagements"
    paginate_by = 25

    def get_queryset(self):
        return super().get_queryset().select_related("neighbourhood").only(
            "pk", "title", "kind", "status", "starts_at", "turnout", "neighbourhood__name", "neighbourhood__id", "organisation_id",
        )


class EngagementDetailView(DisclosedDetailMixin, DetailView):
    model = Engagement
    template_name = "crm/engagements/detail.html"
    context_object_name = "engagement"

    def get_queryset(self):
        # Linked rows come through visible_to too: another team's officer or IAG is not named here.
        user = self.request.user
        return super().get_queryset().select_related("neighbourhood", "organisation", "questionnaire").prefetch_related(
            Prefetch("officers", queryset=User.objects.visible_to(user)), "partners", "groups_reached",
            Prefetch("advisory_group", queryset=AdvisoryGroup.objects.visible_to(user)),
            Prefetch("issues", queryset=EngagementIssue.objects.select_related("category")),
        )

    def get_context_data(self, **kwargs):
        engagement = self.object
        context = super().get_context_data(**kwargs)
        context["may_agree_priorities"] = self.request.user.has_role(*POLICE_ROLES)
        if engagement.kind == EngagementKind.DOOR_TO_DOOR:
            counts = dict(engagement.visits.values_list("outcome").annotate(n=Count("pk")))
            context["visit_counts"] = [(label, counts.get(value, 0)) for value, label in VisitOutcome.choices]
            # Addresses identify households: a shared engagement shows the counts only.
            context["visits"] = engagement.visits.all() if not getattr(engagement, "is_shared", False) else []
        return context


class EngagementFormView(PoliceRoleRequiredMixin, EditableByUserMixin, FormView):
    """Log a new engagement, or edit one the user can see."""

    model = Engagement
    form_class = EngagementForm
    template_name = "crm/engagements/form.html"
    engagement = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs and request.user.is_authenticated:
            self.engagement = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.engagement or Engagement()}

    def form_valid(self, form):
        officers = keeping_hidden(form.instance, "officers", form.cleaned_data["officers"], form.fields["officers"].queryset)
        try:
            engagement = services.engagement_log(
                engagement=form.instance, acting_user=self.request.user, organisation=owning_organisation(self.request.user),
                officers=officers, partners=form.cleaned_data["partners"],
                groups_reached=form.cleaned_data["groups_reached"], issues=form.issues,
            )
        except ValidationError as error:
            # The form's location is its latitude and longitude.
            add_service_errors(form, error, field_names={"location": "latitude"})
            return self.form_invalid(form)
        messages.success(self.request, f"{engagement.title} is saved{f' in {engagement.neighbourhood.name}' if engagement.neighbourhood else ''}.")
        return redirect("crm:engagement-detail", pk=engagement.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(engagement=self.engagement, tile_url=settings.MAP_TILE_URL, **kwargs)


class DoorstepVisitCreateView(PoliceRoleRequiredMixin, EditableByUserMixin, FormView):
    model = Engagement
    form_class = DoorstepVisitForm
    template_name = "crm/engagements/visit_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.engagement = get_object_or_404(
                self.get_queryset().filter(kind=EngagementKind.DOOR_TO_DOOR).select_related("questionnaire"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "questionnaire": self.engagement.questionnaire}

    def form_valid(self, form):
        try:
            visit = services.doorstep_visit_record(
                engagement=self.engagement, acting_user=self.request.user, address=form.cleaned_data["address"],
                outcome=form.cleaned_data["outcome"], answers=form.answers if form.cleaned_data["outcome"] == VisitOutcome.SPOKEN_TO else {},
                resolved_on_the_spot=form.cleaned_data["resolved_on_the_spot"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Visit to {visit.address} recorded: {visit.get_outcome_display().lower()}.")
        return redirect("crm:engagement-visit-add", pk=self.engagement.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(engagement=self.engagement, **kwargs)
