"""Query counts pinned on the pages information governance opens most: the same however many rows they list."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retention.enforcement import enforce
from tests.factories import ContactFactory
from tests.retention.conftest import age

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("rows", [1, 20])
def test_the_records_due_page_takes_the_same_queries_for_one_row_or_twenty(governance_client, team, rows):
    for _ in range(rows):
        age(ContactFactory(organisation=team), 800)
    enforce(dry_run=True)
    # session, user, the user's governed organisations with their units (one read: organisations/governance.py), count,
    # rows with their schedule and organisation, navigation roles
    # + 1 since issue 12: the reader's grant set, resolved once per request (access/grants.py).
    assert queries(governance_client, "/retention/due/") == 7


@pytest.mark.parametrize("rows", [1, 20])
def test_the_requests_page_takes_the_same_queries_for_one_request_or_twenty(governance_client, force, rows):
    from subject_access.models import DataSubjectRequest
    from django.utils import timezone

    governance = governance_client.session["_auth_user_id"]
    for n in range(rows):
        DataSubjectRequest.objects.create(organisation=force, regime="uk_gdpr", requester_name=f"Person {n}", received_on=timezone.localdate(),
                                          due_on=timezone.localdate(), created_by_id=governance)
    # session, user, governed organisations, count, rows, navigation roles
    # + 1 since issue 12: the reader's grant set, resolved once per request (access/grants.py).
    assert queries(governance_client, "/subject-access/") == 7
