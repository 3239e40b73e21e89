"""A broker outage is not a hang: with the test's own Redis stopped or frozen (SIGSTOP), asking for a
report answers within a few seconds and says it will start shortly; the report row waits as an outbox
entry, and once Redis is back the sweeper sends it and a real worker builds it. No work is lost."""
import time

import pytest
from django.urls import reverse

from jobs.sweeper import jobs_sweep
from reports.models import ReportRun, ReportStatus
from tests.jobs.conftest import wait_for, worker_thread
from tests.reports.conftest import manager, manager_client, report_files, seeded  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]

# What the page may cost with the broker out of reach: CELERY_BROKER_* timeouts (about 3 seconds at worst) and the page itself.
PATIENCE_SECONDS = 6


def ask_for_a_report(client, seeded) -> tuple[float, object]:  # noqa: F811
    """The seconds the request took (the POST alone), and the page it leads to."""
    data = {"period_start": seeded.period_start.isoformat(), "period_end": seeded.period_end.isoformat(), "area": "force",
            "force_area": seeded.force_area.pk, "include_concerns": "on"}
    started = time.monotonic()
    response = client.post(reverse("reports:request"), data)
    seconds = time.monotonic() - started
    assert response.status_code == 302
    return seconds, client.get(response["Location"])


def the_report_is_built_once_redis_is_back(client, redis_server):
    run = ReportRun.objects.get()
    assert (run.status, run.dispatched_at) == (ReportStatus.QUEUED, None)  # waiting in the outbox
    if redis_server.process is None:
        redis_server.start()
    else:
        redis_server.thaw()
    sweep = jobs_sweep()
    assert sweep.resent == [f"reports.ReportRun {run.pk}"]
    with worker_thread():
        wait_for(lambda: ReportRun.objects.get(pk=run.pk).status == ReportStatus.DONE, message="the report to be built")
    run.refresh_from_db()
    assert run.attempts == 1 and run.pdf and ReportRun.objects.count() == 1
    assert "This will start shortly" not in client.get(reverse("reports:detail", args=[run.pk])).content.decode()


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_asking_for_a_report_with_the_broker_out_of_reach_answers_quickly_and_loses_nothing(
        outage, manager_client, seeded, redis_server, job_settings, capsys):  # noqa: F811
    if outage == "stopped":
        redis_server.stop()
    else:
        redis_server.freeze()
    seconds, response = ask_for_a_report(manager_client, seeded)
    with capsys.disabled():
        print(f"\nAsking for a report with Redis {outage}: the page answered in {seconds:.2f} s")
    assert seconds < PATIENCE_SECONDS
    page = response.content.decode()
    assert response.status_code == 200 and "This will start shortly" in page
    the_report_is_built_once_redis_is_back(manager_client, redis_server)
