"""Record-level sharing pages: who can see a record (information governance) and one-off shares (the holder)."""
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, TemplateView

from access.roles import Role
from access.views import add_service_errors
from sharing_protocols.explain import who_can_see_for
from sharing_protocols.forms import RecordShareForm
from sharing_protocols.shares import record_share, record_share_revoke, share_model_for


def shareable_model(label: str):
    """A sensitive model named 'app_label.model', or 404: the URL names only records that protocols cover."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    if getattr(model, "DATA_CATEGORY", None) is None:
        raise Http404
    return model


class RecordMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.model = shareable_model(kwargs["label"])
        self.record = get_object_or_404(self.records(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(record=self.record, record_label=self.model._meta.label_lower,
                                        record_kind=self.model._meta.verbose_name, **kwargs)


class WhoCanSeeView(RecordMixin, TemplateView):
    """For information governance: who can read this record today, and why, answered to the asker. The
    holder's IG sees every organisation; another party's IG only its own organisation's access; everyone
    else a 404, as for a record that does not exist."""

    template_name = "sharing_protocols/who_can_see.html"

    def records(self, user):
        return self.model.objects.visible_to(user)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(Role.INFORMATION_GOVERNANCE):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        answer = who_can_see_for(self.request.user, self.record)
        if answer is None:
            raise Http404
        holder_view, reasons = answer
        return super().get_context_data(reasons=reasons, holder_view=holder_view, **kwargs)


class RecordShareView(RecordMixin, FormView):
    """The holder shares one record once, with a reason and an end date; and ends shares early."""

    template_name = "sharing_protocols/share.html"
    form_class = RecordShareForm

    def records(self, user):
        if share_model_for(self.model) is None:
            raise Http404
        return self.model.objects.editable_by(user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "holder": self.record.organisation}

    def get_context_data(self, **kwargs):
        shares = share_model_for(self.model).objects.live().filter(content_object=self.record).select_related("group__organisation")
        return super().get_context_data(shares=shares, **kwargs)

    def post(self, request, *args, **kwargs):
        if "revoke" in request.POST:
            if not request.POST["revoke"].isdigit():
                raise Http404
            share = get_object_or_404(share_model_for(self.model).objects.filter(content_object=self.record), pk=request.POST["revoke"])
            organisation = share.group.organisation
            record_share_revoke(share=share, acting_user=request.user, reason="ended early by the holder")
            messages.success(request, f"The share with {organisation} has ended.")
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            share = record_share(record=self.record, organisation=form.cleaned_data["organisation"], reason=form.cleaned_data["reason"],
                                 expires_at=form.expires_at, includes_personal_data=form.cleaned_data["includes_personal_data"],
                                 acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error, field_names={"expires_at": "expires_on"})
            return self.form_invalid(form)
        messages.success(self.request, f"Shared with {share.group.organisation} until {form.cleaned_data['expires_on']:%d %B %Y}.")
        return redirect(self.request.path)
