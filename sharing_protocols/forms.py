from datetime import datetime, time

from django import forms
from django.utils import timezone

from crm.forms import DateInput
from crm.models import Organisation


class RecordShareForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Share with",
                                          error_messages={"required": "Choose the organisation to share with."})
    reason = forms.CharField(max_length=300, label="Why it is shared", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Recorded in the disclosure log, such as 'Joint visit with housing on 2 December'.",
                             error_messages={"required": "Give the reason for sharing: it is recorded in the disclosure log."})
    expires_on = forms.DateField(label="Share until", widget=DateInput(), help_text="At most 90 days from today.",
                                 error_messages={"required": "Give the date the share ends.", "invalid": "Give the date as day, month and year."})
    includes_personal_data = forms.BooleanField(required=False, label="Include personal details",
                                                help_text="Only where the law allows it; otherwise names and contact details are withheld.")

    def __init__(self, *args, holder, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).exclude(pk=holder.pk).order_by("name")

    @property
    def expires_at(self):
        # The share lasts to the end of the chosen day, London time.
        return timezone.make_aware(datetime.combine(self.cleaned_data["expires_on"], time(23, 59, 59)))
