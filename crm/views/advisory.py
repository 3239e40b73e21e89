"""Independent advisory groups and advisory groups: who sits on them, the consultations
held, the advice given and what the force did with it, and whether the membership
reflects the area. Reads start from visible_to; writes go through crm.services.advisory."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, FormView, ListView

from crm import advisory_diversity as reads
from access.filtering import FilteredListMixin
from crm.filtersets import AdvisoryGroupFilterSet
from crm.forms.advisory import AdviceResponseForm, AdvisoryAdviceForm, AdvisoryGroupForm, AdvisoryMemberForm
from organisations.models import POLICE_ONLY_ROLES
from crm.models import AdvisoryAdvice, AdvisoryGroup, AdvisoryMembership, Contact
from crm.services import advisory as services
from access.views import DisclosedDetailMixin, DisclosedListMixin, VisibleToUserMixin, add_service_errors, owning_organisation


def may_record(user) -> bool:
    """Whether to offer the record buttons (police roles; the write views check the organisation)."""
    return user.has_role(*POLICE_ONLY_ROLES)


class AdvisoryGroupListView(FilteredListMixin, DisclosedListMixin, ListView):
    model = AdvisoryGroup
    filterset_class = AdvisoryGroupFilterSet
    template_name = "crm/advisory/list.html"
    context_object_name = "groups"
    paginate_by = 50

    def list_queryset(self, queryset):
        # The counts are annotated before the filters, so the list can be sorted and filtered by them.
        return reads.with_summary(queryset, user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_record=may_record(self.request.user), **kwargs)


class AdvisoryGroupDetailView(DisclosedDetailMixin, DetailView):
    model = AdvisoryGroup
    template_name = "crm/advisory/detail.html"
    context_object_name = "group"

    def get_queryset(self):
        return super().get_queryset().select_related("organisation", "organisation__parent")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page=reads.advisory_group_page(self.object, user=self.request.user), may_record=may_record(self.request.user), **kwargs,
        )


class AdvisoryWriteMixin(LoginRequiredMixin):
    """Recording advisory-group work is for police users. The group is found through
    visible_to first, so a group the user may not see is a 404 before anything else."""

    needs_group = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.group = None
        if self.needs_group:
            self.group = get_object_or_404(
                AdvisoryGroup.objects.editable_by(request.user).select_related("organisation", "organisation__parent"), pk=kwargs["pk"],
            )
        self.organisation = owning_organisation(request.user)
        if self.organisation is None or not self.organisation.is_police:
            raise PermissionDenied("Only police users record advisory groups.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=self.group, **kwargs)

    def save_with(self, form, save):
        """Call the service; on a ValidationError, show it on the form and save nothing."""
        try:
            return save()
        except ValidationError as error:
            add_service_errors(form, error)
            return None


class AdvisoryGroupCreateView(AdvisoryWriteMixin, FormView):
    needs_group = False
    template_name = "crm/advisory/group_form.html"
    form_class = AdvisoryGroupForm

    def get_form_kwargs(self):
        owner = self.group.organisation if self.group else self.organisation
        return {**super().get_form_kwargs(), "instance": self.group or AdvisoryGroup(), "neighbourhoods": reads.force_neighbourhoods(owner)}

    def form_valid(self, form):
        group = self.save_with(form, lambda: services.advisory_group_save(
            group=form.instance, acting_user=self.request.user, organisation=self.organisation,
            neighbourhoods=form.cleaned_data["neighbourhoods"],
        ))
        if group is None:
            return self.form_invalid(form)
        messages.success(self.request, f"{group.name} {'updated' if self.group else 'added'}.")
        return redirect("crm:advisory-detail", pk=group.pk)


class AdvisoryGroupEditView(AdvisoryGroupCreateView):
    needs_group = True


class AdvisoryMemberAddView(AdvisoryWriteMixin, FormView):
    template_name = "crm/advisory/member_form.html"
    form_class = AdvisoryMemberForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": AdvisoryMembership(advisory_group=self.group),
            "contacts": Contact.objects.visible_to(self.request.user).order_by("last_name", "first_name", "pk"),
        }

    def form_valid(self, form):
        membership = self.save_with(form, lambda: services.advisory_member_add(membership=form.instance, acting_user=self.request.user))
        if membership is None:
            return self.form_invalid(form)
        messages.success(self.request, f"{membership.contact} added to {self.group.name}.")
        return redirect("crm:advisory-detail", pk=self.group.pk)


class AdvisoryAdviceAddView(AdvisoryWriteMixin, FormView):
    template_name = "crm/advisory/advice_form.html"
    form_class = AdvisoryAdviceForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": AdvisoryAdvice(advisory_group=self.group),
            "consultations": reads.consultation_choices(self.group, user=self.request.user),
        }

    def form_valid(self, form):
        advice = self.save_with(form, lambda: services.advisory_advice_record(
            advice=form.instance, acting_user=self.request.user, organisation=self.organisation,
        ))
        if advice is None:
            return self.form_invalid(form)
        messages.success(self.request, f"Advice on {advice.policy} recorded. It awaits the force's response.")
        return redirect("crm:advisory-detail", pk=self.group.pk)


class AdvisoryAdviceRespondView(AdvisoryWriteMixin, FormView):
    template_name = "crm/advisory/respond_form.html"
    form_class = AdviceResponseForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.advice = get_object_or_404(
                AdvisoryAdvice.objects.editable_by(request.user).filter(advisory_group__in=AdvisoryGroup.objects.editable_by(request.user)),
                advisory_group_id=kwargs["pk"], pk=kwargs["advice_pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.advice}

    def get_context_data(self, **kwargs):
        return super().get_context_data(advice=self.advice, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        advice = self.save_with(form, lambda: services.advisory_advice_respond(
            advice=self.advice, acting_user=self.request.user,
            response=data["response"], force_response=data["force_response"], responded_on=data["responded_on"],
        ))
        if advice is None:
            return self.form_invalid(form)
        messages.success(self.request, f"The force's response to the advice on {advice.policy} recorded.")
        return redirect("crm:advisory-detail", pk=self.group.pk)
