from django import forms

from finder.models import GazetteerKind, TeamContact

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # a region's extract; the national ONSPD goes through `manage.py load_gazetteer`


class GazetteerUploadForm(forms.Form):
    kind = forms.ChoiceField(label="What kind of file is it?", choices=GazetteerKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the kind of file."})
    file = forms.FileField(label="The CSV file", error_messages={"required": "Choose the CSV file to load.",
                                                                 "empty": "The file is empty."})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 200 MB. Load the national file with manage.py load_gazetteer.")
        return upload


def _url_field(label: str, hint: str = "") -> forms.URLField:
    return forms.URLField(label=label, required=False, assume_scheme="https", max_length=200, help_text=hint,
                          error_messages={"invalid": "Enter a full web address starting https://."})


class TeamContactForm(forms.ModelForm):
    online_form_url = _url_field("Online form", "The force's own contact form for this team.")
    facebook_url = _url_field("Facebook")
    x_url = _url_field("X (Twitter)")
    instagram_url = _url_field("Instagram")
    nextdoor_url = _url_field("Nextdoor")

    class Meta:
        model = TeamContact
        fields = ["email", "telephone", "online_form_url", "facebook_url", "x_url", "instagram_url", "nextdoor_url"]
        labels = {"email": "Email address", "telephone": "Telephone"}
        help_texts = {"telephone": "Leave empty to show only 101."}
        error_messages = {
            "email": {"invalid": "Enter an email address like team@example.police.uk."},
        }
