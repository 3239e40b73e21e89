"""Reads for the retention pages: only the organisations the user governs."""
import django_filters

from retention.models import DueItem, DueStatus, EndAction, RecordClass, RetentionDecision
from retention.record_classes import kind_of
from retention.services import covered_organisation_ids, governed_organisations


def governed_ids(user) -> list[int]:
    return [pk for organisation in governed_organisations(user) for pk in covered_organisation_ids(organisation)]


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
