import django_filters

from retention.services import governed_organisations
from subject_access.models import DataSubjectRequest, RequestKind, RequestStatus


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, empty_label="Any")
    kind = django_filters.ChoiceFilter(label="Kind", choices=RequestKind.choices, empty_label="Any")

    class Meta:
        model = DataSubjectRequest
        fields = ["status", "kind"]


def requests_for(user):
    return DataSubjectRequest.objects.visible_to(user).filter(organisation__in=[o.pk for o in governed_organisations(user)])
