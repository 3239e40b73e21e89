"""The collation pages for the police: the latest run, hot spots, rising topics, near-duplicates,
a neighbourhood's concerns (to take into a PACT priority) and each team's digests."""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, TemplateView

from organisations.models import Membership, Organisation, OrganisationKind
from access.views import PoliceRoleRequiredMixin, VisibleToUserMixin, add_service_errors
from access.visibility import can_see_everything, visible_organisation_ids
from geo.models import Neighbourhood
from jobs.views import JobRetryView
from partners.collation import selectors, services
from partners.forms.collation import TakeIntoPriorityForm
from partners.responses.selectors import answered
from partners.responses.services import concerns_take_into_priority
from partners.models import CollationRun, CollationStatus, Concern, ConcernLink, ConcernStatus, NeighbourhoodDigest
from sharing_protocols.explain import log_shared_reads

OPEN_STATUSES = (ConcernStatus.NEW, ConcernStatus.COLLATED)
CONCERNS_SHOWN = 200
LINKS_SHOWN = 50


def police_force_ids(user):
    """The forces the user serves in (directly, or through a neighbourhood team), as a subquery."""
    own = Membership.objects.filter(user_id=user.pk, organisation__is_active=True).values("organisation_id")
    return Organisation.objects.filter(
        Q(pk__in=own) | Q(pk__in=Organisation.objects.filter(pk__in=own).values("parent_id")),
        kind=OrganisationKind.POLICE_FORCE, is_active=True,
    ).values("pk")


class ForceNeighbourhoodsMixin(PoliceRoleRequiredMixin):
    """The police see the collation for their own force's neighbourhoods; any other answers 404."""

    def force_neighbourhoods(self):
        # Boundaries are large and no collation page draws them.
        neighbourhoods = Neighbourhood.objects.select_related("team", "force_area").defer("boundary", "force_area__boundary").order_by("name")
        if can_see_everything(self.request.user):
            return neighbourhoods
        return neighbourhoods.filter(force_area__force__in=police_force_ids(self.request.user))


class CollationView(ForceNeighbourhoodsMixin, TemplateView):
    template_name = "partners/collation/overview.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        run = CollationRun.objects.filter(status=CollationStatus.DONE).first()
        neighbourhoods = list(self.force_neighbourhoods())
        ids = [n.pk for n in neighbourhoods]
        period_end = run.period_end if run else timezone.localdate()
        visible = Concern.objects.visible_to(user)
        signals = selectors.collation_signals(concerns=visible, period_end=period_end, neighbourhoods=ids)
        spots = {spot.neighbourhood_id: spot for spot in signals.hot_spots}
        local_topics: dict[int, list] = {}
        for topic in signals.rising_topics:
            if topic.neighbourhood_id is not None:
                local_topics.setdefault(topic.neighbourhood_id, []).append(topic)
        rows = [{"neighbourhood": n, "hot_spot": spots.get(n.pk), "rising_topics": local_topics.get(n.pk, [])} for n in neighbourhoods]
        # Only non-personal columns of each linked pair, and only pairs whose both concerns the user may see.
        links = (ConcernLink.objects.filter(first__in=visible.values("pk"), second__in=visible.values("pk"), first__neighbourhood__in=ids)
                 .order_by("-first__reported_at", "-pk")
                 .values("pk", "distance_metres", "days_apart", "first_id", "second_id", "first__category__name", "first__neighbourhood__name",
                         "first__place", "second__place", "first__organisation__name", "second__organisation__name",
                         "first__occurred_at", "second__occurred_at")[:LINKS_SHOWN])
        links = list(links)
        figures = None
        if run is not None and run.finished_at is not None:
            # The run's figures as this reader may see them: counts tell no more than the lists (issue 15).
            figures = {
                "collated": visible.filter(neighbourhood__in=ids, collated_at__gte=run.started_at, collated_at__lte=run.finished_at).count(),
                "linked": ConcernLink.objects.filter(found_by=run, first__in=visible.values("pk"), second__in=visible.values("pk"),
                                                     first__neighbourhood__in=ids).count(),
                "hot_spots": len(signals.hot_spots), "rising_topics": len(signals.rising_topics),
            }
        # The linked pairs show other partners' places: one disclosure entry for the page, naming every shared concern.
        shown = {pk for link in links for pk in (link["first_id"], link["second_id"])}
        log_shared_reads(user=user, records=list(visible.filter(pk__in=shown)) if shown else [],
                         purpose=f"Near-duplicates listed on {self.request.path}")
        # A collation asked for since the last one finished: waiting, running or failed (with "Try again").
        pending = CollationRun.objects.exclude(status=CollationStatus.DONE).first()
        if pending is not None and run is not None and pending.started_at < run.started_at:
            pending = None
        return super().get_context_data(
            run=run, pending=pending, figures=figures, rows=rows, period_days=settings.COLLATION_PERIOD_DAYS, period_end=period_end,
            force_topics=[t for t in signals.rising_topics if t.neighbourhood_id is None], links=links,
            can_run=user.has_role("officer", "manager") or can_see_everything(user), **kwargs,
        )


class CollationRunNowView(ForceNeighbourhoodsMixin, View):
    """POST only: queue a collation now (on commit). Officers and managers of a force."""

    http_method_names = ["post"]

    def post(self, request):
        if not (request.user.has_role("officer", "manager") or can_see_everything(request.user)):
            messages.error(request, "Only officers and managers can run the collation.")
            return redirect("partners:collation")
        services.collation_request(requested_by=request.user)
        messages.success(request, "Collation queued. Refresh this page in a minute to see the new run.")
        return redirect("partners:collation")


class NeighbourhoodConcernsView(ForceNeighbourhoodsMixin, TemplateView):
    """A neighbourhood's open concerns, with checkboxes to take them into a PACT priority."""

    template_name = "partners/collation/neighbourhood.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_role("officer", "manager", "administrator"):
            self.neighbourhood = get_object_or_404(self.force_neighbourhoods(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def open_concerns(self):
        return (Concern.objects.visible_to(self.request.user)
                .filter(neighbourhood=self.neighbourhood, status__in=OPEN_STATUSES).exclude(answered(self.request.user)))

    def get_context_data(self, form=None, **kwargs):
        concerns = list(self.open_concerns().select_related("category", "organisation").order_by("-reported_at", "-pk")[:CONCERNS_SHOWN])
        log_shared_reads(user=self.request.user, records=concerns, purpose=f"Listed on {self.request.path}")
        # "Agree a priority from this concern": that concern chosen, its category proposed (its words are not:
        # a partner's free text may name people, and the priority's wording goes public).
        starting = None
        if form is None and self.request.GET.get("concern", "").isdigit():
            starting = self.open_concerns().select_related("category", "organisation").filter(pk=self.request.GET["concern"]).first()
            if starting is not None and starting not in concerns:
                concerns.insert(0, starting)
        form = form or TakeIntoPriorityForm(concerns=self.open_concerns(),
                                            initial={"category": starting.category_id} if starting else None)
        chosen = {str(value) for value in (form.data.getlist("concerns") if form.is_bound else [])}
        if starting is not None:
            chosen.add(str(starting.pk))
        return super().get_context_data(
            neighbourhood=self.neighbourhood, concerns=concerns, form=form, chosen=chosen, shown_limit=CONCERNS_SHOWN, **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = TakeIntoPriorityForm(request.POST, concerns=self.open_concerns())
        if form.is_valid():
            try:
                priority = concerns_take_into_priority(
                    concerns=form.cleaned_data["concerns"], neighbourhood=self.neighbourhood, category=form.cleaned_data["category"],
                    issue=form.cleaned_data["issue"], issue_date=form.cleaned_data["issue_date"], acting_user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                count = len(form.cleaned_data["concerns"])
                messages.success(request, f"{count} concern{'s' if count != 1 else ''} taken into a new priority for {self.neighbourhood.name}.")
                return redirect("crm:priority-detail", pk=priority.pk)
        return self.render_to_response(self.get_context_data(form=form))


class TeamDigestsView(PoliceRoleRequiredMixin, TemplateView):
    """A neighbourhood team's digests: the latest run's in full, the earlier ones listed."""

    template_name = "partners/collation/team_digests.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        teams = Organisation.objects.filter(kind=OrganisationKind.NEIGHBOURHOOD_TEAM)
        if not can_see_everything(user):
            teams = teams.filter(pk__in=visible_organisation_ids(user))
        team = get_object_or_404(teams, pk=self.kwargs["pk"])
        digests = list(NeighbourhoodDigest.objects.visible_to(user).filter(organisation=team)
                       .select_related("run", "neighbourhood").order_by("-run__started_at", "-run_id", "neighbourhood__name")[:100])
        latest_run = digests[0].run_id if digests else None
        return super().get_context_data(
            team=team, latest=[d for d in digests if d.run_id == latest_run], earlier=[d for d in digests if d.run_id != latest_run], **kwargs,
        )


class DigestDetailView(PoliceRoleRequiredMixin, VisibleToUserMixin, DetailView):
    model = NeighbourhoodDigest
    template_name = "partners/collation/digest.html"
    context_object_name = "digest"

    def get_queryset(self):
        return super().get_queryset().select_related("run", "neighbourhood", "organisation")


class CollationRetryView(ForceNeighbourhoodsMixin, JobRetryView):
    """Run a failed collation again; officers and managers of a force."""

    def get_queryset(self):
        return CollationRun.objects.all()  # counts only: the run itself holds nothing about any one concern

    def get_success_url(self, job) -> str:
        return reverse("partners:collation")
