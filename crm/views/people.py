from django.views.generic import DetailView, ListView

from organisations.models import Membership
from access.views import VisibleToUserMixin


class PeopleListView(VisibleToUserMixin, ListView):
    model = Membership
    template_name = "crm/people_list.html"
    context_object_name = "memberships"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("user", "organisation")


class PersonDetailView(VisibleToUserMixin, DetailView):
    model = Membership
    template_name = "crm/person_detail.html"
    context_object_name = "membership"

    def get_queryset(self):
        return super().get_queryset().select_related("user", "organisation")
