import datetime

from django import forms
from django.utils import timezone

from hub_ui.widgets import DateInput
from geo.models import ForceArea, Neighbourhood


class ReportRequestForm(forms.Form):
    period_start = forms.DateField(label="Start of the period", widget=DateInput)
    period_end = forms.DateField(label="End of the period", widget=DateInput)
    area = forms.ChoiceField(
        label="Area", widget=forms.RadioSelect,
        choices=[("force", "The whole force"), ("neighbourhoods", "Some neighbourhoods")], initial="force",
    )
    force_area = forms.ModelChoiceField(label="Force", queryset=ForceArea.objects.order_by("name").only("pk", "name"), required=False,
                                        empty_label=None)
    neighbourhoods = forms.ModelMultipleChoiceField(
        label="Neighbourhoods", queryset=Neighbourhood.objects.order_by("name").only("pk", "name"), required=False,
        widget=forms.CheckboxSelectMultiple, help_text="Used when you choose some neighbourhoods.",
    )
    include_maps = forms.BooleanField(label="Include maps", required=False, initial=True)
    include_concerns = forms.BooleanField(label="Include partner concerns", required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_end"].initial = today
        self.fields["period_start"].initial = today - datetime.timedelta(days=182)
        forces = [m.organisation.force_pk for m in user.memberships.select_related("organisation")] if user else []
        own = ForceArea.objects.filter(force_id__in=[pk for pk in forces if pk]).values_list("pk", flat=True).first()
        if own is not None:
            self.fields["force_area"].initial = own

    def clean(self):
        data = super().clean()
        if data.get("area") == "force" and not data.get("force_area"):
            self.add_error("force_area", "Choose the force.")
        if data.get("area") == "neighbourhoods" and not data.get("neighbourhoods"):
            self.add_error("neighbourhoods", "Choose at least one neighbourhood.")
        return data
