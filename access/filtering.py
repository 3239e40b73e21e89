"""Lists people can work with, written one way: a django-filter FilterSet over the visible_to queryset
(search, filters, "mine", sortable columns), a view mixin that applies it before pagination, and one
template for the filter form (includes/filters.html) and one tag for sortable headers ({% sort_header %})."""
import django_filters
from django import forms
from django.db.models import Q

from hub_ui.widgets import DateInput
from access.pagination import CappedPaginator, KeysetPagesMixin
from access.visibility import membership_organisation_ids


class DateRangeChecks:
    """Every pair of date filters named `<x>_from` and `<x>_to`: the end may not come before the start."""

    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            if name.endswith("_from") and (end_name := name.removesuffix("_from") + "_to") in self.fields:
                start, end = cleaned.get(name), cleaned.get(end_name)
                if start and end and end < start:
                    self.add_error(end_name, "The end date must be on or after the start date.")
        return cleaned


class HubFilterSet(django_filters.FilterSet):
    """The base of every list's filters. `mine`: records of the user's own organisations (or that they
    created, where the list says so through `mine_field`). `o`: the sort, from the columns offered."""

    mine_field = None  # "created_by" for "records I made"; None for "my organisations' records"

    mine = django_filters.BooleanFilter(label="Only mine", method="filter_mine", widget=forms.CheckboxInput)

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (DateRangeChecks, form_class), {})

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        if self.mine_field:
            return queryset.filter(**{self.mine_field: self.request.user})
        return queryset.filter(**{f"{queryset.organisation_lookup}__in": membership_organisation_ids(self.request.user)})


def search(fields: tuple[str, ...]):
    """A filter method: every word must appear in one of `fields` (case-insensitive)."""
    def method(self, queryset, name, value):
        for word in value.split()[:8]:
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset
    return method


def date_from(field: str, label: str):
    return django_filters.DateFilter(field_name=field, lookup_expr="date__gte" if field.endswith("_at") else "gte", label=label, widget=DateInput())


def date_to(field: str, label: str):
    return django_filters.DateFilter(field_name=field, lookup_expr="date__lte" if field.endswith("_at") else "lte", label=label, widget=DateInput())


class FilteredListMixin(KeysetPagesMixin):
    """For a ListView: the FilterSet narrows the (visible_to) queryset; an invalid filter shows its message
    on the form and the list unfiltered, never a 500."""

    filterset_class = None
    paginator_class = CappedPaginator  # a list never counts more than 10,000 rows

    def list_queryset(self, queryset):
        """The list's own reads (joins, annotations, default order) before the filters, so a chosen sort
        overrides the default order and can sort by what the list annotates."""
        return queryset.order_by(*self.ordering) if self.ordering else queryset

    def get_queryset(self):
        queryset = self.list_queryset(super().get_queryset())
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset

    def get_context_data(self, **kwargs):
        filtered = any(value for key, value in self.request.GET.items() if key not in ("page", "o"))
        return super().get_context_data(filterset=self.filterset, filtered=filtered, **kwargs)
