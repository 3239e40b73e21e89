"""The protocol register's pages, for information governance: the list, a protocol, a version and what
changed, drafting, signing or declining, suspending or terminating, and the printable agreement."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.forms import formset_factory
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from organisations.models import Organisation
from access.roles import Role
from access.views import add_service_errors
from filestore.files import download_response
from sharing_protocols.forms import (
    BaseFlowFormSet, BasePartyFormSet, FlowForm, PartyForm, ProtocolNameForm, SignatureForm, SuspensionForm, VersionTermsForm,
)
from sharing_protocols.models import OPEN_STATUSES, ProtocolStatus, ProtocolVersion, SharingProtocol
from sharing_protocols.register import (
    HEADINGS, TERM_FIELDS, governance_organisation_ids, headed_terms, protocol_state, protocols_for, version_changes,
    version_sha256, version_with_details,
)
from sharing_protocols.services import (
    Flow, Party, protocol_draft_save, protocol_send_for_signature, protocol_suspend_or_terminate, protocol_version_decide,
)

class GovernanceMixin(LoginRequiredMixin):
    """Information governance only (403 for other roles, whatever is asked); a protocol the user's
    organisation neither leads nor is party to answers 404, exactly like one that does not exist."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_role(Role.INFORMATION_GOVERNANCE):
            raise PermissionDenied("The protocol register is for information governance.")
        self.governs = governance_organisation_ids(request.user)
        if "pk" in kwargs:
            self.protocol = get_object_or_404(
                protocols_for(request.user).select_related("lead_organisation", "current_version", "pending_version"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def leads(self) -> bool:
        return self.protocol.lead_organisation_id in self.governs

    def version(self, number) -> ProtocolVersion:
        return get_object_or_404(version_with_details(self.protocol.versions.all()), number=number)


class ProtocolListView(GovernanceMixin, TemplateView):
    template_name = "sharing_protocols/protocol_list.html"

    def get_context_data(self, **kwargs):
        protocols = list(protocols_for(self.request.user).select_related(
            "lead_organisation", "current_version", "pending_version").prefetch_related(
            Prefetch("versions", queryset=ProtocolVersion.objects.order_by("-number").prefetch_related("parties__organisation"),
                     to_attr="newest_first")).order_by("title"))
        rows = []
        for protocol in protocols:
            latest = protocol.newest_first[0] if protocol.newest_first else None
            shown = next((v for v in protocol.newest_first if v.pk == protocol.current_version_id), latest)
            rows.append({"protocol": protocol, "state": protocol_state(protocol, latest=latest), "version": shown,
                         "parties": sorted(p.organisation.name for p in shown.parties.all()) if shown else []})
        may_draft = Organisation.objects.filter(pk__in=self.governs, parent__isnull=True).exists()
        return super().get_context_data(rows=rows, may_draft=may_draft, **kwargs)


class ProtocolDetailView(GovernanceMixin, TemplateView):
    template_name = "sharing_protocols/protocol_detail.html"

    def get_context_data(self, **kwargs):
        protocol = self.protocol
        versions = list(version_with_details(protocol.versions.order_by("-number")))
        latest = versions[0] if versions else None
        shown = next((v for v in versions if v.pk == protocol.current_version_id), latest)
        open_version = next((v for v in versions if v.status in OPEN_STATUSES), None)
        awaiting_us = []
        if open_version is not None and open_version.status == ProtocolStatus.AWAITING_SIGNATURES:
            decided = {s.organisation_id for s in open_version.signatures.all()}
            awaiting_us = [p.organisation for p in open_version.parties.all() if p.organisation_id in self.governs - decided]
        in_force_parties = {p.organisation_id for p in shown.parties.all()} if shown else set()
        may_suspend = (protocol.current_version_id is not None and protocol.current_version.status in (ProtocolStatus.ACTIVE, ProtocolStatus.SUSPENDED)
                       and bool(in_force_parties & self.governs))
        return super().get_context_data(
            protocol=protocol, state=protocol_state(protocol, latest=latest), shown=shown, terms=headed_terms(shown) if shown else [],
            versions=versions, open_version=open_version, leads=self.leads, awaiting_us=awaiting_us, may_suspend=may_suspend,
            may_draft=self.leads and not (protocol.current_version_id and protocol.current_version.status == ProtocolStatus.TERMINATED),
            **kwargs)


class VersionDetailView(GovernanceMixin, TemplateView):
    template_name = "sharing_protocols/version_detail.html"

    def get_context_data(self, **kwargs):
        version = self.version(self.kwargs["number"])
        previous = version_with_details(self.protocol.versions.filter(number__lt=version.number).order_by("-number")).first()
        return super().get_context_data(protocol=self.protocol, version=version, previous=previous, terms=headed_terms(version),
                                        changes=version_changes(previous, version), sha256=version_sha256(version),
                                        parties=sorted(version.parties.all(), key=lambda p: p.organisation.name),
                                        flows=sorted(version.flows.all(), key=lambda f: (f.clause, f.pk)), **kwargs)


def _formset(form, base, *, rows: int, **kwargs):
    return formset_factory(form, formset=base, extra=rows, can_delete=True)(**kwargs)


class ProtocolDraftView(GovernanceMixin, TemplateView):
    """Draft a new protocol, a new version of one, or change the draft already open: every heading, the
    parties and their contacts, and the flows between them."""

    template_name = "sharing_protocols/protocol_draft.html"

    def setup_draft(self):
        """The organisation drafting, and the version the form starts from (the open draft, else the newest)."""
        self.protocol = getattr(self, "protocol", None)
        if self.protocol is None:
            self.lead_choices = Organisation.objects.filter(pk__in=self.governs, parent__isnull=True).order_by("name")
            if not self.lead_choices.exists():
                raise PermissionDenied("Your organisation's information governance drafts through its force or agency.")
            return None
        if not self.leads:
            raise PermissionDenied("Only the lead organisation's information governance drafts this protocol.")
        current = self.protocol.current_version
        if current is not None and current.status == ProtocolStatus.TERMINATED:
            raise PermissionDenied("A terminated protocol cannot change: agree a new one.")
        versions = version_with_details(self.protocol.versions.order_by("-number"))
        start = versions.filter(status__in=OPEN_STATUSES).first() or versions.first()
        if start is not None and start.status == ProtocolStatus.AWAITING_SIGNATURES:
            raise PermissionDenied(f"Version {start.number} has been sent for signature and can no longer be edited.")
        return start

    def forms(self, data=None):
        start = self.setup_draft()
        editing = start is not None and start.status == ProtocolStatus.DRAFT
        initial_terms = {field: getattr(start, field) for field in TERM_FIELDS} if start is not None else {}
        if editing:
            initial_terms["change_summary"] = start.change_summary
        parties = [{"organisation": p.organisation, "contact_name": p.contact_name, "contact_email": p.contact_email}
                   for p in start.parties.all()] if start else []
        flows = [{"category": f.category, "provider": f.provider, "recipient": f.recipient, "clause": f.clause}
                 for f in start.flows.all()] if start else []
        forms = {
            "terms": VersionTermsForm(data, initial=initial_terms),
            "parties": _formset(PartyForm, BasePartyFormSet, rows=2 if parties else 3, data=data, initial=parties or None, prefix="parties"),
            "flows": _formset(FlowForm, BaseFlowFormSet, rows=2 if flows else 3, data=data, initial=flows or None, prefix="flows"),
        }
        if self.protocol is None:
            forms["name"] = ProtocolNameForm(data, leads=self.lead_choices)
        self.start = start
        return forms

    def get_context_data(self, **kwargs):
        forms = kwargs.pop("forms", None) or self.forms()
        summary = []
        for key in ("name", "terms"):
            if key in forms and forms[key].is_bound:
                summary += [(f"#{forms[key][name].auto_id}" if name in forms[key].fields else "", message)
                            for name, errors in forms[key].errors.items() for message in errors]
        for key, word in (("parties", "Party"), ("flows", "Data flow")):
            formset = forms[key]
            if formset.is_bound:
                summary += [("", message) for message in formset.non_form_errors()]
                for number, form in enumerate(formset.forms, start=1):
                    for name, errors in form.errors.items():
                        summary += [(f"#{form[name].auto_id}" if name in form.fields else "",
                                     message if message.startswith(word) else f"{word} {number}: {message}") for message in errors]
        terms = forms["terms"]
        grouped = [(heading, [terms[field] for field in fields]) for heading, fields in HEADINGS]
        return super().get_context_data(protocol=self.protocol, start=self.start, forms=forms, grouped=grouped, error_summary=summary,
                                        **kwargs)

    def post(self, request, *args, **kwargs):
        forms = self.forms(request.POST)
        valid = all([form.is_valid() for form in forms.values()])
        if forms["parties"].is_valid() and forms["flows"].is_valid():
            valid = forms["flows"].check_parties(forms["parties"].organisations) and valid
        if not valid:
            return self.render_to_response(self.get_context_data(forms=forms))
        kept = lambda formset: [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]  # noqa: E731
        parties = [Party(d["organisation"], d["contact_name"], d["contact_email"]) for d in kept(forms["parties"])]
        flows = [Flow(d["category"], d["provider"], d["recipient"], d["clause"]) for d in kept(forms["flows"])]
        terms = {field: forms["terms"].cleaned_data.get(field) for field in TERM_FIELDS}
        try:
            if self.protocol is None:
                name = forms["name"].cleaned_data
                version = protocol_draft_save(acting_user=request.user, acted_for=name["lead_organisation"], reference=name["reference"],
                                              title=name["title"], terms=terms, parties=parties, flows=flows)
            else:
                version = protocol_draft_save(acting_user=request.user, acted_for=self.protocol.lead_organisation, protocol=self.protocol,
                                              terms=terms, parties=parties, flows=flows,
                                              change_summary=forms["terms"].cleaned_data.get("change_summary", ""))
        except ValidationError as error:
            add_service_errors(forms["terms"], error)
            return self.render_to_response(self.get_context_data(forms=forms))
        messages.success(request, f"Draft version {version.number} saved. Send it for signature when it is ready.")
        return redirect("sharing:protocol-version", pk=version.protocol_id, number=version.number)


class SendForSignatureView(GovernanceMixin, View):
    def post(self, request, pk, number):
        version = self.version(number)
        if not self.leads:
            raise PermissionDenied("Only the lead organisation sends its drafts for signature.")
        try:
            protocol_send_for_signature(version=version, acting_user=request.user, acted_for=self.protocol.lead_organisation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Version {number} is sent to every party for signature.")
        return redirect("sharing:protocol-version", pk=pk, number=number)


class SignView(GovernanceMixin, FormView):
    """A party's information governance signs or declines the version sent for signature."""

    template_name = "sharing_protocols/sign.html"
    form_class = SignatureForm

    def get_form_kwargs(self):
        self.target = self.version(self.kwargs["number"])
        decided = {s.organisation_id for s in self.target.signatures.all()}
        parties = [p.organisation_id for p in self.target.parties.all()]
        mine = [pk for pk in parties if pk in self.governs and pk not in decided]
        if self.target.status != ProtocolStatus.AWAITING_SIGNATURES or not mine:
            raise Http404
        self.organisations = Organisation.objects.filter(pk__in=mine).order_by("name")
        kwargs = super().get_form_kwargs()
        kwargs["organisations"] = self.organisations
        kwargs.setdefault("initial", {})["organisation"] = self.organisations.first()
        kwargs["initial"]["signatory_name"] = self.request.user.get_full_name()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # builds the form, which finds the version
        return {**context, "protocol": self.protocol, "version": self.target, "sha256": version_sha256(self.target),
                "terms": headed_terms(self.target)}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            signature = protocol_version_decide(version=self.target, organisation=data["organisation"], acting_user=self.request.user,
                                                decision=data["decision"], signatory_name=data["signatory_name"],
                                                signatory_role=data["signatory_role"], reason=data.get("reason", ""))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{signature}.")
        return redirect("sharing:protocol-detail", pk=self.protocol.pk)


class SuspendView(GovernanceMixin, FormView):
    template_name = "sharing_protocols/suspend.html"
    form_class = SuspensionForm

    def acting_for(self):
        current = self.protocol.current_version
        parties = set(current.parties.values_list("organisation_id", flat=True)) if current else set()
        mine = sorted(parties & self.governs)
        if not mine or current.status not in (ProtocolStatus.ACTIVE, ProtocolStatus.SUSPENDED):
            raise Http404
        return Organisation.objects.get(pk=mine[0])

    def get_context_data(self, **kwargs):
        return super().get_context_data(protocol=self.protocol, acting_for=self.acting_for(), **kwargs)

    def form_valid(self, form):
        try:
            version = protocol_suspend_or_terminate(protocol=self.protocol, status=form.cleaned_data["status"], acting_user=self.request.user,
                                                    acted_for=self.acting_for(), reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.protocol.title} is {version.get_status_display().lower()}: sharing under it has stopped.")
        return redirect("sharing:protocol-detail", pk=self.protocol.pk)


class AgreementPdfView(GovernanceMixin, View):
    """The printable agreement of one version: its terms, parties, flows, signatures and SHA-256.

    A GET only reads: the stored PDF if what the version shows is stored already, else a page saying how far its
    making has got, with a button to make it. Making it is a POST (documents.services), so a link prefetcher, a
    crawler or a refresh never queues a build."""

    def get(self, request, pk, number):
        from documents.agreements import agreement_fingerprint, stored_agreement
        from documents.views import agreement_build_for, build_status

        version = self.version(number)
        stored = stored_agreement(version, agreement_fingerprint(version))
        if stored is None:
            build = agreement_build_for(version, request.user)
            return render(request, "documents/agreement.html", {
                "protocol": self.protocol, "version": version, "build": build, "status": build_status(build) if build else None})
        return download_response(default_storage, stored.name, content_type="application/pdf", as_attachment=False,
                                 filename=f"{self.protocol.reference}-v{version.number}.pdf")

    def post(self, request, pk, number):
        """Make the agreement in the background; the person waits on its page (documents), which links back here."""
        from documents.agreements import agreement_fingerprint, stored_agreement
        from documents.services import agreement_request

        version = self.version(number)
        if stored_agreement(version, agreement_fingerprint(version)) is not None:  # made meanwhile (another tab): just open it
            return redirect("sharing:protocol-agreement", pk=self.protocol.pk, number=version.number)
        organisation = self.protocol.lead_organisation if self.leads else Organisation.objects.get(pk=min(self.governs))
        build = agreement_request(version=version, acting_user=request.user, organisation=organisation)
        return redirect("documents:build-detail", pk=build.pk)


def protocol_url(protocol) -> str:
    return reverse("sharing:protocol-detail", args=[protocol.pk])
