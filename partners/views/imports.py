"""Bulk files of concerns: upload, watch the check, read the problems or confirm, see what was kept.

The work is done in partners.imports.services and the tasks in partners.tasks; these views stay thin.
"""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from crm.models import IssueCategory
from access.filtering import FilteredListMixin
from access.views import add_service_errors
from jobs.views import JobRetryView
from partners.filtersets import ImportJobFilterSet
from partners.forms.imports import ConcernUploadForm
from partners.imports import limits
from partners.imports.files import FORMAT_LABELS
from partners.imports.resources import ConcernResource
from partners.imports.selectors import import_created_concerns, import_near_duplicates
from partners.imports.services import concern_import_confirm, concern_import_start, earlier_import, importing_organisation
from partners.models import ConcernImportJob, ImportJobStatus
from sharing_protocols.explain import log_shared_reads

RUNNING = (ImportJobStatus.QUEUED, ImportJobStatus.CHECKING, ImportJobStatus.IMPORTING)
SHOWN_ERRORS = 500


class PartnerImporterMixin(LoginRequiredMixin):
    """Only users of a partner organisation import concerns (the police report none): others get 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and importing_organisation(request.user) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class JobQuerySetMixin(PartnerImporterMixin):
    def get_queryset(self):
        return ConcernImportJob.objects.visible_to(self.request.user)


def columns_context() -> dict:
    return {
        "columns": [(name, ConcernResource.HELP[name], name in ConcernResource.REQUIRED_COLUMNS) for name in ConcernResource.column_names()],
        "categories": IssueCategory.objects.filter(is_active=True).only("name", "slug"),
        "max_bytes": limits.megabytes(limits.max_bytes()), "max_rows": limits.max_rows(), "max_cell": limits.max_cell_chars(),
    }


class ImportListView(FilteredListMixin, JobQuerySetMixin, ListView):
    filterset_class = ImportJobFilterSet
    template_name = "partners/imports/list.html"
    context_object_name = "jobs"
    paginate_by = 25

    def list_queryset(self, queryset):
        return super().list_queryset(queryset.select_related("created_by").defer("errors"))


class ImportUploadView(PartnerImporterMixin, FormView):
    form_class = ConcernUploadForm
    template_name = "partners/imports/upload.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **columns_context(), "organisation": importing_organisation(self.request.user)}

    def form_valid(self, form):
        try:
            job = concern_import_start(upload=form.cleaned_data["upload"], acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect("partners:import-detail", pk=job.pk)


class ImportTemplateView(PartnerImporterMixin, View):
    """The template CSV: the headings and one example row."""

    def get(self, request):
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(ConcernResource.column_names())
        writer.writerow(["Fly-tipping", "54.1108", "-3.2261", "Rear of Market Street", "2026-03-01 14:30", "2026-03-02 09:00",
                         "Phone call", "Bags of rubbish dumped behind the shops.", "no", "", "", "", "OFFICIAL", "EH-2026-0001"])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="concerns-template.csv"'
        return response


class ImportDetailView(JobQuerySetMixin, DetailView):
    template_name = "partners/imports/detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return super().get_queryset().select_related("organisation", "created_by")

    def get_context_data(self, **kwargs):
        job = self.object
        return {
            **super().get_context_data(**kwargs),
            **self.result(job),
            "running": job.status in RUNNING,
            "format_label": FORMAT_LABELS.get(job.file_format, job.file_format),
            "read_as_cp1252": job.file_format == "csv-cp1252",
            "shown_errors": job.errors[:SHOWN_ERRORS],
            "more_errors": max(len(job.errors) - SHOWN_ERRORS, 0),
            "to_add": max(job.total_rows - job.already_held_count, 0),
            "earlier": earlier_import(job),
            "status_url": reverse("partners:import-status", args=[job.pk]),
            "retry_url": reverse("partners:import-retry", args=[job.pk]),
        }


    def result(self, job) -> dict:
        """After the commit: what the file created (a page of concerns with their references and neighbourhoods), the
        near-duplicates found as they were placed, and a link to the created concerns in the concerns list."""
        if job.status != ImportJobStatus.IMPORTED:
            return {}
        near_duplicates, near_duplicate_total = import_near_duplicates(user=self.request.user, job=job)
        # One disclosure entry for the other organisations' concerns shown beside the file's.
        log_shared_reads(user=self.request.user, records=[found.other for found in near_duplicates],
                         purpose=f"Near-duplicates of an import listed on {self.request.path}")
        return {
            "created": import_created_concerns(user=self.request.user, job=job, page_number=self.request.GET.get("page")),
            "near_duplicates": near_duplicates, "near_duplicate_total": near_duplicate_total,
            "created_list_url": f"{reverse('partners:concern-list')}?import_job={job.pk}",
        }


class ImportStatusView(JobQuerySetMixin, View):
    """The job's progress for import-progress.js: small, and never cached."""

    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset().only("status", "processed_rows", "total_rows"), pk=pk)
        response = JsonResponse({
            "status": job.status, "status_label": job.get_status_display(), "processed_rows": job.processed_rows,
            "total_rows": job.total_rows, "percent": min(job.progress_percent, 100), "running": job.status in RUNNING,
        })
        response["Cache-Control"] = "no-store"
        return response


class ImportConfirmView(JobQuerySetMixin, View):
    def post(self, request, pk):
        job = get_object_or_404(self.get_queryset().select_related("organisation"), pk=pk)
        try:
            concern_import_confirm(job=job, acting_user=request.user)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        return redirect("partners:import-detail", pk=job.pk)


class ImportRetryView(JobQuerySetMixin, JobRetryView):
    """Try a failed file again (checked from the start); only for the organisation's own users."""

    def get_success_url(self, job) -> str:
        return reverse("partners:import-detail", args=[job.pk])
