"""The CRM's list filters (see access.filtering): engagements, priorities, contacts, partner contacts, community groups
and advisory groups."""
from datetime import timedelta

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Replace, Upper
from django.utils import timezone

from access.filtering import HubFilterSet, date_from, date_to, search
from crm.models import (
    AdvisoryGroup, AdvisoryGroupKind, CommunityGroup, CommunityGroupKind, Contact, Engagement, EngagementKind, EngagementStatus, IssueCategory,
    PartnerContact, PoliceSupport, Priority, PriorityAction, PriorityStatus,
)
from geo.models import Neighbourhood


def neighbourhoods(request=None):
    # Names only: a filter offers and checks neighbourhoods by id, and their boundaries are large.
    return Neighbourhood.objects.order_by("name").only("pk", "name")


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
        # Acted on once, but not since `before`: written with EXISTS rather than an aggregate, whose GROUP BY would
        # drop the list's default order (and make its pages unstable).
        before = timezone.localdate() - timedelta(weeks=settings.HUB_PRIORITY_STALE_WEEKS)
        return live.filter(Exists(actions), ~Exists(actions.filter(action_date__gte=before)), updated_at__date__lt=before)


def communities(request=None):
    from crm.forms.contacts import community_choices

    return community_choices()


def wards_and_covered_areas(request):
    """Every ward, and any other small area that a partner contact the user can see covers."""
    from django.db.models import Exists, OuterRef

    from crm.models import PartnerContact
    from geo.models import SmallArea, SmallAreaKind

    covered = PartnerContact.objects.visible_to(request.user).filter(small_areas=OuterRef("pk")).values("pk")
    return SmallArea.objects.filter(Q(kind=SmallAreaKind.WARD) | Exists(covered)).defer("boundary").order_by("name")


def partner_agencies(request=None):
    from organisations.models import Organisation
    from organisations.models import POLICE_KINDS

    # The register of partner agencies: not sensitive.
    return Organisation.objects.filter(is_active=True).exclude(kind__in=POLICE_KINDS).only("pk", "name").order_by("name")


class ContactFilterSet(HubFilterSet):
    """Community contacts. Names, emails and postcodes may be withheld on a shared contact: the queryset from
    visible_to points every filter on them at the withheld value, so a search never matches what the user may not read."""

    q = django_filters.CharFilter(label="Name, email or postcode", method="filter_q", max_length=100)
    community = django_filters.ModelChoiceFilter(queryset=communities, label="Community", empty_label="All communities",
                                                 field_name="communities")
    neighbourhood = django_filters.ModelChoiceFilter(queryset=neighbourhoods, label="Neighbourhood", empty_label="All neighbourhoods")
    review_due = django_filters.BooleanFilter(label="Only those due for review or deletion", method="filter_review_due",
                                              widget=forms.CheckboxInput)
    o = django_filters.OrderingFilter(fields=(("last_name", "name"), ("neighbourhood__name", "neighbourhood"),
                                              ("retain_until", "keep_until")), label="Sort by")

    class Meta:
        model = Contact
        fields = []

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        # A postcode is matched without its spaces, so "LA141AB" and "LA14 1AB" both find it.
        queryset = queryset.alias(postcode_compact=Replace(Upper("postcode"), Value(" "), Value("")))
        every_word = Q()
        for word in value.split()[:8]:
            every_word &= (Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
                           | Q(postcode_compact__contains=word.upper()))
        return queryset.filter(every_word | Q(postcode_compact__contains="".join(value.split()).upper()))

    def filter_review_due(self, queryset, name, value):
        return queryset.filter(retain_until__lt=timezone.localdate()) if value else queryset


class PartnerContactFilterSet(HubFilterSet):
    """'Who in licensing covers this ward': words, and a neighbourhood or a ward to narrow them."""

    q = django_filters.CharFilter(label="Topic, role, agency or name", method="filter_q", max_length=100,
                                  help_text="For example, licensing")
    neighbourhood = django_filters.ModelChoiceFilter(queryset=neighbourhoods, label="Neighbourhood", empty_label="Any neighbourhood",
                                                     method="filter_neighbourhood")
    area = django_filters.ModelChoiceFilter(queryset=wards_and_covered_areas, label="Ward or small area", empty_label="Any ward or area",
                                            method="filter_area")
    agency = django_filters.ModelChoiceFilter(queryset=partner_agencies, label="Agency", empty_label="All agencies",
                                              field_name="partner_organisation")
    o = django_filters.OrderingFilter(fields=(("name", "name"), ("partner_organisation__name", "agency"), ("role", "role")),
                                      label="Sort by")

    class Meta:
        model = PartnerContact
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.search(value[:200]) if value.strip() else queryset

    def filter_neighbourhood(self, queryset, name, value):
        return queryset.search(neighbourhood=value) if value else queryset

    def filter_area(self, queryset, name, value):
        return queryset.search(small_area=value) if value else queryset


class CommunityGroupFilterSet(HubFilterSet):
    REGISTERED_CHOICES = (("yes", "On a register"), ("no", "Not on a register"))

    q = django_filters.CharFilter(label="Search name or meeting place", method="filter_q", max_length=100)
    kind = django_filters.ChoiceFilter(choices=CommunityGroupKind.choices, label="Kind", empty_label="All kinds")
    registered = django_filters.ChoiceFilter(choices=REGISTERED_CHOICES, label="Register", empty_label="Registered or not",
                                             method="filter_registered")
    neighbourhood = django_filters.ModelChoiceFilter(queryset=neighbourhoods, label="Neighbourhood", empty_label="Any neighbourhood",
                                                     field_name="neighbourhoods")
    police_support = django_filters.ChoiceFilter(choices=PoliceSupport.choices, label="Police support", empty_label="Any")
    o = django_filters.OrderingFilter(fields=(("name", "name"), ("kind", "kind"), ("police_support", "police_support")), label="Sort by")

    filter_q = search(("name", "meeting_place"))

    class Meta:
        model = CommunityGroup
        fields = []

    def filter_registered(self, queryset, name, value):
        return queryset.filter(is_registered=value == "yes") if value else queryset


class AdvisoryGroupFilterSet(HubFilterSet):
    q = django_filters.CharFilter(label="Search name or description", method="filter_q", max_length=100)
    kind = django_filters.ChoiceFilter(choices=AdvisoryGroupKind.choices, label="Kind", empty_label="All kinds")
    neighbourhood = django_filters.ModelChoiceFilter(queryset=neighbourhoods, label="Advises on", empty_label="Any neighbourhood",
                                                     field_name="neighbourhoods")
    awaiting = django_filters.BooleanFilter(label="Only those with advice awaiting a response", method="filter_awaiting",
                                            widget=forms.CheckboxInput)
    o = django_filters.OrderingFilter(fields=(("name", "name"), ("current_members", "members"), ("consultation_count", "consultations"),
                                              ("advice_count", "advice")), label="Sort by")

    filter_q = search(("name", "description"))

    class Meta:
        model = AdvisoryGroup
        fields = []

    def filter_awaiting(self, queryset, name, value):
        # awaiting_count is annotated by the list (crm.advisory_diversity.with_summary) before the filters.
        return queryset.filter(awaiting_count__gt=0) if value else queryset
