"""Why a record is visible: to the user looking at it, and, for information governance, to everyone.

The answers read the rule where `visible_to` reads it (access/grants.py): "why can I see this" and the
disclosure log from the reader's grant set, resolved once per request; "who can see this" from the same
statement of live flows, read the other way round: from a record's holder to the organisations that receive it."""
from dataclasses import dataclass

from django.utils import timezone

from access.grants import flows_covering, grants_for
from organisations.models import Organisation
from access.visibility import membership_organisation_ids
from sharing_protocols.disclosures import disclosure_record
from sharing_protocols.models import Classification, DisclosureAction, ProtocolDataFlow
from sharing_protocols.shares import share_model_for


@dataclass(frozen=True)
class VisibilityReason:
    organisation: Organisation
    kind: str  # "holder", "protocol" or "one_off"
    explanation: str
    reference: str = ""  # protocol, version and clause; or the share's reason
    personal_data: bool = True

    @property
    def is_shared(self) -> bool:
        return self.kind != "holder"


def _classification(record) -> str | None:
    field = getattr(type(record), "CLASSIFICATION_FIELD", None)
    return getattr(record, field) if field else None


def _protocol_reasons(flow_grants, *, readers) -> list[VisibilityReason]:
    """A reason per flow grant and reading organisation (`readers(recipient)`), ordered by recipient and protocol."""
    flows = (ProtocolDataFlow.objects.filter(pk__in={grant.flow_id for grant in flow_grants})
             .select_related("recipient__parent", "provider", "version__protocol").order_by("recipient__name", "version__protocol__reference", "pk"))
    reasons = []
    for flow in flows if flow_grants else ():
        version = flow.version
        reference = f"{version.protocol.reference} v{version.number}, clause {flow.clause}"
        personal = "with personal data" if version.includes_personal_data else "without personal data"
        for recipient in readers(flow.recipient):
            reasons.append(VisibilityReason(
                recipient, "protocol", f"{version.protocol.title} (version {version.number}), clause {flow.clause}: "
                f"{flow.get_category_display().lower()} from {flow.provider} to {flow.recipient}, {personal}.",
                reference, version.includes_personal_data,
            ))
    return reasons


def _share_reasons(shares, *, readers) -> list[VisibilityReason]:
    reasons = []
    for share in shares.select_related("group__organisation__parent"):
        for organisation in readers(share.group.organisation):
            reasons.append(VisibilityReason(
                organisation, "one_off", f"Shared one-off with {share.group.organisation} until "
                f"{timezone.localtime(share.expires_at):%d %B %Y %H:%M}: {share.reason}", f"one-off share: {share.reason}",
                share.includes_personal_data,
            ))
    return reasons


def who_can_see(record) -> list[VisibilityReason]:
    """Every organisation whose members can read `record` today, and why (for information governance). Read
    as visible_to reads: a member of an organisation also reads what its units (a force's teams) hold and
    receive, never the other way round; so a force-held record is not listed for its teams."""
    holder = record.organisation
    reasons = [VisibilityReason(holder, "holder", f"{holder} holds this record.")]
    if holder.parent_id:
        reasons.append(VisibilityReason(holder.parent, "holder", f"{holder.parent} is the force {holder} belongs to."))
    category = getattr(type(record), "DATA_CATEGORY", None)
    if category is not None:
        classification = _classification(record)
        carrying = [grant for grant in flows_covering(holder.pk, category) if grant.allows(classification)]
        reasons += _protocol_reasons(carrying, readers=_and_parent)
    share_model = share_model_for(type(record))
    if share_model is not None:
        reasons += _share_reasons(share_model.objects.live().filter(content_object=record), readers=_and_parent)
    return reasons


def who_can_see_for(user, record) -> tuple[bool, list[VisibilityReason]] | None:
    """"Who can see this", answered to an information-governance asker: (True, every reason) for the
    holder's IG; (False, only the reasons of the asker's own organisations) for another's; None (a 404)
    when the asker governs none of those who can see it. A one-off share's reason is never shown to
    anyone but the holder's IG and the organisation it was shared with."""
    from sharing_protocols.register import governance_organisation_ids

    governs = governance_organisation_ids(user)
    if not governs:
        return None
    reasons = who_can_see(record)
    if record.organisation_id in governs:
        return True, reasons
    mine = [reason for reason in reasons if reason.organisation.pk in governs]
    return (False, mine) if mine else None


def _and_parent(organisation) -> list[Organisation]:
    """Who reads what `organisation` receives: its members, and its force's (a team is one of the force's units)."""
    if not organisation.is_active:
        return []  # an inactive organisation's members read nothing through it
    parent = organisation.parent if organisation.parent_id and organisation.parent.is_active else None
    return [organisation, parent] if parent else [organisation]


def why_visible(user, record) -> list[VisibilityReason]:
    """The reasons that apply to `user`'s organisations, each said once (a force and its teams share one);
    empty for a superuser reading past the rules. Read from the user's grant set; worked out once per
    record and reader."""
    cache = record.__dict__.setdefault("_why_visible", {})
    key = (type(user).__name__, user.pk)
    if key in cache:
        return cache[key]
    grants = grants_for(user)
    mine = grants.own

    def readers(organisation):
        return [reader for reader in _and_parent(organisation) if reader.pk in mine][:1]

    reasons = []
    if record.organisation_id in mine:
        holder = record.organisation
        reasons += [reason for reason in (VisibilityReason(holder, "holder", f"{holder} holds this record."),
                                          *([VisibilityReason(holder.parent, "holder", f"{holder.parent} is the force {holder} belongs to.")]
                                            if holder.parent_id else []))
                    if reason.organisation.pk in mine]
    category = getattr(type(record), "DATA_CATEGORY", None)
    if category is not None:
        reasons += _protocol_reasons(grants.flows_for(category, record.organisation_id, _classification(record)), readers=readers)
    share_model = share_model_for(type(record))
    if share_model is not None and record.pk in grants.shared_ids(share_model):
        shares = share_model.objects.live().filter(content_object=record, group__organisation__in=mine)
        reasons += _share_reasons(shares, readers=readers)
    said = {}
    for reason in reasons:
        said.setdefault((reason.kind, reason.explanation), reason)
    cache[key] = list(said.values())
    return cache[key]


def listing_purpose(request) -> str:
    """"Listed on <path>", naming the filters used but not their values: a search for a person's name must not
    be copied into the append-only log, which erasure cannot touch."""
    filters = sorted(key for key, value in request.GET.items() if value and key != "page")
    return (f"Listed on {request.path}" + (f" (filtered by {', '.join(filters)})" if filters else ""))[:300]


def log_shared_reads(*, user, records, purpose: str) -> None:
    """Write one disclosure entry for the shared records among those just shown (none if all are own).
    `user` is the reader: a person, or an organisation reading by API key."""
    shared = [record for record in records if getattr(record, "is_shared", False)]
    if not shared:
        return
    model = type(shared[0])
    reader = None if isinstance(user, Organisation) else user
    if len(shared) == 1:
        reasons = [reason for reason in why_visible(user, shared[0]) if reason.is_shared]
        disclosure_record(user=reader, organisation=reasons[0].organisation if reasons else None, action=DisclosureAction.READ,
                          record=shared[0], protocol_reference="; ".join(r.reference for r in reasons)[:100], purpose=purpose)
        return
    grants = grants_for(user)
    carrying = [flow for record in shared
                for flow in grants.flows_for(model.DATA_CATEGORY, record.organisation_id, _classification(record))]
    references = sorted({flow.reference for flow in carrying})
    receiving = Organisation.objects.get(pk=min(flow.recipient_id for flow in carrying)) if carrying else None
    # One entry per holding organisation, so each holder's information governance sees the reads of its records.
    by_holder = {}
    for record in shared:
        by_holder.setdefault(record.organisation_id, []).append(record)
    holders = Organisation.objects.in_bulk(list(by_holder)) if len(by_holder) > 1 else {shared[0].organisation_id: shared[0].organisation}
    for holder_id, records in by_holder.items():
        disclosure_record(user=reader, organisation=receiving, action=DisclosureAction.READ, holder=holders[holder_id],
                          record_type=model._meta.label_lower, record_id=f"{len(records)} records", purpose=purpose,
                          protocol_reference="; ".join(references)[:100] or "one-off shares",
                          details={"ids": [record.pk for record in records], "protocols": references})


def shared_disclosures(*, reader, records, purpose: str, action: str = DisclosureAction.EXPORT, organisation=None,
                       details: dict | None = None) -> list:
    """One unsaved disclosure entry per shared record among `records` that left in a file or an email (DPA 2018
    s.62: which records went to whom), naming its holder and the protocol clauses that let it reach the reader.
    `reader` is a person, or an organisation (a team's digest); `organisation` is the receiving organisation
    when no protocol flow names one (a one-off share). Write them with `disclosure_record_many`. Queries: one for
    the holders, one per kind of record; none per record."""
    from sharing_protocols.disclosures import disclosure_entry

    shared = [record for record in records if getattr(record, "is_shared", False)]
    if not shared:
        return []
    person = None if isinstance(reader, Organisation) else reader
    fallback = reader if isinstance(reader, Organisation) else organisation
    holders = Organisation.objects.in_bulk({record.organisation_id for record in shared})
    by_model: dict = {}
    for record in shared:
        by_model.setdefault(type(record), []).append(record)
    entries = []
    for model, model_records in by_model.items():
        providers = {pk for record in model_records for pk in (record.organisation_id, holders[record.organisation_id].parent_id) if pk}
        flows = list(ProtocolDataFlow.objects.live().filter(category=model.DATA_CATEGORY, provider_id__in=providers,
                                                            recipient_id__in=membership_organisation_ids(reader))
                     .select_related("version__protocol", "recipient").order_by("version__protocol__reference", "clause"))
        for record in model_records:
            holder = holders[record.organisation_id]
            mine = [flow for flow in flows if flow.provider_id in (holder.pk, holder.parent_id)]
            references = sorted({f"{flow.version.protocol.reference} v{flow.version.number}, clause {flow.clause}" for flow in mine})
            entries.append(disclosure_entry(
                user=person, organisation=mine[0].recipient if mine else fallback, action=action, record=record, holder=holder,
                protocol_reference="; ".join(references) or "one-off share", purpose=purpose, details=details,
            ))
    return entries
