from django import forms
from django.utils import timezone

from retention.models import EndAction, LegalRegime, RecordClass, RetentionSchedule


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = RetentionSchedule
        fields = ["record_class", "regime", "period_months", "end_action", "source", "effective_from", "effective_until"]
        widgets = {
            "regime": forms.RadioSelect, "end_action": forms.RadioSelect, "source": forms.Textarea(attrs={"rows": 3}),
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"record_class": "Class of record"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_months"].min_value = None  # the service's message for zero names the field; not the browser's
        self.fields["period_months"].widget.attrs.pop("min", None)
        # Radios: no blank "---------" choice.
        self.fields["regime"].choices = LegalRegime.choices
        self.fields["end_action"].choices = EndAction.choices
        if not self.initial.get("effective_from"):
            self.initial["effective_from"] = timezone.localdate()


class KeepForm(forms.Form):
    months = forms.IntegerField(label="Keep for (months) before the next review", initial=12, required=False)
    reason = forms.CharField(label="Why it is kept", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=[(EndAction.ANONYMISE, "Anonymise now"), (EndAction.DELETE, "Delete now")])


class HoldForm(forms.Form):
    record_class = forms.ChoiceField(label="Class of record", choices=[("", "Choose")] + [
        choice for choice in RecordClass.choices if choice[0] != RecordClass.HISTORY_ROWS])
    record_id = forms.CharField(label="Record number", max_length=20, help_text="As shown on the record's page or the list of records due.")
    reason = forms.CharField(label="Why it is held", max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="The litigation, investigation or inquiry. Do not name the person.")
