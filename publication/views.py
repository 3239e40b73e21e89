"""Public pages (no sign-in): neighbourhoods, their meetings as iCalendar, the open data.
And, for managers and information governance, the queue of text held back by screening."""
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from access.roles import Role
from access.views import add_service_errors
from filestore.files import stream_response
from finder import selectors as finder_selectors
from jobs.views import JobRetryView
from publication import calendar, release_notes, selectors, services
from publication.models import Release, ReleaseStatus, ScreeningStatus
from publication.releases import LICENCE, PACKAGE_DESCRIPTION, PACKAGE_TITLE, release_file_name


class PublicNeighbourhoodListView(TemplateView):
    """Find your neighbourhood: by postcode, street, place or name (one match goes straight to its page), by
    location or by the map, or from the list."""

    template_name = "publication/area_list.html"

    def get(self, request, *args, **kwargs):
        self.result = finder_selectors.search(request.GET.get("q", ""))
        place = self.result.only_neighbourhood
        if place is not None:
            return redirect("publication:area", force=place.force_area.code, code=place.code)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            neighbourhoods=list(selectors.all_neighbourhoods()), result=self.result,
            postcodes_loaded=finder_selectors.postcodes_loaded(), place_names_loaded=finder_selectors.place_names_loaded(),
            tile_url=settings.MAP_TILE_URL, tile_attribution=settings.MAP_TILE_ATTRIBUTION, **kwargs,
        )


class PublicNeighbourhoodMixin:
    def dispatch(self, request, *args, **kwargs):
        self.neighbourhood = selectors.neighbourhood(kwargs["force"], kwargs["code"])
        if self.neighbourhood is None:
            raise Http404("No such neighbourhood.")
        return super().dispatch(request, *args, **kwargs)


class PublicNeighbourhoodView(PublicNeighbourhoodMixin, TemplateView):
    template_name = "publication/area_detail.html"

    def get_context_data(self, **kwargs):
        calendar_url = self.request.build_absolute_uri(
            reverse("publication:area-calendar", args=[self.neighbourhood.force_area.code, self.neighbourhood.code]))
        return super().get_context_data(
            neighbourhood=self.neighbourhood,
            contact=finder_selectors.contact_for(self.neighbourhood),
            # The same feed as a subscription: calendar apps open webcal: and keep it up to date.
            webcal_url="webcal:" + calendar_url.split(":", 1)[1],
            tile_url=settings.MAP_TILE_URL, tile_attribution=settings.MAP_TILE_ATTRIBUTION,
            people=list(selectors.team_people(self.neighbourhood)),
            meetings=list(selectors.public_meetings(self.neighbourhood)),
            priorities=list(selectors.published_priorities(self.neighbourhood)),
            **kwargs,
        )


class MeetingsCalendarView(PublicNeighbourhoodMixin, View):
    def get(self, request, *args, **kwargs):
        meetings = selectors.with_revisions(selectors.public_meetings(self.neighbourhood))
        body = calendar.meetings_calendar(self.neighbourhood, meetings,
                                          page_url=request.build_absolute_uri(reverse("publication:area", args=[kwargs["force"], kwargs["code"]])))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{self.neighbourhood.code}-meetings.ics"'
        return response


# --- Open data --------------------------------------------------------------------------------------------------------

def published_releases():
    return Release.objects.filter(status=ReleaseStatus.PUBLISHED).order_by("-version")


RELEASES_LISTED = 24


class OpenDataView(TemplateView):
    template_name = "publication/open_data.html"

    def get_context_data(self, **kwargs):
        found = list(published_releases()[:RELEASES_LISTED + 1])  # and the one before them, for the last one's note
        releases, older = found[:RELEASES_LISTED], (found[RELEASES_LISTED:] or [None])[0]
        notes = release_notes.notes_for(releases, older)
        for release in releases:
            release.changes = notes[release.pk][1:]  # on the list, what changed; why it was built is on its page
        user = self.request.user
        can_release = user.is_authenticated and user.has_role(*services.RELEASE_ROLES)
        # For those who release: the latest release asked for, if it is still being built or failed ("Try again").
        pending = Release.objects.exclude(status=ReleaseStatus.PUBLISHED).first() if can_release else None
        if pending is not None and releases and pending.version < releases[0].version:
            pending = None
        return super().get_context_data(releases=releases, latest=releases[0] if releases else None, can_release=can_release,
                                        pending=pending, rounding_base=settings.OPEN_DATA_ROUNDING_BASE, **kwargs)


class ReleaseView(TemplateView):
    template_name = "publication/release.html"

    def get_context_data(self, **kwargs):
        release = get_object_or_404(published_releases(), version=kwargs["version"])
        previous = published_releases().filter(version__lt=release.version).first()
        changes = release_notes.notes_for([release], previous)[release.pk]
        # One entry per table (its CSV and JSON share a description); releases built before descriptions were kept have none.
        tables = list({entry["name"]: entry for entry in release.files if entry.get("rows") is not None}.values())
        return super().get_context_data(release=release, previous=previous, changes=changes, tables=tables, json_ld=dataset_json_ld(self.request, release), licence=LICENCE,
                                        **kwargs)


class LatestReleaseView(View):
    def get(self, request):
        latest = published_releases().first()
        if latest is None:
            raise Http404("Nothing has been released yet.")
        return redirect("publication:release", version=latest.version)


class ReleaseFileView(View):
    def get(self, request, version, path):
        release = get_object_or_404(published_releases(), version=version)
        entry = release.file_named(path)
        if entry is None:  # only files the release lists, so no path can reach outside its folder
            raise Http404("No such file in this release.")
        try:
            response = stream_response(storages["open_data"], release_file_name(release, entry["path"]), content_type=entry["mediatype"])
        except FileNotFoundError:  # the release's files were removed from storage
            raise Http404("This release's files are no longer held.") from None
        response["Access-Control-Allow-Origin"] = "*"
        return response


class ReleaseRetryView(JobRetryView):
    """Build a failed release again (the same version); managers and information-governance officers."""

    def get_queryset(self):
        return Release.objects.filter(status=ReleaseStatus.FAILED)

    def get_success_url(self, job) -> str:
        return reverse("publication:open-data")


class ReleaseRequestView(LoginRequiredMixin, View):
    def post(self, request):
        release = services.release_request(acting_user=request.user)  # PermissionDenied (403) for other roles
        messages.success(request, f"Release {release.version} is being built. It will appear here when it is ready.")
        return redirect("publication:open-data")


def dataset_json_ld(request, release: Release) -> str:
    """schema.org Dataset and DCAT-AP metadata for a release's page (one JSON-LD block, both vocabularies): the
    dataset's mandatory dct:title, dct:description, dct:publisher, and each distribution's dcat:accessURL,
    dcat:downloadURL and dcat:mediaType."""
    page = request.build_absolute_uri(reverse("publication:release", args=[release.version]))
    publisher_name = ", ".join(force.name for force in selectors.forces()) or "Engagement Hub"
    publisher = {"@type": ["Organization", "foaf:Agent"], "name": publisher_name, "foaf:name": publisher_name}
    distributions = []
    for entry in release.files:
        url = request.build_absolute_uri(reverse("publication:release-file", args=[release.version, entry["path"]]))
        title = f"{entry['title']} ({entry['format'].upper()})"
        distributions.append({
            "@id": url,
            "@type": ["DataDownload", "dcat:Distribution"],
            "name": title,
            "dct:title": title,
            "dct:description": entry.get("description") or entry["title"],
            "encodingFormat": entry["mediatype"],
            "contentUrl": url,
            "contentSize": f"{entry['bytes']} B",
            "dcat:accessURL": {"@id": page},
            "dcat:downloadURL": {"@id": url},
            "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{entry['mediatype']}"},
            "dcat:byteSize": entry["bytes"],
            "dct:format": entry["format"].upper(),
            "dct:license": {"@id": LICENCE["path"]},
        })
    issued = timezone.localtime(release.published_at).date().isoformat() if release.published_at else None
    data = {
        "@context": ["https://schema.org/", {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                                             "foaf": "http://xmlns.com/foaf/0.1/"}],
        "@type": ["Dataset", "dcat:Dataset"],
        "@id": page,
        "url": page,
        "name": PACKAGE_TITLE,
        "dct:title": PACKAGE_TITLE,
        "description": PACKAGE_DESCRIPTION,
        "dct:description": PACKAGE_DESCRIPTION,
        "publisher": publisher,
        "dct:publisher": publisher,
        "version": str(release.version),
        "license": LICENCE["path"],
        "dct:license": {"@id": LICENCE["path"]},
        "isAccessibleForFree": True,
        "datePublished": issued,
        "dct:issued": issued,
        "temporalCoverage": f"{release.period_start.isoformat()}/{release.period_end.isoformat()}" if release.period_start else None,
        "dct:temporal": {"@type": "dct:PeriodOfTime", "dcat:startDate": release.period_start.isoformat(),
                         "dcat:endDate": release.period_end.isoformat()} if release.period_start else None,
        "spatialCoverage": {"@type": "Place", "name": "England and Wales, by police neighbourhood"},
        "keywords": ["neighbourhood policing", "community engagement", "PACT priorities", "partner concerns", "statistics"],
        "creator": publisher,
        "distribution": distributions,
        "dcat:distribution": [{"@id": d["@id"]} for d in distributions],
    }
    # Escape "<" so no value can close the script element it sits in.
    return json.dumps(data, ensure_ascii=False, indent=2).replace("<", "\\u003c")


# --- Review of text held back by screening ------------------------------------------------------------------------------

class ReviewerRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(*services.REVIEWER_ROLES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ReviewQueueView(ReviewerRequiredMixin, ListView):
    template_name = "publication/review_queue.html"
    context_object_name = "screenings"
    paginate_by = 50

    def get_queryset(self):
        return services.reviewable_screenings(self.request.user).filter(status=ScreeningStatus.FLAGGED).select_related("organisation")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve: it can be published as it stands"), ("reject", "Reject: it must not be published")],
        widget=forms.RadioSelect, error_messages={"required": "Choose whether to approve or reject the text."},
    )
    note = forms.CharField(label="Note for the author", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewView(ReviewerRequiredMixin, FormView):
    template_name = "publication/review.html"
    form_class = ReviewForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_role(*services.REVIEWER_ROLES):
            self.screening = get_object_or_404(services.reviewable_screenings(request.user), pk=kwargs["pk"])
            self.record = services.screened_record(self.screening, request.user)
            if self.record is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        fields = services.public_text(self.screening.subject, self.record)
        highlighted = {field: highlight(text, [f for f in self.screening.findings if f["field"] == field]) for field, text in fields.items()}
        return super().get_context_data(screening=self.screening, record=self.record, highlighted=highlighted, **kwargs)

    def form_valid(self, form):
        service = services.screening_approve if form.cleaned_data["decision"] == "approve" else services.screening_reject
        try:
            service(screening=self.screening, acting_user=self.request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Decision recorded.")
        return redirect("publication:review-queue")


def highlight(text: str, findings: list[dict]) -> list[tuple[str, str | None]]:
    """The text cut into pieces, each with the kind of finding it is (or None), for the template to mark."""
    pieces, position = [], 0
    for finding in sorted(findings, key=lambda f: (f["start"], -f["end"])):
        start, end = max(finding["start"], position), finding["end"]
        if end <= start:
            continue
        pieces.append((text[position:start], None))
        pieces.append((text[start:end], finding["kind"]))
        position = end
    pieces.append((text[position:], None))
    return [(piece, kind) for piece, kind in pieces if piece]


class PublicProfileForm(forms.Form):
    display_name = forms.CharField(label="Name to show", max_length=120, error_messages={"required": "Enter the name to show."})
    rank = forms.CharField(label="Rank or role", max_length=60, error_messages={"required": "Enter your rank or role."})
    bio = forms.CharField(label="A few words about you", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    published = forms.BooleanField(label="Show me on my neighbourhood's public page", required=False)


class PublicProfileView(LoginRequiredMixin, FormView):
    """An officer's own choice to be named on the public pages (partners have no public profile)."""

    template_name = "publication/profile_form.html"
    form_class = PublicProfileForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(Role.OFFICER, Role.MANAGER):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        profile = getattr(self.request.user, "public_profile", None)
        if profile is None:
            return {"display_name": self.request.user.get_full_name()}
        return {"display_name": profile.display_name, "rank": profile.rank, "bio": profile.bio, "published": profile.published}

    def form_valid(self, form):
        try:
            services.public_profile_save(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your public profile is saved.")
        return redirect("publication:profile")
