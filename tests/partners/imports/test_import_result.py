"""After the commit, an import's page shows the partner what the file created at once: how many, each concern's
reference and neighbourhood (placed at commit), the near-duplicates found (only those they may read), and a link to
the created concerns in the concerns list; paginated, in the same queries however many rows."""
import datetime

from django.urls import reverse
from django.utils import timezone

from partners.imports.selectors import CREATED_PER_PAGE
from partners.models import Concern, ImportJobStatus
from tests.factories import ConcernFactory, NeighbourhoodFactory, issue_category, point, square
from tests.partners.concerns.conftest import share_concerns
from tests.partners.imports.conftest import check, confirm_and_commit, csv_bytes, page_text, row, rows, upload


def imported(client, user, data, name="concerns.csv"):
    _, job = upload(client, csv_bytes(data), name=name)
    job = confirm_and_commit(check(job), user)
    assert job.status == ImportJobStatus.IMPORTED
    return job


def hindpool(force_area, team):
    return NeighbourhoodFactory(force_area=force_area, name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.03))


def test_the_page_shows_how_many_were_created_each_reference_and_neighbourhood(partner_client, partner_user, force_area, team):
    hindpool(force_area, team)
    job = imported(partner_client, partner_user, [*rows(2), row(latitude="54.2000", longitude="-3.1500", description="Out of town.")])
    page = page_text(partner_client, job)
    assert "3 concerns created" in page
    for concern in Concern.objects.filter(import_job=job):
        assert concern.reference in page
    assert page.count(">Hindpool<") == 2
    assert "Outside every neighbourhood: the force's analysts place it by hand" in page


def test_the_page_links_to_the_created_concerns_in_the_concerns_list(partner_client, partner_user, force_area, council):
    job = imported(partner_client, partner_user, rows(2))
    ConcernFactory(organisation=council)  # the organisation's other concern is not one of the file's
    response = partner_client.get(reverse("partners:import-detail", args=[job.pk]))
    url = response.context["created_list_url"]
    assert url in response.content.decode()
    listed = partner_client.get(url).context["concerns"]
    assert {concern.pk for concern in listed} == set(Concern.objects.filter(import_job=job).values_list("pk", flat=True))


def test_near_duplicates_the_partner_may_read_are_listed_with_both_references(partner_client, partner_user, force_area, council):
    from organisations.models import OrganisationKind
    from tests.factories import OrganisationFactory

    housing = OrganisationFactory(name="Furness Housing Services", slug="furness-housing", kind=OrganisationKind.HOUSING)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    theirs = ConcernFactory(organisation=housing, category=issue_category("fly-tipping"), location=point(-3.2270, 54.1150),
                            occurred_at=yesterday, reported_at=yesterday)
    share_concerns(provider=housing, recipient=council, acting_user=partner_user)
    job = imported(partner_client, partner_user, [row()])
    ours = Concern.objects.get(import_job=job)
    page = page_text(partner_client, job)
    assert "Possible near-duplicates" in page and "may be near-duplicate" in page
    assert ours.reference in page and theirs.reference in page and "Furness Housing Services" in page


def test_near_duplicates_the_partner_may_not_read_are_neither_listed_nor_counted(partner_client, partner_user, force_area, council):
    from organisations.models import OrganisationKind
    from partners.models import ConcernLink
    from tests.factories import OrganisationFactory

    housing = OrganisationFactory(name="Furness Housing Services", slug="furness-housing", kind=OrganisationKind.HOUSING)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    theirs = ConcernFactory(organisation=housing, category=issue_category("fly-tipping"), location=point(-3.2270, 54.1150),
                            occurred_at=yesterday, reported_at=yesterday)
    job = imported(partner_client, partner_user, [row()])
    assert ConcernLink.objects.filter(second=theirs).exists() or ConcernLink.objects.filter(first=theirs).exists()  # the police see it
    page = page_text(partner_client, job)
    assert "Possible near-duplicates" not in page and "may be near-duplicate" not in page
    assert theirs.reference not in page and "Furness Housing" not in page


def test_a_large_file_is_paginated_in_the_same_queries_page_after_page(partner_client, partner_user, force_area, django_assert_num_queries):
    job = imported(partner_client, partner_user, rows(CREATED_PER_PAGE + 5))
    url = reverse("partners:import-detail", args=[job.pk])
    partner_client.get(url)
    # 1 session, 2 user, 3 memberships, 4 can_own, 5 the job, 6 an earlier import of the same file, 7 near-duplicates
    # (bounded), 8-9 the page of created concerns (its count, its rows with category and neighbourhood), 10 roles for the navigation.
    with django_assert_num_queries(10) as first:
        page = partner_client.get(url).content.decode()
    assert f"1 to {CREATED_PER_PAGE} of {CREATED_PER_PAGE + 5}" in page and 'rel="next"' in page
    with django_assert_num_queries(len(first.captured_queries)):
        second = partner_client.get(url, {"page": 2}).content.decode()
    assert f"{CREATED_PER_PAGE + 1} to {CREATED_PER_PAGE + 5} of {CREATED_PER_PAGE + 5}" in second
    last = Concern.objects.filter(import_job=job).order_by("pk").last()
    assert last.reference in second and last.reference not in page


def test_a_file_not_yet_imported_shows_no_result(partner_client, partner_user, force_area):
    _, job = upload(partner_client, csv_bytes(rows(2)))
    page = page_text(partner_client, check(job))
    assert 'id="import-result"' not in page and "Confirm import" in page
