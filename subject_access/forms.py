from django import forms
from django.utils import timezone

from retention.models import LegalRegime
from subject_access.models import DataSubjectRequest, Exemption, ItemDecision, Restriction


class RequestForm(forms.ModelForm):
    class Meta:
        model = DataSubjectRequest
        fields = ["kind", "regime", "requester_name", "requester_email", "requester_address", "other_names", "other_emails", "phones",
                  "addresses", "handles", "reason", "received_on", "identity_checked"]
        widgets = {"kind": forms.RadioSelect, "regime": forms.RadioSelect, "requester_address": forms.Textarea(attrs={"rows": 3}),
                   "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "reason": forms.Textarea(attrs={"rows": 2})}
        labels = {"kind": "What the person asks for"}
        help_texts = {"other_names": "Maiden or former names. Separate several with semicolons.",
                      "regime": "Part 3 if the data is held for law enforcement (the police); UK GDPR otherwise."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regime"].choices = LegalRegime.choices  # radios: no blank "---------" choice
        if not self.initial.get("received_on"):
            self.initial["received_on"] = timezone.localdate()


class ItemReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[c for c in ItemDecision.choices if c[0] != ItemDecision.PENDING], widget=forms.RadioSelect,
                                 label="What to do with this record")
    exemption = forms.ChoiceField(choices=Exemption.choices, required=False, label="Exemption, if withheld")
    redact_fields = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                              label="Details that identify someone else (redacted)")
    note = forms.CharField(required=False, max_length=300, label="Note for the file")

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["redact_fields"].choices = [(name, label) for label, name, _ in fields]


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label="Detail to correct")
    value = forms.CharField(label="Corrected value", max_length=300)

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [(name, label) for label, name, _ in fields]


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(choices=[(1, "One month"), (2, "Two months")], coerce=int, widget=forms.RadioSelect,
                                    label="Extend by")
    reason = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Why the request is complex or numerous")


class RestrictForm(forms.Form):
    restriction = forms.ChoiceField(choices=Restriction.choices, required=False, label="Ground under DPA 2018 s.45(4)")
    restriction_note = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                       label="Why it is necessary and proportionate")
