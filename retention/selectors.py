"""Reads for the retention pages: only the organisations the user governs."""
import django_filters

from retention.models import DueItem, DueStatus, EndAction, RecordClass, RetentionDecision
from retention.record_classes import kind_of
from organisations.governance import governance_scope
from retention.services import governed_organisations


def governed_ids(user) -> list[int]:
    """Each governed controller and its units (what covered_organisation_ids gives), from the request's one read."""
    scope = governance_scope(user)
    return [pk for organisation in governed_organisations(user) for pk in [organisation.pk, *(o.pk for o in scope.children_of(organisation.pk))]]


class DueItemFilter(django_filters.FilterSet):
    record_class = django_filters.ChoiceFilter(label="Class of record", choices=RecordClass.choices, empty_label="Any")
    end_action = django_filters.ChoiceFilter(label="At the end", choices=EndAction.choices, empty_label="Any")

    class Meta:
        model = DueItem
        fields = ["record_class", "end_action"]


class DecisionFilter(django_filters.FilterSet):
    record_class = django_filters.ChoiceFilter(label="Class of record", choices=RecordClass.choices, empty_label="Any")
    record_id = django_filters.CharFilter(label="Record number")

    class Meta:
        model = RetentionDecision
        fields = ["record_class", "record_id"]


def due_items_for(user):
    return (DueItem.objects.visible_to(user).filter(organisation_id__in=governed_ids(user), status=DueStatus.WAITING)
            .select_related("schedule", "organisation"))


def decisions_for(user):
    return RetentionDecision.objects.visible_to(user).filter(organisation_id__in=governed_ids(user)).select_related("decided_by", "schedule")


def with_links(items):
    for item in items:
        item.kind = kind_of(item.record_class)
        item.url = item.kind.url(item.record_id)
        item.may_anonymise = "anonymise" in item.kind.allowed_actions
        item.may_delete = "delete" in item.kind.allowed_actions
    return items
