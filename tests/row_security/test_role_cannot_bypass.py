"""The second lock holds only if PostgreSQL applies the policies to the hub's own role: a superuser or a role with
BYPASSRLS skips them even on tables with FORCE ROW LEVEL SECURITY. The set-up makes the role without either, and a
database system check (run by `migrate`) refuses to go on if a deployment connects as one that has either."""
from django.db import connection

from row_security import checks


def test_the_hub_connects_as_a_role_that_is_not_a_superuser_and_cannot_bypass_row_level_security(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
    assert checks.the_hub_role_cannot_bypass_row_security(databases=["default"]) == []


def test_a_role_that_bypasses_row_level_security_is_an_error_in_plain_english():
    error = checks.bypass_error("hub", "hub_owner", superuser=False)
    assert error.id == "row_security.E001" and error.is_serious()
    assert "'hub_owner', which has BYPASSRLS" in error.msg and "ignores every row-level security policy" in error.msg
    assert "NOSUPERUSER NOBYPASSRLS" in error.hint
    assert "is a superuser" in checks.bypass_error("hub", "postgres", superuser=True).msg
