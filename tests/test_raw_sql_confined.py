"""Raw SQL over sensitive tables lives only in the access layer and in the places listed here, each with its reason.

Raw SQL skips `visible_to` and the personal columns' withholding (access/withholding.py): a cursor reads the
table's real columns. So a module that both runs raw SQL (a cursor, `.raw()`, `RawSQL`, `.extra()`, COPY) and
names a sensitive table (a sensitive model's `_meta.db_table`, the table's name, or any `model._meta.db_table`)
must be listed below with why it may. A new one fails this test: read through `Model.objects.visible_to(user)`,
or add it here with its reason for the reviewer to judge. Migrations (schema and SQL functions), `bench/` (its
own databases) and `tests/` (which check what the tables hold) are outside the rule.
"""
import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE_THE_RULE = ("tests/", "bench/", "node_modules/", ".venv/", "frontend/")

ALLOWED = {
    # The access layer.
    "access/grants.py": "the access layer: resolves the viewer's grant set (memberships, live flows, one-off share tables) in one query",
    "row_security/policies.py": "the access layer's second lock: writes each sensitive table's row-level security policies and reads what the database enforces",
    # Database triggers: SQL the database runs on a write, under the writer's own row-level security.
    "sharing_protocols/models.py": "a trigger sets each one-off share's sharing organisation from the shared record's holder, read under the writer's own row-level security",
    # System work over every row, by design; row-level security gives it a named system context.
    "partners/collation/services.py": "the daily collation places every unplaced concern in its neighbourhood and LSOA (one UPDATE … FROM)",
    "retention/record_classes.py": "the retention schedule anonymises records and their history rows in set-based UPDATEs",
    "partners/demo.py": "the demo seed writes its bulk concerns with COPY and removes the previous run's",
    "crm/demo.py": "the demo seed removes the previous run's demo users and their memberships",
    # Operators' tools, never reached by a request.
    "cluster/faults.py": "the fault run holds a lock on the concerns table to catch a worker mid-import, and counts what an import wrote",
    "digital/analysis_text.py": "retention: finds the topic analyses that read a concern or issue whose text has since been removed (named system work; ids and the removal marker only)",
    "jobs/worker.py": "the background-job claim and heartbeat UPDATE the job bookkeeping columns of any job table (imports among them)",
    # Writes of the acting organisation's own rows, in the service that validated them.
    "partners/imports/writer.py": "a validated concern import commits INSERT … SELECT from its staging table, as the importing organisation's rows",
    "digital/writer.py": "a validated conversation import commits INSERT … SELECT from its staging table, as the importing organisation's posts",
    "digital/services.py": "the topic analysis writes topic and category ids onto the analysed organisation's own posts (no personal column)",
}

RAW_SQL = re.compile(r"\.execute(many)?\(|\.raw\(|\bRawSQL\(|\.extra\(|\.copy\(\s*f?[\"']COPY")
ANY_TABLE = re.compile(r"\b[a-z_]+\._meta\.db_table|\bmeta\.db_table")


def sensitive_models() -> list:
    """Models read through visible_to (an OrganisationScopedQuerySet manager), their one-off share models, and
    the history (pghistory event) models that copy them."""
    from access.visibility import OrganisationScopedQuerySet
    from sharing_protocols.models import OneOffShare

    scoped = {model for model in apps.get_models()
              if isinstance(model._default_manager.all(), OrganisationScopedQuerySet) or issubclass(model, OneOffShare)}
    history = {model for model in apps.get_models()
               if any(getattr(field, "related_model", None) in scoped for field in model._meta.fields if field.name == "pgh_obj")}
    return sorted(scoped | history, key=lambda model: model._meta.label)


def sensitive_references(models) -> re.Pattern:
    names = [re.escape(model.__name__) + r"\._meta\.db_table" for model in models]
    tables = [r"\b" + re.escape(model._meta.db_table) + r"\b" for model in models]
    return re.compile("|".join([*names, *tables, ANY_TABLE.pattern]))


def modules_with_raw_sql_over_sensitive_tables() -> dict[str, str]:
    references = sensitive_references(sensitive_models())
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(OUTSIDE_THE_RULE) or "/migrations/" in relative:
            continue
        source = path.read_text(encoding="utf-8")
        if RAW_SQL.search(source) and (match := references.search(source)):
            found[relative] = match.group(0)
    return found


@pytest.fixture(scope="module")
def found():
    return modules_with_raw_sql_over_sensitive_tables()


def test_no_module_outside_the_list_runs_raw_sql_over_a_sensitive_table(found):
    unexpected = {path: table for path, table in found.items() if path not in ALLOWED}
    assert not unexpected, (
        f"Raw SQL over sensitive tables outside the access layer: {unexpected}. Read through "
        "Model.objects.visible_to(user), or list the module in ALLOWED with the reason it must.")


def test_every_listed_module_still_needs_its_place(found):
    assert sorted(set(ALLOWED) - set(found)) == [], "Listed but no longer running raw SQL over a sensitive table: remove it."


def test_the_check_sees_a_cursor_over_a_sensitive_table(tmp_path):
    """The check can fail: a module reading partners_concern through a cursor is caught, a plain ORM one is not."""
    references = sensitive_references(sensitive_models())
    leaking = 'cursor.execute(f"SELECT reporter_name FROM {Concern._meta.db_table}")'
    assert RAW_SQL.search(leaking) and references.search(leaking)
    assert references.search('cursor.execute("SELECT * FROM crm_contact")')
    assert references.search("cursor.execute(\"SELECT * FROM partners_concernevent\")")
    assert not RAW_SQL.search("Concern.objects.visible_to(user).values('pk')")
