"""Partner concerns in the admin. Reads go through visible_to; writes through the services."""
from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from crm.admin import organisations_for
from organisations.models import POLICE_KINDS
from partners.api_keys import api_key_issue, api_key_revoke
from partners.models import PartnerApiKey


class PartnerApiKeyIssueForm(forms.ModelForm):
    class Meta:
        model = PartnerApiKey
        fields = ["organisation", "name"]


@admin.register(PartnerApiKey)
class PartnerApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued here (the key is shown once, on the page after saving) and revoked with
    the action; a key is never edited or deleted, so the audit trail keeps naming it."""

    list_display = ["name", "prefix", "organisation", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "organisation__kind"]
    search_fields = ["name", "prefix", "organisation__name"]
    list_select_related = ["organisation"]
    actions = ["revoke_keys"]
    form = PartnerApiKeyIssueForm
    shown_fields = ["name", "prefix", "organisation", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_queryset(self, request):
        return PartnerApiKey.objects.visible_to(request.user)

    def get_fields(self, request, obj=None):
        return ["organisation", "name"] if obj is None else self.shown_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.shown_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            # Keys are for partner agencies only: concerns do not come in from the police by API.
            kwargs["queryset"] = organisations_for(request.user).filter(is_active=True).exclude(kind__in=POLICE_KINDS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing on a key can be changed
        # The form offers only organisations the service accepts, so it raises nothing here.
        key, plaintext = api_key_issue(organisation=obj.organisation, name=obj.name, acting_user=request.user)
        for model_field in key._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(key, model_field.attname))
        obj._state.adding = False
        self._issued_plaintext = plaintext

    def response_add(self, request, obj, post_url_continue=None):
        # The key itself is shown on this page only: it is not put in a message or the session.
        context = {**self.admin_site.each_context(request), "key": obj, "plaintext": self._issued_plaintext,
                   "opts": self.model._meta, "title": "Copy the new API key now"}
        response = TemplateResponse(request, "partners/api_keys/admin_issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke_keys(self, request, queryset):
        revoked = 0
        for key in queryset.select_related("organisation").filter(revoked_at__isnull=True):
            api_key_revoke(key=key, acting_user=request.user)
            revoked += 1
        self.message_user(request, f"{revoked} key{'s' if revoked != 1 else ''} revoked: they stop working at once.", messages.SUCCESS)
