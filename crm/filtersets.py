"""The CRM's list filters (see crm.filtering): engagements and priorities."""
from datetime import timedelta

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from crm.filtering import HubFilterSet, date_from, date_to, search
from crm.models import Engagement, EngagementKind, EngagementStatus, IssueCategory, Priority, PriorityAction, PriorityStatus
from geo.models import Neighbourhood


def neighbourhoods(request=None):
    return Neighbourhood.objects.order_by("name")


class EngagementFilterSet(HubFilterSet):
    q = django_filters.CharFilter(label="Search title, venue or objectives", method="filter_q")
    kind = django_filters.ChoiceFilter(choices=EngagementKind.choices, label="Type", empty_label="All types")
    status = django_filters.ChoiceFilter(choices=EngagementStatus.choices, label="Status", empty_label="Any status")
    neighbourhood = django_filters.ModelChoiceFilter(queryset=neighbourhoods, label="Neighbourhood", empty_label="All neighbourhoods")
    starts_from = date_from("starts_at", "From")
    starts_to = date_to("starts_at", "To")
    ended = django_filters.BooleanFilter(label="Only those past their date", method="filter_ended", widget=forms.CheckboxInput)
    o = django_filters.OrderingFilter(fields=(("starts_at", "starts_at"), ("title", "title"), ("neighbourhood__name", "neighbourhood"),
                                              ("turnout", "turnout")), label="Sort by")

    filter_q = search(("title", "venue_name", "objectives"))

    class Meta:
        model = Engagement
        fields = []

    def filter_ended(self, queryset, name, value):
        return queryset.filter(starts_at__lt=timezone.now()) if value else queryset


class PriorityFilterSet(HubFilterSet):
    ATTENTION = (("no_action", "No action yet"), ("quiet", f"No update for {settings.HUB_PRIORITY_STALE_WEEKS} weeks"))

    q = django_filters.CharFilter(label="Search the priority and its outcome", method="filter_q")
    status = django_filters.ChoiceFilter(choices=PriorityStatus.choices, label="Status", empty_label="Any status")
    neighbourhood = django_filters.ModelChoiceFilter(queryset=neighbourhoods, label="Neighbourhood", empty_label="All neighbourhoods")
    category = django_filters.ModelChoiceFilter(queryset=IssueCategory.objects.order_by("name"), label="Category", empty_label="All categories")
    agreed_from = date_from("issue_date", "Agreed from")
    agreed_to = date_to("issue_date", "Agreed to")
    attention = django_filters.ChoiceFilter(choices=ATTENTION, label="Needs attention", empty_label="Any", method="filter_attention")
    o = django_filters.OrderingFilter(fields=(("issue_date", "agreed"), ("neighbourhood__name", "neighbourhood"), ("status", "status"),
                                              ("category__name", "category")), label="Sort by")

    filter_q = search(("issue", "outcome"))

    class Meta:
        model = Priority
        fields = []

    def filter_attention(self, queryset, name, value):
        live = queryset.filter(status__in=(PriorityStatus.AGREED, PriorityStatus.IN_PROGRESS))
        actions = PriorityAction.objects.filter(priority=OuterRef("pk"), withdrawn_at__isnull=True)
        if value == "no_action":
            return live.filter(~Exists(actions))
        before = timezone.localdate() - timedelta(weeks=settings.HUB_PRIORITY_STALE_WEEKS)
        return live.annotate(latest=Max("actions__action_date", filter=Q(actions__withdrawn_at__isnull=True))).filter(
            latest__lt=before, updated_at__date__lt=before)
