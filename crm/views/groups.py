"""Community groups: list with filters, read, create, edit. Reads start from visible_to;
key contacts shown and offered are only those the user may see."""
from django.db.models import Prefetch
from django.urls import reverse
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from access.filtering import FilteredListMixin
from crm.filtersets import CommunityGroupFilterSet
from crm.forms.groups import CommunityGroupForm
from crm.history import history_for
from crm.models import CommunityGroup, Contact
from crm.views.contacts import RecordFormMixin
from access.views import DisclosedDetailMixin, DisclosedListMixin, EditableByUserMixin, VisibleToUserMixin, keeping_hidden
from geo.models import Neighbourhood


def light_neighbourhoods():
    return Neighbourhood.objects.defer("boundary", "description")


class CommunityGroupListView(FilteredListMixin, DisclosedListMixin, ListView):
    model = CommunityGroup
    filterset_class = CommunityGroupFilterSet
    template_name = "crm/groups/group_list.html"
    context_object_name = "groups"
    paginate_by = 25
    ordering = ("name", "pk")

    def list_queryset(self, queryset):
        return super().list_queryset(queryset.prefetch_related(Prefetch("neighbourhoods", queryset=light_neighbourhoods())))


class CommunityGroupDetailView(DisclosedDetailMixin, DetailView):
    model = CommunityGroup
    template_name = "crm/groups/group_detail.html"
    context_object_name = "group"

    def get_queryset(self):
        return (
            super().get_queryset().select_related("organisation")
            .prefetch_related(
                Prefetch("neighbourhoods", queryset=light_neighbourhoods()),
                "communities",
                Prefetch(
                    "key_contacts",
                    queryset=Contact.objects.visible_to(self.request.user).only("first_name", "last_name", "email", "phone"),
                ),
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=history_for(self.object), **kwargs)


class CommunityGroupFormMixin(RecordFormMixin):
    model = CommunityGroup
    form_class = CommunityGroupForm
    template_name = "crm/groups/group_form.html"
    context_object_name = "group"

    def many_to_many(self, form) -> dict:
        visible_contacts = Contact.objects.visible_to(self.request.user)
        return {
            "neighbourhoods": form.cleaned_data["neighbourhoods"],
            "communities": form.cleaned_data["communities"],
            "key_contacts": keeping_hidden(form.instance, "key_contacts", form.cleaned_data["key_contacts"], visible_contacts),
        }

    def get_success_url(self):
        return reverse("crm:group-detail", args=[self.object.pk])


class CommunityGroupCreateView(CommunityGroupFormMixin, VisibleToUserMixin, CreateView):
    success_message = "{record} was added."


class CommunityGroupUpdateView(CommunityGroupFormMixin, EditableByUserMixin, UpdateView):
    success_message = "{record}'s details were saved."
