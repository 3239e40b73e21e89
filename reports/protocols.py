"""Which information-sharing protocols a report's shared data came through."""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from crm.visibility import membership_organisation_ids
from sharing_protocols.models import ProtocolDataFlow, ProtocolStatus, ProtocolVersion


def protocols_behind(user, *, today=None) -> list[dict]:
    """The protocols under which data may reach `user`'s organisations: those whose version in
    force (the latest, active, started and not ended) has a data flow naming one of them as
    recipient. One function, so the protocol enforcement of visible_to can take its place."""
    today = today or timezone.localdate()
    newer = ProtocolVersion.objects.filter(protocol_id=OuterRef("version__protocol_id"), number__gt=OuterRef("version__number"))
    flows = (
        ProtocolDataFlow.objects.filter(
            recipient_id__in=membership_organisation_ids(user), version__status=ProtocolStatus.ACTIVE, version__starts_on__lte=today,
        )
        .filter(Q(version__ends_on__isnull=True) | Q(version__ends_on__gte=today))
        .filter(~Exists(newer))
        .select_related("version__protocol", "provider")
        .order_by("version__protocol__title", "clause", "pk")
    )
    protocols: dict[int, dict] = {}
    for flow in flows:
        version = flow.version
        entry = protocols.setdefault(version.pk, {
            "id": version.pk, "reference": version.protocol.reference, "title": version.protocol.title, "version": version.number,
            "flows": [],
        })
        entry["flows"].append(f"{flow.get_category_display()} from {flow.provider.name} (clause {flow.clause})")
    return list(protocols.values())
