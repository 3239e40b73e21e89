"""Pages for topics in the hub's own free text (issues raised at engagements, partners' concerns): asking for
the analysis again, and everything behind one topic. Thin: the work is in digital.analysis_text."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import View
from django.views.generic import TemplateView

from access.visibility import any_of
from digital.analysis_text import analysing_organisation, finished_analysis, readable_by, text_analysis_request
from digital.text_models import TextChannel
from geo.models import Neighbourhood

MEMBERS_SHOWN = 50


class PartnerTextTopicsView(LoginRequiredMixin, TemplateView):
    """A partner's topics in the issues raised and concerns it may read: its own agency's analysis (built only from
    what the agency may read), the same columns as the police's hot-topics page without the posts online."""

    template_name = "digital/partner_text_topics.html"

    def get_context_data(self, **kwargs):
        from digital.views import _text_topics_context

        if analysing_organisation(self.request.user) is None:
            raise PermissionDenied
        return super().get_context_data(neighbourhood=None, hide_posts=True, **_text_topics_context(self.request, None), **kwargs)


class TextAnalysisRequestView(LoginRequiredMixin, View):
    """"Find topics again": queue the organisation's analysis (one at a time; asking again adds none). Anyone who
    may make records for their organisation: the police for their force's, a partner for its agency's."""

    def post(self, request):
        organisation = analysing_organisation(request.user)
        if organisation is None:
            raise PermissionDenied
        try:
            _, queued = text_analysis_request(organisation=organisation, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The topics in issues raised and concerns are being found again. This page shows how far it has got."
                             if queued else "The topics are already being found. This page shows how far it has got.")
        if not organisation.is_police:
            return redirect("digital:partner-text-topics")
        place = request.POST.get("neighbourhood", "")
        if place.isdigit() and len(place) < 12 and Neighbourhood.objects.filter(pk=int(place)).exists():
            return redirect("digital:neighbourhood", pk=int(place))
        return redirect("digital:hot-topics")


class TextTopicDetailView(LoginRequiredMixin, TemplateView):
    """Everything behind a topic in issues raised or concerns: its words and weights, key phrases, where it is
    raised, and the engagements or concerns themselves, as the viewer may read them now. Only a topic of the
    viewer's own organisation's analysis, while they may read every text behind it; any other answers 404."""

    template_name = "digital/text_topic.html"

    def get_context_data(self, **kwargs):
        from crm.models import EngagementIssue
        from partners.models import Concern
        from sharing_protocols.explain import log_shared_reads

        user = self.request.user
        job = finished_analysis(user)
        topic = job.topics.select_related("category").filter(pk=kwargs["pk"]).first() if job is not None else None
        # Not the viewer's organisation's, or built from a text they may no longer read: as if it did not exist.
        if topic is None or not readable_by(job, user):
            raise Http404("No such topic.")
        ids = topic.member_ids[:MEMBERS_SHOWN]
        if topic.channel == TextChannel.CONCERNS:
            rows = {row.pk: row for row in Concern.objects.visible_to(user).filter(any_of("pk", ids)).select_related("category", "neighbourhood")}
        else:
            rows = {row.pk: row for row in EngagementIssue.objects.visible_to(user).filter(any_of("pk", ids))
                    .select_related("engagement", "engagement__neighbourhood")}
        members = [rows[pk] for pk in ids if pk in rows]
        if topic.channel == TextChannel.CONCERNS:
            log_shared_reads(user=user, records=members, purpose=f"Concerns behind a topic on {self.request.path}")
        places = {}
        for place in topic.member_neighbourhoods:
            places[place] = places.get(place, 0) + 1
        names = dict(Neighbourhood.objects.filter(pk__in=[pk for pk in places if pk]).values_list("pk", "name"))
        by_place = sorted(((names.get(pk, "Not placed (counted for the force only)"), pk if pk in names else None, n) for pk, n in places.items()),
                          key=lambda row: (-row[2], row[0]))
        most = max([weight for _, weight in topic.words] + [1e-9])
        police = job.organisation.is_police
        return super().get_context_data(
            police=police, back_url=reverse("digital:hot-topics" if police else "digital:partner-text-topics"), topic=topic, analysis=job, members=members, more=max(0, topic.count - len(members)), by_place=by_place,
            words=[(word, weight, round(100 * weight / most)) for word, weight in topic.words],
            weeks=list(enumerate(topic.weekly.get("all", []))), **kwargs,
        )
