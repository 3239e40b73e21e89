"""Render Django form fields with GOV.UK Frontend markup: {% govuk_field form.name %}."""
from django import forms, template

register = template.Library()
DJANGO_EMPTY_LABEL = "---------"


def _plain_empty_choice(field, kind: str) -> None:
    """Django's empty choice reads "---------"; people read "Choose…" in a list, or "None" among radios."""
    label = "None" if kind == "radios" else "Choose…"
    form_field = field.field
    if getattr(form_field, "empty_label", None) == DJANGO_EMPTY_LABEL:
        form_field.empty_label = label
    elif (isinstance(form_field, forms.ChoiceField) and not isinstance(form_field, forms.ModelChoiceField)
          and any(text == DJANGO_EMPTY_LABEL for _, text in form_field.choices)):  # a model field's choices would query
        form_field.choices = [(value, label if text == DJANGO_EMPTY_LABEL else text) for value, text in form_field.choices]


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
    if kind in ("select", "radios"):
        _plain_empty_choice(field, kind)
    rendered = ""
    if kind in ("input", "textarea", "select"):
        # Django's widget renders the value in the right format (dates, datetime-local, numbers).
        base = {"input": "govuk-input", "textarea": "govuk-textarea", "select": "govuk-select"}[kind]
        css = f"{base} {classes}".strip() + (f" {base}--error" if field.errors else "")
        attrs = {"class": css}
        if field.help_text:
            attrs["aria-describedby"] = f"{field.auto_id}-hint"
        rendered = field.as_widget(attrs=attrs)
    return {"field": field, "kind": kind, "hint": hint_override or field.help_text, "classes": classes, "rendered": rendered}


@register.inclusion_tag("includes/error_summary.html")
def govuk_error_summary(form):
    return {"form": form}
