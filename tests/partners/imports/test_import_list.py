"""The list of imported files: search, status, dates, "only mine" and sortable columns (the one FilterSet pattern,
access.filtering), only the organisation's files, with the query count pinned."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from partners.models import ConcernImportJob, ImportJobStatus
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def job(organisation, user, name: str, status=ImportJobStatus.IMPORTED, rows: int = 10, days_ago: int = 0) -> ConcernImportJob:
    made = ConcernImportJob.objects.create(organisation=organisation, created_by=user, original_name=name, file_format="csv",
                                           file_size=100, file_sha256=name.ljust(64, "0")[:64], status=status, total_rows=rows)
    ConcernImportJob.objects.filter(pk=made.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return made


def files_in(response) -> list[str]:
    return [row.original_name for row in response.context["jobs"]]


@pytest.fixture
def colleague(council):
    user = UserFactory(username="jo-council", first_name="Jo", last_name="Reid")
    MembershipFactory(user=user, organisation=council, role=Role.PARTNER_USER)
    return user


def test_files_are_searched_filtered_by_status_and_dates_and_sorted(partner_client, partner_user, council):
    job(council, partner_user, "march-concerns.csv", rows=30, days_ago=40)
    job(council, partner_user, "april-concerns.csv", status=ImportJobStatus.REJECTED, rows=5, days_ago=10)
    job(council, partner_user, "may-noise.xlsx", rows=12, days_ago=1)
    url = reverse("partners:import-list")
    assert files_in(partner_client.get(url, {"q": "concerns"})) == ["april-concerns.csv", "march-concerns.csv"]
    assert files_in(partner_client.get(url, {"status": "rejected"})) == ["april-concerns.csv"]
    since = (timezone.localdate() - datetime.timedelta(days=20)).isoformat()
    assert files_in(partner_client.get(url, {"uploaded_from": since})) == ["may-noise.xlsx", "april-concerns.csv"]
    assert files_in(partner_client.get(url, {"o": "-rows"})) == ["march-concerns.csv", "may-noise.xlsx", "april-concerns.csv"]


def test_only_mine_shows_the_files_i_uploaded_not_my_colleagues(partner_client, partner_user, colleague, council, other_force):
    job(council, partner_user, "mine.csv")
    job(council, colleague, "jos.csv")
    url = reverse("partners:import-list")
    assert sorted(files_in(partner_client.get(url))) == ["jos.csv", "mine.csv"]
    assert files_in(partner_client.get(url, {"mine": "on"})) == ["mine.csv"]


def test_an_end_date_before_the_start_is_refused_by_name(partner_client, partner_user, council):
    job(council, partner_user, "mine.csv")
    response = partner_client.get(reverse("partners:import-list"), {"uploaded_from": "2026-05-02", "uploaded_to": "2026-05-01"})
    assert response.status_code == 200
    assert "Uploaded to: The end date must be on or after the start date." in response.content.decode()


def test_the_filtered_file_list_takes_the_same_queries_however_many_files(partner_client, partner_user, council, django_assert_num_queries):
    job(council, partner_user, "file-0.csv")
    url, query = reverse("partners:import-list"), {"q": "file", "status": "imported", "mine": "on", "o": "-uploaded"}
    partner_client.get(url, query)  # warm caches
    # 1 session, 2 user, 3 memberships (importing organisation), 4 can_own, 5 count for the paginator,
    # 6 the page of files with who uploaded them, 7 roles for the navigation.
    with django_assert_num_queries(7):
        partner_client.get(url, query)
    for n in range(1, 6):
        job(council, partner_user, f"file-{n}.csv")
    with django_assert_num_queries(7):
        response = partner_client.get(url, query)
    assert len(response.context["jobs"]) == 6
