"""Forms for community contacts and partner contacts. Every choice they offer (groups,
contacts, neighbourhoods, areas) comes from what the signed-in user may see."""
import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone

from hub_ui.widgets import DateInput
from crm.models import AccessibilityNeed, CommunityGroup, Contact, LawfulBasis, PartnerContact, UnderRepresentedGroup
from organisations.models import Organisation, POLICE_KINDS
from geo.models import Neighbourhood, SmallArea, SmallAreaKind


def neighbourhood_choices():
    """Neighbourhoods are not personal data: every signed-in user sees them (their boundary is not needed here)."""
    return Neighbourhood.objects.defer("boundary", "description").order_by("name")


def community_choices():
    return UnderRepresentedGroup.objects.filter(is_active=True).order_by("name")


class ServiceErrorsMixin:
    """Puts every error on a field the form shows: a model's or a service's error keyed by a
    field the form has goes on that field; an error about the record as a whole goes on
    `whole_record_errors_on` (the field a person would correct), else at the top."""

    whole_record_errors_on: str | None = None

    def add_error(self, field, error):
        if field is not None:
            return super().add_error(field, error)
        if not isinstance(error, ValidationError):
            error = ValidationError(error)
        error_dict = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
        for key, errors in error_dict.items():
            if key not in self.fields:
                key = self.whole_record_errors_on if self.whole_record_errors_on in self.fields else None
            super().add_error(key, ValidationError(errors))
        return None


class ContactForm(ServiceErrorsMixin, forms.ModelForm):
    """A community contact: who they are, the lawful basis for keeping them, how to reach them."""

    # The duplicate check (same name and email in the organisation) is about the email address.
    whole_record_errors_on = "email"

    consent_recorded_at = forms.DateField(
        label="Date consent was given", required=False, widget=DateInput(),
        help_text="Needed when consent is the lawful basis.",
    )
    accessibility_needs = forms.MultipleChoiceField(
        label="Accessibility needs", choices=AccessibilityNeed.choices, required=False, widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Contact
        fields = [
            "first_name", "last_name", "email", "phone", "postcode", "neighbourhood",
            "lawful_basis", "consent_recorded_at", "preferred_channel", "language", "accessibility_needs",
            "communities", "groups", "retain_until", "notes",
        ]
        labels = {
            "communities": "Communities (under-represented groups)",
            "groups": "Community groups they belong to",
            "retain_until": "Keep this record until",
            "preferred_channel": "Preferred way to be contacted",
        }
        error_messages = {
            "first_name": {"required": "Enter their first name."},
            "last_name": {"required": "Enter their last name."},
            "lawful_basis": {"required": "Choose the lawful basis for keeping this record."},
            "retain_until": {"required": "Enter the date by which this record must be reviewed or deleted."},
        }
        widgets = {
            "lawful_basis": forms.RadioSelect,
            "preferred_channel": forms.RadioSelect,
            "communities": forms.CheckboxSelectMultiple,
            "groups": forms.CheckboxSelectMultiple,
            "retain_until": DateInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = neighbourhood_choices()
        self.fields["neighbourhood"].empty_label = "Not known"
        self.fields["communities"].queryset = community_choices()
        self.fields["groups"].queryset = CommunityGroup.objects.visible_to(user).only("name").order_by("name")
        self.fields["lawful_basis"].choices = LawfulBasis.choices  # radios: no blank choice
        if self.instance.consent_recorded_at:
            self.initial["consent_recorded_at"] = timezone.localtime(self.instance.consent_recorded_at).date()
        for name in ("email", "phone", "postcode"):
            self.fields[name].widget.attrs["autocomplete"] = {"email": "email", "phone": "tel", "postcode": "postal-code"}[name]

    def clean_consent_recorded_at(self):
        """Consent is recorded as a day; it is kept as the start of that day, local time."""
        day = self.cleaned_data["consent_recorded_at"]
        if day is None:
            return None
        if day > timezone.localdate():
            raise ValidationError("The date consent was given cannot be in the future.")
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def clean_retain_until(self):
        """A new retention date must lie ahead; a record already past its date may still be edited."""
        retain_until = self.cleaned_data["retain_until"]
        unchanged = self.instance.pk is not None and retain_until == self.initial.get("retain_until")
        if retain_until and not unchanged and retain_until < timezone.localdate():
            raise ValidationError("The retention date must be in the future.")
        return retain_until

    def clean_postcode(self):
        return " ".join(self.cleaned_data["postcode"].upper().split())


class PartnerContactForm(ServiceErrorsMixin, forms.ModelForm):
    """The named person at a partner agency, and the topics and areas they cover."""

    # "Give a phone number or an email address": shown on the phone number, the first of the two.
    whole_record_errors_on = "phone"

    class Meta:
        model = PartnerContact
        fields = ["partner_organisation", "name", "role", "topics", "neighbourhoods", "small_areas", "phone", "email"]
        labels = {
            "partner_organisation": "Agency",
            "role": "Role or job title",
            "topics": "Topics they cover",
            "neighbourhoods": "Neighbourhoods they cover",
            "small_areas": "Wards they cover",
        }
        help_texts = {"topics": "Separate topics with commas, such as licensing, noise, fly-tipping."}
        error_messages = {
            "partner_organisation": {"required": "Choose the agency they work for."},
            "name": {"required": "Enter their name."},
            "role": {"required": "Enter their role or job title."},
        }
        widgets = {"neighbourhoods": forms.CheckboxSelectMultiple, "small_areas": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Agencies are public bodies and voluntary groups, not personal data: any active partner agency may be chosen.
        self.fields["partner_organisation"].queryset = (
            Organisation.objects.filter(is_active=True).exclude(kind__in=POLICE_KINDS).only("name").order_by("name")
        )
        self.fields["partner_organisation"].empty_label = "Choose an agency"
        self.fields["neighbourhoods"].queryset = neighbourhood_choices()
        current_areas = Q(pk__in=self.instance.small_areas.values("pk")) if self.instance.pk else Q(pk__in=[])
        self.fields["small_areas"].queryset = (
            SmallArea.objects.filter(Q(kind=SmallAreaKind.WARD) | current_areas).defer("boundary").order_by("name")
        )
        for name, autocomplete in (("phone", "tel"), ("email", "email")):
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
