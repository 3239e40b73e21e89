"""Forms for advisory groups. Choices (contacts, neighbourhoods, consultations) come from
what the user may see, passed in by the view; a choice outside them is refused as invalid."""
from django import forms
from django.utils import timezone

from hub_ui.widgets import DateInput
from crm.models import AdviceResponse, AdvisoryAdvice, AdvisoryGroup, AdvisoryMembership



NOT_GIVEN = ("", "Not given")


class AdvisoryGroupForm(forms.ModelForm):
    class Meta:
        model = AdvisoryGroup
        fields = ["name", "kind", "description", "neighbourhoods"]
        labels = {"kind": "Type of group", "neighbourhoods": "Neighbourhoods it advises on"}
        help_texts = {"description": "Its purpose and terms of reference, in a sentence or two."}
        widgets = {"kind": forms.RadioSelect, "neighbourhoods": forms.CheckboxSelectMultiple}

    def __init__(self, *args, neighbourhoods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhoods"].queryset = neighbourhoods


class AdvisoryMemberForm(forms.ModelForm):
    class Meta:
        model = AdvisoryMembership
        fields = ["contact", "joined_on", "left_on", "is_chair", "age_band", "ethnic_group", "disability"]
        labels = {
            "contact": "Member",
            "joined_on": "Date they joined",
            "left_on": "Date they left (optional)",
            "is_chair": "Chairs the group",
            "age_band": "Age band",
            "ethnic_group": "Ethnic group",
            "disability": "Disability",
        }
        help_texts = {
            "contact": "Choose from your contacts. Add the person as a contact first if they are not listed.",
            "left_on": "Leave blank while they are a member.",
        }
        widgets = {"joined_on": DateInput, "left_on": DateInput}
        error_messages = {"contact": {"invalid_choice": "Choose one of your contacts from the list: that one is not available to you."}}

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts
        self.fields["contact"].empty_label = "Choose a contact"
        self.fields["contact"].label_from_instance = lambda contact: f"{contact} ({contact.email})" if contact.email else str(contact)
        for name in ("age_band", "ethnic_group", "disability"):
            field = self.fields[name]
            field.choices = [NOT_GIVEN, *[choice for choice in field.choices if choice[0]]]


class AdvisoryAdviceForm(forms.ModelForm):
    class Meta:
        model = AdvisoryAdvice
        fields = ["policy", "advice", "given_on", "consultation"]
        labels = {"policy": "Policy or procedure", "advice": "The advice given", "given_on": "Date given", "consultation": "Consultation (optional)"}
        help_texts = {"policy": "For example, stop and search, or the use of body-worn video at protests."}
        widgets = {"given_on": DateInput}

    def __init__(self, *args, consultations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = consultations
        self.fields["consultation"].empty_label = "Not given at a recorded consultation"
        self.fields["consultation"].help_text = "The IAG consultation at which the advice was given, if it is recorded."

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on and given_on > timezone.localdate():
            raise forms.ValidationError("The date the advice was given cannot be in the future.")
        return given_on


class AdviceResponseForm(forms.ModelForm):
    class Meta:
        model = AdvisoryAdvice
        fields = ["response", "force_response", "responded_on"]
        labels = {"response": "What the force did with the advice", "force_response": "The force's response", "responded_on": "Date of the response"}
        widgets = {"response": forms.RadioSelect, "responded_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response"].choices = AdviceResponse.choices

    def clean_responded_on(self):
        responded_on = self.cleaned_data["responded_on"]
        if responded_on and responded_on > timezone.localdate():
            raise forms.ValidationError("The date of the response cannot be in the future.")
        return responded_on
