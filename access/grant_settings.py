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

They are STABLE; a policy calls them inside a sub-select, cast (`col = ANY ((SELECT hub_own())::bigint[])`; without the cast PostgreSQL reads the sub-select form of ANY and compares bigint with bigint[]), so the JSON is
read once per statement, not once per row.
"""
from __future__ import annotations

import json

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


def write(document: dict | None, *, using=None) -> None:
    """Set (or, with None, clear) the grant set for the rest of the current transaction."""
    connection = using or default_connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, "" if document is None else json.dumps(document)])


def read(*, using=None) -> dict | None:
    """The grant set the current transaction carries (None: no context)."""
    connection = using or default_connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT hub_grants()::text")
        value = cursor.fetchone()[0]
    return None if value is None else json.loads(value)
