"""The sharing rule, written once: who the viewer is, and what they receive (their grant set).

A viewer is a person, or an organisation reading by API key (`Viewer.of` turns either into one value).
Their grant set is resolved in one query:

- their own organisations: the active organisations they belong to, and those organisations' active
  units (a force's neighbourhood teams: one data controller);
- the live protocol flows whose recipient is one of those organisations, each with the organisations
  it covers (the provider and its active units). "Live" is `live_flow_ids_sql`: the protocol's current
  version, active, started and not past its end date, decided at resolution time;
- the unexpired one-off shares to their organisations' groups, per share model. The share tables are under
  row-level security, and no grant set exists yet: the query first writes a minimal context of its own, holding
  only those own organisations (`minimal_context_sql`), under which the share policy lets it read what it reads.

`visible_to`, `editable_by` (access/visibility.py) and the explanations and disclosure logging
(sharing_protocols/explain.py) read the grant set and nothing else. It is read once per request
(`GrantScopeMiddleware`), or once inside an explicit `grant_scope()` (a Celery task, a script), and
otherwise at every call; a change to memberships, organisations, protocols or shares within a request drops
what it read.

Each read is checked against the database, but need not resolve again: the answer is kept in this process
(`_kept`) under the state of the grant-change log (read_routing/models.py: triggers on every table the grant set
is made of add a row in each changing transaction), today's date, and until the first of its one-off shares
expires. A later request compares the log's state in one small query and reuses the answer if nothing changed;
so suspending a protocol, ending a membership or withdrawing a share ends access at the next request, by
whatever path it was written, and a protocol that lapses at midnight or a share that expires at noon does so
with no write at all. A GET request saves that query's round trip: it reads with the kept answer at once, and the
comparison rides with its first statement on a protected table (`hub_grants_unchanged`, row_security/statements.py),
which stops before reading anything if the log has moved; the request is then read again under a fresh answer
(`GrantScopeMiddleware`).
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone

from access import grant_settings, sources

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
        if isinstance(who, Viewer):
            return who
        if isinstance(who, sources.organisation_model()):
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
    # When the first of these one-off shares expires (None: none does): the answer holds until then.
    expires_at: datetime.datetime | None = field(default=None, compare=False)

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

    @cached_property
    def _shared(self) -> dict[tuple[str, bool], frozenset[int]]:
        return {(table, personal): frozenset(pk for pk, with_personal in shares.items() if with_personal or not personal)
                for table, shares in self.shares.items() for personal in (False, True)}

    def shared_ids(self, share_model, *, personal: bool = False) -> frozenset[int]:
        return self.shared_in(share_model._meta.db_table, personal=personal)

    def shared_in(self, share_table: str, *, personal: bool = False) -> frozenset[int]:
        return self._shared.get((share_table, personal), frozenset())

    @cached_property
    def settings_json(self) -> str:
        """This grant set as row-level security's settings (access/grant_settings.py), made once per grant set."""
        from access import grant_settings

        return grant_settings.settings_json(grant_settings.grants_document(self))

    @cached_property
    def doors(self) -> dict:
        """visible_to's door per queryset class and model, built for this grant set (access/visibility.py)."""
        return {}

    def flows_for(self, category: str, organisation_id: int, classification: str | None = None) -> list[FlowGrant]:
        """The live flows by which the viewer receives a `category` row held by `organisation_id`."""
        return [flow for flow in self.flows
                if flow.category == category and flow.covers == organisation_id and flow.allows(classification)]


@lru_cache(maxsize=4096)
def array_sql(ids: frozenset[int] | None) -> str:
    """`ids` as an SQL array literal (`'{1,2,3}'::bigint[]`; None: a NULL array), written once per set: the grant
    set's arrays go into every query a page makes, and a kept grant set is read by many requests."""
    if ids is None:
        return "NULL::bigint[]"
    return "'{" + ",".join(str(int(pk)) for pk in sorted(ids)) + "}'::bigint[]"


# -- resolution: one query -------------------------------------------------------------------------------------

def _share_tables() -> list[str]:
    return sorted(model._meta.db_table for model in sources.grant_sources().share_models())


def flow_grants_sql(*, where: str, today) -> tuple[str, list]:
    """The live flows meeting `where` (over f, the flow, and c, an organisation it covers), one row per
    organisation each carries (the provider and its active units): the rule's one statement of "live" and
    of "a force's units", read by the resolver (flows to the viewer) and by "who can see this" (flows from
    a record's holder)."""
    live, live_params = sources.grant_sources().live_flow_ids_sql(today)
    flow_table, version_table, protocol_table = sources.grant_sources().flow_tables()
    organisation = sources.organisation_model()._meta.db_table
    sql = (f"SELECT f.id, f.category, c.id, f.provider_id, f.recipient_id, v.highest_classification = %s, "
           f"v.includes_personal_data, p.reference || ' v' || v.number || ', clause ' || f.clause "
           f"FROM {flow_table} f JOIN {version_table} v ON v.id = f.version_id "
           f"JOIN {protocol_table} p ON p.id = v.protocol_id "
           f"JOIN {organisation} c ON (c.id = f.provider_id OR c.parent_id = f.provider_id) AND c.is_active "
           f"WHERE f.id IN ({live}) AND {where}")
    return sql, [OFFICIAL_SENSITIVE, *live_params]


def flows_covering(organisation_id: int, category: str) -> list[FlowGrant]:
    """The live `category` flows that carry `organisation_id`'s rows, to anyone (for "who can see this")."""
    sql, params = flow_grants_sql(where="c.id = %s AND f.category = %s", today=timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, organisation_id, category])
        return [FlowGrant(*row[:5], sensitive=bool(row[5]), personal=bool(row[6]), reference=row[7]) for row in cursor.fetchall()]


# The resolver's query begins with this mark: row_security/statements.py passes it untouched (it writes a context of its
# own) and writes the current context again before the next statement on a protected table.
RESOLVING = "/* hub.resolving */ "


def minimal_context_sql(own: str) -> str:
    """A statement writing, for the rest of the transaction, a context holding only the organisations `own` (SQL
    selecting ids) selects: nothing from any protocol, no one-off share, not every row. The share policy
    (row_security/policies.py `share_spec`) then lets through the shares addressed to those organisations' groups
    and those they made, and nothing else; the resolver reads only the first kind, so it reads exactly what it
    read before the shares were guarded. Safe: these are the organisations the viewer belongs to, which the grant
    set would give as `own` anyway, so it can read no more than the full context would let it; and it is
    replaced before the next statement on any other protected table (RESOLVING). Its one parameter:
    `grant_settings.no_context_json()` (every other array written empty)."""
    minimal = ("(SELECT %s::jsonb || jsonb_build_object('hub.grants', jsonb_build_object('context', 'resolving', 'all', false, "
               "'own', to_jsonb(m.ids))::text, 'hub.own', m.ids::text) "
               f"FROM (SELECT coalesce(array_agg(o.id ORDER BY o.id), '{{}}')::bigint[] FROM ({own}) o(id)) m(ids))")
    return grant_settings.write_sql(placeholder=minimal)


def _resolve(viewer: Viewer) -> tuple[GrantSet, str | None]:
    """The viewer's grant set, and the state of the grant-change log it was read under (the same statement);
    None instead of the state when the reading transaction has written (the answer must not be kept)."""
    organisation = sources.organisation_model()._meta.db_table
    if viewer.kind == "organisation":
        direct, params = "SELECT %s::bigint", [viewer.pk]
    else:
        direct = (f"SELECT vm.organisation_id FROM {sources.membership_model()._meta.db_table} vm JOIN {organisation} vmo "
                  "ON vmo.id = vm.organisation_id WHERE vm.user_id = %s AND vmo.is_active")
        params = [viewer.pk]
    own = (f"SELECT DISTINCT vo.id FROM {organisation} vo JOIN ({direct}) vd(id) ON vo.id = vd.id OR vo.parent_id = vd.id "
           "WHERE vo.is_active")
    flows, flow_params = flow_grants_sql(where="f.recipient_id IN (SELECT id FROM own)", today=timezone.localdate())
    now = timezone.now()
    parts = ["SELECT 'own', id, NULL, NULL, NULL, NULL, NULL::boolean, NULL::boolean, NULL, NULL::timestamptz FROM own",
             f"SELECT 'flow', g.*, NULL::timestamptz FROM ({flows}) g"]
    share_params = []
    for table in _share_tables():
        parts.append(f"SELECT 'share', s.content_object_id, %s, NULL, NULL, NULL, NULL::boolean, s.includes_personal_data, NULL, "
                     f"s.expires_at FROM {table} s WHERE s.expires_at > %s AND s.group_id IN "
                     f"(SELECT group_id FROM {organisation} WHERE id IN (SELECT id FROM own) AND group_id IS NOT NULL)")
        share_params += [table, now]
    # The log's state, and whether this transaction has written anything yet (then the answer may reflect
    # changes no one else can see, or that may still be rolled back: it is not kept).
    parts.append(f"SELECT 'log', NULL, ({GRANT_LOG_STATE_SQL}), NULL, NULL, NULL, "
                 "pg_current_xact_id_if_assigned() IS NOT NULL, NULL, NULL, NULL")
    sql = f"{RESOLVING}{minimal_context_sql(own)}; WITH own AS ({own}) " + " UNION ALL ".join(parts)
    own_ids, flow_grants, shares, expires_at, log_state = set(), [], {}, None, None
    with connection.cursor() as cursor:
        cursor.execute(sql, [grant_settings.no_context_json(), *params, *params, *flow_params, *share_params])
        while cursor.nextset():  # the grant set is the last result (the minimal context's write comes first)
            pass
        for kind, a, b, c, d, e, f, g, h, until in cursor.fetchall():
            if kind == "log":
                log_state = None if f else b
            elif kind == "own":
                own_ids.add(a)
            elif kind == "flow":
                flow_grants.append(FlowGrant(flow_id=a, category=b, covers=c, provider_id=d, recipient_id=e,
                                             sensitive=bool(f), personal=bool(g), reference=h))
            else:
                shares.setdefault(b, {})[a] = shares.get(b, {}).get(a, False) or bool(g)
                expires_at = until if expires_at is None else min(expires_at, until)
    grants = GrantSet(viewer, frozenset(own_ids), tuple(sorted(flow_grants, key=lambda f: (f.flow_id, f.covers))), shares,
                      expires_at=expires_at)
    return grants, log_state


# -- across requests: kept while the grant-change log says nothing changed -----------------------------------

# The grant-change log's state: its rows' ids and fills. Every committed change to a grant table adds a row with
# an id never used before (read_routing/migrations/0001_initial.py), and a row is only removed by a later change
# or filled by a later check, so after any change the state differs from every state before it. An answer read
# by a transaction that has written anything is not kept: it may hold that transaction's own uncommitted
# changes, and one transaction's changes share one log row, so a later change in it would not alter the state.
GRANT_LOG_STATE_SQL = ("SELECT coalesce(string_agg(gc.id::text || ':' || coalesce(gc.lsn::text, ''), ',' ORDER BY gc.id), '') "
                       "FROM read_routing_grantchange gc")
KEEP_AT_MOST = 2048  # viewers whose answers this process keeps (the least recently read go first)

_kept: OrderedDict[Viewer, tuple[str, datetime.date, GrantSet]] = OrderedDict()
_kept_lock = threading.Lock()


def _log_state() -> str:
    with connection.cursor() as cursor:
        cursor.execute(GRANT_LOG_STATE_SQL)
        return cursor.fetchone()[0]


def _log_ids(state: str) -> frozenset[int]:
    return frozenset(int(entry.split(":", 1)[0]) for entry in state.split(",") if entry)


def log_moved_since(kept: str, now: str) -> bool:
    """Whether the grants changed between two log states: every committed change adds a row with an id never used
    before, and rows are otherwise only filled or removed (read_routing/standby.py), so exactly when `now` holds an
    id `kept` did not. A fill alone is no change. row_security/migrations/0008 `hub_grants_unchanged` asks the same."""
    return not _log_ids(now) <= _log_ids(kept)


def _still_holds(grants: GrantSet, today: datetime.date, kept_on: datetime.date) -> bool:
    """Whether a kept answer still holds by the clock: read today, and none of its shares expired since."""
    return kept_on == today and (grants.expires_at is None or timezone.now() < grants.expires_at)


def _read(viewer: Viewer, *, unchecked: bool = False) -> tuple[GrantSet, str | None]:
    """The viewer's grant set: the kept answer if the log and the clock say it still holds (one small query),
    else resolved now (one query) and kept. With `unchecked`, a kept answer the clock allows comes back without
    asking the log, with the log state it was kept under (the second value, else None): whoever asked must see it
    checked before anything read under it is used (`guard_ids`)."""
    today = timezone.localdate()
    with _kept_lock:
        kept = _kept.get(viewer)
    if kept is not None:
        state, kept_on, grants = kept
        if _still_holds(grants, today, kept_on) and (unchecked or not log_moved_since(state, _log_state())):
            with _kept_lock:
                _kept.move_to_end(viewer)
            return grants, state if unchecked else None
    return _resolve_and_keep(viewer, today), None


def _resolve_and_keep(viewer: Viewer, today: datetime.date) -> GrantSet:
    grants, state = _resolve(viewer)
    if state is None:
        return grants
    with _kept_lock:
        _kept[viewer] = (state, today, grants)
        _kept.move_to_end(viewer)
        while len(_kept) > KEEP_AT_MOST:
            _kept.popitem(last=False)
    return grants


def forget_kept_grants() -> None:
    """Drop every answer this process keeps (the next read of each viewer resolves again)."""
    with _kept_lock:
        _kept.clear()


# -- the cache: one resolution per request or explicit scope ----------------------------------------------------

class GrantsChanged(Exception):
    """A kept grant set turned out stale when its guard ran (row_security/statements.py): nothing was read under it.
    GrantScopeMiddleware reads the request again under a fresh one."""


@dataclass
class Scope:
    """What one request or task has resolved. In an unchecked scope (a GET request: GrantScopeMiddleware) a kept
    grant set is used without first asking the log whether it still holds: `unchecked` keeps the log state each
    was kept under until a guard or `check_unchecked` confirms it, and `changed` records that one did not hold."""

    grants: dict = field(default_factory=dict)
    unchecked: dict = field(default_factory=dict)
    trusts_kept: bool = False
    changed: bool = False


_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("grant_scope", default=None)


def grants_for(who) -> GrantSet:
    """The viewer's grant set: resolved once in the current request or scope, else now."""
    viewer = Viewer.of(who)
    if viewer.sees_nothing:
        return GrantSet(viewer)
    # A superuser's own organisations are resolved too ("only mine", explanations); visible_to never asks.
    scope = _scope.get()
    if scope is None:
        return _read(viewer)[0]
    if viewer not in scope.grants:
        grants, state = _read(viewer, unchecked=scope.trusts_kept)
        scope.grants[viewer] = grants
        if state is not None:
            scope.unchecked[viewer] = state
    return scope.grants[viewer]


def guard_ids() -> str | None:
    """While this scope uses kept grant sets no one has checked: the log ids they were all kept under, as an SQL array
    ('{4,9}'), for row_security/statements.py to send as `hub_grants_unchanged` with the next statement on a protected
    table (then `confirm_unchecked`); None when there is nothing to check."""
    scope = _scope.get()
    if scope is None or not scope.unchecked:
        return None
    ids = frozenset.intersection(*map(_log_ids, scope.unchecked.values()))
    return "{" + ",".join(map(str, sorted(ids))) + "}"


def confirm_unchecked() -> None:
    """A guard ran: the log holds no id beyond those every unchecked set was kept under, so each still holds."""
    scope = _scope.get()
    if scope is not None:
        scope.unchecked.clear()


def grants_changed() -> GrantsChanged:
    """The log moved since this scope's unchecked sets were kept: they are forgotten here and in the scope; the caller
    raises the answer, and the request is read again (GrantScopeMiddleware)."""
    scope = _scope.get()
    viewers = list(scope.unchecked) if scope is not None else []
    with _kept_lock:
        for viewer in viewers:
            _kept.pop(viewer, None)
    if scope is not None:
        scope.changed = True
        scope.grants.clear()
        scope.unchecked.clear()
    return GrantsChanged("The sharing grants changed since this process kept them.")


def check_unchecked() -> None:
    """Ask the log, in one query, about every grant set this scope still uses unchecked (a request that read no
    protected table, or is about to write); GrantsChanged if one no longer holds."""
    scope = _scope.get()
    if scope is None or not scope.unchecked:
        return
    state = _log_state()
    if any(log_moved_since(kept, state) for kept in scope.unchecked.values()):
        raise grants_changed()
    scope.unchecked.clear()


@contextlib.contextmanager
def grant_scope(*, trusts_kept: bool = False):
    """Resolve each viewer once inside this block (a request, a Celery task); forget at its end. `trusts_kept`: use
    a kept grant set without asking first (see Scope); only where a stale one can be thrown away and the work done
    again (a GET request)."""
    scope = Scope(trusts_kept=trusts_kept)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


class GrantScopeMiddleware:
    """One resolution per request: what one page reads through visible_to is decided once, and the next
    request decides again (so a protocol suspended now ends access on the next request).

    A GET or HEAD request uses the reader's kept grant set without a query of its own to check it: the check rides
    with the request's first statement on a protected table (row_security/statements.py), saving a round trip
    to the database on every page. If it finds the set stale, that statement reads nothing, and the request is
    read again from the start under a fresh set, so no page is ever answered from a stale one. A page that read no
    protected table is checked before it is answered. Other methods check first, as before: their work is not
    done twice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            with grant_scope(trusts_kept=True) as scope:
                response = None
                try:
                    response = self.get_response(request)
                except GrantsChanged:  # Django turns it into a response first (process_exception); a bare caller may not
                    if not scope.changed:
                        raise
                if not scope.changed:
                    with contextlib.suppress(GrantsChanged):  # marks the scope changed
                        check_unchecked()
                if not scope.changed:
                    return response
            # Read under a stale grant set: thrown away unsent, and read again. Its open files or streams are closed
            # (not the response itself: that would end the request for Django's signals).
            for close in getattr(response, "_resource_closers", ()):
                close()
        with grant_scope():
            return self.get_response(request)

    def process_exception(self, request, exception):
        scope = _scope.get()
        if isinstance(exception, GrantsChanged) and scope is not None and scope.changed:
            return HttpResponse(status=503)  # never sent: __call__ reads the request again
        return None


# A change to what grants are made of, within a scope, drops what the scope resolved: a request that
# changes a membership or a protocol and then reads must read under the new grants.
_GRANT_MODELS = {"crm.membership", "crm.organisation", "sharing_protocols.sharingprotocol",
                 "sharing_protocols.protocolversion", "sharing_protocols.protocoldataflow"}


def _forget_grants(sender, **kwargs):
    scope = _scope.get()
    if scope and (sender._meta.label_lower in _GRANT_MODELS or sender._meta.db_table in _share_tables()):
        scope.grants.clear()
        # The write itself was checked first (row_security/statements.py checks before any write); from here on this
        # request's own change is in the log, so it reads checked grant sets, never the ones kept before it.
        scope.trusts_kept = False


post_save.connect(_forget_grants, dispatch_uid="access.grants.forget_grants.save")
post_delete.connect(_forget_grants, dispatch_uid="access.grants.forget_grants.delete")
