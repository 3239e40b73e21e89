"""The police answering a partner's concern from its page: close it with an outcome (no priority), or reopen it.
Each is its own confirmation page, reached by a link on the concern: deliberate, never a button under the concern."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView

from access.views import POLICE_ROLES, add_service_errors
from access.visibility import can_own
from partners import selectors
from partners.models import Concern
from partners.responses.forms import PoliceCloseForm, PoliceReopenForm
from partners.responses.services import concern_close_by_police, concern_reopen_by_police


def answering_team(user, concern: Concern):
    """The concern's neighbourhood team when `user` may answer for it (a police user of that team), else None."""
    if not user.has_role(*POLICE_ROLES) or concern.neighbourhood_id is None:
        return None
    team = concern.neighbourhood.team  # read with the concern (partners.selectors.concern_detail): no query
    return team if team is not None and can_own(user, team) else None


class PoliceAnswerMixin(LoginRequiredMixin):
    """Only the concern's neighbourhood team: a concern the user cannot see answers 404, one they see but may not
    answer for (a partner, another force's officer reading it under a protocol) 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            try:
                self.concern = selectors.concern_detail(user=request.user, pk=kwargs["pk"])
            except Concern.DoesNotExist:
                raise Http404("No concern found") from None
            if answering_team(request.user, self.concern) is None:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(concern=self.concern, **kwargs)


class ConcernPoliceCloseView(PoliceAnswerMixin, FormView):
    form_class = PoliceCloseForm
    template_name = "partners/responses/close.html"

    def form_valid(self, form):
        try:
            concern_close_by_police(concern=self.concern, outcome=form.cleaned_data["outcome"], acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Concern {self.concern.reference} closed by the police. {self.concern.organisation.name} has been told.")
        return redirect("partners:concern-detail", pk=self.concern.pk)


class ConcernPoliceReopenView(PoliceAnswerMixin, FormView):
    form_class = PoliceReopenForm
    template_name = "partners/responses/reopen.html"

    def form_valid(self, form):
        try:
            concern_reopen_by_police(concern=self.concern, reason=form.cleaned_data["reason"], acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Concern {self.concern.reference} reopened. {self.concern.organisation.name} has been told.")
        return redirect("partners:concern-detail", pk=self.concern.pk)
