"""Digital engagement pages: hot topics (force and neighbourhood), a topic's evidence, and imports.

Police roles only; every read through visible_to; the work is in digital.services and selectors."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from access.views import PoliceRoleRequiredMixin, add_service_errors
from access.visibility import can_own
from digital import charts, communities, selectors
from digital.forms import ConversationUploadForm, MeetingQuestionForm, RaiseTopicForm
from digital.models import ConversationImport, ImportStatus, Post, Topic
from digital.progress import progress_of
from digital.services import (
    conversation_import_confirm, conversation_import_start, importing_organisation, question_send, raise_at_pact_meeting,
)
from geo.models import Neighbourhood
from jobs.views import JobRetryView

RUNNING = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.IMPORTING)


class HotTopicsView(PoliceRoleRequiredMixin, TemplateView):
    template_name = "digital/hot_topics.html"
    neighbourhood = None

    def get(self, request, *args, **kwargs):
        chosen = request.GET.get("n", "")
        if chosen.isdigit() and len(chosen) < 12:  # the neighbourhood chooser's form, for browsers without script
            target = reverse("digital:neighbourhood", args=[int(chosen)])
            return redirect(f"{target}?police=1" if self.police_only else target)
        return super().get(request, *args, **kwargs)

    @property
    def police_only(self) -> bool:
        """"About the police only": posts holding a word of the police gazetteer (digital.police_terms)."""
        return self.request.GET.get("police") == "1"

    def get_context_data(self, **kwargs):
        user, place, police = self.request.user, self.neighbourhood, self.police_only
        series = selectors.tone_over_time(user, place, police_only=police)
        return super().get_context_data(
            neighbourhood=place, topics=selectors.topic_summaries(user, place, police_only=police), tone_series=series,
            chart=charts.tone_chart(series), sites=selectors.sites(user, place, police_only=police),
            placing=selectors.placing_summary(user, place, police_only=police),
            channels=selectors.across_channels(user, place, police_only=police),
            neighbourhoods=Neighbourhood.objects.order_by("name").only("pk", "name"), police_only=police,
            communities=communities.ranking(user, place, organisation=importing_organisation(user)),
            has_posts=selectors.visible_posts(user, place, police_only=police).exists(), **_text_topics_context(self.request, place),
            **kwargs,
        )


def _text_topics_context(request, place) -> dict:
    """The hub's own free text beside the posts: topics in issues raised and in partners' concerns."""
    from digital.analysis_text import analysing_organisation, channel_topics
    from sharing_protocols.explain import log_shared_reads

    organisation = analysing_organisation(request.user)
    text_topics = channel_topics(request.user, place, organisation=organisation)
    shown = [example for summary in text_topics.channels.get("concerns", []) for example in summary.examples]
    log_shared_reads(user=request.user, records=shown, purpose=f"Example concerns of a topic on {request.path}")
    return {"text_topics": text_topics, "may_ask_for_text_topics": organisation is not None and can_own(request.user, organisation)}


class NeighbourhoodHotTopicsView(HotTopicsView):
    def dispatch(self, request, *args, **kwargs):
        self.neighbourhood = get_object_or_404(Neighbourhood, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class TopicDetailView(PoliceRoleRequiredMixin, DetailView):
    """Everything behind a topic: its words and weights, key phrases, where it is talked about, and posts."""

    template_name = "digital/topic.html"
    context_object_name = "topic"

    def get_queryset(self):
        return Topic.objects.visible_to(self.request.user).select_related("category")

    def get_context_data(self, **kwargs):
        from django.db.models import Count

        posts = Post.objects.visible_to(self.request.user).filter(topic=self.object)
        by_place = (posts.values("neighbourhood_id", "neighbourhood__name").annotate(n=Count("pk")).order_by("-n", "neighbourhood__name"))
        most = max([word[1] for word in self.object.words] + [1e-9])
        return super().get_context_data(
            words=[(word, weight, round(100 * weight / most)) for word, weight in self.object.words],
            by_place=by_place, recent=posts.filter(text_removed_at__isnull=True).select_related("neighbourhood")[:20],
            raise_form=RaiseTopicForm(neighbourhoods=Neighbourhood.objects.order_by("name").only("pk", "name")), **kwargs,
        )


class RaiseTopicView(PoliceRoleRequiredMixin, View):
    def post(self, request, pk):
        topic = get_object_or_404(Topic.objects.visible_to(request.user), pk=pk)
        form = RaiseTopicForm(request.POST, neighbourhoods=Neighbourhood.objects.only("pk", "name"))
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["neighbourhood"]))
            return redirect("digital:topic", pk=pk)
        try:
            meeting, created = raise_at_pact_meeting(topic=topic, neighbourhood=form.cleaned_data["neighbourhood"], acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("digital:topic", pk=pk)
        messages.success(request, f"“{topic.label}” will be raised at {meeting.title} on {meeting.starts_at:%-d %B %Y}."
                         if created else f"“{topic.label}” is already on the list for {meeting.title}.")
        return redirect("crm:engagement-detail", pk=meeting.pk)


def posts_kept_for(user) -> str:
    """The retention schedule's period for posts, in words: the one rule, set by information governance."""
    from retention.models import RecordClass
    from retention.services import kept_for

    return kept_for(importing_organisation(user), RecordClass.SOCIAL_MEDIA)


class ImporterMixin(PoliceRoleRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and importing_organisation(request.user) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return ConversationImport.objects.visible_to(self.request.user).select_related("created_by")


class ImportListView(ImporterMixin, ListView):
    template_name = "digital/imports/list.html"
    context_object_name = "jobs"
    paginate_by = 25


class ImportUploadView(ImporterMixin, FormView):
    form_class = ConversationUploadForm
    template_name = "digital/imports/upload.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(kept_for=posts_kept_for(self.request.user), **kwargs)

    def form_valid(self, form):
        try:
            job = conversation_import_start(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect("digital:import-detail", pk=job.pk)


class ImportDetailView(ImporterMixin, DetailView):
    template_name = "digital/imports/detail.html"
    context_object_name = "job"

    def get_context_data(self, **kwargs):
        running = self.object.status in RUNNING
        return super().get_context_data(running=running, errors=self.object.errors[:200], kept_for=posts_kept_for(self.request.user),
                                        progress=import_progress(self.object) if running else None,
                                        status_url=reverse("digital:import-status", args=[self.object.pk]),
                                        retry_url=reverse("digital:import-retry", args=[self.object.pk]), **kwargs)


def import_progress(job) -> dict:
    """Rows done of the total while a job runs, in the shape hub/import-progress.js reads (as concern imports give it)."""
    done, total = progress_of(job)
    return {"status": job.status, "status_label": job.get_status_display(), "processed_rows": done, "total_rows": total,
            "percent": min(int(100 * done / total), 100) if total else 0, "running": job.status in RUNNING}


class ImportStatusView(ImporterMixin, View):
    """The job's progress for import-progress.js: small, and never cached."""

    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset().select_related(None).only("status", "organisation_id"), pk=pk)
        response = JsonResponse(import_progress(job))
        response["Cache-Control"] = "no-store"
        return response


class ImportRetryView(ImporterMixin, JobRetryView):
    def get_success_url(self, job) -> str:
        return reverse("digital:import-detail", args=[job.pk])


class ImportConfirmView(ImporterMixin, View):
    def post(self, request, pk):
        job = get_object_or_404(ConversationImport.objects.editable_by(request.user), pk=pk)
        try:
            conversation_import_confirm(job=job, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("digital:import-detail", pk=job.pk)


class MeetingQuestionView(FormView):
    """The public's way to send a question before a published meeting: no account; only meetings the public
    pages list (planned, upcoming, wording screened) accept one."""

    form_class = MeetingQuestionForm
    template_name = "digital/meeting_question.html"

    def dispatch(self, request, *args, **kwargs):
        from publication import selectors as public

        self.neighbourhood = public.neighbourhood(kwargs["force"], kwargs["code"])
        if self.neighbourhood is None:
            raise Http404("No such neighbourhood.")
        self.meeting = public.public_meetings(self.neighbourhood).filter(pk=kwargs["pk"]).first()
        if self.meeting is None:
            raise Http404("No such meeting.")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"started": MeetingQuestionForm.stamp()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(neighbourhood=self.neighbourhood, meeting=self.meeting, **kwargs)

    def form_valid(self, form):
        try:
            question_send(meeting=self.meeting, question=form.cleaned_data["question"], name=form.cleaned_data["name"],
                          email=form.cleaned_data["email"], client_address=self.request.META.get("REMOTE_ADDR", ""))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form, sent=True))
