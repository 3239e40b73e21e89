"""Forms for digital engagement: uploading an export, raising a topic at a PACT meeting."""
from django import forms

from digital.formats import Format
from digital.models import LawfulBasis


class ConversationUploadForm(forms.Form):
    upload = forms.FileField(
        label="Export of posts", help_text="A CSV (UTF-8) or JSON file, as your social-media or monitoring tool exports it, no larger than 100 MB.",
        error_messages={"required": "Choose the file to upload.", "empty": "The file is empty."},
    )
    file_format = forms.ChoiceField(label="What kind of export is it?", choices=Format.CHOICES, widget=forms.RadioSelect,
                                    error_messages={"required": "Choose the kind of export this file is."})
    lawful_basis = forms.ChoiceField(label="Lawful basis for holding these posts", choices=LawfulBasis.choices, widget=forms.RadioSelect,
                                     error_messages={"required": "Choose the lawful basis for holding these posts."})
    purpose = forms.CharField(label="Purpose", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Why the force holds these posts, such as “Understanding local concerns before PACT meetings”.",
                              error_messages={"required": "Say why the force holds these posts."})
    retention_days = forms.IntegerField(
        label="Keep the posts' text and handles for (days)", min_value=1, max_value=730, initial=90,
        help_text="After this, each post's text, handle and link are removed; only the counts stay.",
        error_messages={"required": "Say how many days to keep the posts' text.", "min_value": "Keep the text for at least 1 day.",
                        "max_value": "Keep the text for no more than 730 days (two years).", "invalid": "Enter a whole number of days."},
    )


class RaiseTopicForm(forms.Form):
    neighbourhood = forms.ModelChoiceField(queryset=None, label="Neighbourhood", empty_label=None,
                                           error_messages={"required": "Choose the neighbourhood whose meeting should hear it."})

    def __init__(self, *args, neighbourhoods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = neighbourhoods
