from datetime import datetime, time

from django import forms
from django.utils import timezone

from hub_ui.widgets import DateInput
from organisations.models import Organisation


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


# -- the protocol register ------------------------------------------------------------------------------------------

from django.core.exceptions import ValidationError  # noqa: E402
from django.forms import formset_factory  # noqa: E402

from sharing_protocols.models import DataCategory, ProtocolStatus, ProtocolVersion, SharingProtocol, SignatureDecision  # noqa: E402


class ProtocolNameForm(forms.ModelForm):
    """A new protocol's title, reference (they do not change with its versions) and lead organisation."""

    lead_organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Lead organisation",
                                               error_messages={"required": "Choose the lead organisation."})

    def __init__(self, *args, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = leads
        self.fields["lead_organisation"].initial = leads.first()

    class Meta:
        model = SharingProtocol
        fields = ["title", "reference", "lead_organisation"]
        labels = {"title": "Title", "reference": "Reference"}
        help_texts = {"reference": "Short, with lower-case letters, numbers and hyphens only, such as furness-asb-isp."}
        error_messages = {"title": {"required": "Give the protocol a title."},
                          "reference": {"required": "Give the protocol a reference.", "unique": "Another protocol has this reference.",
                                        "invalid": "Use only lower-case letters, numbers, hyphens and underscores in the reference."}}


class VersionTermsForm(forms.ModelForm):
    """Every heading of the ICO Data Sharing Code a version answers. The model's own checks (an end before
    the start, personal data without a lawful basis, special category data without an article 9 condition)
    come back on the field they concern."""

    class Meta:
        model = ProtocolVersion
        fields = [
            "change_summary", "purpose", "article_6_basis", "law_enforcement_processing", "legal_power", "includes_personal_data",
            "includes_special_category_data", "special_category_condition", "includes_criminal_offence_data",
            "criminal_offence_condition", "highest_classification", "retention_and_deletion", "security", "starts_on", "review_on",
            "ends_on",
        ]
        labels = {
            "change_summary": "What this version changes", "purpose": "Purpose of the sharing",
            "article_6_basis": "UK GDPR article 6 lawful basis", "legal_power": "Legal power to share",
            "law_enforcement_processing": "Law enforcement processing under Part 3 of the Data Protection Act 2018",
            "includes_personal_data": "Personal data is shared", "special_category_condition": "Article 9 condition",
            "highest_classification": "Highest classification shared", "retention_and_deletion": "Retention and deletion",
            "security": "Security", "starts_on": "Start date", "review_on": "Review date", "ends_on": "End date (optional)",
        }
        help_texts = {
            "change_summary": "For a new version: what changed and why. Leave empty for a first version.",
            "legal_power": "Such as section 115 of the Crime and Disorder Act 1998.",
            "special_category_condition": "The article 9 condition and the DPA 2018 Schedule 1 condition.",
        }
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4}), "retention_and_deletion": forms.Textarea(attrs={"rows": 3}),
                   "security": forms.Textarea(attrs={"rows": 3}), "starts_on": DateInput(), "review_on": DateInput(), "ends_on": DateInput()}
        error_messages = {
            "purpose": {"required": "Say what the sharing is for."},
            "retention_and_deletion": {"required": "Say how long shared data is kept and how it is deleted."},
            "security": {"required": "Say how shared data is kept secure."},
            "starts_on": {"required": "Give the start date.", "invalid": "Give the start date as day, month and year."},
            "review_on": {"required": "Give the review date.", "invalid": "Give the review date as day, month and year."},
            "ends_on": {"invalid": "Give the end date as day, month and year."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.status = ProtocolStatus.DRAFT  # a draft: the signed-off checks come at signature


class PartyForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Organisation",
                                          error_messages={"required": "Choose the party's organisation."})
    contact_name = forms.CharField(max_length=200, label="Contact name", error_messages={"required": "Give the party's contact."})
    contact_email = forms.EmailField(label="Contact email", error_messages={"required": "Give the contact's email address.",
                                                                            "invalid": "Give the contact's email address, like name@example.org."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("name")


class FlowForm(forms.Form):
    category = forms.ChoiceField(choices=[("", "Choose the data")] + list(DataCategory.choices), label="Data category",
                                 error_messages={"required": "Choose the data that flows."})
    provider = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="From (provider)",
                                      error_messages={"required": "Choose the organisation providing the data."})
    recipient = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="To (recipient)",
                                       error_messages={"required": "Choose the organisation receiving the data."})
    clause = forms.CharField(max_length=20, label="Clause", error_messages={"required": "Give the clause that allows it, such as 4.2."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(is_active=True).order_by("name")
        self.fields["provider"].queryset = self.fields["recipient"].queryset = organisations

    def clean(self):
        data = super().clean()
        if data.get("provider") and data.get("provider") == data.get("recipient"):
            self.add_error("recipient", "The recipient must be another organisation than the provider.")
        return data


class BasePartyFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for number, form in enumerate(self.forms, start=1):
            organisation = form.cleaned_data.get("organisation")
            if organisation is None:
                continue
            if organisation.pk in seen:
                form.add_error("organisation", f"Party {number}: {organisation} is already a party.")
            seen.add(organisation.pk)
        if len(seen) < 2:
            raise ValidationError("A protocol needs at least two parties.")

    @property
    def organisations(self) -> set:
        return {form.cleaned_data["organisation"] for form in self.forms if form.cleaned_data.get("organisation")}


class BaseFlowFormSet(forms.BaseFormSet):
    def check_parties(self, organisations: set) -> bool:
        """Each flow's provider and recipient must be parties; the message names the flow and the organisation."""
        valid = True
        for number, form in enumerate(self.forms, start=1):
            for end in ("provider", "recipient"):
                organisation = form.cleaned_data.get(end)
                if organisation is not None and organisation not in organisations:
                    form.add_error(end, f"Data flow {number}: the {end}, {organisation}, is not a party to the protocol: add it as a party "
                                        "or choose another.")
                    valid = False
        return valid


PartyFormSet = formset_factory(PartyForm, formset=BasePartyFormSet, extra=1)
FlowFormSet = formset_factory(FlowForm, formset=BaseFlowFormSet, extra=1)


class SignatureForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Signing for",
                                          error_messages={"required": "Choose the party you sign for."})
    decision = forms.ChoiceField(choices=SignatureDecision.choices, widget=forms.RadioSelect, label="Your decision",
                                 error_messages={"required": "Choose whether to sign or decline."})
    signatory_name = forms.CharField(max_length=200, label="Name of the person signing",
                                     error_messages={"required": "Give the name of the person signing."})
    signatory_role = forms.CharField(max_length=200, label="Role", help_text="Such as Data protection officer.",
                                     error_messages={"required": "Give the role in which they sign, such as Data protection officer."})
    reason = forms.CharField(max_length=500, required=False, label="Reason for declining", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Needed only to decline: the lead organisation reads it to redraft.")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        if data.get("decision") == SignatureDecision.DECLINED and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason for declining: the lead organisation needs it to redraft.")
        return data


class SuspensionForm(forms.Form):
    status = forms.ChoiceField(choices=[(ProtocolStatus.SUSPENDED, "Suspend it: sharing stops until every party signs a new version"),
                                        (ProtocolStatus.TERMINATED, "Terminate it: sharing stops for good")],
                               widget=forms.RadioSelect, label="What to do", error_messages={"required": "Choose to suspend or to terminate."})
    reason = forms.CharField(max_length=250, label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Every party is told it; it is kept in the disclosure log.",
                             error_messages={"required": "Give the reason: every party is told it, and it is kept in the disclosure log."})
