"""Widgets every app's forms use."""
from django import forms


class DateInput(forms.DateInput):
    """A native date picker (on a phone, the system's), in the format it expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
