"""Why a record is visible: to the user looking at it, and, for information governance, to everyone.

The answers use the same rules as `visible_to` (live flows decided today; unexpired shares), read
the other way round: from a record to the organisations that receive it."""
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from crm.models import Organisation
from crm.visibility import membership_organisation_ids
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


def who_can_see(record) -> list[VisibilityReason]:
    """Every organisation that can read `record` today, and why (for information governance)."""
    holder = record.organisation
    reasons = [VisibilityReason(holder, "holder", f"{holder} holds this record.")]
    if holder.parent_id:
        reasons.append(VisibilityReason(holder.parent, "holder", f"{holder.parent} is the force {holder} belongs to."))
    elif holder.kind == "police_force":
        reasons.extend(VisibilityReason(team, "holder", f"{team} is one of {holder}'s neighbourhood teams.")
                       for team in holder.children.filter(is_active=True))
    category = getattr(type(record), "DATA_CATEGORY", None)
    if category is not None:
        flows = (ProtocolDataFlow.objects.live().filter(category=category, provider_id__in=[holder.pk, holder.parent_id])
                 .select_related("recipient", "provider", "version__protocol").order_by("recipient__name", "version__protocol__reference")
                 .prefetch_related(Prefetch("recipient__children", queryset=Organisation.objects.filter(is_active=True), to_attr="active_units")))
        classification_field = getattr(type(record), "CLASSIFICATION_FIELD", None)
        if classification_field and getattr(record, classification_field) == Classification.OFFICIAL_SENSITIVE:
            flows = flows.filter(version__highest_classification=Classification.OFFICIAL_SENSITIVE)
        for flow in flows:
            version = flow.version
            reference = f"{version.protocol.reference} v{version.number}, clause {flow.clause}"
            personal = "with personal data" if version.includes_personal_data else "without personal data"
            for recipient in [flow.recipient, *flow.recipient.active_units]:
                reasons.append(VisibilityReason(
                    recipient, "protocol", f"{version.protocol.title} (version {version.number}), clause {flow.clause}: "
                    f"{flow.get_category_display().lower()} from {flow.provider} to {flow.recipient}, {personal}.",
                    reference, version.includes_personal_data,
                ))
    share_model = share_model_for(type(record))
    if share_model is not None:
        for share in share_model.objects.live().filter(content_object=record).select_related("group__organisation"):
            organisation = share.group.organisation
            reasons.append(VisibilityReason(
                organisation, "one_off", f"Shared one-off with {organisation} until {timezone.localtime(share.expires_at):%d %B %Y %H:%M}: "
                f"{share.reason}", f"one-off share: {share.reason}", share.includes_personal_data,
            ))
    return reasons


def why_visible(user, record) -> list[VisibilityReason]:
    """The reasons that apply to `user`'s organisations, each said once (a force and its teams share one);
    empty for a superuser reading past the rules. Worked out once per record and reader."""
    cache = record.__dict__.setdefault("_why_visible", {})
    key = (type(user).__name__, user.pk)
    if key not in cache:
        mine = set(membership_organisation_ids(user).values_list("pk", flat=True))
        reasons = {}
        for reason in who_can_see(record):
            if reason.organisation.pk in mine:
                reasons.setdefault((reason.kind, reason.explanation), reason)
        cache[key] = list(reasons.values())
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
    flows = (ProtocolDataFlow.objects.live().filter(category=model.DATA_CATEGORY, recipient_id__in=membership_organisation_ids(user))
             .filter(Q(provider_id__in={r.organisation_id for r in shared}) | Q(provider__children__in={r.organisation_id for r in shared}))
             .select_related("version__protocol", "recipient").distinct())
    references = sorted({f"{flow.version.protocol.reference} v{flow.version.number}, clause {flow.clause}" for flow in flows})
    receiving = next((flow.recipient for flow in flows), None)
    disclosure_record(user=reader, organisation=receiving, action=DisclosureAction.READ,
                      record_type=model._meta.label_lower, record_id=f"{len(shared)} records", purpose=purpose,
                      protocol_reference="; ".join(references)[:100] or "one-off shares",
                      details={"ids": [record.pk for record in shared], "protocols": references})
