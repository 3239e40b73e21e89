"""Writing the protocol register: every change is a new version, logged in the disclosure log.

A version is drafted by the lead organisation's information governance, sent for signature, and signed
(or declined) by each party's; it comes into force when every party has signed and its start date has
come. Any party may suspend or terminate the version in force: a new version, so access ends at once."""
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from sharing_protocols.disclosures import disclosure_record
from sharing_protocols.models import (
    OPEN_STATUSES, DisclosureAction, ProtocolDataFlow, ProtocolParty, ProtocolSignature, ProtocolStatus, ProtocolVersion,
    SharingProtocol, SignatureDecision,
)

VERSION_FIELDS = [
    "purpose", "article_6_basis", "includes_special_category_data", "special_category_condition", "includes_criminal_offence_data",
    "criminal_offence_condition", "law_enforcement_processing", "legal_power",
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
    terms: dict, parties: list[Party], flows: list[Flow], change_summary: str = "", acted_for=None,
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
                              acted_for=acted_for, **{field: terms.get(field) for field in VERSION_FIELDS if field in terms})
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
        user=acting_user, organisation=acted_for or protocol.lead_organisation, action=DisclosureAction.PROTOCOL_CHANGE, record=version,
        holder=protocol.lead_organisation,
        protocol_reference=f"{protocol.reference} v{version.number}", purpose=change_summary or "New protocol",
        details={"status": version.status, "parties": [p.organisation.pk for p in parties], "flows": len(flows)},
    )
    return version


def protocol_change_status(*, protocol: SharingProtocol, status: str, acting_user, reason: str, acted_for=None) -> ProtocolVersion:
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
                                    change_summary=f"{ProtocolStatus(status).label}: {reason}", acted_for=acted_for)


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


# -- drafting and sign-off ------------------------------------------------------------------------------------------


def _log_step(*, acting_user, organisation, version: ProtocolVersion, purpose: str, **details) -> None:
    protocol = version.protocol
    disclosure_record(user=acting_user, organisation=organisation, action=DisclosureAction.PROTOCOL_CHANGE, record=version,
                      holder=protocol.lead_organisation, protocol_reference=f"{protocol.reference} v{version.number}",
                      purpose=purpose, details={"protocol": protocol.pk, "version": version.number, **details})


@transaction.atomic
def protocol_draft_save(
    *, acting_user, acted_for, terms: dict, parties: list[Party], flows: list[Flow], change_summary: str = "",
    protocol: SharingProtocol | None = None, reference: str = "", title: str = "",
) -> ProtocolVersion:
    """Save the lead organisation's draft: a new protocol's first version, a new draft version of an existing
    one, or changes to the draft already open. Nothing is written unless every term, party and flow is valid.
    The version in force (if any) stays in force: a draft changes nothing until every party signs it."""
    if protocol is None:
        protocol = SharingProtocol(reference=reference, title=title, lead_organisation=acted_for)
        protocol.full_clean()
        protocol.save()
        version = None
    else:
        protocol = SharingProtocol.objects.select_for_update().get(pk=protocol.pk)
        if protocol.lead_organisation_id != acted_for.pk:
            raise ValidationError("Only the lead organisation drafts this protocol's versions.")
        if protocol.current_version_id and protocol.current_version.status == ProtocolStatus.TERMINATED:
            raise ValidationError("A terminated protocol cannot change: agree a new one.")
        version = protocol.versions.filter(status__in=OPEN_STATUSES).order_by("-number").first()
        if version is not None and version.status != ProtocolStatus.DRAFT:
            raise ValidationError(f"Version {version.number} has been sent for signature and can no longer be edited.")
    if version is None:
        last = protocol.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = ProtocolVersion(protocol=protocol, number=last + 1, created_by=acting_user, acted_for=acted_for)
    version.status = ProtocolStatus.DRAFT
    version.change_summary = change_summary
    for field in VERSION_FIELDS:
        if field in terms and field not in ("status", "signatories", "signed_off_on"):
            setattr(version, field, terms[field])
    version.full_clean(exclude=["protocol", "created_by", "acted_for"])
    _check_parties_and_flows(parties, flows)
    creating = version.pk is None
    version.save()
    if not creating:
        version.parties.all().delete()
        version.flows.all().delete()
    ProtocolParty.objects.bulk_create([ProtocolParty(version=version, **vars(party)) for party in parties])
    ProtocolDataFlow.objects.bulk_create([ProtocolDataFlow(version=version, **vars(flow)) for flow in flows])
    _log_step(acting_user=acting_user, organisation=acted_for, version=version,
              purpose=f"Draft version {version.number} {'started' if creating else 'changed'}" + (f": {change_summary}" if change_summary else ""),
              parties=[p.organisation.pk for p in parties], flows=len(flows))
    return version


def _lock_version(version: ProtocolVersion) -> ProtocolVersion:
    return ProtocolVersion.objects.select_for_update(of=("self",)).select_related("protocol__lead_organisation").get(pk=version.pk)


@transaction.atomic
def protocol_send_for_signature(*, version: ProtocolVersion, acting_user, acted_for) -> ProtocolVersion:
    """The lead closes the draft: from now on its content is fixed and each party's information governance signs it."""
    from sharing_protocols.notify import tell_governance

    version = _lock_version(version)
    if version.protocol.lead_organisation_id != acted_for.pk:
        raise ValidationError("Only the lead organisation sends its drafts for signature.")
    if version.status != ProtocolStatus.DRAFT:
        raise ValidationError(f"Version {version.number} is not a draft: it is {version.get_status_display().lower()}.")
    version.status = ProtocolStatus.AWAITING_SIGNATURES
    version.save(update_fields=["status"])
    _log_step(acting_user=acting_user, organisation=acted_for, version=version, purpose=f"Version {version.number} sent for signature")
    tell_governance(organisation_ids=[p.organisation_id for p in version.parties.all()],
                    subject=f"Please sign: {version.protocol.title}, version {version.number}",
                    message=f"{acted_for} asks each party to sign version {version.number} of '{version.protocol.title}' "
                            f"({version.protocol.reference}). Read it and sign or decline it in the hub's protocol register.")
    return version


@transaction.atomic
def protocol_version_decide(*, version: ProtocolVersion, organisation, acting_user, decision: str, signatory_name: str,
                            signatory_role: str, reason: str = "", today=None) -> ProtocolSignature:
    """One party signs or declines a version sent for signature. The version row is locked, so two parties
    deciding at once are taken one after the other: the last signature brings the version into force."""
    from sharing_protocols.notify import tell_governance
    from sharing_protocols.register import governance_organisation_ids, version_sha256

    today = today or timezone.localdate()
    version = _lock_version(version)
    errors = {}
    if organisation.pk not in governance_organisation_ids(acting_user):
        raise ValidationError("Only the party's own information governance signs for it.")
    if version.status != ProtocolStatus.AWAITING_SIGNATURES:
        raise ValidationError(f"Version {version.number} is not awaiting signatures: it is {version.get_status_display().lower()}.")
    parties = {party.organisation_id: party for party in version.parties.select_related("organisation")}
    if organisation.pk not in parties:
        raise ValidationError(f"{organisation} is not a party to version {version.number}.")
    if version.signatures.filter(organisation=organisation).exists():
        raise ValidationError(f"{organisation} has already decided on version {version.number}.")
    if not signatory_name.strip():
        errors["signatory_name"] = "Give the name of the person signing."
    if not signatory_role.strip():
        errors["signatory_role"] = "Give the role in which they sign, such as Data protection officer."
    if decision == SignatureDecision.DECLINED and not reason.strip():
        errors["reason"] = "Give the reason for declining: the lead organisation needs it to redraft."
    if decision not in SignatureDecision.values:
        errors["decision"] = "Choose whether to sign or decline."
    if errors:
        raise ValidationError(errors)
    signature = ProtocolSignature.objects.create(
        version=version, organisation=organisation, decision=decision, signatory_name=signatory_name.strip(),
        signatory_role=signatory_role.strip(), signed_on=today, reason=reason.strip(), content_sha256=version_sha256(version),
        user=acting_user,
    )
    protocol = version.protocol
    if decision == SignatureDecision.DECLINED:
        version.status = ProtocolStatus.DECLINED
        version.save(update_fields=["status"])
        _log_step(acting_user=acting_user, organisation=organisation, version=version,
                  purpose=f"Version {version.number} declined for {organisation}: {reason.strip()}")
        tell_governance(organisation_ids=[protocol.lead_organisation_id], subject=f"Declined: {protocol.title}, version {version.number}",
                        message=f"{organisation} declined version {version.number} of '{protocol.title}': {reason.strip()}")
        return signature
    _log_step(acting_user=acting_user, organisation=organisation, version=version,
              purpose=f"Version {version.number} signed for {organisation} by {signature.signatory_name}, {signature.signatory_role}",
              content_sha256=signature.content_sha256)
    signed = list(version.signatures.filter(decision=SignatureDecision.SIGNED).select_related("organisation").order_by("at"))
    if {s.organisation_id for s in signed} >= set(parties):
        version.status = ProtocolStatus.ACTIVE
        version.signed_off_on = today
        version.signatories = "; ".join(f"{s.signatory_name}, {s.signatory_role}, for {s.organisation}" for s in signed)
        version.save(update_fields=["status", "signed_off_on", "signatories"])
        _log_step(acting_user=acting_user, organisation=organisation, version=version,
                  purpose=f"Version {version.number} signed by every party")
        _bring_into_force(version=version, acting_user=acting_user, today=today)
    return signature


def _bring_into_force(*, version: ProtocolVersion, acting_user, today) -> None:
    """A fully signed version replaces the one in force now if its start date has come, else on that date."""
    from sharing_protocols.notify import tell_governance

    protocol = SharingProtocol.objects.select_for_update().get(pk=version.protocol_id)
    parties = [p.organisation_id for p in version.parties.all()]
    if version.starts_on > today:
        protocol.pending_version = version
        protocol.save(update_fields=["pending_version"])
        _log_step(acting_user=acting_user, organisation=None, version=version,
                  purpose=f"Version {version.number} comes into force on {version.starts_on:%d %B %Y}")
        return
    protocol.current_version, protocol.pending_version, protocol.review_flagged_on = version, None, None
    protocol.save(update_fields=["current_version", "pending_version", "review_flagged_on"])
    _log_step(acting_user=acting_user, organisation=None, version=version, purpose=f"Version {version.number} in force")
    tell_governance(organisation_ids=parties, subject=f"In force: {protocol.title}, version {version.number}",
                    message=f"Every party has signed version {version.number} of '{protocol.title}' ({protocol.reference}); "
                            f"it is in force from today.")


@transaction.atomic
def protocols_bring_signed_versions_into_force(*, today=None) -> list[ProtocolVersion]:
    """Each morning (Celery beat): signed versions whose start date has come replace the ones in force."""
    today = today or timezone.localdate()
    brought = []
    for protocol in SharingProtocol.objects.select_for_update(of=("self",)).select_related("pending_version").filter(
            pending_version__starts_on__lte=today):
        _bring_into_force(version=protocol.pending_version, acting_user=None, today=today)
        brought.append(protocol.pending_version)
    return brought


@transaction.atomic
def protocol_suspend_or_terminate(*, protocol: SharingProtocol, status: str, acting_user, acted_for, reason: str) -> ProtocolVersion:
    """Any party's information governance suspends or terminates the version in force, for a reason: a new
    version, so access ends at once. Versions not yet in force (drafts, those awaiting signatures, a signed
    one waiting for its start date) are withdrawn: to share again, the parties sign a new version."""
    from sharing_protocols.notify import tell_governance

    if status not in (ProtocolStatus.SUSPENDED, ProtocolStatus.TERMINATED):
        raise ValidationError({"status": "Choose to suspend or to terminate."})
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason: every party is told it, and it is kept in the disclosure log."})
    protocol = SharingProtocol.objects.select_for_update(of=("self",)).select_related("current_version", "lead_organisation").get(pk=protocol.pk)
    current = protocol.current_version
    parties = set(current.parties.values_list("organisation_id", flat=True)) if current else set()
    if acted_for.pk not in parties:
        raise ValidationError("Only a party to the version in force may suspend or terminate it.")
    if status == ProtocolStatus.SUSPENDED and current.status != ProtocolStatus.ACTIVE:
        raise ValidationError(f"Only a protocol in force can be suspended: this one is {current.get_status_display().lower()}.")
    for open_version in protocol.versions.filter(status__in=OPEN_STATUSES):
        open_version.status = ProtocolStatus.WITHDRAWN
        open_version.save(update_fields=["status"])
    if protocol.pending_version_id:
        protocol.pending_version = None
        protocol.save(update_fields=["pending_version"])
    version = protocol_change_status(protocol=protocol, status=status, acting_user=acting_user, reason=reason.strip(), acted_for=acted_for)
    tell_governance(organisation_ids=sorted(parties - {acted_for.pk}), subject=f"{ProtocolStatus(status).label}: {protocol.title}",
                    message=f"{acted_for} has {ProtocolStatus(status).label.lower()} '{protocol.title}' ({protocol.reference}): "
                            f"{reason.strip()}. Sharing under it has stopped.")
    return version
