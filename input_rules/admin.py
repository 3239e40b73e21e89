"""The admin site, with three rules added to every model's admin:

- a changelist action's chosen rows must be ids. Django filters the rows by the ids posted and a value
  that is not one (posted by hand) raises there; here it is answered with a message instead;
- a list of choices (an ArrayField of a field with choices) is a set of checkboxes, not Django's
  comma-separated text box: that box echoes a wrong item inside a message it then formats a second
  time, so an item holding "%" raised a TypeError (a 500) instead of "Select a valid choice";
- a map field's widget reads a value it cannot make a shape of as empty. Django's widget turns "{}" into
  GeoJSON through GDAL and catches GEOS's errors but not GDAL's, so redrawing a form with an invalid
  boundary raised GDALException (a 500) instead of showing "Invalid geometry value." on the field.
"""
from functools import cache

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.gis.forms import GeometryField
from django.contrib.gis.gdal import GDALException
from django.contrib.postgres.fields import ArrayField
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


class ChoiceListsAsCheckboxesMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, ArrayField) and db_field.base_field.choices:
            return forms.TypedMultipleChoiceField(
                choices=db_field.base_field.choices, coerce=db_field.base_field.to_python, required=not db_field.blank,
                widget=forms.CheckboxSelectMultiple, label=db_field.verbose_name.capitalize(), help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ReadsUnreadableShapesAsEmpty:
    def deserialize(self, value):
        try:
            return super().deserialize(value)
        except GDALException:
            return None  # the field's own validation names the problem


@cache
def _tolerant(widget_class):
    return type(widget_class.__name__, (ReadsUnreadableShapesAsEmpty, widget_class), {})


class MapFieldsTolerateUnreadableShapesMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, GeometryField) and not isinstance(field.widget, ReadsUnreadableShapesAsEmpty):
            field.widget.__class__ = _tolerant(type(field.widget))
        return field


HUB_ADMIN_RULES = (WellFormedSelectionMixin, ChoiceListsAsCheckboxesMixin, MapFieldsTolerateUnreadableShapesMixin)


class HubAdminSite(admin.AdminSite):
    """Django's admin site, with HUB_ADMIN_RULES added to every ModelAdmin registered."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        missing = tuple(rule for rule in HUB_ADMIN_RULES if not issubclass(admin_class, rule))
        if missing:
            admin_class = type(admin_class.__name__, (*missing, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)
