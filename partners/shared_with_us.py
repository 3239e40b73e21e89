"""What other organisations have granted to a partner's organisation: one-off shares of single records (live ones)
and the data flows of live sharing protocols with the organisation as recipient. Read for the partner's home page
("shares granted to us since I last looked", one bounded query) and for its "Shared with your organisation" page.

Only the grants to the user's own organisations are read; the records themselves are read through visible_to as
the user, so a withheld field stays withheld, and a record the user can no longer see is not listed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from access.visibility import membership_organisation_ids
from organisations.models import Organisation
from sharing_protocols.models import ProtocolDataFlow
from sharing_protocols.shares import share_models

# Where each kind of shared record is read (its detail page, which logs the read in the disclosure log).
DETAIL_PAGES = {
    "partners.concern": "partners:concern-detail",
    "crm.contact": "crm:contact-detail",
    "crm.communitygroup": "crm:group-detail",
    "crm.engagement": "crm:engagement-detail",
    "crm.priority": "crm:priority-detail",
}
LISTED = 100  # the newest of each kind; a partner with more has a protocol, not one-off shares


def _groups(user) -> QuerySet:
    return Organisation.objects.filter(pk__in=membership_organisation_ids(user), group__isnull=False).values("group_id")


def one_off_shares_to(user, share_model) -> QuerySet:
    """The live one-off shares of `share_model`'s records with the user's organisations, newest first."""
    return share_model.objects.live().filter(group_id__in=_groups(user)).order_by("-granted_at", "-pk")


def flows_to(user) -> QuerySet:
    """The live protocol data flows whose recipient is one of the user's organisations, each with `in_force_from`: the
    later of the version's start and its sign-off (a version signed after its start date gives the data from then)."""
    return (ProtocolDataFlow.objects.live().filter(recipient_id__in=membership_organisation_ids(user))
            .annotate(in_force_from=Greatest("version__starts_on", Coalesce("version__signed_off_on", "version__starts_on"))))


def granted_since_count(user, since: datetime | None, cap: int) -> int:
    """How many one-off shares and protocol flows were granted to the user's organisations since `since` (all live ones
    if never), counting no further than `cap`: one query (a UNION of each share table and the flows)."""
    parts = []
    for share_model in share_models().values():
        shares = one_off_shares_to(user, share_model)
        parts.append((shares.filter(granted_at__gt=since) if since else shares).values("pk").order_by())
    flows = flows_to(user)
    # A flow is dated by day: one in force from the day of the last look is counted once more that day, never missed.
    parts.append((flows.filter(in_force_from__gte=timezone.localtime(since).date()) if since else flows).values("pk").order_by())
    return len(parts[0].union(*parts[1:], all=True)[:cap])


@dataclass(frozen=True)
class SharedRecord:
    record: object
    kind: str
    url: str
    reason: str
    granted_at: datetime
    expires_at: datetime
    includes_personal_data: bool
    new: bool


def shared_records(user, since: datetime | None) -> list[SharedRecord]:
    """The live one-off shares with the user's organisations, newest first, each with its record as the user reads it."""
    found = []
    for model, share_model in share_models().items():
        shares = list(one_off_shares_to(user, share_model).values("content_object_id", "reason", "granted_at", "expires_at",
                                                                    "includes_personal_data")[:LISTED])
        if not shares:
            continue
        records = model.objects.visible_to(user).select_related("organisation").in_bulk([s["content_object_id"] for s in shares])
        page = DETAIL_PAGES.get(model._meta.label_lower)
        for share in shares:
            record = records.get(share["content_object_id"])
            if record is None or page is None:
                continue
            found.append(SharedRecord(
                record=record, kind=model._meta.verbose_name.capitalize(), url=reverse(page, args=[record.pk]),
                reason=share["reason"], granted_at=share["granted_at"], expires_at=share["expires_at"],
                includes_personal_data=share["includes_personal_data"], new=bool(since is None or share["granted_at"] > since)))
    return sorted(found, key=lambda shared: shared.granted_at, reverse=True)


def protocol_flows(user, since: datetime | None) -> list[dict]:
    """The live flows to the user's organisations, grouped by protocol, newest in force first."""
    since_day: date | None = timezone.localtime(since).date() if since else None
    flows = (flows_to(user).select_related("version__protocol", "provider", "recipient")
             .annotate(protocol_id=F("version__protocol_id")).order_by("-in_force_from", "version__protocol__title", "clause"))
    protocols: dict[int, dict] = {}
    for flow in flows[:LISTED * 2]:
        entry = protocols.setdefault(flow.protocol_id, {"protocol": flow.version.protocol, "version": flow.version, "flows": [],
                                                        "in_force_from": flow.in_force_from, "new": False})
        entry["flows"].append(flow)
        entry["new"] = entry["new"] or since_day is None or flow.in_force_from >= since_day
    return list(protocols.values())


def read_since(raw: str | None) -> datetime | None:
    """The "since" a home-page link carries (when the user last looked before following it); None if absent or bad."""
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else None
