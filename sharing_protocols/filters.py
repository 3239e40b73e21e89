"""Filters for the disclosure log's page (django-filter)."""
import django_filters
from django.db.models import Q

from hub_ui.widgets import DateInput
from organisations.models import Organisation
from sharing_protocols.models import DisclosureAction, DisclosureEntry
from sharing_protocols.register import protocols_for

RECORD_KINDS = [
    ("crm.contact", "Community contact"), ("crm.partnercontact", "Partner contact"), ("crm.communitygroup", "Community group"),
    ("crm.advisorygroup", "Advisory group"), ("crm.engagement", "Engagement"), ("crm.priority", "PACT priority"),
    ("partners.concern", "Partner-reported concern"), ("sharing_protocols.protocolversion", "Protocol version"),
]


class DisclosureEntryFilter(django_filters.FilterSet):
    record_type = django_filters.ChoiceFilter(choices=RECORD_KINDS, label="Kind of record", empty_label="Any")
    record_id = django_filters.CharFilter(method="filter_record", label="Record number")
    organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.none(), method="filter_organisation",
                                                    label="Organisation (reading or holding)", empty_label="Any")
    protocol = django_filters.ModelChoiceFilter(queryset=None, method="filter_protocol", label="Protocol", empty_label="Any")
    user = django_filters.CharFilter(field_name="user_label", lookup_expr="iexact", label="User name")
    action = django_filters.ChoiceFilter(choices=DisclosureAction.choices, label="What happened", empty_label="Any")
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From", widget=DateInput())
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To", widget=DateInput())

    class Meta:
        model = DisclosureEntry
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("name")
        self.filters["protocol"].queryset = protocols_for(user).order_by("title")
        for name in ("since", "until"):
            self.filters[name].extra["error_messages"] = {"invalid": f"Give the '{self.filters[name].label}' date as day, month and year."}

    def filter_record(self, queryset, name, value):
        value = value.strip()
        listed = Q(details__ids__contains=[int(value)]) if value.isdigit() else Q(pk__in=[])  # one entry for a page of records
        return queryset.filter(Q(record_id=value) | listed)

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(Q(organisation=value) | Q(holder_organisation=value))

    def filter_protocol(self, queryset, name, value):
        return queryset.filter(Q(protocol_reference__startswith=f"{value.reference} v") | Q(protocol_reference__contains=f"; {value.reference} v"))
