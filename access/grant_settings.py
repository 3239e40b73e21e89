"""The viewer's grant set, handed to PostgreSQL for the current transaction.

Row-level security and the personal-field withholding in SQL read the same grant set that `visible_to`
reads (access/grants.py): the resolver's answer is written as one JSON value into the transaction-local
setting `hub.grants` (`set_config(..., true)`, the function form of `SET LOCAL`), which ends with the
transaction, so a pooled connection (PgBouncer in transaction mode) never carries it to someone else.

SQL reads it through the functions made by crm/migrations/0009_grant_settings_functions.py:

- `hub_grants()`: the JSON, or NULL when no context is set (then sensitive tables show nothing);
- `hub_sees_all()`: a named system context, or a superuser;
- `hub_own()`: the viewer's own organisations;
- `hub_providers(category, level)`: the organisations whose `category` rows the viewer receives; level is
  'official', 'sensitive', 'official_personal' or 'sensitive_personal' (GrantSet.providers's four sets);
- `hub_shared(share_table, personal)`: record ids shared one-off with the viewer (with personal data).

They are STABLE; a policy calls them inside a sub-select, cast (`col = ANY ((SELECT hub_own())::bigint[])`; without the cast PostgreSQL reads the sub-select form of ANY and compares bigint with bigint[]), so each
is evaluated once per statement, not once per row.

The document is parsed once per transaction, not by every function at every statement: `write_sql` writes, in
the same statement, each array the functions answer as a setting of its own in `bigint[]` text form
(`settings()`: every category and share table, empty ones too, so an earlier context's arrays never survive a
change of context), and row_security/migrations/0004 reads them with one `current_setting(...)::bigint[]` (since 0006
in PL/pgSQL, planned once per session rather than inlined into every statement's planning). The document written
beside the arrays leaves out the ids they carry (`_lean`). Every value is made here from integers and fixed names,
never from text a user typed.
"""
from __future__ import annotations

import json

import re
from functools import cache, lru_cache

from django.db import connection as default_connection

SETTING = "hub.grants"
LEVELS = {"official": (False, False), "sensitive": (True, False),
          "official_personal": (False, True), "sensitive_personal": (True, True)}


def grants_document(grants) -> dict:
    """The grant set as the JSON document the SQL functions read."""
    categories = sorted({flow.category for flow in grants.flows})
    shares = {table: {"any": sorted(ids), "personal": sorted(pk for pk, personal in ids.items() if personal)}
              for table, ids in grants.shares.items()}
    return {
        "context": "viewer",
        "all": grants.viewer.sees_everything,
        "own": sorted(grants.own),
        "providers": {category: {level: sorted(grants.providers(category, sensitive=s, personal=p))
                                 for level, (s, p) in LEVELS.items()} for category in categories},
        "shares": shares,
    }


def system_document(name: str) -> dict:
    """A named system context (daily collation, open-data release, migrations, the demo seed): every row."""
    if not name:
        raise ValueError("A system context needs a name, for the audit trail.")
    return {"context": "system", "name": name, "all": True, "own": [], "providers": {}, "shares": {}}


# -- the settings the SQL functions read --------------------------------------------------------------------------

_PLAIN = re.compile(r"[a-z0-9_]+")


def _plain(name: str) -> str:
    if not _PLAIN.fullmatch(name):
        raise ValueError(f"Not a plain setting name: {name!r}")
    return name


def _array(ids) -> str:
    return "{" + ",".join(str(int(pk)) for pk in sorted(ids)) + "}"


@cache
def _names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every data category and every share table: the arrays written at every write, empty or not."""
    from access.grants import _share_tables
    from access.sources import grant_sources

    return tuple(map(_plain, grant_sources().data_categories())), tuple(map(_plain, _share_tables()))


def settings(document: dict | None) -> dict[str, str]:
    """Every setting a write sets, for `document` (None: no context): the document, and each array ready-made."""
    document = document or {}
    categories, share_tables = _names()
    providers, shares = document.get("providers", {}), document.get("shares", {})
    values = {SETTING: json.dumps(_lean(document), separators=(",", ":")) if document else "",
              "hub.all": "on" if document.get("all") is True else "", "hub.own": _array(document.get("own", ()))}
    for category in sorted({*categories, *map(_plain, providers)}):
        for level in LEVELS:
            values[f"hub.providers.{category}.{level}"] = _array(providers.get(category, {}).get(level, ()))
    for table in sorted({*share_tables, *map(_plain, shares)}):
        for kind in ("any", "personal"):
            values[f"hub.shared.{table}.{kind}"] = _array(shares.get(table, {}).get(kind, ()))
    return values


def _lean(document: dict) -> dict:
    """The document as written beside its arrays: without the providers' and shares' ids, which the arrays carry
    (the functions read them there while `hub.derived_from` marks the arrays as written with this document). It
    was half the payload (a partner's thousand one-off shares, twice), written again, and copied into the mark."""
    return {key: value for key, value in document.items() if key not in ("providers", "shares")}


def settings_json(document: dict | None) -> str:
    """The one parameter `write_sql` takes."""
    return json.dumps(settings(document), separators=(",", ":"))


@cache
def no_context_json() -> str:
    return settings_json(None)


@lru_cache(maxsize=512)
def for_a_fresh_transaction(setting: str) -> str:
    """`setting` (a settings_json) without its empty arrays, for a statement that is a transaction of its own
    (autocommit): there no earlier context's arrays can survive to be cleared, since a transaction-local setting
    ends with its transaction and a session-wide one is always cleared again at once (row_security/statements.py),
    and an array never set reads empty (`_ids` in row_security/migrations/0006). Most of a viewer's forty-odd arrays
    are empty: leaving them out saves their set_config calls on every such statement (about 0.08 ms here).
    Made once per setting (a kept grant set's is one string, hashed once)."""
    values = json.loads(setting)
    return json.dumps({name: value for name, value in values.items() if value != "{}" or not name.startswith(_ARRAYS)},
                      separators=(",", ":"))


_ARRAYS = ("hub.providers.", "hub.shared.")


def write_sql(*, local: bool = True, placeholder: str = "%s") -> str:
    """One statement setting every setting in the JSON object `placeholder` (settings_json), then marking the arrays
    as derived from the document written (`hub.derived_from`; the functions fall back to the document where the
    mark differs). Built-in functions only, so it runs before the hub's own functions exist (early migrations).
    Every set_config is evaluated (the aggregate reads them all); the mark is set after them."""
    scope = "true" if local else "false"
    return (f"SELECT set_config('hub.derived_from', string_agg(CASE WHEN s.name = '{SETTING}' THEN set_config(s.name, s.value, {scope}) "
            f"ELSE left(set_config(s.name, s.value, {scope}), 0) END, ''), {scope}) "
            f"FROM jsonb_each_text({placeholder}::jsonb) AS s(name, value)")


WRITE_LOCAL = write_sql(local=True)


def write(document: dict | None, *, using=None) -> None:
    """Set (or, with None, clear) the grant set for the rest of the current transaction."""
    connection = using or default_connection
    with connection.cursor() as cursor:
        cursor.execute(WRITE_LOCAL, [settings_json(document)])


def read(*, using=None) -> dict | None:
    """The grant set the current transaction carries (None: no context)."""
    connection = using or default_connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT hub_grants()::text")
        value = cursor.fetchone()[0]
    return None if value is None else json.loads(value)
