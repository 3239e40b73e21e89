"""Outside any transaction (Django's autocommit: a Celery task, a management command), each statement
carries the grant set itself, and a server-side cursor (`.iterator()`) reads under it too."""
import pytest

from partners.models import Concern
from row_security.context import no_context, viewer_context
from tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_statement_in_autocommit_reads_under_the_context(council, team, partner_user):
    from django.db import connection

    mine = {c.pk for c in ConcernFactory.create_batch(2, organisation=council)}
    ConcernFactory(organisation=team)
    assert connection.get_autocommit()
    with viewer_context(partner_user):
        assert set(Concern.objects.values_list("pk", flat=True)) == mine
        assert {c.pk for c in Concern.objects.order_by("pk").iterator(chunk_size=1)} == mine
    with no_context():
        assert Concern.objects.count() == 0
        assert list(Concern.objects.iterator()) == []  # the session-wide value was cleared after the cursor
