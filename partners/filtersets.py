"""The concerns and imports lists' filters, written like every other list's (access.filtering): a FilterSet over visible_to.
The search reads the description through its withholding expression, so it finds only words the user may read."""
import django_filters
from django import forms

from access.filtering import HubFilterSet, date_from, date_to
from access.views import POLICE_ROLES
from crm.filtersets import partner_agencies
from crm.models import IssueCategory
from geo.models import Neighbourhood
from partners.models import Concern, ConcernImportJob, ConcernStatus, ImportJobStatus
from partners.responses.selectors import with_shown_status
from partners.selectors import concern_search


class ConcernFilterSet(HubFilterSet):
    q = django_filters.CharFilter(label="Search place or description", method="filter_q", max_length=200)
    category = django_filters.ModelChoiceFilter(queryset=IssueCategory.objects.all(), empty_label="All categories")
    # "Taken into a priority" is the police's answer (partners.responses), not a value on the concern's row.
    status = django_filters.ChoiceFilter(choices=ConcernStatus.choices, empty_label="Any status", method="filter_status")
    neighbourhood = django_filters.ModelChoiceFilter(queryset=lambda request: Neighbourhood.objects.only("pk", "name").order_by("name"),
                                                     empty_label="All neighbourhoods")
    organisation = django_filters.ModelChoiceFilter(queryset=partner_agencies, empty_label="All organisations",
                                                    label="Reporting organisation")
    reported_from = date_from("reported_at", "Reported from")
    reported_to = date_to("reported_at", "Reported to")
    # The concerns one file created (the link from an import's result page); kept as the other filters change.
    import_job = django_filters.NumberFilter(field_name="import_job_id", widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    # "status" sorts by the status the list shows (partners.responses.selectors.with_shown_status_key, from the list's
    # own reads), not the one stored on the partner's row.
    o = django_filters.OrderingFilter(fields=(("reported_at", "reported"), ("category__name", "category"),
                                              ("neighbourhood__name", "neighbourhood"), ("shown_status_key", "status")), label="Sort by")

    class Meta:
        model = Concern
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._police_reader():
            self.filters["mine"].label = "Only my neighbourhoods"

    def _police_reader(self) -> bool:
        # The police report no concerns: "mine", for them, is the concerns placed in their teams' neighbourhoods.
        return self.request is not None and self.request.user.has_role(*POLICE_ROLES)

    def filter_mine(self, queryset, name, value):
        if value and self._police_reader():
            from crm.attention import my_neighbourhood_ids

            return queryset.filter(neighbourhood_id__in=my_neighbourhood_ids(self.request.user))
        return super().filter_mine(queryset, name, value)

    def filter_status(self, queryset, name, value):
        return with_shown_status(queryset, value, self.request.user)

    def filter_q(self, queryset, name, value):
        return concern_search(queryset, value.strip()) if value.strip() else queryset


class ImportJobFilterSet(HubFilterSet):
    """The organisation's files of concerns; "mine" is the files the user uploaded."""

    mine_field = "created_by"

    q = django_filters.CharFilter(label="Search file name", field_name="original_name", lookup_expr="icontains", max_length=200)
    status = django_filters.ChoiceFilter(choices=ImportJobStatus.choices, label="Status", empty_label="Any status")
    uploaded_from = date_from("created_at", "Uploaded from")
    uploaded_to = date_to("created_at", "Uploaded to")
    o = django_filters.OrderingFilter(fields=(("created_at", "uploaded"), ("original_name", "file"), ("status", "status"),
                                              ("total_rows", "rows")), label="Sort by")

    class Meta:
        model = ConcernImportJob
        fields = []
