"""Sortable column headers for the lists: {% sort_header "starts_at" "When" %} in a <th>."""
from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str):
    request = context["request"]
    current = request.GET.get("o", "")
    ascending = current == field
    descending = current == f"-{field}"
    query = request.GET.copy()
    query["o"] = f"-{field}" if ascending else field
    query.pop("page", None)
    arrow = " ▲" if ascending else " ▼" if descending else ""
    # The order is said in words: aria-sort belongs on the <th>, which this tag does not write.
    state = "sorted ascending; sort the other way" if ascending else "sorted descending; sort the other way" if descending else "sort"
    return format_html('<a class="govuk-link hub-sort" href="?{}">{}<span aria-hidden="true">{}</span>'
                       '<span class="govuk-visually-hidden"> ({})</span></a>', query.urlencode(), label, arrow, state)
