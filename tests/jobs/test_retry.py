""""Try again" on a failed job, from its own page: through jobs.services.job_retry, audited, only for
those who may act on the job, and never for a job still in hand or one that trying again cannot help."""
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import escape

from organisations.models import AuditEvent
from access.roles import Role
from partners.models import CollationRun, CollationStatus, ConcernImportJob, ImportJobStatus
from publication.models import Release, ReleaseStatus, ReleaseTrigger
from reports.models import ReportRun, ReportStatus
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

GAVE_UP = ConcernImportJob.JOB_GAVE_UP_MESSAGE
GAVE_UP_SHOWN = escape(GAVE_UP)  # as the page shows it


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def failed_import(partner_user, council, status=ImportJobStatus.FAILED) -> ConcernImportJob:
    job = ConcernImportJob(organisation=council, created_by=partner_user, original_name="concerns.csv", file_format="csv",
                           file_size=10, file_sha256="0" * 64, status=status,
                           errors=[{"row": None, "column": None, "message": GAVE_UP}])
    job.upload.save("concerns.csv", ContentFile(b"category\n"), save=False)
    job.save()
    return job


def test_a_failed_import_can_be_tried_again_by_its_organisation(partner_client, partner_user, council, django_capture_on_commit_callbacks):
    job = failed_import(partner_user, council)
    page = partner_client.get(reverse("partners:import-detail", args=[job.pk])).content.decode()
    assert GAVE_UP_SHOWN in page and 'id="job-retry"' in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = partner_client.post(reverse("partners:import-retry", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert (job.status, job.errors, job.restarts, job.dispatched_at) == (ImportJobStatus.QUEUED, [], 0, None)
    assert len(callbacks) == 1  # its check is sent once the retry commits
    assert "Tried again: it will start shortly." in response.content.decode()
    assert AuditEvent.objects.filter(action="jobs.retried", actor=partner_user, organisation=council).count() == 1


def test_a_file_with_errors_is_not_tried_again_and_another_organisation_cannot_touch_it(client, partner_user, council):
    rejected = failed_import(partner_user, council, status=ImportJobStatus.REJECTED)
    client.force_login(partner_user)
    assert 'id="job-retry"' not in client.get(reverse("partners:import-detail", args=[rejected.pk])).content.decode()
    response = client.post(reverse("partners:import-retry", args=[rejected.pk]), follow=True)
    assert "This cannot be tried again" in response.content.decode()
    failed = failed_import(partner_user, council)
    outsider = UserFactory(username="fire-user")
    from tests.factories import OrganisationFactory

    MembershipFactory(user=outsider, organisation=OrganisationFactory(name="Fire", slug="fire-y", kind="fire_and_rescue"), role=Role.PARTNER_USER)
    client.force_login(outsider)
    assert client.post(reverse("partners:import-retry", args=[failed.pk])).status_code == 404
    assert ConcernImportJob.objects.get(pk=failed.pk).status == ImportJobStatus.FAILED
    assert not AuditEvent.objects.filter(action="jobs.retried").exists()


def test_a_failed_report_is_tried_again_by_its_requester_only(client, officer, team):
    manager = UserFactory(username="insp-x")
    MembershipFactory(user=manager, organisation=team, role=Role.MANAGER)
    import datetime

    run = ReportRun.objects.create(requested_by=manager, period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 31),
                                   parameters_key="k", status=ReportStatus.FAILED, error=ReportRun.JOB_GAVE_UP_MESSAGE)
    client.force_login(officer)
    assert client.post(reverse("reports:retry", args=[run.pk])).status_code == 404
    client.force_login(manager)
    assert 'id="job-retry"' in client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert client.post(reverse("reports:retry", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert (run.status, run.error, run.progress) == (ReportStatus.QUEUED, "", 0)


def test_a_failed_release_is_shown_to_those_who_release_with_try_again(client, officer, team):
    manager = UserFactory(username="insp-y")
    MembershipFactory(user=manager, organisation=team, role=Role.MANAGER)
    release = Release.objects.create(version=1, trigger=ReleaseTrigger.SCHEDULE, status=ReleaseStatus.FAILED, error=Release.JOB_GAVE_UP_MESSAGE)
    assert "Release 1" not in client.get(reverse("publication:open-data")).content.decode()  # the public never sees it
    client.force_login(officer)
    assert client.post(reverse("publication:release-retry", args=[release.pk])).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("publication:open-data")).content.decode()
    assert 'id="pending-release"' in page and GAVE_UP_SHOWN in page and 'id="job-retry"' in page
    client.post(reverse("publication:release-retry", args=[release.pk]))
    assert Release.objects.get(pk=release.pk).status == ReleaseStatus.QUEUED
    page = client.get(reverse("publication:open-data")).content.decode()
    assert "This will start shortly" in page and 'id="job-retry"' not in page


def test_a_failed_collation_is_shown_on_the_collation_page_with_try_again(client, officer):
    import datetime

    run = CollationRun.objects.create(period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 28), requested_by=officer,
                                      status=CollationStatus.FAILED, error=CollationRun.JOB_GAVE_UP_MESSAGE)
    client.force_login(officer)
    page = client.get(reverse("partners:collation")).content.decode()
    assert 'id="pending-run"' in page and GAVE_UP_SHOWN in page and 'id="job-retry"' in page
    assert client.post(reverse("partners:collation-retry", args=[run.pk])).status_code == 302
    assert CollationRun.objects.get(pk=run.pk).status == CollationStatus.QUEUED
    assert AuditEvent.objects.filter(action="jobs.retried", actor=officer).count() == 1
