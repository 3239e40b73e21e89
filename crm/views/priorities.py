from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, FormView, ListView

from crm import services
from crm.forms.priorities import (
    ActionWithdrawForm, NeighbourhoodChoiceForm, PriorityActionForm, PriorityForm, PriorityMoveForm,
)
from access.filtering import FilteredListMixin
from crm.filtersets import PriorityFilterSet
from crm.history import history_for
from crm.selectors import priority_neighbourhoods_for
from crm.models import PRIORITY_MOVES, Engagement, EngagementIssue, Priority, PriorityAction
from access.views import POLICE_ROLES, DisclosedDetailMixin, DisclosedListMixin, EditableByUserMixin, PoliceRoleRequiredMixin, VisibleToUserMixin, add_service_errors, owning_organisation
from geo.models import Neighbourhood


class PriorityListView(FilteredListMixin, DisclosedListMixin, ListView):
    model = Priority
    filterset_class = PriorityFilterSet
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
        priority = self.object
        can_change = not getattr(priority, "is_shared", False) and self.request.user.has_role(*POLICE_ROLES)
        return super().get_context_data(
            can_change=can_change, move_form=PriorityMoveForm(priority=priority) if can_change and PRIORITY_MOVES[priority.status] else None,
            history=history_for(priority), **kwargs,
        )


class PriorityCreateView(PoliceRoleRequiredMixin, VisibleToUserMixin, FormView):
    """Agree a priority for one neighbourhood: chosen first (or taken from the issue raised it starts from),
    so the form offers that neighbourhood's meetings and issues, not every neighbourhood's."""

    model = Priority
    form_class = PriorityForm
    template_name = "crm/priorities/form.html"

    def dispatch(self, request, *args, **kwargs):
        self.from_issue, self.neighbourhood = None, None
        if request.user.is_authenticated:
            query = request.POST if request.method == "POST" and "neighbourhood" in request.POST else request.GET
            if query.get("issue", "").isdigit():
                self.from_issue = get_object_or_404(
                    EngagementIssue.objects.visible_to(request.user).select_related("engagement__neighbourhood", "category"), pk=query["issue"])
                self.neighbourhood = self.from_issue.engagement.neighbourhood
            elif query.get("neighbourhood", "").isdigit():
                self.neighbourhood = priority_neighbourhoods_for(request.user).filter(pk=query["neighbourhood"]).first()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.neighbourhood is None:
            return self.render_to_response({
                "choice_form": NeighbourhoodChoiceForm(request.GET if "neighbourhood" in request.GET else None,
                                                       neighbourhoods=priority_neighbourhoods_for(request.user)),
                "unplaced_issue": self.from_issue is not None,
            })
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.neighbourhood is None:
            return redirect("crm:priority-create")
        return super().post(request, *args, **kwargs)

    def get_template_names(self):
        return ["crm/priorities/choose_neighbourhood.html" if self.neighbourhood is None else self.template_name]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "neighbourhood": self.neighbourhood, "from_issue": self.from_issue}

    def get_context_data(self, **kwargs):
        return super().get_context_data(neighbourhood=self.neighbourhood, from_issue=self.from_issue, **kwargs)

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


class OwnPriorityMixin(PoliceRoleRequiredMixin, EditableByUserMixin):
    """Pages that change a priority or its actions: only the owning organisation's (anything else is a 404)."""

    model = Priority

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.priority = get_object_or_404(self.get_queryset().select_related("neighbourhood", "category"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(priority=self.priority, **kwargs)


class PriorityMoveView(OwnPriorityMixin, FormView):
    form_class = PriorityMoveForm
    template_name = "crm/priorities/move.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "priority": self.priority}

    def form_valid(self, form):
        try:
            priority = services.priority_move(priority=self.priority, acting_user=self.request.user,
                                              status=form.cleaned_data["status"], outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"The priority is now {priority.get_status_display().lower()}.")
        return redirect("crm:priority-detail", pk=priority.pk)


class PriorityActionCreateView(OwnPriorityMixin, FormView):
    """Record an action, or (with an action's pk) edit one: the history keeps what it said before."""

    form_class = PriorityActionForm
    template_name = "crm/priorities/action_form.html"

    def get_action(self) -> PriorityAction:
        return PriorityAction(priority=self.priority)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_action()}

    def form_valid(self, form):
        try:
            services.priority_action_record(action=form.instance, acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Action saved.")
        return redirect("crm:priority-detail", pk=self.priority.pk)


class PriorityActionEditView(PriorityActionCreateView):
    def get_action(self) -> PriorityAction:
        if not hasattr(self, "action"):
            self.action = get_object_or_404(
                PriorityAction.objects.editable_by(self.request.user).filter(priority=self.priority, withdrawn_at__isnull=True),
                pk=self.kwargs["action_pk"])
        return self.action

    def get_context_data(self, **kwargs):
        return super().get_context_data(action=self.get_action(), history=history_for(self.get_action()), **kwargs)


class PriorityActionWithdrawView(OwnPriorityMixin, FormView):
    form_class = ActionWithdrawForm
    template_name = "crm/priorities/action_withdraw.html"

    def get_context_data(self, **kwargs):
        self.action = get_object_or_404(PriorityAction.objects.editable_by(self.request.user).filter(priority=self.priority),
                                        pk=self.kwargs["action_pk"])
        return super().get_context_data(action=self.action, **kwargs)

    def form_valid(self, form):
        action = get_object_or_404(PriorityAction.objects.editable_by(self.request.user).filter(priority=self.priority),
                                   pk=self.kwargs["action_pk"])
        try:
            services.priority_action_withdraw(action=action, acting_user=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Action withdrawn: it no longer shows on the public page.")
        return redirect("crm:priority-detail", pk=self.priority.pk)


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
            .prefetch_related(Prefetch("actions", queryset=PriorityAction.objects.filter(withdrawn_at__isnull=True).order_by("action_date", "pk")))
        )
        from sharing_protocols.explain import log_shared_reads

        log_shared_reads(user=self.request.user, records=priorities, purpose=f"Listed on {self.request.path}")
        return super().get_context_data(priorities=priorities, **kwargs)
