"""The policies read the grant set cheaply: each function inlines into its initplan (run once per statement) and
reads a ready-made array, not the JSON document (row_security/migrations/0004)."""
import re

from django.db import connection, transaction

from partners.models import Concern
from row_security.context import viewer_context
from tests.factories import ConcernFactory


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (VERBOSE) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_policy_functions_are_inlined_and_read_ready_made_arrays_once_per_statement(council, partner_user):
    ConcernFactory(organisation=council)
    with viewer_context(partner_user), transaction.atomic():
        plan = _plan(Concern.objects.order_by("-reported_at")[:50])
        assert Concern.objects.count() == 1  # the same reader, through the same policies
    assert "current_setting('hub.own'::text, true)" in plan and "hub.providers.concerns." in plan
    # hub_personal_visible (the withholding's rule over one row, crm/migrations/0010) and hub_personal_cover inline too.
    for function in ("hub_own(", "hub_sees_all(", "hub_providers(", "hub_shared(", "hub_setting_ids(", "hub_settings_current(",
                     "hub_personal_visible(", "hub_personal_cover("):
        assert function not in plan, f"{function} was called, not inlined"
    # Every array is an InitPlan, read once per statement; the one-off shares are a hashed SubPlan, also built once
    # per statement (row_security/0005), never a sub-select run again for each row.
    subplans, hashed = set(re.findall(r"SubPlan (\d+)", plan)), set(re.findall(r"hashed SubPlan (\d+)", plan))
    assert subplans == hashed and hashed, plan
