"""The admin site, with one rule added to every model's admin: a changelist action's chosen rows must
be ids. Django filters the rows by the ids posted and a value that is not one (posted by hand) raises
there; here it is answered with a message instead."""
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError


class WellFormedSelectionMixin:
    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                pk.to_python(value)
            except ValidationError:
                self.message_user(request, "The rows chosen could not be read. Choose them again.", messages.WARNING)
                return None  # the changelist shows itself again, with the message
        return super().response_action(request, queryset)


class HubAdminSite(admin.AdminSite):
    """Django's admin site, with WellFormedSelectionMixin added to every ModelAdmin registered."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, WellFormedSelectionMixin):
            admin_class = type(admin_class.__name__, (WellFormedSelectionMixin, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)
