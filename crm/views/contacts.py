"""Community contacts (personal data) and partner contacts: list, search, read, create, edit.

Reads start from `visible_to(request.user)`, so a record the user may not see is a 404.
Writes go through `record_save`; its errors are shown on the form and nothing is saved."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from access.filtering import FilteredListMixin
from crm.filtersets import ContactFilterSet, PartnerContactFilterSet
from crm.forms.contacts import ContactForm, PartnerContactForm
from crm.forms.groups import GROUP_NAME_TAKEN
from crm.history import history_for
from crm.models import AccessibilityNeed, CommunityGroup, Contact, PartnerContact
from crm.services import record_save
from access.views import DisclosedDetailMixin, DisclosedListMixin, EditableByUserMixin, VisibleToUserMixin, keeping_hidden, owning_organisation
from geo.models import Neighbourhood, SmallArea

# What a person is told when a unique constraint is hit at the database.
CONSTRAINT_MESSAGES = {
    "contact_unique_name_and_email": next(
        c.violation_error_message for c in Contact._meta.constraints if c.name == "contact_unique_name_and_email"
    ),
    "community_group_name_unique": GROUP_NAME_TAKEN,
}


def save_record(*, instance, acting_user, many_to_many):
    """`record_save` for a page: a new record belongs to the user's organisation, and a unique
    constraint that the database enforces (two people saving the same contact at once, after
    both passed validation) comes back as the same ValidationError that validation gives."""
    organisation = owning_organisation(acting_user) if instance.pk is None else None  # an existing record keeps its owner
    try:
        return record_save(instance=instance, acting_user=acting_user, organisation=organisation, many_to_many=many_to_many)
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        if constraint in CONSTRAINT_MESSAGES:
            raise ValidationError(CONSTRAINT_MESSAGES[constraint]) from error
        raise


class RecordFormMixin:
    """Create and edit pages: the form gets the user (for its choices), the service saves."""

    success_message = "Saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def many_to_many(self, form) -> dict:
        return {}

    def form_valid(self, form):
        try:
            self.object = save_record(instance=form.instance, acting_user=self.request.user, many_to_many=self.many_to_many(form))
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message.format(record=self.object))
        return redirect(self.get_success_url())


# Community contacts -------------------------------------------------------------------------


class ContactListView(FilteredListMixin, DisclosedListMixin, ListView):
    model = Contact
    filterset_class = ContactFilterSet
    template_name = "crm/contacts/contact_list.html"
    context_object_name = "contacts"
    paginate_by = 25
    ordering = ("last_name", "first_name", "pk")

    def list_queryset(self, queryset):
        return super().list_queryset(
            queryset.select_related("neighbourhood").defer("neighbourhood__boundary", "neighbourhood__description", "notes")
            .prefetch_related("communities")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=timezone.localdate(), **kwargs)


class ContactDetailView(DisclosedDetailMixin, DetailView):
    model = Contact
    template_name = "crm/contacts/contact_detail.html"
    context_object_name = "contact"

    def get_queryset(self):
        return (
            super().get_queryset()
            .select_related("neighbourhood", "organisation").defer("neighbourhood__boundary")
            .prefetch_related(
                "communities",
                Prefetch("groups", queryset=CommunityGroup.objects.visible_to(self.request.user).only("name")),
            )
        )

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        labels = dict(AccessibilityNeed.choices)
        return super().get_context_data(
            retention_passed=self.object.retain_until < today, history=history_for(self.object),
            accessibility_needs=[labels.get(need, need) for need in self.object.accessibility_needs],
            **kwargs,
        )


class ContactFormMixin(RecordFormMixin):
    model = Contact
    form_class = ContactForm
    template_name = "crm/contacts/contact_form.html"
    context_object_name = "contact"

    def many_to_many(self, form) -> dict:
        visible_groups = CommunityGroup.objects.visible_to(self.request.user)
        return {
            "communities": form.cleaned_data["communities"],
            "groups": keeping_hidden(form.instance, "groups", form.cleaned_data["groups"], visible_groups),
        }

    def get_success_url(self):
        return reverse("crm:contact-detail", args=[self.object.pk])


class ContactCreateView(ContactFormMixin, VisibleToUserMixin, CreateView):
    success_message = "{record} was added."


class ContactUpdateView(ContactFormMixin, EditableByUserMixin, UpdateView):
    success_message = "{record}'s details were saved."


# Partner contacts ---------------------------------------------------------------------------


class PartnerContactListView(FilteredListMixin, DisclosedListMixin, ListView):
    """One search answers 'who in licensing covers this ward': the words, and a neighbourhood or a ward."""

    model = PartnerContact
    filterset_class = PartnerContactFilterSet
    template_name = "crm/contacts/partner_contact_list.html"
    context_object_name = "partner_contacts"
    paginate_by = 25
    ordering = ("partner_organisation__name", "name", "pk")

    def list_queryset(self, queryset):
        return super().list_queryset(
            queryset.select_related("partner_organisation")
            .prefetch_related(
                Prefetch("neighbourhoods", queryset=Neighbourhood.objects.defer("boundary", "description")),
                Prefetch("small_areas", queryset=SmallArea.objects.defer("boundary")),
            )
        )


class PartnerContactDetailView(DisclosedDetailMixin, DetailView):
    model = PartnerContact
    template_name = "crm/contacts/partner_contact_detail.html"
    context_object_name = "partner_contact"

    def get_queryset(self):
        return (
            super().get_queryset().select_related("partner_organisation", "organisation")
            .prefetch_related(
                Prefetch("neighbourhoods", queryset=Neighbourhood.objects.defer("boundary", "description")),
                Prefetch("small_areas", queryset=SmallArea.objects.defer("boundary")),
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=history_for(self.object), **kwargs)


class PartnerContactFormMixin(RecordFormMixin):
    model = PartnerContact
    form_class = PartnerContactForm
    template_name = "crm/contacts/partner_contact_form.html"
    context_object_name = "partner_contact"

    def many_to_many(self, form) -> dict:
        return {"neighbourhoods": form.cleaned_data["neighbourhoods"], "small_areas": form.cleaned_data["small_areas"]}

    def get_success_url(self):
        return reverse("crm:partner-contact-detail", args=[self.object.pk])


class PartnerContactCreateView(PartnerContactFormMixin, VisibleToUserMixin, CreateView):
    success_message = "{record.name} was added."


class PartnerContactUpdateView(PartnerContactFormMixin, EditableByUserMixin, UpdateView):
    success_message = "{record.name}'s details were saved."
