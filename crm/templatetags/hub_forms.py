"""Render Django form fields with GOV.UK Frontend markup: {% govuk_field form.name %}."""
from django import forms, template

register = template.Library()


@register.inclusion_tag("includes/field.html")
def govuk_field(field, hint_override=None, classes=""):
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        kind = "checkboxes"
    elif isinstance(widget, forms.RadioSelect):
        kind = "radios"
    elif isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
    elif isinstance(widget, forms.Textarea):
        kind = "textarea"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        kind = "select"
    elif isinstance(widget, forms.HiddenInput):
        kind = "hidden"
    else:
        kind = "input"
    return {"field": field, "kind": kind, "hint": hint_override or field.help_text, "classes": classes}


@register.inclusion_tag("includes/error_summary.html")
def govuk_error_summary(form):
    return {"form": form}
