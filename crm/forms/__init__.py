"""Forms, one module per area: thin, GOV.UK-styled through templates/includes/field.html."""

from django import forms  # noqa: E402


class DateInput(forms.DateInput):
    """A native date picker (on a phone, the system's), in the format it expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
