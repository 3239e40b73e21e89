"""A document's page while it is being made: its progress, then its download links (each link is the agreement's
or the request's own page, which checks the permission again), or the reason it failed and "Try again"."""
from django.http import JsonResponse
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView

from access.views import VisibleToUserMixin
from documents.models import BuildStatus, DocumentBuild, DocumentKind
from jobs.views import JobRetryView


def build_status(build: DocumentBuild) -> dict:
    return {"status": build.status, "label": build.get_status_display(), "stage": build.stage, "finished": build.is_finished}


def build_downloads(build: DocumentBuild) -> list[tuple[str, str]]:
    """(label, url) of what the finished build made."""
    if build.status != BuildStatus.READY:
        return []
    if build.kind == DocumentKind.AGREEMENT:
        version = build.protocol_version
        return [("Open the agreement (PDF)", reverse("sharing:protocol-agreement", args=[version.protocol_id, version.number]))]
    if build.package_id is None:
        return []
    request_pk = build.data_request_id
    return [("Download the PDF with its cover letter", reverse("subject_access:package-file", args=[request_pk, build.package_id, "pdf"])),
            ("Download the machine-readable JSON", reverse("subject_access:package-file", args=[request_pk, build.package_id, "json"]))]


def build_back_link(build: DocumentBuild) -> tuple[str, str]:
    if build.kind == DocumentKind.AGREEMENT:
        version = build.protocol_version
        return (f"Back to version {version.number} of {version.protocol.title}",
                reverse("sharing:protocol-version", args=[version.protocol_id, version.number]))
    return (f"Back to request {build.data_request.reference}", reverse("subject_access:request-detail", args=[build.data_request_id]))


class BuildDetailView(VisibleToUserMixin, DetailView):
    model = DocumentBuild
    template_name = "documents/build_detail.html"
    context_object_name = "build"

    def get_queryset(self):
        return super().get_queryset().select_related("protocol_version__protocol", "data_request")

    def get_context_data(self, **kwargs):
        build = self.object
        return super().get_context_data(status=build_status(build), downloads=build_downloads(build), back=build_back_link(build),
                                        **kwargs)


class BuildStatusView(VisibleToUserMixin, View):
    model = DocumentBuild

    def get(self, request, pk):
        from django.shortcuts import get_object_or_404

        response = JsonResponse(build_status(get_object_or_404(self.get_queryset(), pk=pk)))
        response["Cache-Control"] = "no-store"
        return response


def agreement_build_for(version, user) -> DocumentBuild | None:
    """The person's latest build of the version's agreement (their own: a build is its requester's), if any."""
    return (DocumentBuild.objects.visible_to(user).filter(kind=DocumentKind.AGREEMENT, protocol_version=version)
            .order_by("-created_at", "-pk").first())


class BuildRetryView(JobRetryView):
    def get_queryset(self):
        return DocumentBuild.objects.visible_to(self.request.user)

    def get_success_url(self, job) -> str:
        return reverse("documents:build-detail", args=[job.pk])
