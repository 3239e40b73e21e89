"""Which tables row-level security guards, and their policies: both generated from the models.

A table is protected when its model's manager has `visible_to` and the model carries a data category
(`DATA_CATEGORY`: the records protocols share), or its rows are owned through such a parent (a child
queryset: an engagement's issues, a priority's actions); its django-pghistory history tables are protected
with it. `EXEMPT` names each other model with `visible_to` and why it is left out; a test fails for a model
in neither list, so a new sensitive model cannot be forgotten.

The policies say what `visible_to` says, from the grant set in `hub.grants` (access/grant_settings.py):

- read: a system context; the viewer's own organisations; the providers whose rows a live protocol flow
  gives them for the table's category (at OFFICIAL, or OFFICIAL-SENSITIVE where the protocol allows it);
  records shared one-off with them; a model's READER_ORGANISATION_FIELD names one more organisation that may read
  the row (a police response is read by the partner that reported the concern). A child row: when its parent
  row is readable (the parent's policy);
- insert, update (the new row) and delete: a system context, or the viewer's own organisations. An update
  may find any readable row, so a change to another organisation's row fails loudly (WITH CHECK), not
  quietly as "no row".

One-off shares are guarded too, though they have no visible_to: they are an input of the grant set (like
memberships), but they name which record went to which organisation. Read: a system context; the organisation
that shared (`sharing_organisation`, the record's holder); the organisation whose group it was shared with.
Insert, update (the new row) and delete: a system context, or the organisation that shared. The resolver reads
them before any grant set exists, under a first context of its own holding only the viewer's own organisations
(access/grants.py `_resolve`): exactly the shares addressed to those organisations, which is what it reads.

The disclosure log is guarded too (`disclosure_log_spec`): an organisation reads the entries filed under it (its
reads and acts) or about its records (as holder), and every step of the protocols it leads or is a party to
(the log's page shows its information governance those); it appends only such entries (a protocol's last
signature puts the version in force, an entry filed under no one whose holder is the lead, written by any
party); there is no UPDATE or DELETE policy at all, so no context changes or removes an entry. Entries written
before the holder was kept (`holder_organisation` empty) are read by the organisation they were filed under
only: the holder cannot be added without breaking the hash chain, whose digest covers it once present. The chain
crosses organisations: a writer reads the last hash through `hub_disclosure_chain_head()` (migration 0006), which
opens the table to its own one statement (`hub.disclosure_chain_head`) and returns only that hash; the verifier
reads in a named, audited system context (sharing_protocols/disclosures.py).

Each policy's comment holds the spec it was made from, so tests/row_security can compare what the database
enforces with what the models say today.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from django.db import migrations

POLICIES = ("hub_read", "hub_insert", "hub_update", "hub_delete")
OFFICIAL = "official"  # sharing_protocols.models.Classification.OFFICIAL

# Models with visible_to that are not sensitive records shared under protocols: own-organisation working
# records, read before a viewer is known, or read by information governance across organisations.
EXEMPT = {
    "crm.User": "people, not records: read to sign in, before any grant set exists",
    "crm.Membership": "an input of the grant set itself: the resolver reads it before any grant set exists",
    "crm.AuditEvent": "the audit trail: written by system contexts and read by information governance",
    "crm.Questionnaire": "a force's questionnaire wording: no personal data, never shared by protocol",
    "crm.QuestionnaireQuestion": "a questionnaire's questions: no personal data",
    "partners.ConcernImportJob": "an upload's progress and errors, read by the job sweeper across organisations",
    "partners.PartnerApiKey": "read to authenticate an API call, before the caller's grant set exists",
    "partners.NeighbourhoodDigest": "a team's digest bookkeeping: counts, written by the collation",
    "reports.ReportRun": "a report's bookkeeping: its files carry their own disclosure entries",
    "publication.Screening": "screening verdicts on public wording, read by the public pages",
    "digital.ConversationImport": "an upload's progress and errors, read by the job sweeper across organisations",
    "digital.MeetingQuestion": "questions sent to a public online meeting",
    "digital.TextAnalysis": ("topics in issues raised and concerns: read by the job sweeper across organisations; shown only to its "
                             "own organisation, and only while the reader may read every text it was built from"),
    "retention.RetentionSchedule": "retention rules: no personal data",
    "retention.DueItem": "the retention worklist: ids and dates, read by the nightly run across organisations",
    "retention.RetentionDecision": "retention decisions: ids and reasons",
    "retention.LegalHold": "legal holds: ids and reasons",
    "subject_access.DataSubjectRequest": "requests about personal data, read by the morning reminder across organisations",
    "documents.DocumentBuild": "a document's bookkeeping, read by the job sweeper; its file is read through its own page's check",
}


# Sensitive tables whose policies are not installed yet: each needs its reads and writes checked under the
# policies first (which paths read them outside a viewer's request). Every sensitive table is guarded now
# (migrations 0001: concerns and contacts; 0002: the rest); a new one waits here until its migration lands.
NOT_YET_GUARDED: set[str] = set()


@dataclass(frozen=True)
class TableSpec:
    """What a table's policies need: its owner column, category, classification column and share table;
    or, for a child, its parent's table and the column pointing to it."""

    table: str
    organisation_column: str = ""
    category: str = ""
    classification_column: str = ""
    share_table: str = ""
    parent_table: str = ""
    parent_column: str = ""
    parent_organisation_column: str = ""
    reader_column: str = ""  # one more organisation that may read the row (not write it)
    recipient_group_column: str = ""  # a one-off share: the group (of an organisation) that may read the row
    holder_column: str = ""  # the disclosure log: the organisation whose record an entry is about

    @property
    def policies(self) -> tuple[str, ...]:
        """The policies the table carries: the disclosure log is appended to, never changed."""
        return ("hub_read", "hub_insert") if self.holder_column else POLICIES

    def comment(self) -> str:
        spec = asdict(self)
        for later in ("reader_column", "recipient_group_column", "holder_column"):
            if not spec[later]:
                del spec[later]  # so the tables guarded before it existed keep their comments
        return "row_security " + json.dumps(spec, sort_keys=True)


# -- from the models ------------------------------------------------------------------------------------------

def _has_visible_to(model) -> bool:
    return hasattr(model._default_manager.get_queryset(), "visible_to")


def _parent_field(model) -> str:
    return getattr(model._default_manager.get_queryset(), "parent_field", "") or ""


def is_sensitive(model) -> bool:
    if not _has_visible_to(model):
        return False
    if getattr(model, "DATA_CATEGORY", None):
        return True
    parent = _parent_field(model)
    return bool(parent) and is_sensitive(model._meta.get_field(parent).related_model)


def sensitive_models() -> list:
    from django.apps import apps

    return [model for model in apps.get_models() if is_sensitive(model)]


def _spec(model, table: str) -> TableSpec:
    from sharing_protocols.shares import share_model_for

    parent = _parent_field(model)
    if parent:
        parent_model = model._meta.get_field(parent).related_model
        parent_queryset = parent_model._default_manager.get_queryset()
        return TableSpec(table=table, parent_table=parent_model._meta.db_table, parent_column=f"{parent}_id",
                         parent_organisation_column=f"{parent_queryset.organisation_lookup}_id")
    share_model = share_model_for(model)
    reader = getattr(model, "READER_ORGANISATION_FIELD", "")
    return TableSpec(
        table=table,
        reader_column=model._meta.get_field(reader).column if reader else "",
        organisation_column=f"{model._default_manager.get_queryset().organisation_lookup}_id",
        category=str(model.DATA_CATEGORY),
        classification_column=getattr(model, "CLASSIFICATION_FIELD", ""),
        share_table=share_model._meta.db_table if share_model else "",
    )


def share_spec(share_model) -> TableSpec:
    """A one-off share table: written by the organisation that shared, read by it and by the recipient's group."""
    return TableSpec(table=share_model._meta.db_table,
                     organisation_column=share_model._meta.get_field("sharing_organisation").column,
                     recipient_group_column=share_model._meta.get_field("group").column)


def disclosure_log_spec() -> TableSpec:
    from sharing_protocols.models import DisclosureEntry

    return TableSpec(table=DisclosureEntry._meta.db_table, organisation_column=DisclosureEntry._meta.get_field("organisation").column,
                     holder_column=DisclosureEntry._meta.get_field("holder_organisation").column)


def protected_tables(*, include_not_yet_guarded: bool = False) -> list[TableSpec]:
    """Every protected table (the models' and their history tables', the one-off shares' and the disclosure log), as
    the models say today."""
    from sharing_protocols.shares import share_models

    specs = [share_spec(share_model) for share_model in share_models().values()] + [disclosure_log_spec()]
    for model in sensitive_models():
        specs.append(_spec(model, model._meta.db_table))
        for event_model in sorted(set(getattr(model, "pgh_event_models", {}).values()), key=lambda m: m._meta.db_table):
            specs.append(_spec(model, event_model._meta.db_table))  # a history row copies its record's columns
    return sorted((spec for spec in specs if include_not_yet_guarded or spec.table not in NOT_YET_GUARDED), key=lambda spec: spec.table)


# -- the SQL ----------------------------------------------------------------------------------------------------

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The setting hub_disclosure_chain_head() turns on for its own one statement (row_security/migrations/0006).
CHAIN_HEAD_SETTING = "hub.disclosure_chain_head"


def _protocol_steps_condition() -> str:
    """A disclosure entry recording a step of a protocol the viewer's organisations lead or are a party to."""
    from sharing_protocols.models import ProtocolParty, ProtocolVersion, SharingProtocol

    version, protocol, party = (_q(model._meta.db_table) for model in (ProtocolVersion, SharingProtocol, ProtocolParty))
    mine = "ANY ((SELECT hub_own())::bigint[])"
    return (f"(record_type = {_literal(ProtocolVersion._meta.label_lower)} AND record_id IN (SELECT v.id::text FROM {version} v "
            f"WHERE v.protocol_id IN (SELECT p.id FROM {protocol} p WHERE p.lead_organisation_id = {mine}) "
            f"OR v.protocol_id IN (SELECT pv.protocol_id FROM {version} pv JOIN {party} pp ON pp.version_id = pv.id "
            f"WHERE pp.organisation_id = {mine})))")


def own_condition(spec: TableSpec) -> str:
    if spec.holder_column:  # the disclosure log: what an organisation may append (and read)
        return (f"(SELECT hub_sees_all()) OR {_q(spec.organisation_column)} = ANY ((SELECT hub_own())::bigint[]) "
                f"OR {_q(spec.holder_column)} = ANY ((SELECT hub_own())::bigint[]) OR {_protocol_steps_condition()}")
    if spec.parent_table:
        return (f"(SELECT hub_sees_all()) OR EXISTS (SELECT 1 FROM {_q(spec.parent_table)} parent "
                f"WHERE parent.id = {_q(spec.table)}.{_q(spec.parent_column)} "
                f"AND parent.{_q(spec.parent_organisation_column)} = ANY ((SELECT hub_own())::bigint[]))")
    return f"(SELECT hub_sees_all()) OR {_q(spec.organisation_column)} = ANY ((SELECT hub_own())::bigint[])"


def read_condition(spec: TableSpec, *, hashed_shares: bool = True) -> str:
    if spec.holder_column:
        return (f"{own_condition(spec)} "
                f"OR (SELECT pg_catalog.current_setting({_literal(CHAIN_HEAD_SETTING)}, true) = 'on')")
    if spec.recipient_group_column:
        from organisations.models import Organisation

        organisation = Organisation._meta
        return (f"{own_condition(spec)} OR {_q(spec.recipient_group_column)} IN (SELECT recipient.{_q(organisation.get_field('group').column)} "
                f"FROM {_q(organisation.db_table)} recipient WHERE recipient.id = ANY ((SELECT hub_own())::bigint[]))")
    if spec.parent_table:
        # The parent's own read policy applies inside this sub-select: a child is readable with its parent.
        return (f"(SELECT hub_sees_all()) OR EXISTS (SELECT 1 FROM {_q(spec.parent_table)} parent "
                f"WHERE parent.id = {_q(spec.table)}.{_q(spec.parent_column)})")
    column, category = _q(spec.organisation_column), _literal(spec.category)
    parts = [own_condition(spec)]
    if spec.classification_column:
        parts.append(f"{column} = ANY ((SELECT hub_providers({category}, 'sensitive'))::bigint[])")
        parts.append(f"({_q(spec.classification_column)} = {_literal(OFFICIAL)} "
                     f"AND {column} = ANY ((SELECT hub_providers({category}, 'official'))::bigint[]))")
    else:
        parts.append(f"{column} = ANY ((SELECT hub_providers({category}, 'official'))::bigint[])")
    if spec.share_table:
        # IN over the unnested ids, not `= ANY` of the array: PostgreSQL hashes the sub-select once per statement,
        # where `= ANY` of a sub-select's array searches it row by row (a partner with 800 shares: a capped list
        # count of 10,001 rows went from about 190 to 17 ms in the policy alone).
        shared = f"hub_shared({_literal(spec.share_table)}, false)"
        parts.append(f"id IN (SELECT unnest({shared}))" if hashed_shares else f"id = ANY ((SELECT {shared})::bigint[])")
    if spec.reader_column:
        parts.append(f"{_q(spec.reader_column)} = ANY ((SELECT hub_own())::bigint[])")
    return " OR ".join(parts)


def install_sql(spec: TableSpec, *, hashed_shares: bool = True) -> str:
    table, read, own = _q(spec.table), read_condition(spec, hashed_shares=hashed_shares), own_condition(spec)
    comment = _literal(spec.comment())
    statements = {
        "hub_read": f"CREATE POLICY hub_read ON {table} FOR SELECT USING ({read});",
        "hub_insert": f"CREATE POLICY hub_insert ON {table} FOR INSERT WITH CHECK ({own});",
        "hub_update": f"CREATE POLICY hub_update ON {table} FOR UPDATE USING ({read}) WITH CHECK ({own});",
        "hub_delete": f"CREATE POLICY hub_delete ON {table} FOR DELETE USING ({own});",
    }
    return "\n".join([
        drop_sql(spec),
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;",
        *(statements[name] for name in spec.policies),
        *(f"COMMENT ON POLICY {name} ON {table} IS {comment};" for name in spec.policies),
    ])


def drop_sql(spec: TableSpec) -> str:
    table = _q(spec.table)
    return "\n".join([*(f"DROP POLICY IF EXISTS {name} ON {table};" for name in POLICIES),
                      f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;",
                      f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;"])


def install(specs: list[TableSpec]) -> migrations.RunSQL:
    """The migration operation that guards `specs` (and, reversed, leaves them unguarded)."""
    return migrations.RunSQL("\n".join(install_sql(spec) for spec in specs),
                             "\n".join(drop_sql(spec) for spec in reversed(specs)))


def installed(using=None) -> dict[str, dict]:
    """What the database enforces now: table -> {"rls": (enabled, forced), "policies": {name: spec comment}}."""
    from django.db import connection as default_connection

    connection = using or default_connection
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, p.polname, obj_description(p.oid, 'pg_policy')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            LEFT JOIN pg_policy p ON p.polrelid = c.oid
            WHERE c.relkind = 'r' AND (c.relrowsecurity OR p.oid IS NOT NULL)""")
        result: dict[str, dict] = {}
        for table, enabled, forced, policy, comment in cursor.fetchall():
            entry = result.setdefault(table, {"rls": (enabled, forced), "policies": {}})
            if policy:
                entry["policies"][policy] = comment
        return result
