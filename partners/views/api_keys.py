"""A partner organisation's Open311 API keys: list (with each key's expiry), issue (the key is shown once), renew
(the same key, another year), rotate (a new key in its place; the old one stops a week later) and revoke.

Only users of a partner organisation use these pages (the police report no concerns by API).
The new key is shown in the answer to the POST that made it, never put in a message or the
session, and the page is not cached."""
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from access.views import add_service_errors
from access.visibility import can_own, owning_organisation
from partners.api_keys import ROTATION_OVERLAP, api_key_issue, key_expiry_text, api_key_renew, api_key_revoke, api_key_rotate
from partners.models.intake import API_KEY_LIFETIME, API_KEY_NOTICE
from partners.models import PartnerApiKey


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="What will use the key?", max_length=120,
        help_text="Such as 'Council case management system'. It tells your keys apart.",
        error_messages={"required": "Enter what will use the key.", "max_length": "The name must be 120 characters or fewer."},
    )


def key_organisation(user):
    """The partner organisation whose keys `user` manages, or None."""
    organisation = owning_organisation(user) if user.is_authenticated else None
    if organisation is None or organisation.is_police or not can_own(user, organisation):
        return None
    return organisation


class PartnerKeysMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisation = key_organisation(request.user)
            if self.organisation is None:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def keys(self):
        return PartnerApiKey.objects.visible_to(self.request.user).filter(organisation=self.organisation).select_related("created_by")


class ApiKeyListView(PartnerKeysMixin, FormView):
    """The organisation's keys and, below them, the form to issue another."""

    template_name = "partners/api_keys/list.html"
    form_class = ApiKeyForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "organisation": self.organisation, "keys": self.keys(),
                "lifetime_days": API_KEY_LIFETIME.days, "notice_days": API_KEY_NOTICE.days}

    @method_decorator(never_cache)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            key, plaintext = api_key_issue(organisation=self.organisation, name=form.cleaned_data["name"], acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return TemplateResponse(self.request, "partners/api_keys/issued.html", {"key": key, "plaintext": plaintext})


class ApiKeyChangeView(PartnerKeysMixin, View):
    """Renew or rotate one key: asks first (a GET shows what will happen), acts on the POST."""

    action = ""  # "renew" or "rotate"

    def get_key(self, pk):
        return get_object_or_404(self.keys(), pk=pk)

    def get(self, request, pk, error: str = ""):
        return TemplateResponse(request, "partners/api_keys/change.html", {
            "key": self.get_key(pk), "action": self.action, "error": error,
            "lifetime_days": API_KEY_LIFETIME.days, "overlap_days": ROTATION_OVERLAP.days,
        }, status=400 if error else 200)

    @method_decorator(never_cache)
    def post(self, request, pk):
        key = self.get_key(pk)
        try:
            if self.action == "renew":
                key = api_key_renew(key=key, acting_user=request.user)
            else:
                new, plaintext = api_key_rotate(key=key, acting_user=request.user)
        except ValidationError as error:
            return self.get(request, pk, error=" ".join(error.messages))
        if self.action == "renew":
            messages.success(request, f"The key ‘{key.name}’ ({key.prefix}…) is renewed: it now works until "
                                      f"{key_expiry_text(key)}.")
            return redirect("partners:api-key-list")
        return TemplateResponse(request, "partners/api_keys/issued.html", {"key": new, "plaintext": plaintext, "replaced": key})


class ApiKeyRevokeView(PartnerKeysMixin, View):
    """Asks first; a key stops working at once and cannot be brought back."""

    def get_key(self, pk):
        return get_object_or_404(self.keys(), pk=pk)

    def get(self, request, pk):
        return TemplateResponse(request, "partners/api_keys/revoke.html", {"key": self.get_key(pk)})

    def post(self, request, pk):
        key = api_key_revoke(key=self.get_key(pk), acting_user=request.user)
        messages.success(request, f"The key ‘{key.name}’ ({key.prefix}…) is revoked: it no longer works.")
        return redirect("partners:api-key-list")
