"""The police's answers to a partner's concern, as forms: closing it with an outcome, and reopening it."""
from django import forms


class PoliceCloseForm(forms.Form):
    outcome = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), label="What did the police do?",
                              help_text="The reporting organisation reads this. For example 'Passed to the council's housing "
                                        "team' or 'No police action: a civil matter'.")


class PoliceReopenForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}), label="Why is it being reopened?",
                             help_text="The reporting organisation reads this, such as 'The council has passed it back to us'.")
