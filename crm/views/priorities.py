from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, FormView, ListView

from crm import services
from crm.forms.priorities import PriorityActionForm, PriorityForm
from crm.models import Engagement, EngagementIssue, Priority, PriorityAction
from crm.views.mixins import DisclosedDetailMixin, DisclosedListMixin, EditableByUserMixin, PoliceRoleRequiredMixin, VisibleToUserMixin, add_service_errors, owning_organisation
from geo.models import Neighbourhood


class PriorityListView(DisclosedListMixin, ListView):
    model = Priority
    template_name = "crm/priorities/list.html"
    context_object_name = "priorities"
    paginate_by = 25

    def get_queryset(self):
        return super().get_queryset().select_related("neighbourhood", "category")


class PriorityDetailView(DisclosedDetailMixin, DetailView):
    model = Priority
    template_name = "crm/priorities/detail.html"
    context_object_name = "priority"

    def get_queryset(self):
        user = self.request.user
        return super().get_queryset().select_related("neighbourhood", "category").prefetch_related(
            "actions", Prefetch("agreed_at", queryset=Engagement.objects.visible_to(user)),
            Prefetch("raised_issues", queryset=EngagementIssue.objects.visible_to(user).select_related("category")),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(action_form=PriorityActionForm(), **kwargs)


class PriorityCreateView(PoliceRoleRequiredMixin, VisibleToUserMixin, FormView):
    model = Priority
    form_class = PriorityForm
    template_name = "crm/priorities/form.html"

    def get_form_kwargs(self):
        neighbourhood = None
        if self.request.GET.get("neighbourhood", "").isdigit():
            neighbourhood = Neighbourhood.objects.filter(pk=self.request.GET["neighbourhood"]).first()
        return {**super().get_form_kwargs(), "user": self.request.user, "neighbourhood": neighbourhood}

    def form_valid(self, form):
        try:
            priority = services.priority_agree(
                priority=form.instance, acting_user=self.request.user, organisation=owning_organisation(self.request.user),
                raised_issues=form.cleaned_data["raised_issues"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Priority agreed for {priority.neighbourhood.name}.")
        return redirect("crm:priority-detail", pk=priority.pk)


class PriorityActionCreateView(PoliceRoleRequiredMixin, EditableByUserMixin, FormView):
    model = Priority
    form_class = PriorityActionForm
    template_name = "crm/priorities/detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.priority = get_object_or_404(self.get_queryset().select_related("neighbourhood", "category"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # The form lives on the priority's page; this address only takes its posts.
        return redirect("crm:priority-detail", pk=self.priority.pk)

    def form_valid(self, form):
        action = form.instance
        action.priority = self.priority
        try:
            services.priority_action_record(action=action, acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Action recorded.")
        return redirect("crm:priority-detail", pk=self.priority.pk)

    def form_invalid(self, form):
        return self.render_to_response({"priority": self.priority, "action_form": form})


class YouSaidWeDidView(VisibleToUserMixin, DetailView):
    """Per neighbourhood: what people raised, the priorities agreed and what was done (internal for now)."""

    model = Neighbourhood
    template_name = "crm/priorities/you_said_we_did.html"
    context_object_name = "neighbourhood"

    def get_queryset(self):
        return Neighbourhood.objects.all()

    def get_context_data(self, **kwargs):
        priorities = list(
            Priority.objects.visible_to(self.request.user).filter(neighbourhood=self.object).select_related("category")
            .prefetch_related(Prefetch("actions", queryset=PriorityAction.objects.order_by("action_date", "pk")))
        )
        from sharing_protocols.explain import log_shared_reads

        log_shared_reads(user=self.request.user, records=priorities, purpose=f"Listed on {self.request.path}")
        return super().get_context_data(priorities=priorities, **kwargs)
