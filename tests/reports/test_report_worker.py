"""From the report page through a real Celery worker (a thread on the real Redis broker) to the PDF."""
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from engagement_hub.celery import app
from reports.models import ReportRun
from tests.reports.conftest import pdf_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def test_a_report_asked_for_on_the_page_is_built_by_the_reports_worker(manager_client, seeded, report_files):
    assert app.amqp.router.route({}, "reports.tasks.build_report")["queue"].name == "reports"
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=["reports"]):
        response = manager_client.post(reverse("reports:request"), {
            "period_start": seeded.period_start.isoformat(), "period_end": seeded.period_end.isoformat(), "area": "neighbourhoods",
            "neighbourhoods": [seeded.hindpool.pk], "include_maps": "on", "include_concerns": "on",
        })
        run = ReportRun.objects.get()
        seen = set()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = manager_client.get(reverse("reports:status", args=[run.pk])).json()
            seen.add(status["status"])
            if status["finished"]:
                break
            time.sleep(0.2)
    assert response.status_code == 302
    assert status["status"] == "done", status
    assert seen <= {"queued", "running", "done"}
    pdf = manager_client.get(status["downloads"]["pdf"])
    target = report_files / "downloaded.pdf"
    target.write_bytes(b"".join(pdf.streaming_content))
    text = pdf_text(target)
    assert "Hindpool (HIND)" in text and "Engagements held: 6" in text and "Ormsgill" not in text
