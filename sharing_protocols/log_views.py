"""The disclosure log as a page, for information governance: entries about their organisation's records (as
holder) and their own people's reads (as recipient), filtered, newest first, linked to each record the reader
may open, exportable as CSV; and the hash chain's check, on demand."""
import csv

from django.contrib import messages
from django.db.models import CharField, F, Q
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from organisations.models import Organisation
from access.pagination import CappedPaginator, KeysetPagesMixin
from hub_ui.cells import escape_cell
from sharing_protocols.disclosures import disclosure_record
from sharing_protocols.filters import RECORD_KINDS, DisclosureEntryFilter
from sharing_protocols.models import DisclosureAction, DisclosureEntry, ProtocolVersion
from sharing_protocols.register import governance_organisation_ids, protocols_for
from sharing_protocols.register_views import GovernanceMixin
from sharing_protocols.verification import disclosure_log_verify, latest_verification

DETAIL_PAGES = {
    "crm.contact": "crm:contact-detail", "crm.partnercontact": "crm:partner-contact-detail", "crm.communitygroup": "crm:group-detail",
    "crm.advisorygroup": "crm:advisory-detail", "crm.engagement": "crm:engagement-detail", "crm.priority": "crm:priority-detail",
    "partners.concern": "partners:concern-detail",
}
CSV_HEADINGS = ["Entry", "When", "User", "Reading or acting organisation", "Holding organisation", "What happened", "Kind of record",
                "Record", "Protocol, version and clause", "Purpose"]


def disclosure_entries_for(user):
    """The entries an information-governance user may read: where their organisation read or acted, where
    it holds the record, and every step of the protocols it is party to."""
    organisations = governance_organisation_ids(user)
    if not organisations:
        return DisclosureEntry.objects.none()
    versions = ProtocolVersion.objects.filter(protocol__in=protocols_for(user)).annotate(text_pk=Cast("pk", CharField())).values("text_pk")
    return DisclosureEntry.objects.filter(
        Q(organisation_id__in=organisations) | Q(holder_organisation_id__in=organisations)
        | Q(record_type="sharing_protocols.protocolversion", record_id__in=versions))


def record_links(user, entries) -> tuple[dict, dict]:
    """(record type, id) -> the URL of each record on the page that the reader may open (through visible_to);
    and each protocol version's number in its protocol, by its id."""
    from django.apps import apps

    wanted = {}
    for entry in entries:
        if entry.record_type in DETAIL_PAGES and entry.record_id.isdigit():
            wanted.setdefault(entry.record_type, set()).add(int(entry.record_id))
    links, version_numbers = {}, {}
    for label, ids in wanted.items():
        for pk in apps.get_model(label).objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True):
            links[(label, str(pk))] = reverse(DETAIL_PAGES[label], args=[pk])
    versions = [int(e.record_id) for e in entries if e.record_type == "sharing_protocols.protocolversion" and e.record_id.isdigit()]
    for pk, protocol_id, number in ProtocolVersion.objects.filter(pk__in=versions).values_list("pk", "protocol_id", "number"):
        links[("sharing_protocols.protocolversion", str(pk))] = reverse("sharing:protocol-version", args=[protocol_id, number])
        version_numbers[str(pk)] = number
    return links, version_numbers


class DisclosureLogView(KeysetPagesMixin, GovernanceMixin, ListView):
    template_name = "sharing_protocols/disclosure_log.html"
    paginate_by = 50
    paginator_class = CappedPaginator  # the log only grows: never count more than 10,000 entries

    def get_queryset(self):
        self.filterset = DisclosureEntryFilter(self.request.GET or None, queryset=disclosure_entries_for(self.request.user).order_by("-pk"),
                                               user=self.request.user)
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else self.filterset.queryset

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv_response()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = list(context["object_list"])
        links, version_numbers = record_links(self.request.user, entries)
        kinds = dict(RECORD_KINDS)
        for entry in entries:
            entry.link = links.get((entry.record_type, entry.record_id))
            entry.kind = kinds.get(entry.record_type, "Disclosure log" if entry.record_type.endswith("disclosureentry") else entry.record_type)
            entry.shown_id = entry.record_id
            if entry.record_type == "sharing_protocols.protocolversion":  # its number in the protocol, not the row's
                entry.kind, entry.shown_id = "Protocol version", version_numbers.get(entry.record_id, entry.record_id)
        query = self.request.GET.copy()
        query.pop("page", None)
        query["format"] = "csv"
        return {**context, "entries": entries, "filter": self.filterset, "verification": latest_verification(),
                "csv_query": query.urlencode()}

    def csv_response(self):
        entries = self.get_queryset().select_related(None)
        # Filed under the exporter's organisation, so its information governance sees the export in the log too.
        exporter = Organisation.objects.filter(pk__in=self.governs).order_by(F("parent_id").asc(nulls_first=True), "name").first()
        disclosure_record(user=self.request.user, organisation=exporter, action=DisclosureAction.EXPORT, record_type="sharing_protocols.disclosureentry",
                          record_id="", purpose="Disclosure log exported as CSV", details={"filtered_by": sorted(k for k, v in self.request.GET.items() if v and k != "format")})

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())

        def rows():
            yield "\ufeff" + writer.writerow(CSV_HEADINGS)
            for entry in entries.iterator(chunk_size=2000):
                yield writer.writerow([escape_cell(value) for value in (
                    entry.pk, entry.at.isoformat(), entry.user_label, entry.organisation_label, entry.holder_label,
                    entry.get_action_display(), entry.record_type, entry.record_id, entry.protocol_reference, entry.purpose)])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="disclosure-log.csv"'
        return response


class VerifyChainView(GovernanceMixin, View):
    """Check the hash chain now (the nightly check does the same)."""

    def post(self, request):
        check = disclosure_log_verify(requested_by=request.user)
        if check.intact:
            messages.success(request, f"The disclosure log is intact: {check.checked} entries checked.")
        else:
            messages.error(request, f"The disclosure log is broken at entry #{check.first_broken_entry_id}: {check.reason}. "
                                    "Information governance has been emailed.")
        return redirect("sharing:disclosure-log")
