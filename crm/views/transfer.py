"""Export and import of community contacts, community groups and engagements (CSV and XLSX).

Export: choose what and the format, download what you may see. Import: upload, check the
dry run's row-by-row result, confirm; the confirmation imports the same file (kept in the
session, see crm.transfer.pending) all or nothing. The work is done by crm.transfer.services.
"""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import FormView

from crm.forms.transfer import ConfirmImportForm, ExportForm, ImportForm
from crm.transfer import pending
from crm.transfer.files import FileProblem, read_table
from crm.transfer.services import export_records, import_records
from access.views import owning_organisation

LIST_PAGES = {"contacts": "crm:contact-list", "groups": "crm:group-list", "engagements": "crm:engagement-list"}
SHOWN_ROWS = 100  # rows listed on the check page when every row is good


class ExportView(LoginRequiredMixin, FormView):
    form_class = ExportForm
    template_name = "crm/transfer/export.html"

    def form_valid(self, form):
        export = export_records(what=form.cleaned_data["what"], file_format=form.cleaned_data["file_format"], user=self.request.user)
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Cache-Control"] = "no-store"  # personal data: not kept in shared caches or the browser's
        return response


class ImportView(LoginRequiredMixin, FormView):
    form_class = ImportForm
    template_name = "crm/transfer/import.html"

    def get(self, request, *args, **kwargs):
        pending.forget(request.session)  # starting again: drop a file that was checked but not imported
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        if owning_organisation(user) is None:
            form.add_error(None, "You do not belong to an organisation, so there is nowhere to import records to.")
            return self.form_invalid(form)
        upload = form.cleaned_data["upload"]
        what = form.cleaned_data["what"]
        report = import_records(what=what, table=form.table, user=user, commit=False, filename=upload.name)
        if report.file_problems:
            for problem in report.file_problems:
                form.add_error("upload", problem)
            return self.form_invalid(form)
        token = None
        if report.ok and report.new + report.updated:
            token = pending.keep(self.request.session, user=user, what=what, file_format=form.file_format,
                                 filename=upload.name, content=form.content).token
        else:
            pending.forget(self.request.session)
        return render(self.request, "crm/transfer/import_check.html", check_context(report, token=token))


class ImportConfirmView(LoginRequiredMixin, View):
    def post(self, request):
        form = ConfirmImportForm(request.POST)
        upload = pending.take(request.session, user=request.user, token=form.cleaned_data["token"]) if form.is_valid() else None
        if upload is None:
            messages.warning(request, "That import has expired or was replaced by another file. Upload the file again.")
            return redirect("crm:import")
        pending.forget(request.session)
        try:
            table = read_table(upload.content, upload.file_format)
        except FileProblem:  # it was read once already; only a change to the limits could do this
            messages.warning(request, "That file can no longer be imported. Upload it again.")
            return redirect("crm:import")
        report = import_records(what=upload.what, table=table, user=request.user, commit=True, filename=upload.filename)
        if not report.committed:
            return render(request, "crm/transfer/import_check.html", check_context(report, token=None, confirming=True))
        messages.success(
            request,
            f"{upload.filename} is imported: {report.new} added, {report.updated} updated, {report.unchanged} unchanged.",
        )
        return redirect(LIST_PAGES[upload.what])


def check_context(report, *, token, confirming=False) -> dict:
    return {
        "report": report,
        "confirm_form": ConfirmImportForm(initial={"token": token}) if token else None,
        "confirming": confirming,
        "shown_rows": report.rows[:SHOWN_ROWS],
        "more_rows": max(len(report.rows) - SHOWN_ROWS, 0),
    }
