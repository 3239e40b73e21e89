"""A partner user finds a failed import from the navigation and tries it again from its page."""
import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from organisations.models import AuditEvent
from partners.models import ConcernImportJob, ImportJobStatus
from tests.browser.conftest import save_artefact
from tests.jobs.conftest import redis_server  # noqa: F401 (fixture: the retry is sent to a Redis of this test's own)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_partner_user_tries_a_failed_import_again(page, live_server, partner_user, council, settings, tmp_path, redis_server):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    job = ConcernImportJob(organisation=council, created_by=partner_user, original_name="weekly-concerns.csv", file_format="csv",
                           file_size=10, file_sha256="0" * 64, status=ImportJobStatus.FAILED,
                           errors=[{"row": None, "column": None, "message": ConcernImportJob.JOB_GAVE_UP_MESSAGE}])
    job.upload.save("weekly-concerns.csv", ContentFile(b"category\n"), save=False)
    job.save()

    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill("sam-council")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Concern imports").first.click()
    page.get_by_role("link", name="weekly-concerns.csv").click()
    expect(page.get_by_text("The hub's background worker stopped several times")).to_be_visible()
    page.get_by_role("button", name="Try again").click()

    expect(page.get_by_text("Tried again: it will start shortly.")).to_be_visible()
    expect(page.locator("#import-status")).to_have_text("Waiting to start")
    save_artefact(page, "import-tried-again")
    job.refresh_from_db()
    assert job.status == ImportJobStatus.QUEUED and job.dispatched_at is not None  # handed to the broker
    assert AuditEvent.objects.filter(action="jobs.retried", actor=partner_user).count() == 1
