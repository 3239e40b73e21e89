"""Which information-sharing protocols a report's shared data came through."""
from __future__ import annotations

from crm.visibility import membership_organisation_ids
from sharing_protocols.models import ProtocolDataFlow


def protocols_behind(user, *, today=None) -> list[dict]:
    """The protocols under which data may reach `user`'s organisations: those whose version in
    force (current, active, started and not ended) has a data flow naming one of them as recipient."""
    # The same live flows visible_to widens by: current version, active, started, not ended.
    flows = (
        ProtocolDataFlow.objects.live(today).filter(recipient_id__in=membership_organisation_ids(user))
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


def lapsed_protocols(run, user, *, today=None) -> list[dict]:
    """The protocols a finished report drew on (`run.protocols`, recorded when it was built) that no longer let shared
    data reach `user`: suspended, ended, replaced by a new version, or no longer naming their organisation. While any
    has lapsed the report's files are refused: a file must not outlive the agreement it was built under (issue 15)."""
    if not run.protocols:
        return []
    live = {entry["id"] for entry in protocols_behind(user, today=today)}
    return [entry for entry in run.protocols if entry["id"] not in live]
