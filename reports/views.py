"""The report pages: ask for a report, watch it build, download it. Only the requester sees a report."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from access.filtering import FilteredListMixin
from access.views import VisibleToUserMixin, add_service_errors
from filestore.files import download_response
from jobs.views import JobRetryView
from reports.filtersets import ReportFilterSet
from reports.forms import ReportRequestForm
from reports.models import ReportRun, ReportStatus
from reports.protocols import lapsed_protocols, records_withdrawn
from reports.services import report_request
from sharing_protocols.disclosures import disclosure_record
from sharing_protocols.models import DisclosureAction

DOWNLOADS = {
    "pdf": ("pdf", "application/pdf"),
    "csv": ("csv", "text/csv; charset=utf-8"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class ReportListView(FilteredListMixin, VisibleToUserMixin, ListView):
    model = ReportRun
    filterset_class = ReportFilterSet
    template_name = "reports/report_list.html"
    context_object_name = "reports"
    paginate_by = 25

    def list_queryset(self, queryset):
        # An administrator may open anyone's report, but the list is the reports the user asked for.
        return super().list_queryset(queryset.filter(requested_by=self.request.user))


class ReportRequestView(VisibleToUserMixin, FormView):
    template_name = "reports/report_request.html"
    form_class = ReportRequestForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        whole_force = data["area"] == "force"
        try:
            run, reused = report_request(
                acting_user=self.request.user, period_start=data["period_start"], period_end=data["period_end"],
                force_area=data["force_area"] if whole_force else None,
                neighbourhoods=() if whole_force else data["neighbourhoods"],
                include_maps=data["include_maps"], include_concerns=data["include_concerns"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if reused and run.status == ReportStatus.DONE:
            messages.success(self.request, "The data has not changed since this report was built, so here it is again.")
        elif reused:
            messages.success(self.request, "This report is already being built.")
        return redirect("reports:detail", pk=run.pk)


class ReportDetailView(VisibleToUserMixin, DetailView):
    model = ReportRun
    template_name = "reports/report_detail.html"
    context_object_name = "report"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "status": report_status(self.object),
                "lapsed": lapsed_protocols(self.object, self.request.user), "withdrawn": records_withdrawn(self.object, self.request.user)}


def report_status(run: ReportRun) -> dict:
    status = {"status": run.status, "label": run.get_status_display(), "progress": run.progress, "stage": run.stage,
              "error": run.error, "finished": run.is_finished, "downloads": {}}
    if run.is_stalled:
        status.update(status="failed", label=ReportStatus.FAILED.label, stage="Stopped",
                      error="The report builder stopped before finishing. Choose fewer neighbourhoods or a shorter period and try again.")
    if run.status == ReportStatus.DONE:
        status["downloads"] = {kind: reverse("reports:download", args=[run.pk, kind]) for kind in DOWNLOADS}
        status["pages"] = run.page_count
    return status


class ReportStatusView(VisibleToUserMixin, View):
    """What the progress bar polls."""

    def get(self, request, pk):
        run = get_object_or_404(ReportRun.objects.visible_to(request.user), pk=pk)
        return JsonResponse(report_status(run))


class ReportDownloadView(VisibleToUserMixin, View):
    def get(self, request, pk, kind):
        run = get_object_or_404(ReportRun.objects.visible_to(request.user).select_related("organisation"), pk=pk,
                                status=ReportStatus.DONE)
        if kind not in DOWNLOADS:
            raise Http404
        field, content_type = DOWNLOADS[kind]
        file = getattr(run, field)
        if not file:
            raise Http404
        lapsed, withdrawn = lapsed_protocols(run, request.user), records_withdrawn(run, request.user)
        if lapsed or withdrawn:
            return render(request, "reports/report_lapsed.html", {"report": run, "lapsed": lapsed, "withdrawn": withdrawn}, status=410)
        disclosure_record(user=request.user, organisation=run.organisation, action=DisclosureAction.EXPORT, record=run,
                          purpose=f"Engagement-coverage report ({kind.upper()})", details={"format": kind})
        return download_response(file.storage, file.name, content_type=content_type, as_attachment=kind != "pdf")


class ReportRetryView(JobRetryView):
    """Build a failed report again; only its requester."""

    def get_queryset(self):
        return ReportRun.objects.visible_to(self.request.user)

    def get_success_url(self, job) -> str:
        return reverse("reports:detail", args=[job.pk])
