"""The reports list's filters, written like every other list's (access.filtering). A report is only ever its
requester's (ReportRun.objects.visible_to), so there is no "only mine"."""
import django_filters

from access.filtering import HubFilterSet, date_from, date_to
from reports.models import ReportRun, ReportStatus


class ReportFilterSet(HubFilterSet):
    mine = None

    q = django_filters.CharFilter(label="Search area", field_name="area_label", lookup_expr="icontains", max_length=200)
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label="Status", empty_label="Any status")
    asked_from = date_from("created_at", "Asked for from")
    asked_to = date_to("created_at", "Asked for to")
    o = django_filters.OrderingFilter(fields=(("created_at", "asked"), ("area_label", "area"), ("period_start", "period"),
                                              ("status", "status")), label="Sort by")

    class Meta:
        model = ReportRun
        fields = []
