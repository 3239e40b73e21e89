"""Information governance's retention pages: schedules, what falls due, legal holds, and the decisions taken."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from crm.history import history_for
from access.views import add_service_errors
from retention import services
from retention.defaults import DEFAULTS
from retention.forms import ActForm, HoldForm, KeepForm, ScheduleForm
from retention.models import LegalHold, RecordClass, RetentionRun, RetentionSchedule
from retention.record_classes import kind_of
from retention.selectors import DecisionFilter, DueItemFilter, decisions_for, due_items_for, governed_ids, with_links
from retention.tasks import enforce_retention


class GovernanceRequiredMixin(LoginRequiredMixin):
    """Retention is information governance's: everyone else gets 403, whatever the URL names."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.organisations = services.governed_organisations(request.user)
        if not self.organisations:
            raise PermissionDenied("Only information governance can manage retention.")
        return super().dispatch(request, *args, **kwargs)

    @property
    def organisation(self):
        return self.organisations[0]


class ScheduleListView(GovernanceRequiredMixin, TemplateView):
    template_name = "retention/schedule_list.html"

    def get_context_data(self, **kwargs):
        schedules = (RetentionSchedule.objects.visible_to(self.request.user).filter(organisation__in=self.organisations)
                     .select_related("organisation", "created_by"))
        # Runs cover every organisation: their times are shown, their counts (others' included) are not.
        return super().get_context_data(schedules=schedules, defaults=DEFAULTS, runs=RetentionRun.objects.all()[:5],
                                        organisations=self.organisations, **kwargs)

    def post(self, request):
        if "adopt_defaults" in request.POST:
            made = services.adopt_default_schedules(organisation=self.organisation, acting_user=request.user)
            messages.success(request, f"{len(made)} default schedule{'s' if len(made) != 1 else ''} adopted." if made
                             else "Every class of record already has a schedule in force.")
        elif "dry_run" in request.POST:
            try:  # the broker's timeouts are short (jobs/): an outage gets a message, never a hung page
                enforce_retention.apply_async(kwargs={"dry_run": True, "requested_by_id": request.user.pk}, ignore_result=True)
            except Exception:
                messages.error(request, "The dry run could not start: the job queue is not answering. Tonight's run will list what falls due.")
            else:
                messages.success(request, "A dry run has started: what falls due will be listed for review in a few minutes.")
        return redirect("retention:schedule-list")


class ScheduleFormView(GovernanceRequiredMixin, FormView):
    template_name = "retention/schedule_form.html"
    form_class = ScheduleForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.schedule = None

    def get_schedule(self):
        if "pk" not in self.kwargs:
            return RetentionSchedule(organisation=self.organisation)
        return get_object_or_404(RetentionSchedule.objects.visible_to(self.request.user).filter(organisation__in=self.organisations),
                                 pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        self.schedule = self.get_schedule()
        return {**super().get_form_kwargs(), "instance": self.schedule}

    def get_context_data(self, **kwargs):
        history = history_for(self.schedule) if self.schedule and self.schedule.pk else []
        return super().get_context_data(schedule=self.schedule, history=history, **kwargs)

    def form_valid(self, form):
        try:
            schedule = services.schedule_save(schedule=form.save(commit=False), acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Schedule saved: {schedule}.")
        return redirect("retention:schedule-list")


class DueListView(GovernanceRequiredMixin, ListView):
    """What the last dry runs found due: each record's class, number, schedule, and what will happen to it."""

    template_name = "retention/due_list.html"
    paginate_by = 50
    context_object_name = "items"

    def get_queryset(self):
        self.filterset = DueItemFilter(self.request.GET, queryset=due_items_for(self.request.user))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter=self.filterset, keep_form=KeepForm(), **kwargs)
        with_links(context["object_list"])
        return context


class DueActionView(GovernanceRequiredMixin, FormView):
    """A person's decision on one due record: keep it (with a reason), anonymise it or delete it now."""

    template_name = "retention/due_action.html"

    def get_item(self):
        return get_object_or_404(due_items_for(self.request.user), pk=self.kwargs["pk"])

    def get_form_class(self):
        return KeepForm if self.kwargs["decision"] == "keep" else ActForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("decision") not in ("keep", "act"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        item = with_links([self.get_item()])[0]
        return super().get_context_data(item=item, decision=self.kwargs["decision"], **kwargs)

    def form_valid(self, form):
        item = self.get_item()
        try:
            if self.kwargs["decision"] == "keep":
                services.keep_after_review(item=item, acting_user=self.request.user, months=form.cleaned_data["months"],
                                           reason=form.cleaned_data["reason"])
                messages.success(self.request, f"{kind_of(item.record_class).label} record {item.record_id} kept; the decision is recorded.")
            else:
                decision = services.apply_end_action(record_class=item.record_class, record_id=item.record_id, action=form.cleaned_data["action"],
                                                     acting_user=self.request.user, schedule=item.schedule, reason="Decided on review")
                messages.success(self.request, f"{kind_of(item.record_class).label} record {item.record_id} {decision.get_outcome_display().lower()}.")
        except ValidationError as error:
            add_service_errors(form, error, field_names={"record_id": None})
            return self.form_invalid(form)
        return redirect("retention:due-list")


class HoldListView(GovernanceRequiredMixin, FormView):
    template_name = "retention/holds.html"
    form_class = HoldForm

    def get_initial(self):
        return {"record_class": self.request.GET.get("record_class", ""), "record_id": self.request.GET.get("record_id", "")}

    def get_context_data(self, **kwargs):
        holds = LegalHold.objects.visible_to(self.request.user).filter(organisation_id__in=governed_ids(self.request.user)).select_related("placed_by", "lifted_by")
        return super().get_context_data(holds=holds, **kwargs)

    def form_valid(self, form):
        try:
            hold = services.hold_place(organisation=self.organisation, record_class=form.cleaned_data["record_class"],
                                       record_id=form.cleaned_data["record_id"], reason=form.cleaned_data["reason"], acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Legal hold placed on {kind_of(hold.record_class).label.lower()} record {hold.record_id}.")
        return redirect("retention:holds")


class HoldLiftView(GovernanceRequiredMixin, View):
    def post(self, request, pk):
        hold = get_object_or_404(LegalHold.objects.visible_to(request.user).filter(organisation_id__in=governed_ids(request.user)), pk=pk)
        services.hold_lift(hold=hold, acting_user=request.user)
        messages.success(request, f"The legal hold on {kind_of(hold.record_class).label.lower()} record {hold.record_id} is lifted.")
        return redirect("retention:holds")


class DecisionListView(GovernanceRequiredMixin, ListView):
    template_name = "retention/decisions.html"
    paginate_by = 50
    context_object_name = "decisions"

    def get_queryset(self):
        self.filterset = DecisionFilter(self.request.GET, queryset=decisions_for(self.request.user))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, record_classes=dict(RecordClass.choices), **kwargs)
