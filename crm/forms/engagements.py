"""Logging an engagement on a phone: sensible defaults, location from the browser or a tap on the map."""
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from organisations.models import POLICE_KINDS, Organisation, User
from crm.models import (
    AdvisoryGroup, Adjustment, Engagement, IssueCategory, Questionnaire, UnderRepresentedGroup,
    VisitOutcome,
)
from access.roles import Role
from crm.models.engagements import QuestionKind
from geo.coordinates import gb_point
from geo.models import Neighbourhood

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ISSUE_ROWS = 3


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_LOCAL, **kwargs)


class EngagementForm(forms.ModelForm):
    latitude = forms.FloatField(required=False, widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    longitude = forms.FloatField(required=False, widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    officers = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
                                              label="Officers present")
    partners = forms.ModelMultipleChoiceField(queryset=Organisation.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
                                              label="Partners present")
    groups_reached = forms.ModelMultipleChoiceField(queryset=UnderRepresentedGroup.objects.none(), required=False,
                                                    widget=forms.CheckboxSelectMultiple, label="Groups reached",
                                                    help_text="Tick each community that was among the people you met.")
    adjustments = forms.MultipleChoiceField(choices=Adjustment.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                            label="Adjustments made")
    online_link = forms.URLField(required=False, assume_scheme="https", label="Online link")
    streets = forms.CharField(required=False, widget=forms.Textarea, label="Streets covered",
                              help_text="For door-to-door visits: one street per line.")

    class Meta:
        model = Engagement
        fields = [
            "kind", "title", "status", "starts_at", "ends_at", "venue_name", "venue_kind", "online_link", "neighbourhood",
            "objectives", "objectives_met", "turnout", "advisory_group", "questionnaire", "notes",
        ]
        widgets = {
            "starts_at": DateTimeLocalInput(), "ends_at": DateTimeLocalInput(),
            "turnout": forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
            "objectives": forms.Textarea, "notes": forms.Textarea,
        }
        labels = {"kind": "Type of engagement", "venue_kind": "Type of venue", "starts_at": "Started", "ends_at": "Ended", "neighbourhood": "Neighbourhood (for an online engagement)"}
        help_texts = {"title": "Leave blank to name it from its type and venue."}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.fields["title"].required = False
        self.fields["officers"].queryset = (
            # Warranted officers and PCSOs (the officer role) only: not administrators, managers or governance staff.
            User.objects.visible_to(user).filter(memberships__organisation__kind__in=POLICE_KINDS, memberships__role=Role.OFFICER)
            .distinct().order_by("last_name", "first_name")
        )
        self.fields["officers"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["partners"].queryset = Organisation.objects.filter(is_active=True).exclude(kind__in=POLICE_KINDS)
        self.fields["groups_reached"].queryset = UnderRepresentedGroup.objects.filter(is_active=True)
        self.fields["advisory_group"].queryset = AdvisoryGroup.objects.visible_to(user)
        # An edit keeps the engagement's questionnaire even after it was retired (made inactive).
        self.fields["questionnaire"].queryset = Questionnaire.objects.visible_to(user).filter(
            models.Q(is_active=True) | models.Q(pk=self.instance.questionnaire_id))
        from crm.services.engagements import force_area_for
        from access.visibility import owning_organisation

        owner = self.instance.organisation if self.instance.pk else owning_organisation(user)
        force_area = force_area_for(owner) if owner else None
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.filter(force_area=force_area).order_by("name")
        for number in range(1, ISSUE_ROWS + 1):
            self.fields[f"issue_{number}_category"] = forms.ModelChoiceField(
                queryset=IssueCategory.objects.filter(is_active=True), required=False, label=f"Issue {number}: category")
            self.fields[f"issue_{number}"] = forms.CharField(required=False, max_length=500, label=f"Issue {number}: what was said")
        if self.instance.pk:
            for name in ("officers", "partners", "groups_reached"):
                self.initial[name] = list(getattr(self.instance, name).all())
            self.initial["adjustments"] = self.instance.adjustments
            self.initial["streets"] = "\n".join(self.instance.streets)
            if self.instance.location:
                self.initial["latitude"], self.initial["longitude"] = self.instance.location.y, self.instance.location.x
        else:
            self.initial["starts_at"] = self.initial.get("starts_at") or timezone.localtime().replace(second=0, microsecond=0)
            self.initial["officers"] = self.initial.get("officers") or [user.pk]

    def add_error(self, field, error):
        # The model's "location" is this form's latitude and longitude: show its errors there.
        if field == "location":
            field = "latitude"
        elif field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict") and "location" in error.error_dict:
            error.error_dict.setdefault("latitude", []).extend(error.error_dict.pop("location"))
        super().add_error(field, error)

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            self.add_error("latitude", "Give both latitude and longitude, or use your location or the map.")
        elif latitude is not None:
            try:
                self.instance.location = gb_point(longitude=longitude, latitude=latitude)
            except ValueError as error:
                self.add_error("latitude", str(error))
        else:
            self.instance.location = None
        self.instance.adjustments = cleaned.get("adjustments") or []
        self.instance.streets = [line.strip() for line in (cleaned.get("streets") or "").splitlines() if line.strip()]
        for number in range(1, ISSUE_ROWS + 1):
            if cleaned.get(f"issue_{number}") and not cleaned.get(f"issue_{number}_category"):
                self.add_error(f"issue_{number}_category", "Choose what the issue is about.")
        if not cleaned.get("title") and cleaned.get("kind"):
            place, neighbourhood = cleaned.get("venue_name"), cleaned.get("neighbourhood")
            if neighbourhood is None and self.instance.location is not None and not place:
                neighbourhood = Neighbourhood.objects.containing(self.instance.location).order_by("pk").first()
            cleaned["title"] = Engagement.default_title(kind=cleaned["kind"], venue_name=place, neighbourhood=neighbourhood,
                                                        starts_at=cleaned.get("starts_at"))
        return cleaned

    @property
    def issue_rows(self) -> list[tuple]:
        """(category field, description field) for each issue row, for the template."""
        return [(self[f"issue_{n}_category"], self[f"issue_{n}"]) for n in range(1, ISSUE_ROWS + 1)]

    @property
    def issues(self) -> list[tuple]:
        return [
            (self.cleaned_data[f"issue_{n}_category"], self.cleaned_data[f"issue_{n}"])
            for n in range(1, ISSUE_ROWS + 1) if self.cleaned_data.get(f"issue_{n}")
        ]


class DoorstepVisitForm(forms.Form):
    address = forms.CharField(max_length=200, help_text="House number or name, and street.")
    outcome = forms.ChoiceField(choices=VisitOutcome.choices, widget=forms.RadioSelect)
    resolved_on_the_spot = forms.CharField(required=False, max_length=300, label="Problem resolved on the spot",
                                           help_text="Such as graffiti removed or a smoke alarm fitted.")

    def __init__(self, *args, questionnaire=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questionnaire.questions.all()) if questionnaire else []
        for question in self.questions:
            name = f"answer_{question.pk}"
            if question.kind == QuestionKind.YES_NO:
                self.fields[name] = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], required=False, widget=forms.RadioSelect)
            elif question.kind == QuestionKind.SCALE:
                self.fields[name] = forms.ChoiceField(choices=[(str(n), str(n)) for n in range(1, 6)], required=False, widget=forms.RadioSelect)
            elif question.kind == QuestionKind.CHOICE:
                self.fields[name] = forms.ChoiceField(choices=[("", "No answer")] + [(c, c) for c in question.choices], required=False)
            else:
                self.fields[name] = forms.CharField(required=False, max_length=500)
            self.fields[name].label = question.text

    @property
    def answers(self) -> dict:
        return {str(q.pk): self.cleaned_data.get(f"answer_{q.pk}") for q in self.questions}
