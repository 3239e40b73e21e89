from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class InputRulesConfig(AppConfig):
    default = True
    name = "input_rules"
    verbose_name = "Input rules"

    def ready(self):
        from django import forms

        from input_rules.dates import validate_date_in_range

        # One rule for every date a person types, in every form (ours, django-filter's, the admin's):
        # Django's date fields take their default validators from the class, so the range is
        # enforced structurally rather than remembered form by form.
        for field_class in (forms.DateField, forms.DateTimeField):
            if validate_date_in_range not in field_class.default_validators:
                field_class.default_validators = [*field_class.default_validators, validate_date_in_range]


class HubAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with our site (input_rules.admin.HubAdminSite) as the default `admin.site`."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin; InputRulesConfig is this app's
    default_site = "input_rules.admin.HubAdminSite"
