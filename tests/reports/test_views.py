"""The report pages: ask, watch, list, download; each report is its requester's alone."""
import datetime

import pytest
from django.urls import reverse

from organisations.models import AuditEvent
from reports.models import ReportRun, ReportStatus
from reports.services import report_build, report_request
from sharing_protocols.models import DisclosureEntry
from tests.factories import EngagementFactory, point
from tests.reports.conftest import days_ago

pytestmark = pytest.mark.django_db


def ask(client, seeded, **extra):
    data = {"period_start": seeded.period_start.isoformat(), "period_end": seeded.period_end.isoformat(), "area": "force",
            "force_area": seeded.force_area.pk, "include_maps": "on", "include_concerns": "on", **extra}
    return client.post(reverse("reports:request"), data)


def test_asking_for_a_report_queues_a_job_and_shows_its_progress(manager_client, manager, seeded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = ask(manager_client, seeded)
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[run.pk])
    assert len(callbacks) == 1  # the build is queued once the request's transaction commits
    assert run.status == ReportStatus.QUEUED and set(run.neighbourhoods.all()) == {seeded.hindpool, seeded.ormsgill}
    assert AuditEvent.objects.filter(action="report.request", actor=manager).exists()
    page = manager_client.get(response["Location"]).content.decode()
    assert 'id="report-progress"' in page and "hub/report-progress.js" in page
    status = manager_client.get(reverse("reports:status", args=[run.pk])).json()
    assert status == {"status": "queued", "label": "Waiting to start", "progress": 0, "stage": "Waiting for the report builder",
                      "error": "", "finished": False, "downloads": {}}


def test_a_finished_report_offers_its_files_and_each_download_is_logged(manager_client, manager, seeded):
    ask(manager_client, seeded)
    run = ReportRun.objects.get()
    report_build(run_id=run.pk)
    status = manager_client.get(reverse("reports:status", args=[run.pk])).json()
    assert status["status"] == "done" and status["finished"] and status["progress"] == 100
    pdf = manager_client.get(status["downloads"]["pdf"])
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = manager_client.get(status["downloads"]["xlsx"])
    assert "attachment" in xlsx["Content-Disposition"]
    assert DisclosureEntry.objects.filter(user=manager, action="export", record_id=str(run.pk)).count() == 2
    page = manager_client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert "Open the PDF" in page and "OFFICIAL-SENSITIVE" in page and 'id="report-progress"' not in page


def test_bad_parameters_are_named(manager_client, seeded):
    response = ask(manager_client, seeded, period_start=seeded.period_end.isoformat(), period_end=seeded.period_start.isoformat())
    assert "The end of the period must be on or after its start." in response.content.decode()
    response = ask(manager_client, seeded, area="neighbourhoods")
    assert "Choose at least one neighbourhood." in response.content.decode()
    assert not ReportRun.objects.exists()


def test_another_users_report_answers_404(manager, seeded, officer_client):
    run, _ = report_request(acting_user=manager, period_start=seeded.period_start, period_end=seeded.period_end,
                            force_area=seeded.force_area)
    for name in ("reports:detail", "reports:status"):
        assert officer_client.get(reverse(name, args=[run.pk])).status_code == 404
    assert officer_client.get(reverse("reports:download", args=[run.pk, "pdf"])).status_code == 404
    assert run.area_label not in officer_client.get(reverse("reports:list")).content.decode()


def test_the_report_list_takes_a_fixed_number_of_queries(manager_client, manager, seeded, django_assert_num_queries):
    for days in (10, 20, 30):
        report_request(acting_user=manager, period_start=seeded.period_start, period_end=seeded.period_end - datetime.timedelta(days=days),
                       force_area=seeded.force_area)
    manager_client.get(reverse("reports:list"))  # warm caches
    # session, user, roles (navigation), count, page of reports
    with django_assert_num_queries(5):
        response = manager_client.get(reverse("reports:list"))
    assert response.content.decode().count('href="/reports/') >= 4


def test_the_same_parameters_reuse_the_finished_file_until_the_data_changes(manager, seeded, team):
    def request():
        return report_request(acting_user=manager, period_start=seeded.period_start, period_end=seeded.period_end,
                              force_area=seeded.force_area)

    first, reused = request()
    assert not reused
    again, reused = request()  # still being built: not built twice
    assert reused and again.pk == first.pk
    report_build(run_id=first.pk)
    again, reused = request()
    assert reused and again.pk == first.pk
    # Other parameters are another report.
    other, reused = report_request(acting_user=manager, period_start=seeded.period_start, period_end=seeded.period_end,
                                   force_area=seeded.force_area, include_maps=False)
    assert not reused and other.pk != first.pk
    # A new engagement the manager may see changes the data: a new report is built.
    EngagementFactory(organisation=team, neighbourhood=seeded.hindpool, location=point(-3.23, 54.11), starts_at=days_ago(1))
    fresh, reused = request()
    assert not reused and fresh.pk != first.pk


def test_reports_are_in_the_polices_navigation(manager_client):
    assert any(item["label"] == "Reports" for item in manager_client.get(reverse("home")).context["navigation"])


def test_a_build_stopped_by_its_time_limit_is_shown_as_failed(manager_client, manager, seeded, settings):
    from django.utils import timezone

    run, _ = report_request(acting_user=manager, period_start=seeded.period_start, period_end=seeded.period_end,
                            force_area=seeded.force_area)
    ReportRun.objects.filter(pk=run.pk).update(status=ReportStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(
        seconds=settings.REPORT_TIME_LIMIT + 300))
    status = manager_client.get(reverse("reports:status", args=[run.pk])).json()
    assert status["status"] == "failed" and status["finished"] and "stopped before finishing" in status["error"]
