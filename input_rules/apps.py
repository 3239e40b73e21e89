from django.apps import AppConfig


class InputRulesConfig(AppConfig):
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
