"""Partner concerns on the web: report one, list and read those you may see, edit or close your own."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView

from access.views import POLICE_ROLES, VisibleToUserMixin, add_service_errors
from partners import selectors
from access.filtering import FilteredListMixin
from partners.filtersets import ConcernFilterSet
from partners.forms.concerns import ConcernCloseForm, ConcernForm
from partners.models import Concern, ConcernChannel, ConcernStatus
from partners.services import concern_report
from partners.responses.selectors import with_police_answer, with_shown_status_key
from partners.responses.views import answering_team
from partners.services_concerns import concern_close, concern_update
from sharing_protocols.explain import listing_purpose, log_shared_reads, why_visible


class ReportingOrganisationRequiredMixin(LoginRequiredMixin):
    """Reporting is for people of a partner organisation: the police read concerns, they do not report them."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisations = selectors.reporting_organisations(request.user)
            if not self.organisations.exists():
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ConcernListView(FilteredListMixin, VisibleToUserMixin, ListView):
    model = Concern
    filterset_class = ConcernFilterSet
    template_name = "partners/concerns/list.html"
    context_object_name = "concerns"
    paginate_by = 25

    def list_queryset(self, queryset):
        # The status column shows the police's answer where the user may read it (partners.responses); read before
        # the filters, so that sorting by status sorts by what the column shows.
        concerns = super().list_queryset(queryset).select_related("category", "organisation", "neighbourhood")
        return with_shown_status_key(with_police_answer(concerns, self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Concerns shared under a protocol are disclosures: one entry in the disclosure log per page shown.
        log_shared_reads(user=self.request.user, records=list(context["object_list"]), purpose=listing_purpose(self.request))
        context.update(can_report=selectors.reporting_organisations(self.request.user).exists())
        return context


class ConcernDetailView(VisibleToUserMixin, DetailView):
    model = Concern
    template_name = "partners/concerns/detail.html"
    context_object_name = "concern"

    def get_object(self, queryset=None):
        try:
            concern = selectors.concern_detail(user=self.request.user, pk=self.kwargs["pk"])
        except Concern.DoesNotExist:
            raise Http404("No concern found") from None
        return concern

    def get_context_data(self, **kwargs):
        concern, user = self.object, self.request.user
        priority = selectors.concern_priority(user=user, concern=concern)
        can_change = (not concern.is_shared if hasattr(concern, "is_shared") else True) and concern.status != ConcernStatus.CLOSED
        near_duplicates = list(selectors.concern_near_duplicates(user=user, concern=concern))
        # One entry for the page: the concern and the near-duplicates shown beside it (another partner's, often).
        log_shared_reads(user=user, records=[concern, *near_duplicates], purpose=f"Viewed on {self.request.path}")
        return super().get_context_data(
            near_duplicates=near_duplicates,
            priority=priority,
            # A reporter who cannot read the priority is still told what came of it, in its public wording.
            outcome=selectors.concern_outcome(concern=concern) if priority is None else None,
            may_agree_priority=(concern.answered_priority_id is None and concern.neighbourhood_id is not None
                                and not concern.police_outcome and concern.status != ConcernStatus.CLOSED
                                and user.has_role(*POLICE_ROLES)),
            # The police's own answers (partners.responses): only the concern's neighbourhood team gives them.
            may_close_by_police=(concern.shown_status in (ConcernStatus.NEW, ConcernStatus.COLLATED)
                                 and answering_team(user, concern) is not None),
            may_reopen_by_police=(concern.shown_status == ConcernStatus.CLOSED_BY_POLICE and answering_team(user, concern) is not None),
            can_change=can_change and not getattr(concern, "withheld_fields", ()),
            tile_url=settings.MAP_TILE_URL,
            visibility_reasons=self.visibility_reasons(),
            **kwargs,
        )


    def visibility_reasons(self) -> list:
        """Why a shared concern is visible: each protocol clause once (a force and its teams share a reason)."""
        if not getattr(self.object, "is_shared", False):
            return []
        reasons = {}
        for reason in why_visible(self.request.user, self.object):
            if reason.is_shared:
                reasons.setdefault(reason.explanation, reason)
        return list(reasons.values())


class ConcernReportView(ReportingOrganisationRequiredMixin, FormView):
    form_class = ConcernForm
    template_name = "partners/concerns/form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisations": self.organisations, "instance": Concern(channel=ConcernChannel.WEB_FORM)}

    def form_valid(self, form):
        try:
            concern, created = concern_report(concern=form.instance, acting_user=self.request.user,
                                              organisation=form.cleaned_data["organisation"])
        except ValidationError as error:
            add_service_errors(form, error, field_names={"location": "latitude", "organisation": "organisation"})
            return self.form_invalid(form)
        if created:
            placed = f"placed in {concern.neighbourhood.name}" if concern.neighbourhood_id else "outside every neighbourhood the hub knows"
            messages.success(self.request, f"Concern recorded, reference {concern.reference}: {concern.category} at "
                                           f"{concern.place or 'the place on the map'}, {placed}.")
        else:
            messages.info(self.request, f"This concern was already recorded on {timezone.localtime(concern.reported_at):%d %B %Y at %H:%M}: "
                                        "nothing new was saved. This is the concern already held.")
        return redirect("partners:concern-detail", pk=concern.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tile_url=settings.MAP_TILE_URL, **kwargs)


class OwnConcernMixin(LoginRequiredMixin):
    """Changing a concern: only one the user's organisation reported. Anything else answers 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.concern = (Concern.objects.editable_by(request.user).select_related("category", "organisation")
                            .filter(pk=kwargs["pk"]).first())
            if self.concern is None:
                raise Http404("No concern found")
        return super().dispatch(request, *args, **kwargs)


class ConcernEditView(OwnConcernMixin, FormView):
    form_class = ConcernForm
    template_name = "partners/concerns/form.html"

    def get_form_kwargs(self):
        organisations = selectors.reporting_organisations(self.request.user).filter(pk=self.concern.organisation_id)
        return {**super().get_form_kwargs(), "organisations": organisations, "instance": self.concern}

    def form_valid(self, form):
        try:
            concern = concern_update(concern=form.instance, acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error, field_names={"location": "latitude"})
            return self.form_invalid(form)
        messages.success(self.request, "Concern updated.")
        return redirect("partners:concern-detail", pk=concern.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(concern=self.concern, tile_url=settings.MAP_TILE_URL, **kwargs)


class ConcernCloseView(OwnConcernMixin, FormView):
    form_class = ConcernCloseForm
    template_name = "partners/concerns/close.html"

    def form_valid(self, form):
        try:
            concern_close(concern=self.concern, acting_user=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Concern closed.")
        return redirect("partners:concern-detail", pk=self.concern.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(concern=self.concern, **kwargs)
