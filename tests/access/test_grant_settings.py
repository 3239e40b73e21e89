"""The grant set handed to PostgreSQL for one transaction (access/grant_settings.py) says what the resolver says."""
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
