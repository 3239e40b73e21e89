"""Taking partner concerns into a PACT priority, from the collation page."""
from django import forms
from django.utils import timezone

from hub_ui.widgets import DateInput
from crm.models import IssueCategory


class TakeIntoPriorityForm(forms.Form):
    concerns = forms.ModelMultipleChoiceField(
        queryset=None, label="Concerns to take into the priority",
        error_messages={"required": "Choose at least one concern.",
                        "invalid_choice": "Concern %(value)s cannot be chosen: it is not open in this neighbourhood."},
    )
    category = forms.ModelChoiceField(queryset=IssueCategory.objects.filter(is_active=True), label="Category",
                                      error_messages={"required": "Choose the priority's category."})
    issue = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="The priority, in words fit to publish",
                            error_messages={"required": "Say what the priority is, in words fit to publish."})
    issue_date = forms.DateField(widget=DateInput(), label="Date agreed", initial=timezone.localdate,
                                 error_messages={"required": "Give the date the priority was agreed."})

    def __init__(self, *args, concerns, **kwargs):
        """`concerns`: the open concerns the user may choose from (from visible_to)."""
        super().__init__(*args, **kwargs)
        self.fields["concerns"].queryset = concerns

    def clean_issue_date(self):
        issue_date = self.cleaned_data["issue_date"]
        if issue_date > timezone.localdate():
            raise forms.ValidationError("The date agreed cannot be in the future.")
        return issue_date
