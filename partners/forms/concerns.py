"""Reporting a concern on a phone or at a desk: the place from the map, the browser or typed coordinates."""
import math

from django import forms
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.forms.engagements import DATETIME_LOCAL, DateTimeLocalInput
from crm.models import IssueCategory
from organisations.models import Organisation
from partners.models import Concern, ConcernChannel, ConcernStatus
from sharing_protocols.models import Classification

# How the partner heard of it; bulk files and Open311 arrive their own way, not through this form.
FORM_CHANNELS = [(value, label) for value, label in ConcernChannel.choices if value not in (ConcernChannel.BULK_FILE, ConcernChannel.OPEN311)]
PERSONAL_HINT = "Personal data: shared with the police only where an information sharing protocol allows it."
COORDINATE = {"step": "any", "inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}


class ConcernForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Reporting organisation",
                                          empty_label="Choose the organisation")
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.NumberInput(attrs=COORDINATE),
                                help_text="For example, 54.1108")
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.NumberInput(attrs=COORDINATE),
                                 help_text="For example, -3.2261")

    class Meta:
        model = Concern
        fields = [
            "category", "place", "occurred_at", "channel", "description", "holds_personal_data",
            "reporter_name", "reporter_email", "reporter_phone", "classification",
        ]
        widgets = {
            "occurred_at": DateTimeLocalInput(),
            "channel": forms.RadioSelect(choices=FORM_CHANNELS),
            "classification": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
            "reporter_email": forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "reporter_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        labels = {
            "category": "What is it about?",
            "place": "Place description",
            "occurred_at": "When did it happen?",
            "channel": "How did you hear of it?",
            "description": "What were you told?",
            "holds_personal_data": "The description names or identifies a person",
            "reporter_name": "Name (optional)",
            "reporter_email": "Email address (optional)",
            "reporter_phone": "Phone number (optional)",
            "classification": "Classification",
        }
        help_texts = {
            "place": "A street or landmark, such as 'Rear of Market Street car park'.",
            "occurred_at": "Or when it was last seen. Not in the future.",
            "reporter_name": PERSONAL_HINT, "reporter_email": PERSONAL_HINT, "reporter_phone": PERSONAL_HINT,
            "holds_personal_data": "Tick if what you were told names someone, or would let someone be identified.",
            "classification": "OFFICIAL-SENSITIVE if it names people or could cause harm if disclosed.",
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = IssueCategory.objects.filter(is_active=True)
        self.fields["category"].empty_label = "Choose a category"
        self.fields["channel"].choices = FORM_CHANNELS
        self.fields["classification"].choices = Classification.choices
        self.fields["occurred_at"].input_formats = [DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.fields["organisation"].queryset = organisations
        # Most partner users report for one organisation: no need to ask.
        choices = list(organisations[:2])
        self.only_organisation = choices[0] if len(choices) == 1 else None
        if self.only_organisation:
            self.fields["organisation"].initial = self.only_organisation
            self.fields["organisation"].required = False
            self.fields["organisation"].widget = forms.HiddenInput()
        if not self.is_bound and not self.instance.pk:
            # A new instance's own values are None: default to now (most reports are of something just heard).
            self.initial["occurred_at"] = self.initial.get("occurred_at") or timezone.localtime().replace(second=0, microsecond=0)
            self.initial["classification"] = self.initial.get("classification") or Classification.OFFICIAL
        if self.instance.pk and self.instance.location:
            self.initial["latitude"], self.initial["longitude"] = self.instance.location.y, self.instance.location.x
            self.initial["organisation"] = self.instance.organisation_id

    def clean_occurred_at(self):
        value = self.cleaned_data.get("occurred_at")
        original = self.instance.occurred_at if self.instance.pk else None
        # The form shows minutes: an unchanged time keeps its seconds, so an edit does not move it.
        if value and original and value == original.replace(second=0, microsecond=0):
            return original
        return value

    def add_error(self, field, error):
        # The model's "location" is this form's latitude and longitude: show its errors there.
        if field == "location":
            field = "latitude"
        elif field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict") and "location" in error.error_dict:
            error.error_dict.setdefault("latitude", []).extend(error.error_dict.pop("location"))
        super().add_error(field, error)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("organisation") and "organisation" not in self.errors and self.only_organisation:
            cleaned["organisation"] = self.only_organisation
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if "latitude" in self.errors or "longitude" in self.errors:
            return cleaned
        if latitude is None and longitude is None:
            self.add_error("latitude", "Give the place: use your location, tap the map, or type its latitude and longitude.")
        elif latitude is None or longitude is None:
            self.add_error("latitude" if latitude is None else "longitude", "Give both latitude and longitude.")
        elif not (math.isfinite(latitude) and math.isfinite(longitude)):
            self.add_error("latitude", "Latitude and longitude must be numbers.")
        else:
            # Whether it is inside the force area (or swapped) is the service's rule, shared with every way in.
            self.instance.location = Point(longitude, latitude, srid=4326)
        return cleaned


class ConcernCloseForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}), label="Why is it being closed?",
                             help_text="Such as 'Rubbish cleared by the council on 3 March'.")
    # The page sends no status (closing is the only thing it does), but a client may: only the closing status is
    # accepted, and anything else is refused by name rather than silently ignored.
    status = forms.ChoiceField(choices=[(ConcernStatus.CLOSED, ConcernStatus.CLOSED.label)], required=False, widget=forms.HiddenInput,
                               label="Status", error_messages={"invalid_choice": (
                                   "This page only closes a concern, so the status can only be “Closed”. "
                                   "A concern is taken into a priority from the collation page.")})
