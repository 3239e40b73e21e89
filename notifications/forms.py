from django import forms

from notifications.models import Delivery, Kind


class PreferencesForm(forms.Form):
    """One choice per kind of notification: at once, a daily digest, or no email."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, widget=forms.RadioSelect,
                initial=current.get(kind.value, Delivery.IMMEDIATE),
            )
