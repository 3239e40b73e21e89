"""Which information-sharing protocols a report's shared data came through."""
from __future__ import annotations

from access.visibility import membership_organisation_ids
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


def records_withdrawn(run, user) -> int:
    """How many of the other organisations' records a finished report's files carry (as the disclosure log names
    them, written when it was built) `user` may no longer see: a one-off share that expired, a record no longer
    shared. While any is, the files are refused, as for a lapsed protocol (issue 15: files outlive nothing)."""
    import datetime

    from django.apps import apps

    from sharing_protocols.models import DisclosureAction, DisclosureEntry

    if run.finished_at is None:
        return 0
    # The entries are written in the build's own transaction, just after its finishing time (`at` is indexed).
    carried = (DisclosureEntry.objects.filter(action=DisclosureAction.EXPORT, at__gte=run.finished_at,
                                              at__lt=run.finished_at + datetime.timedelta(hours=1), details__report=run.pk)
               .values_list("record_type", "record_id"))
    by_type: dict[str, set[int]] = {}
    for record_type, record_id in carried:
        by_type.setdefault(record_type, set()).add(int(record_id))
    return sum(len(ids) - apps.get_model(label).objects.visible_to(user).filter(pk__in=ids).count() for label, ids in by_type.items())
