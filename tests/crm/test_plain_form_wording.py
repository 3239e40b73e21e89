"""Forms read as plain English: an empty choice is "Choose…" in a list and "None" among radios, never "---------"."""
from django import forms

from organisations.models import Organisation
from hub_ui.templatetags.hub_forms import govuk_field


class Example(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    colour = forms.ChoiceField(choices=[("", "---------"), ("red", "Red")], required=False)
    size = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False, widget=forms.RadioSelect)


def test_an_empty_choice_is_worded_for_people():
    form = Example()

    assert '<option value="" selected>Choose…</option>' in govuk_field(form["organisation"])["rendered"]
    assert '<option value="" selected>Choose…</option>' in govuk_field(form["colour"])["rendered"]
    govuk_field(form["size"])
    assert "---------" not in str(form["organisation"]) + str(form["colour"]) + str(form["size"])
