"""The concerns list's filters, written like every other list's (crm.filtering): a FilterSet over visible_to.
The search reads the description through its withholding expression, so it finds only words the user may read."""
import django_filters
from django import forms

from crm.filtering import HubFilterSet, date_from, date_to
from crm.models import IssueCategory, Organisation
from geo.models import Neighbourhood
from partners.models import Concern, ConcernStatus
from partners.selectors import concern_search


class ConcernFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("reported_from"), cleaned.get("reported_to")
        if start and end and end < start:
            self.add_error("reported_to", "The end date must be on or after the start date.")
        return cleaned


def partner_organisations(request=None):
    from crm.models.organisations import POLICE_KINDS

    # The register of partner agencies: not sensitive.
    return Organisation.objects.filter(is_active=True).exclude(kind__in=POLICE_KINDS).only("pk", "name").order_by("name")


class ConcernFilterSet(HubFilterSet):
    q = django_filters.CharFilter(label="Search place or description", method="filter_q", max_length=200)
    category = django_filters.ModelChoiceFilter(queryset=IssueCategory.objects.all(), empty_label="All categories")
    status = django_filters.ChoiceFilter(choices=ConcernStatus.choices, empty_label="Any status")
    neighbourhood = django_filters.ModelChoiceFilter(queryset=lambda request: Neighbourhood.objects.only("pk", "name").order_by("name"),
                                                     empty_label="All neighbourhoods")
    organisation = django_filters.ModelChoiceFilter(queryset=partner_organisations, empty_label="All organisations",
                                                    label="Reporting organisation")
    reported_from = date_from("reported_at", "Reported from")
    reported_to = date_to("reported_at", "Reported to")
    o = django_filters.OrderingFilter(fields=(("reported_at", "reported"), ("category__name", "category"),
                                              ("neighbourhood__name", "neighbourhood"), ("status", "status")), label="Sort by")

    class Meta:
        model = Concern
        fields = []
        form = ConcernFilterForm

    def filter_q(self, queryset, name, value):
        return concern_search(queryset, value.strip()) if value.strip() else queryset
