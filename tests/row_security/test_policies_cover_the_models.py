"""Every sensitive model's table, and its history tables, carries the policies its model calls for today."""
import pytest

from row_security import policies

pytestmark = pytest.mark.django_db


def test_every_model_with_visible_to_is_protected_or_exempt_with_a_reason():
    from django.apps import apps

    with_visible_to = {model._meta.label for model in apps.get_models() if policies._has_visible_to(model)}
    sensitive = {model._meta.label for model in policies.sensitive_models()}
    unaccounted = with_visible_to - sensitive - set(policies.EXEMPT)
    assert not unaccounted, f"{sorted(unaccounted)} have visible_to but neither policies nor a reason in row_security.policies.EXEMPT"
    assert not sensitive & set(policies.EXEMPT), "a sensitive model is also listed as exempt"
    assert set(policies.EXEMPT) <= with_visible_to, "EXEMPT names a model that no longer has visible_to"


def test_the_database_enforces_the_policies_the_models_call_for():
    installed = policies.installed()
    missing = [spec.table for spec in policies.protected_tables()
               if installed.get(spec.table, {}).get("rls") != (True, True)
               or installed[spec.table]["policies"] != dict.fromkeys(spec.policies, spec.comment())]
    assert not missing, f"These tables lack the row-level security their models call for; add a migration with row_security.policies.install([...]): {missing}"


def test_a_table_waiting_for_its_policies_is_a_sensitive_one_and_none_is_half_guarded():
    every = {spec.table for spec in policies.protected_tables(include_not_yet_guarded=True)}
    assert policies.NOT_YET_GUARDED <= every, "NOT_YET_GUARDED names a table no sensitive model has"
    assert not policies.NOT_YET_GUARDED & set(policies.installed())


def test_no_table_is_guarded_by_a_policy_no_model_asks_for():
    assert set(policies.installed()) <= {spec.table for spec in policies.protected_tables()}


def test_concerns_and_contacts_and_their_history_are_guarded():
    tables = {spec.table for spec in policies.protected_tables()}
    assert {"partners_concern", "partners_concernevent", "crm_contact", "crm_contactevent"} <= tables


def test_the_one_off_shares_and_the_disclosure_log_are_guarded_and_the_log_is_never_changed():
    from sharing_protocols.models import ConcernShare, DisclosureEntry

    installed = policies.installed()
    assert installed[ConcernShare._meta.db_table]["rls"] == (True, True)
    log = installed[DisclosureEntry._meta.db_table]
    assert log["rls"] == (True, True) and set(log["policies"]) == {"hub_read", "hub_insert"}, "no UPDATE or DELETE policy"
