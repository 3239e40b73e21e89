"""The sharing rule, written once: who the viewer is, and what they receive (their grant set).

A viewer is a person, or an organisation reading by API key (`Viewer.of` turns either into one value).
Their grant set is resolved in one query:

- their own organisations: the active organisations they belong to, and those organisations' active
  units (a force's neighbourhood teams: one data controller);
- the live protocol flows whose recipient is one of those organisations, each with the organisations
  it covers (the provider and its active units). "Live" is `live_flow_ids_sql`: the protocol's current
  version, active, started and not past its end date, decided at resolution time;
- the unexpired one-off shares to their organisations' groups, per share model.

`visible_to`, `editable_by` (access/visibility.py) and the explanations and disclosure logging
(sharing_protocols/explain.py) read the grant set and nothing else. It is resolved once per request
(`GrantScopeMiddleware`), or once inside an explicit `grant_scope()` (a Celery task, a script), and
otherwise at every call; so suspending a protocol ends access at the next request at the latest, and a
change to memberships, organisations, protocols or shares within a request drops what it resolved.
"""
from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

OFFICIAL_SENSITIVE = "official_sensitive"  # sharing_protocols.models.Classification.OFFICIAL_SENSITIVE


@dataclass(frozen=True)
class Viewer:
    """Who is reading: a user, an organisation (an API key acts for it), or nobody (signed out)."""

    kind: str  # "user", "organisation" or "nobody"
    pk: int | None = None
    is_active: bool = False
    is_superuser: bool = False

    @classmethod
    def of(cls, who) -> Viewer:
        from organisations.models import Organisation

        if isinstance(who, Viewer):
            return who
        if isinstance(who, Organisation):
            return cls("organisation", who.pk, bool(who.is_active))
        if who is None or not getattr(who, "is_authenticated", False):
            return cls("nobody")
        return cls("user", who.pk, bool(who.is_active), bool(who.is_superuser))

    @property
    def sees_everything(self) -> bool:
        return self.kind == "user" and self.is_active and self.is_superuser

    @property
    def sees_nothing(self) -> bool:
        return self.kind == "nobody" or not self.is_active


@dataclass(frozen=True)
class FlowGrant:
    """One live flow the viewer's organisations receive, and one organisation whose rows it carries."""

    flow_id: int
    category: str
    covers: int  # the provider, or one of its active units
    provider_id: int
    recipient_id: int
    sensitive: bool  # the protocol allows OFFICIAL-SENSITIVE (else OFFICIAL only)
    personal: bool  # the protocol includes personal data
    reference: str  # "protocol vN, clause C"

    def allows(self, classification: str | None) -> bool:
        """Whether a row of this classification flows (None: the model has no classification)."""
        return self.sensitive or classification != OFFICIAL_SENSITIVE


@dataclass(frozen=True)
class GrantSet:
    viewer: Viewer
    own: frozenset[int] = frozenset()
    flows: tuple[FlowGrant, ...] = ()
    # share table -> {record id: the share includes personal data}
    shares: dict[str, dict[int, bool]] = field(default_factory=dict)

    @cached_property
    def _providers(self) -> dict[tuple[str, bool, bool], frozenset[int]]:
        sets: dict[tuple[str, bool, bool], set[int]] = {}
        for flow in self.flows:
            for sensitive in (False, True):
                for personal in (False, True):
                    if (flow.sensitive or not sensitive) and (flow.personal or not personal):
                        sets.setdefault((flow.category, sensitive, personal), set()).add(flow.covers)
        return {key: frozenset(value) for key, value in sets.items()}

    def providers(self, category: str, *, sensitive: bool = False, personal: bool = False) -> frozenset[int]:
        """Organisations whose `category` rows the viewer receives: at OFFICIAL (every live flow), or, with
        `sensitive`, at OFFICIAL-SENSITIVE too (flows of protocols allowing it); with `personal`, only under
        protocols including personal data."""
        return self._providers.get((category, sensitive, personal), frozenset())

    def shared_ids(self, share_model, *, personal: bool = False) -> frozenset[int]:
        shares = self.shares.get(share_model._meta.db_table, {})
        return frozenset(pk for pk, with_personal in shares.items() if with_personal or not personal)

    def flows_for(self, category: str, organisation_id: int, classification: str | None = None) -> list[FlowGrant]:
        """The live flows by which the viewer receives a `category` row held by `organisation_id`."""
        return [flow for flow in self.flows
                if flow.category == category and flow.covers == organisation_id and flow.allows(classification)]


# -- resolution: one query -------------------------------------------------------------------------------------

def _share_tables() -> list[str]:
    from sharing_protocols.shares import _share_models

    return sorted(model._meta.db_table for model in _share_models().values())


def flow_grants_sql(*, where: str, today) -> tuple[str, list]:
    """The live flows meeting `where` (over f, the flow, and c, an organisation it covers), one row per
    organisation each carries (the provider and its active units): the rule's one statement of "live" and
    of "a force's units", read by the resolver (flows to the viewer) and by "who can see this" (flows from
    a record's holder)."""
    from organisations.models import Organisation
    from sharing_protocols.models import ProtocolDataFlow, ProtocolVersion, SharingProtocol, live_flow_ids_sql

    live, live_params = live_flow_ids_sql(today)
    organisation = Organisation._meta.db_table
    sql = (f"SELECT f.id, f.category, c.id, f.provider_id, f.recipient_id, v.highest_classification = %s, "
           f"v.includes_personal_data, p.reference || ' v' || v.number || ', clause ' || f.clause "
           f"FROM {ProtocolDataFlow._meta.db_table} f JOIN {ProtocolVersion._meta.db_table} v ON v.id = f.version_id "
           f"JOIN {SharingProtocol._meta.db_table} p ON p.id = v.protocol_id "
           f"JOIN {organisation} c ON (c.id = f.provider_id OR c.parent_id = f.provider_id) AND c.is_active "
           f"WHERE f.id IN ({live}) AND {where}")
    return sql, [OFFICIAL_SENSITIVE, *live_params]


def flows_covering(organisation_id: int, category: str) -> list[FlowGrant]:
    """The live `category` flows that carry `organisation_id`'s rows, to anyone (for "who can see this")."""
    sql, params = flow_grants_sql(where="c.id = %s AND f.category = %s", today=timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, organisation_id, category])
        return [FlowGrant(*row[:5], sensitive=bool(row[5]), personal=bool(row[6]), reference=row[7]) for row in cursor.fetchall()]


def _resolve(viewer: Viewer) -> GrantSet:
    from organisations.models import Membership, Organisation

    organisation = Organisation._meta.db_table
    if viewer.kind == "organisation":
        direct, params = "SELECT %s::bigint", [viewer.pk]
    else:
        direct = (f"SELECT vm.organisation_id FROM {Membership._meta.db_table} vm JOIN {organisation} vmo "
                  "ON vmo.id = vm.organisation_id WHERE vm.user_id = %s AND vmo.is_active")
        params = [viewer.pk]
    own = (f"SELECT DISTINCT vo.id FROM {organisation} vo JOIN ({direct}) vd(id) ON vo.id = vd.id OR vo.parent_id = vd.id "
           "WHERE vo.is_active")
    flows, flow_params = flow_grants_sql(where="f.recipient_id IN (SELECT id FROM own)", today=timezone.localdate())
    now = timezone.now()
    parts = ["SELECT 'own', id, NULL, NULL, NULL, NULL, NULL::boolean, NULL::boolean, NULL FROM own",
             f"SELECT 'flow', g.* FROM ({flows}) g"]
    share_params = []
    for table in _share_tables():
        parts.append(f"SELECT 'share', s.content_object_id, %s, NULL, NULL, NULL, NULL::boolean, s.includes_personal_data, NULL "
                     f"FROM {table} s WHERE s.expires_at > %s AND s.group_id IN "
                     f"(SELECT group_id FROM {organisation} WHERE id IN (SELECT id FROM own) AND group_id IS NOT NULL)")
        share_params += [table, now]
    sql = f"WITH own AS ({own}) " + " UNION ALL ".join(parts)
    own_ids, flow_grants, shares = set(), [], {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *flow_params, *share_params])
        for kind, a, b, c, d, e, f, g, h in cursor.fetchall():
            if kind == "own":
                own_ids.add(a)
            elif kind == "flow":
                flow_grants.append(FlowGrant(flow_id=a, category=b, covers=c, provider_id=d, recipient_id=e,
                                             sensitive=bool(f), personal=bool(g), reference=h))
            else:
                shares.setdefault(b, {})[a] = shares.get(b, {}).get(a, False) or bool(g)
    return GrantSet(viewer, frozenset(own_ids), tuple(sorted(flow_grants, key=lambda f: (f.flow_id, f.covers))), shares)


# -- the cache: one resolution per request or explicit scope ----------------------------------------------------

_scope: contextvars.ContextVar[dict | None] = contextvars.ContextVar("grant_scope", default=None)


def grants_for(who) -> GrantSet:
    """The viewer's grant set: resolved once in the current request or scope, else now."""
    viewer = Viewer.of(who)
    if viewer.sees_nothing:
        return GrantSet(viewer)
    # A superuser's own organisations are resolved too ("only mine", explanations); visible_to never asks.
    cache = _scope.get()
    if cache is None:
        return _resolve(viewer)
    key = (viewer.kind, viewer.pk)
    if key not in cache:
        cache[key] = _resolve(viewer)
    return cache[key]


@contextlib.contextmanager
def grant_scope():
    """Resolve each viewer once inside this block (a request, a Celery task); forget at its end."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


class GrantScopeMiddleware:
    """One resolution per request: what one page reads through visible_to is decided once, and the next
    request decides again (so a protocol suspended now ends access on the next request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with grant_scope():
            return self.get_response(request)


# A change to what grants are made of, within a scope, drops what the scope resolved: a request that
# changes a membership or a protocol and then reads must read under the new grants.
_GRANT_MODELS = {"crm.membership", "crm.organisation", "sharing_protocols.sharingprotocol",
                 "sharing_protocols.protocolversion", "sharing_protocols.protocoldataflow"}


def _forget_grants(sender, **kwargs):
    cache = _scope.get()
    if cache and (sender._meta.label_lower in _GRANT_MODELS or sender._meta.db_table in _share_tables()):
        cache.clear()


post_save.connect(_forget_grants, dispatch_uid="access.grants.forget_grants.save")
post_delete.connect(_forget_grants, dispatch_uid="access.grants.forget_grants.delete")
