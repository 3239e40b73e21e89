from django import forms
from django.conf import settings

from geo.boundaries import BoundaryKind
from geo.models import ForceArea


class BoundaryUploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=BoundaryKind.CHOICES)
    force_area = forms.ModelChoiceField(
        label="Force area", queryset=ForceArea.objects.all(), required=False,
        help_text="Needed for neighbourhoods and the force boundary.",
    )
    file = forms.FileField(label="GeoJSON file", help_text="A FeatureCollection, a Feature, a Polygon or police.uk's /boundary answer.")
    code_property = forms.CharField(label="Property holding the code", required=False, help_text="Leave blank to detect LSOA21CD, WD24CD, id or code.")
    name_property = forms.CharField(label="Property holding the name", required=False)
    code = forms.CharField(label="Code (for a single boundary)", required=False, help_text="For police.uk's /boundary answer, which carries no code.")
    name = forms.CharField(label="Name (for a single boundary)", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["force_area"].queryset = ForceArea.objects.administered_by(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.GEO_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"The file is {upload.size / 1_048_576:.0f} MB; the largest accepted is {limit / 1_048_576:.0f} MB.")
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") in (BoundaryKind.NEIGHBOURHOOD, BoundaryKind.FORCE) and not cleaned.get("force_area"):
            self.add_error("force_area", "Choose the force area these boundaries belong to.")
        return cleaned
