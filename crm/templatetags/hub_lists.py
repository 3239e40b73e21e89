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
    sort = "ascending" if ascending else "descending" if descending else "none"
    arrow = " ▲" if ascending else " ▼" if descending else ""
    return format_html('<a class="govuk-link hub-sort" href="?{}" aria-sort="{}">{}<span aria-hidden="true">{}</span>'
                       '<span class="govuk-visually-hidden"> (sort{})</span></a>', query.urlencode(), sort, label, arrow,
                       " the other way" if ascending or descending else "")
