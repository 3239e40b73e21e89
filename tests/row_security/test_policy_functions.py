"""The policies read the grant set cheaply: each policy function runs in an InitPlan (once per statement) and reads a
ready-made array, not the JSON document (row_security/migrations/0004); it is PL/pgSQL, planned once per session,
so planning a statement no longer inlines and analyses the functions' bodies (0006)."""
import re

from django.db import connection, transaction

from partners.models import Concern
from row_security.context import viewer_context
from tests.factories import ConcernFactory

POLICY_FUNCTIONS = ("hub_own", "hub_sees_all", "hub_providers", "hub_shared")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (VERBOSE) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_policy_functions_run_once_per_statement_in_initplans_and_are_not_inlined_into_planning(council, partner_user):
    ConcernFactory(organisation=council)
    with viewer_context(partner_user), transaction.atomic():
        plan = _plan(Concern.objects.order_by("-reported_at")[:50])
        assert Concern.objects.count() == 1  # the same reader, through the same policies
    # Nothing of their bodies was inlined into the statement's plan: no settings read there, no helper functions.
    for inlined in ("hub.own", "hub.all", "hub.providers.", "hub.shared.", "hub.derived_from", "hub_setting_ids(",
                    "hub_settings_current(", "hub_document_ids("):
        assert inlined not in plan, f"{inlined} was inlined into the plan"
    # Each call is the whole output of an InitPlan's Result (evaluated once per statement), or of the one-off shares'
    # hashed SubPlan, also built once per statement (row_security/0005); never a filter evaluated row by row.
    lines = plan.splitlines()
    for number, line in enumerate(lines):
        if any(f"{function}(" in line for function in POLICY_FUNCTIONS) and "Output:" in line:
            above = "\n".join(lines[max(0, number - 3):number])
            assert re.search(r"(InitPlan \d+|ProjectSet)", above), plan
    filters = [line for line in lines if "Filter:" in line]
    assert all(f"{function}(" not in line for line in filters for function in POLICY_FUNCTIONS), plan
    subplans, hashed = set(re.findall(r"SubPlan (\d+)", plan)), set(re.findall(r"hashed SubPlan (\d+)", plan))
    assert subplans == hashed and hashed, plan
    # hub_personal_visible (the withholding's rule over one row, crm/migrations/0010) and hub_personal_cover still inline.
    assert "hub_personal_visible(" not in plan and "hub_personal_cover(" not in plan


def test_the_policy_functions_are_plpgsql_and_name_everything_with_its_schema(db):
    with connection.cursor() as cursor:
        cursor.execute("""SELECT p.proname, l.lanname, p.provolatile, p.proconfig, p.prosrc FROM pg_proc p
                          JOIN pg_language l ON l.oid = p.prolang WHERE p.proname = ANY (%s)""", [list(POLICY_FUNCTIONS)])
        found = {name: (language, volatility, config, source) for name, language, volatility, config, source in cursor.fetchall()}
    assert set(found) == set(POLICY_FUNCTIONS)
    for name, (language, volatility, config, source) in found.items():
        assert (language, volatility, config) == ("plpgsql", "s", None), name
        # Every function called names its schema (pg_dump's empty search_path; no caller's schema can shadow it).
        called = set(re.findall(r"([a-z_.]+)\(", source)) - {"coalesce", "nullif", "ARRAY"}
        assert all(function.startswith(("pg_catalog.", "public.")) for function in called), (name, called)
