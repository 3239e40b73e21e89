"""Reading the protocol register: who may read which protocol, each protocol's true state today, a
version's canonical content (and its SHA-256), and what changed between two versions."""
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from organisations.governance import governance_scope
from access.roles import Role
from sharing_protocols.models import (
    OPEN_STATUSES, ProtocolParty, ProtocolStatus, ProtocolVersion, SharingProtocol,
)

# The terms that make up a version's content (what parties sign), in the order the agreement gives them.
TERM_FIELDS = [
    "purpose", "article_6_basis", "law_enforcement_processing", "legal_power", "includes_personal_data",
    "includes_special_category_data", "special_category_condition", "includes_criminal_offence_data", "criminal_offence_condition",
    "highest_classification", "retention_and_deletion", "security", "starts_on", "review_on", "ends_on",
]

# The ICO Data Sharing Code's headings, and the terms each holds.
HEADINGS = [
    ("Purpose of the sharing", ["purpose"]),
    ("Lawful basis", ["article_6_basis", "law_enforcement_processing", "legal_power"]),
    ("What is shared", ["includes_personal_data", "includes_special_category_data", "special_category_condition",
                        "includes_criminal_offence_data", "criminal_offence_condition", "highest_classification"]),
    ("Retention and deletion", ["retention_and_deletion"]),
    ("Security", ["security"]),
    ("Dates and review", ["starts_on", "review_on", "ends_on"]),
]


def headed_terms(version: ProtocolVersion) -> list[tuple[str, list[tuple[str, str]]]]:
    """The version's terms in plain words, under the ICO Data Sharing Code's headings."""
    return [(heading, [(term_label(field), term_value(version, field)) for field in fields]) for heading, fields in HEADINGS]


def governance_organisation_ids(user) -> frozenset[int]:
    """The active organisations `user` speaks for as information governance (with their units: a force's
    IG answers for its neighbourhood teams)."""
    if user is None or not user.is_authenticated or not user.has_role(Role.INFORMATION_GOVERNANCE):
        return frozenset()
    return governance_scope(user).with_active_units  # read once per request, shared with retention and subject access


def protocols_for(user) -> QuerySet:
    """The protocols `user`'s information governance may read: those their organisation leads or is a party
    to, in any version. Nobody else reads the register."""
    organisations = governance_organisation_ids(user)
    if not organisations:
        return SharingProtocol.objects.none()
    party = ProtocolParty.objects.filter(version__protocol=OuterRef("pk"), organisation_id__in=organisations)
    return SharingProtocol.objects.filter(Q(lead_organisation_id__in=organisations) | Exists(party))


def party_organisation_ids(version: ProtocolVersion) -> set[int]:
    return {party.organisation_id for party in version.parties.all()}


@dataclass(frozen=True)
class ProtocolState:
    code: str  # draft, awaiting_signatures, awaiting_start, active, review_due, suspended, ended, terminated, declined
    label: str
    colour: str  # a GOV.UK tag colour
    note: str = ""


def protocol_state(protocol: SharingProtocol, *, latest: ProtocolVersion | None = None, today=None) -> ProtocolState:
    """The protocol's state today, from its dates and versions: a protocol past its end date is "Ended",
    whatever its last version says. `latest` is its newest version (to say what is being agreed)."""
    today = today or timezone.localdate()
    current, pending = protocol.current_version, protocol.pending_version
    note = ""
    if latest is not None and current is not None and latest.number > current.number and latest.status in OPEN_STATUSES:
        note = f"Version {latest.number} is {latest.get_status_display().lower()}."
    if pending is not None:
        note = f"Version {pending.number} is signed by every party and comes into force on {pending.starts_on:%d %B %Y}."
    if current is None or current.status == ProtocolStatus.DRAFT:
        if pending is not None:
            return ProtocolState("awaiting_start", f"Comes into force on {pending.starts_on:%d %B %Y}", "turquoise")
        status = latest.status if latest is not None else ProtocolStatus.DRAFT
        if status == ProtocolStatus.AWAITING_SIGNATURES:
            return ProtocolState("awaiting_signatures", "Awaiting signatures", "yellow", note)
        if status == ProtocolStatus.DECLINED:
            return ProtocolState("declined", "Declined by a party", "orange", "Draft a new version to agree it again.")
        if status == ProtocolStatus.WITHDRAWN:
            return ProtocolState("withdrawn", "Withdrawn", "grey")
        return ProtocolState("draft", "Draft", "grey", note)
    if current.status == ProtocolStatus.TERMINATED:
        return ProtocolState("terminated", "Terminated", "red")
    if current.ends_on is not None and current.ends_on < today or current.status == ProtocolStatus.EXPIRED:
        return ProtocolState("ended", "Ended", "grey", f"It ended on {current.ends_on:%d %B %Y}." if current.ends_on else "")
    if current.status == ProtocolStatus.SUSPENDED:
        return ProtocolState("suspended", "Suspended", "red", note)
    if current.starts_on > today:
        return ProtocolState("awaiting_start", f"Comes into force on {current.starts_on:%d %B %Y}", "turquoise", note)
    if current.review_on <= today + timedelta(days=settings.PROTOCOL_REVIEW_NOTICE_DAYS):
        return ProtocolState("review_due", "Review due", "orange", note or f"Review {'was' if current.review_on < today else 'is'} due on "
                             f"{current.review_on:%d %B %Y}.")
    return ProtocolState("active", "Active", "green", note)


def term_value(version: ProtocolVersion, field: str) -> str:
    """A term in plain words, as the register and the agreement show it."""
    value = getattr(version, field)
    model_field = ProtocolVersion._meta.get_field(field)
    if model_field.choices:
        return getattr(version, f"get_{field}_display")() if value else "None given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "":
        return "None given" if field != "ends_on" else "No end date"
    if hasattr(value, "strftime"):
        return f"{value:%d %B %Y}".lstrip("0")
    return str(value)


def term_label(field: str) -> str:
    label = str(ProtocolVersion._meta.get_field(field).verbose_name)
    return label[:1].upper() + label[1:]


def version_content(version: ProtocolVersion) -> dict:
    """What the parties agree to, in a canonical form: the terms, the parties and the flows."""
    return {
        "protocol": version.protocol.reference, "title": version.protocol.title, "version": version.number,
        "terms": {field: (getattr(version, field).isoformat() if hasattr(getattr(version, field), "isoformat") else getattr(version, field))
                  for field in TERM_FIELDS},
        "parties": sorted([{"organisation": p.organisation.name, "contact_name": p.contact_name, "contact_email": p.contact_email}
                           for p in version.parties.all()], key=lambda p: p["organisation"]),
        "flows": sorted([{"category": f.category, "provider": f.provider.name, "recipient": f.recipient.name, "clause": f.clause}
                         for f in version.flows.all()], key=lambda f: (f["clause"], f["category"], f["provider"], f["recipient"])),
    }


def version_sha256(version: ProtocolVersion) -> str:
    canonical = json.dumps(version_content(version), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Change:
    heading: str
    before: str
    after: str


def version_changes(before: ProtocolVersion | None, after: ProtocolVersion) -> list[Change]:
    """What changed from `before` to `after`, side by side: each term that differs, each party and each
    flow added or removed."""
    if before is None:
        return []
    changes = [Change(term_label(field), term_value(before, field), term_value(after, field))
               for field in TERM_FIELDS if getattr(before, field) != getattr(after, field)]
    if before.status != after.status:
        changes.append(Change("Status", before.get_status_display(), after.get_status_display()))
    old_parties = {p.organisation.name: str(p) for p in before.parties.all()}
    new_parties = {p.organisation.name: str(p) for p in after.parties.all()}
    for name in sorted(old_parties.keys() | new_parties.keys()):
        if old_parties.get(name) != new_parties.get(name):
            changes.append(Change("Party", old_parties.get(name, "Not a party"), new_parties.get(name, "No longer a party")))
    old_flows, new_flows = {str(f) for f in before.flows.all()}, {str(f) for f in after.flows.all()}
    changes.extend(Change("Data flow", flow, "Removed") for flow in sorted(old_flows - new_flows))
    changes.extend(Change("Data flow", "Not shared", flow) for flow in sorted(new_flows - old_flows))
    return changes


def version_with_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("protocol", "acted_for", "created_by").prefetch_related(
        "parties__organisation", "flows__provider", "flows__recipient", "signatures__organisation")
