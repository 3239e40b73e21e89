"""The grant-set functions that call hub_grants() find it in the public schema whatever the session's search_path.

pg_dump (and any client that empties search_path, as secure tools do) reads through the policies with an empty
search_path, where an unqualified hub_grants() does not resolve; pinning it also stops a caller's schema from
shadowing the function the policies trust. hub_grants() and hub_personal_visible() call no other function and
stay as they are (hub_personal_visible is inlined into the withholding's column expressions)."""
from django.db import migrations

PINNED = ("hub_own()", "hub_sees_all()", "hub_providers(text, text)", "hub_shared(text, boolean)",
          "hub_personal_cover(text, boolean)")


class Migration(migrations.Migration):
    dependencies = [("row_security", "0002_engagements_groups_priorities"), ("crm", "0010_personal_visible_functions")]

    operations = [
        migrations.RunSQL(
            sql=[f"ALTER FUNCTION public.{function} SET search_path = public" for function in PINNED],
            reverse_sql=[f"ALTER FUNCTION public.{function} RESET search_path" for function in PINNED],
        ),
    ]
