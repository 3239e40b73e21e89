"""The "Try again" button of every job page: one view, given each app's own queryset (visible_to)."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from jobs.services import job_retry


class JobRetryView(LoginRequiredMixin, View):
    """POST only. Subclasses give `get_queryset()` (what the user may see) and `get_success_url(job)`."""

    http_method_names = ["post"]

    def get_queryset(self):
        raise NotImplementedError

    def get_success_url(self, job) -> str:
        raise NotImplementedError

    def post(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk)
        if not job.job_user_may_retry(request.user):
            raise PermissionDenied
        try:
            job_retry(job=job, acting_user=request.user)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            messages.success(request, "Tried again: it will start shortly.")
        return redirect(self.get_success_url(job))
