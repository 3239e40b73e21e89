"""The list of the user's reports: search by area, status, dates asked and sortable columns (the one FilterSet
pattern, access.filtering); only the reports the user asked for, with the query count pinned."""
import datetime

import pytest
from django.urls import reverse

from reports.models import ReportRun, ReportStatus

pytestmark = pytest.mark.django_db


def report(user, area: str, status=ReportStatus.DONE, start=datetime.date(2026, 1, 1)) -> ReportRun:
    return ReportRun.objects.create(requested_by=user, area_label=area, status=status, period_start=start,
                                    period_end=start + datetime.timedelta(days=90), parameters_key=f"{area}-{start}")


def areas_in(response) -> list[str]:
    return [row.area_label for row in response.context["reports"]]


def test_reports_are_searched_by_area_filtered_by_status_and_sorted_by_period(manager_client, manager, officer):
    report(manager, "Hindpool and Walney", start=datetime.date(2026, 4, 1))
    report(manager, "Barrow Central", status=ReportStatus.FAILED, start=datetime.date(2026, 1, 1))
    report(officer, "Hindpool (someone else's)")
    url = reverse("reports:list")
    assert areas_in(manager_client.get(url, {"q": "hindpool"})) == ["Hindpool and Walney"]
    assert areas_in(manager_client.get(url, {"status": "failed"})) == ["Barrow Central"]
    assert areas_in(manager_client.get(url, {"o": "period"})) == ["Barrow Central", "Hindpool and Walney"]
    assert "Only mine" not in manager_client.get(url).content.decode()  # a report is only ever its requester's


def test_the_filtered_report_list_takes_the_same_queries_however_many_reports(manager_client, manager, django_assert_num_queries):
    report(manager, "Hindpool")
    url, query = reverse("reports:list"), {"q": "hindpool", "status": "done", "o": "-asked"}
    manager_client.get(url, query)  # warm caches
    # session, user, roles (navigation), count, page of reports
    with django_assert_num_queries(5):
        manager_client.get(url, query)
    for day in range(1, 6):
        report(manager, "Hindpool", start=datetime.date(2026, 1, day + 1))
    with django_assert_num_queries(5):
        response = manager_client.get(url, query)
    assert len(response.context["reports"]) == 6
