"""Writing the protocol register: every change is a new version, logged in the disclosure log."""
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from sharing_protocols.disclosures import disclosure_record
from sharing_protocols.models import (
    DisclosureAction, ProtocolDataFlow, ProtocolParty, ProtocolStatus, ProtocolVersion, SharingProtocol,
)

VERSION_FIELDS = [
    "purpose", "article_6_basis", "special_category_condition", "law_enforcement_processing", "legal_power",
    "includes_personal_data", "highest_classification", "retention_and_deletion", "security", "starts_on", "review_on",
    "ends_on", "signatories", "signed_off_on", "status",
]


@dataclass(frozen=True)
class Party:
    organisation: object
    contact_name: str
    contact_email: str


@dataclass(frozen=True)
class Flow:
    category: str
    provider: object
    recipient: object
    clause: str


@transaction.atomic
def protocol_publish_version(
    *, acting_user, protocol: SharingProtocol | None = None, reference: str = "", title: str = "", lead_organisation=None,
    terms: dict, parties: list[Party], flows: list[Flow], change_summary: str = "",
) -> ProtocolVersion:
    """Create a protocol's next version (its first, when `protocol` is None). Nothing is written
    unless every term, party and flow is valid."""
    if protocol is not None and protocol.current_version_id and protocol.current_version.status == ProtocolStatus.TERMINATED:
        raise ValidationError({"status": "A terminated protocol cannot change: agree a new one."})
    if protocol is None:
        protocol = SharingProtocol(reference=reference, title=title, lead_organisation=lead_organisation)
        protocol.full_clean()
        protocol.save()
    last = protocol.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ProtocolVersion(protocol=protocol, number=last + 1, change_summary=change_summary, created_by=acting_user,
                              **{field: terms.get(field) for field in VERSION_FIELDS if field in terms})
    version.full_clean(exclude=["protocol", "created_by"])
    _check_parties_and_flows(parties, flows)
    version.save()
    ProtocolParty.objects.bulk_create([ProtocolParty(version=version, **vars(party)) for party in parties])
    ProtocolDataFlow.objects.bulk_create([ProtocolDataFlow(version=version, **vars(flow)) for flow in flows])
    # Access follows the new version from the moment this commits (visible_to reads the pointer).
    protocol.current_version = version
    protocol.review_flagged_on = None
    protocol.save(update_fields=["current_version", "review_flagged_on"])
    disclosure_record(
        user=acting_user, organisation=protocol.lead_organisation, action=DisclosureAction.PROTOCOL_CHANGE, record=version,
        protocol_reference=f"{protocol.reference} v{version.number}", purpose=change_summary or "New protocol",
        details={"status": version.status, "parties": [p.organisation.pk for p in parties], "flows": len(flows)},
    )
    return version


def protocol_change_status(*, protocol: SharingProtocol, status: str, acting_user, reason: str) -> ProtocolVersion:
    """Suspend, terminate, expire or reactivate: a new version with the same terms and parties."""
    current = protocol.current_version
    if current is None:
        raise ValidationError("This protocol has no version yet.")
    if current.status == status:
        raise ValidationError({"status": f"The protocol is already {current.get_status_display().lower()}."})
    if current.status == ProtocolStatus.TERMINATED:
        raise ValidationError({"status": "A terminated protocol cannot change: agree a new one."})
    terms = {**model_to_dict(current, fields=VERSION_FIELDS), "status": status}
    parties = [Party(p.organisation, p.contact_name, p.contact_email) for p in current.parties.select_related("organisation")]
    flows = [Flow(f.category, f.provider, f.recipient, f.clause) for f in current.flows.select_related("provider", "recipient")]
    return protocol_publish_version(acting_user=acting_user, protocol=protocol, terms=terms, parties=parties, flows=flows,
                                    change_summary=f"{ProtocolStatus(status).label}: {reason}")


def _check_parties_and_flows(parties: list[Party], flows: list[Flow]) -> None:
    members = {party.organisation.pk for party in parties}
    problems = []
    if len(members) < 2:
        problems.append("A protocol needs at least two parties.")
    if len(members) != len(parties):
        problems.append("Each organisation can be a party only once.")
    for number, flow in enumerate(flows, start=1):
        if flow.provider.pk == flow.recipient.pk:
            problems.append(f"Data flow {number}: the provider and the recipient are the same organisation.")
        for end, organisation in (("provider", flow.provider), ("recipient", flow.recipient)):
            if organisation.pk not in members:
                problems.append(f"Data flow {number}: the {end}, {organisation}, is not a party to the protocol.")
        if not flow.clause.strip():
            problems.append(f"Data flow {number}: give the clause that allows it.")
    if problems:
        raise ValidationError({"parties": problems})
