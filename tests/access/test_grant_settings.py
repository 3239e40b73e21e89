"""The grant set handed to PostgreSQL for one transaction (access/grant_settings.py) says what the resolver says."""
import json

import pytest
from django.db import transaction

from access import grant_settings
from access.grants import grants_for
from tests.factories import ContactFactory


def _sql(expression):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression}")
        return cursor.fetchone()[0]


def test_sql_reads_the_partners_grant_set_as_the_resolver_gives_it(force, council, team, partner_user):
    from tests.sharing_protocols.conftest import publish_protocol

    ContactFactory(organisation=team)
    publish_protocol(provider=force, recipient=council, categories=("contacts",))
    grants = grants_for(partner_user)
    with transaction.atomic():
        grant_settings.write(grant_settings.grants_document(grants))
        assert set(_sql("hub_own()")) == set(grants.own) == {council.pk}
        assert set(_sql("hub_providers('contacts', 'official')")) == set(grants.providers("contacts"))
        assert team.pk in _sql("hub_providers('contacts', 'official')")
        assert _sql("hub_providers('engagements', 'official')") == []
        assert _sql("hub_sees_all()") is False


@pytest.mark.django_db(transaction=True)
def test_the_setting_lasts_for_its_transaction_only(council, partner_user):
    with transaction.atomic():
        grant_settings.write(grant_settings.grants_document(grants_for(partner_user)))
        with transaction.atomic():  # a savepoint keeps it
            assert grant_settings.read()["own"] == [council.pk]
    # In autocommit each statement is its own transaction: what one wrote, the next does not see.
    grant_settings.write(grant_settings.system_document("daily collation"))
    assert grant_settings.read() is None


def test_no_context_grants_nothing_and_a_system_context_has_a_name(db):
    with transaction.atomic():
        grant_settings.write(None)
        assert _sql("hub_grants()") is None
        assert _sql("hub_sees_all()") is False and _sql("hub_own()") == []
        grant_settings.write(grant_settings.system_document("open-data release"))
        assert _sql("hub_sees_all()") is True
    with pytest.raises(ValueError):
        grant_settings.system_document("")


def test_a_change_of_context_in_one_transaction_leaves_none_of_the_last_contexts_arrays(force, council, team, partner_user):
    from tests.sharing_protocols.conftest import publish_protocol

    publish_protocol(provider=force, recipient=council, categories=("contacts",))
    with transaction.atomic():
        grant_settings.write(grant_settings.grants_document(grants_for(partner_user)))
        assert team.pk in _sql("hub_providers('contacts', 'official')")
        grant_settings.write({"context": "viewer", "all": False, "own": [force.pk], "providers": {}, "shares": {}})
        assert _sql("hub_providers('contacts', 'official')") == [] and _sql("hub_own()") == [force.pk]
        grant_settings.write(None)
        assert _sql("hub_own()") == [] and _sql("hub_sees_all()") is False


def test_the_functions_read_ready_made_arrays_and_the_document_itself_when_it_was_written_another_way(council, partner_user):
    with transaction.atomic():
        grant_settings.write(grant_settings.system_document("open-data release"))
        assert _sql("current_setting('hub.all')") == "on" and _sql("hub_settings_current()") is True
        # Written past write_sql (a client's PGOPTIONS, as the cluster's pg_dump does): the arrays no longer match it,
        # so the functions read the document, and the system context written before does not linger.
        _sql(f"set_config('hub.grants', '{{\"all\": false, \"own\": [{council.pk}]}}', true)")
        assert _sql("hub_settings_current()") is False
        assert _sql("hub_sees_all()") is False and _sql("hub_own()") == [council.pk]


@pytest.mark.parametrize("document", [
    {"own": ["1}'); SELECT 1; --"]},
    {"own": [], "providers": {"concerns.official": {"official": [1]}}},
    {"own": [], "providers": {"concerns' || 'x": {"official": [1]}}},
    {"own": [], "shares": {"sharing_protocols_concernshare.any": {"any": [1]}}},
])
def test_the_settings_are_made_only_of_integers_and_plain_names_so_no_text_can_forge_another_array(document):
    # Every value comes from the resolver (ids, data categories, share tables); a value that is not an integer or a
    # plain name is refused, so no text typed into the hub could name or fill another setting.
    with pytest.raises(ValueError):
        grant_settings.settings(document)


def test_every_category_and_share_table_is_written_at_every_write_empty_or_not(db):
    values = grant_settings.settings(None)
    assert values["hub.grants"] == "" and values["hub.all"] == "" and values["hub.own"] == "{}"
    assert values["hub.providers.concerns.sensitive"] == values["hub.shared.sharing_protocols_concernshare.any"] == "{}"
    assert grant_settings.settings(grant_settings.system_document("daily collation"))["hub.all"] == "on"


@pytest.mark.django_db(transaction=True)
def test_a_statement_that_is_its_own_transaction_is_sent_no_empty_array_and_reads_them_empty(force, council, team, partner_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from row_security.context import viewer_context
    from tests.sharing_protocols.conftest import publish_protocol

    publish_protocol(provider=force, recipient=council, categories=("contacts",))
    full = json.loads(grants_for(partner_user).settings_json)
    lean = json.loads(grant_settings.for_a_fresh_transaction(grants_for(partner_user).settings_json))
    assert "hub.providers.concerns.sensitive" in full and "hub.providers.concerns.sensitive" not in lean
    assert lean["hub.grants"] == full["hub.grants"] and lean["hub.providers.contacts.official"] == full["hub.providers.contacts.official"]
    with viewer_context(partner_user), CaptureQueriesContext(connection) as sent:
        # Autocommit: each statement its own transaction. An earlier statement in another context set other arrays.
        assert connection.get_autocommit()
        with connection.cursor() as cursor:
            cursor.execute("SELECT hub_providers('contacts', 'official'), hub_providers('concerns', 'sensitive'), hub_own(), "
                           "(SELECT count(*) FROM crm_contact)")  # names a protected table: the prefix rides with it
            providers, not_sent, own, _ = cursor.fetchone()
    statement = sent[-1]["sql"]  # after the grant set's check
    assert '"hub.providers.concerns.sensitive"' not in statement and "hub.providers.contacts.official" in statement
    assert sorted(providers) == sorted(grants_for(partner_user).providers("contacts")) and team.pk in providers
    assert not_sent == [] and own == [council.pk]


def test_the_document_is_written_without_the_ids_its_arrays_carry_and_the_functions_still_answer_them(force, council, team, partner_user):
    # The providers' and one-off shares' ids travel once, as arrays: the document beside them (and its copy in the
    # mark) carries only what the arrays do not, so a partner's thousand shares are not sent and set three times.
    from tests.sharing_protocols.conftest import publish_protocol

    publish_protocol(provider=force, recipient=council, categories=("contacts",))
    grants = grants_for(partner_user)
    values = grant_settings.settings(grant_settings.grants_document(grants))
    assert set(json.loads(values["hub.grants"])) == {"context", "all", "own"}
    with transaction.atomic():
        grant_settings.write(grant_settings.grants_document(grants))
        assert grant_settings.read() == {"context": "viewer", "all": False, "own": [council.pk]}
        assert set(_sql("hub_providers('contacts', 'official')")) == set(grants.providers("contacts")) and team.pk in grants.providers("contacts")
        # Written past write_sql without its arrays, the same lean document grants no provider's rows.
        _sql(f"set_config('hub.grants', '{values['hub.grants']}', true)")
        _sql("set_config('hub.derived_from', 'something else', true)")
        assert _sql("hub_providers('contacts', 'official')") == [] and _sql("hub_own()") == [council.pk]
