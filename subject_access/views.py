"""Information governance's pages for people's requests: record, search, review, package, erase, correct."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, ListView

from access.views import add_service_errors
from filestore.files import download_response
from retention.views import GovernanceRequiredMixin
from subject_access import services
from subject_access.forms import CorrectionForm, ExtendForm, ItemReviewForm, RequestForm, RestrictForm
from subject_access.models import ItemDecision, RequestKind
from subject_access.search import label_for, read_item
from subject_access.selectors import RequestFilter, requests_for


class RequestMixin(GovernanceRequiredMixin):
    def get_request(self):
        return get_object_or_404(requests_for(self.request.user), pk=self.kwargs["pk"])


class RequestListView(GovernanceRequiredMixin, ListView):
    template_name = "subject_access/request_list.html"
    context_object_name = "data_requests"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = RequestFilter(self.request.GET or {"status": "open"}, queryset=requests_for(self.request.user))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class RequestCreateView(GovernanceRequiredMixin, CreateView):
    template_name = "subject_access/request_form.html"
    form_class = RequestForm

    def form_valid(self, form):
        try:
            request = services.request_create(request=form.save(commit=False), acting_user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Request {request.reference} recorded: answer by {request.due_on:%d %B %Y}.")
        return redirect("subject_access:request-detail", request.pk)


class RequestDetailView(RequestMixin, DetailView):
    template_name = "subject_access/request_detail.html"
    context_object_name = "data_request"

    def get_object(self, queryset=None):
        return self.get_request()

    def get_context_data(self, **kwargs):
        items = list(self.object.items.all())
        for item in items:
            item.label = label_for(item)
        from documents.models import DocumentBuild

        package_builds = DocumentBuild.objects.visible_to(self.request.user).filter(
            data_request=self.object, status__in=DocumentBuild.JOB_OPEN_STATUSES)
        return super().get_context_data(items=items, pending=sum(i.decision == ItemDecision.PENDING for i in items),
                                        packages=self.object.packages.all(), package_builds=package_builds, **kwargs)

    ACTIONS = {
        "search": (services.request_search, "Search done: {result} new record(s) found."),
        "complete": (services.request_complete, "Request completed."),
        "erase": (services.request_erase, "Erasure done: {count} record(s) erased; the request keeps only a hash of who asked."),
        "rectify": (services.request_rectify, "Corrections made to {count} record(s)."),
    }

    def post(self, request, pk):
        data_request = self.get_request()
        action = request.POST.get("action")
        if action == "package":
            return self.package_request(data_request)
        if action not in self.ACTIONS:
            raise Http404
        service, message = self.ACTIONS[action]
        try:
            result = service(request=data_request, acting_user=request.user)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
            return redirect("subject_access:request-detail", data_request.pk)
        messages.success(request, message.format(result=result, count=len(result) if isinstance(result, list) else 0))
        return redirect("subject_access:request-detail", data_request.pk)


    def package_request(self, data_request):
        """The package is made in the background: the person waits on its page (documents)."""
        from documents.services import package_request

        try:
            build = package_request(request=data_request, acting_user=self.request.user)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(self.request, problem)
            return redirect("subject_access:request-detail", data_request.pk)
        return redirect("documents:build-detail", build.pk)


class ItemReviewView(RequestMixin, FormView):
    template_name = "subject_access/item_review.html"
    form_class = ItemReviewForm

    def get_item(self):
        if not hasattr(self, "_item"):
            self._item = get_object_or_404(self.get_request().items, pk=self.kwargs["item_pk"])
            self._view = read_item(self.request.user, self._item)
        return self._item

    def get_form_kwargs(self):
        item = self.get_item()
        initial = {"decision": item.decision if item.decision != ItemDecision.PENDING else None, "exemption": item.exemption,
                   "redact_fields": item.redact_fields, "note": item.note}
        return {**super().get_form_kwargs(), "fields": self._view.fields, "initial": initial}

    def get_context_data(self, **kwargs):
        item = self.get_item()
        correction_form = CorrectionForm(fields=self._view.fields) if item.request.kind == RequestKind.RECTIFICATION else None
        return super().get_context_data(item=item, view=self._view, data_request=item.request, correction_form=correction_form, **kwargs)

    def form_valid(self, form):
        item = self.get_item()
        corrections = None
        if item.request.kind == RequestKind.RECTIFICATION and self.request.POST.get("value"):
            correction = CorrectionForm(self.request.POST, fields=self._view.fields)
            if correction.is_valid():
                corrections = {**item.corrections, correction.cleaned_data["field"]: correction.cleaned_data["value"]}
        try:
            services.item_review(item=item, acting_user=self.request.user, decision=form.cleaned_data["decision"],
                                 exemption=form.cleaned_data["exemption"], redact_fields=form.cleaned_data["redact_fields"],
                                 note=form.cleaned_data["note"], corrections=corrections)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        following = item.request.items.filter(decision=ItemDecision.PENDING).exclude(pk=item.pk).first()
        if following is not None:
            return redirect("subject_access:item-review", item.request.pk, following.pk)
        messages.success(self.request, "Every record is reviewed.")
        return redirect("subject_access:request-detail", item.request.pk)


class RequestChangeView(RequestMixin, FormView):
    """Extend the deadline (UK GDPR) or record a restriction (Part 3, s.45)."""

    template_name = "subject_access/request_change.html"

    def get_form_class(self):
        return {"extend": ExtendForm, "restrict": RestrictForm}[self.kwargs["change"]]

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("change") not in ("extend", "restrict"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(data_request=self.get_request(), change=self.kwargs["change"], **kwargs)

    def form_valid(self, form):
        data_request = self.get_request()
        try:
            if self.kwargs["change"] == "extend":
                services.request_extend(request=data_request, acting_user=self.request.user, **form.cleaned_data)
                messages.success(self.request, f"Deadline extended to {data_request.extended_to:%d %B %Y}. Tell the person why.")
            else:
                services.request_restrict(request=data_request, acting_user=self.request.user, restriction=form.cleaned_data["restriction"],
                                          note=form.cleaned_data["restriction_note"])
                messages.success(self.request, "Restriction recorded: the package will neither confirm nor deny."
                                 if data_request.restriction else "Restriction removed.")
        except ValidationError as error:
            add_service_errors(form, error, field_names={"note": "restriction_note"})
            return self.form_invalid(form)
        return redirect("subject_access:request-detail", data_request.pk)


class PackageFileView(RequestMixin, View):
    def get(self, request, pk, package_pk, kind):
        if kind not in ("pdf", "json"):
            raise Http404
        package = get_object_or_404(self.get_request().packages, pk=package_pk)
        file = getattr(package, kind)
        if not file:
            raise Http404
        return download_response(file.storage, file.name, as_attachment=True, content_type="application/pdf" if kind == "pdf" else "application/json")
