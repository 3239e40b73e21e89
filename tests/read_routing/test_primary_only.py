"""One machine, no standby configured: everything reads from the primary exactly as before."""
import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from read_routing.standby import read_alias, reads_from_standby, standby_configured
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_without_a_standby_named_work_reads_from_the_primary_and_asks_nothing_more():
    assert not standby_configured()
    with CaptureQueriesContext(connections["default"]) as queries, reads_from_standby("public pages"):
        assert read_alias() is None
    assert len(queries) == 0


def test_without_a_standby_a_public_page_makes_no_routing_query(client):
    with CaptureQueriesContext(connections["default"]) as queries:
        assert client.get("/api/forces").status_code == 200
    assert not [q for q in queries if "read_routing" in q["sql"] or "wal" in q["sql"]]


def test_a_membership_written_in_bulk_is_recorded_as_a_grant_change(force):
    from read_routing.models import GrantChange

    GrantChange.objects.all().delete()
    MembershipFactory._meta.model.objects.bulk_create([MembershipFactory.build(user=UserFactory(), organisation=force)])
    assert GrantChange.objects.filter(lsn__isnull=True).count() == 1  # one unfilled row for the transaction
