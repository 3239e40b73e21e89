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


class RaiseTopicForm(forms.Form):
    neighbourhood = forms.ModelChoiceField(queryset=None, label="Neighbourhood", empty_label=None,
                                           error_messages={"required": "Choose the neighbourhood whose meeting should hear it."})

    def __init__(self, *args, neighbourhoods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = neighbourhoods


class MeetingQuestionForm(forms.Form):
    """A question sent before a meeting: no account. `website` is a honeypot (hidden from people, filled by
    scripts); `started` is a signed time the form was shown, refused if the form came back too fast or too late."""

    MIN_SECONDS, MAX_SECONDS = 3, 4 * 3600

    question = forms.CharField(label="Your question or concern", max_length=1000, widget=forms.Textarea(attrs={"rows": 5}),
                               help_text="The team will answer at the meeting or reply to you. It is not published. Do not include anyone's personal details.",
                               error_messages={"required": "Enter your question or concern.",
                                               "max_length": "Your question must be 1,000 characters or fewer."})
    name = forms.CharField(label="Your name (optional)", max_length=120, required=False)
    email = forms.EmailField(label="Your email address (optional, for a reply)", max_length=254, required=False,
                             error_messages={"invalid": "Enter an email address in the correct format, like name@example.com."})
    website = forms.CharField(required=False, label="Leave this empty",
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    started = forms.CharField(widget=forms.HiddenInput)

    @classmethod
    def stamp(cls) -> str:
        from django.core import signing

        return signing.TimestampSigner(salt="digital.question").sign("shown")

    def clean(self):
        from django.core import signing

        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError("Your question could not be sent. Please try again, or call 101.")
        try:
            signer = signing.TimestampSigner(salt="digital.question")
            signer.unsign(data.get("started", ""), max_age=self.MAX_SECONDS)
        except (signing.BadSignature, signing.SignatureExpired, KeyError):
            raise forms.ValidationError("This form was open too long or has expired. Please send your question again.") from None
        if self._seconds_open(data["started"]) < self.MIN_SECONDS:
            raise forms.ValidationError("Your question could not be sent. Please try again, or call 101.")
        return data

    @staticmethod
    def _seconds_open(stamp: str) -> float:
        import time

        from django.core import signing

        return time.time() - signing.b62_decode(stamp.split(signing.TimestampSigner().sep)[1])
