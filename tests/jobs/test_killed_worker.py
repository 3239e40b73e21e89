"""A worker killed with SIGKILL in the middle of each kind of job: the job is taken up again by the
sweeper and completes exactly once, with nothing half-written and nothing doubled.

Each test starts a real `celery -A engagement_hub worker` process on the test's own Redis, holds a
table lock that the job runs into half-way (so the kill lands mid-job without a sleep anywhere),
kills the worker, lets the lock go, sweeps, and lets a fresh worker finish the job."""
import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from organisations.models import AuditEvent
from jobs.sweeper import jobs_sweep
from partners.collation.services import collation_request
from partners.imports.services import concern_import_confirm, concern_import_start
from partners.models import (
    CollationRun, CollationStatus, Concern, ConcernImportJob, ConcernLink, ConcernStatus, ImportJobStatus, NeighbourhoodDigest,
)
from publication.models import Release, ReleaseStatus, ReleaseTrigger
from publication.services import release_request
from reports.models import ReportRun, ReportStatus
from reports.services import report_request
from tests.factories import ConcernFactory, ForceAreaFactory, NeighbourhoodFactory, OrganisationFactory, point, square
from tests.jobs.conftest import a_worker_waits_on_a_lock, table_locked, wait_for, worker_thread
from tests.partners.imports.conftest import csv_bytes, rows
from tests.reports.conftest import manager, seeded  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    return settings


def kill_it_mid_job(worker, job) -> float:
    """Wait for the worker to run into the held lock, half-way through the job, and kill it. Returns when."""
    wait_for(a_worker_waits_on_a_lock, timeout=120, message="the worker to reach the locked table")
    job.refresh_from_db()
    assert job.job_is_open and job.attempts >= 1 and job.heartbeat_at is not None  # claimed, beating, not finished
    worker.kill()
    return time.monotonic()


def take_it_up_again(job, *, done, killed_at: float, capsys) -> None:
    """The sweeper finds the dead worker's job (once the dying connection lets its row go) and queues it
    again; a fresh worker finishes it."""
    label = f"{job._meta.label} {job.pk}"
    wait_for(lambda: label in jobs_sweep().requeued, timeout=60, message="the sweeper to queue the job again")
    with worker_thread():
        wait_for(lambda: type(job).objects.get(pk=job.pk).status == done, timeout=120, message="the job to finish")
    job.refresh_from_db()
    assert job.restarts == 1 and not job.job_is_open
    with capsys.disabled():
        print(f"\n{job._meta.verbose_name} killed mid-job: finished {time.monotonic() - killed_at:.1f} s after the kill")


def test_an_import_killed_while_writing_is_imported_once(partner_user, force, redis_server, worker_process, capsys):
    ForceAreaFactory(force=force, code="cumbria")
    worker = worker_process()
    job = concern_import_start(upload=SimpleUploadedFile("concerns.csv", csv_bytes(rows(3))), acting_user=partner_user)
    wait_for(lambda: ConcernImportJob.objects.get(pk=job.pk).status == ImportJobStatus.CHECKED, timeout=120, message="the check")
    job.refresh_from_db()
    with table_locked("partners_concern", "SHARE"):  # reads go on; the import's INSERT waits, inside its transaction
        concern_import_confirm(job=job, acting_user=partner_user)
        killed_at = kill_it_mid_job(worker, job)
    assert job.status == ImportJobStatus.IMPORTING and Concern.objects.count() == 0  # nothing half-written

    take_it_up_again(job, done=ImportJobStatus.IMPORTED, killed_at=killed_at, capsys=capsys)
    assert (job.created_count, Concern.objects.filter(import_job=job).count(), Concern.objects.count()) == (3, 3, 3)
    assert AuditEvent.objects.filter(action="concerns.imported").count() == 1


def test_a_report_killed_while_counting_is_built_once(manager, seeded, redis_server, worker_process, capsys):  # noqa: F811
    run, _ = report_request(acting_user=manager, period_start=seeded.period_start, period_end=seeded.period_end,
                            force_area=seeded.force_area, include_maps=False)
    with table_locked("crm_engagement", "ACCESS EXCLUSIVE"):  # the build waits at its first count
        worker = worker_process()
        killed_at = kill_it_mid_job(worker, run)
    assert run.status == ReportStatus.RUNNING and not run.pdf

    take_it_up_again(run, done=ReportStatus.DONE, killed_at=killed_at, capsys=capsys)
    assert run.pdf and ReportRun.objects.count() == 1 and run.error == ""


def test_an_open_data_release_killed_while_counting_is_published_once(redis_server, worker_process, files, capsys):
    release = release_request(trigger=ReleaseTrigger.SCHEDULE)
    with table_locked("partners_concern", "ACCESS EXCLUSIVE"):  # the build waits at its first table, its folder half made
        worker = worker_process()
        killed_at = kill_it_mid_job(worker, release)
    assert release.status == ReleaseStatus.BUILDING
    assert not (files.OPEN_DATA_DIR / "1").exists()  # only the hidden partial folder, never served

    take_it_up_again(release, done=ReleaseStatus.PUBLISHED, killed_at=killed_at, capsys=capsys)
    assert [path.name for path in files.OPEN_DATA_DIR.iterdir()] == ["1"]  # no partial folder left, no second version
    assert Release.objects.count() == 1 and release.files


def test_a_collation_killed_while_placing_concerns_collates_once(officer, team, force, redis_server, worker_process, capsys):
    area = ForceAreaFactory(force=force, code="cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    hindpool = NeighbourhoodFactory(force_area=area, name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.05))
    council = OrganisationFactory(name="Council", slug="council-x", kind="council")
    fire = OrganisationFactory(name="Fire and Rescue", slug="fire-x", kind="fire_and_rescue")
    now = timezone.now()
    for organisation, latitude, days in ((council, 54.1150, 2), (fire, 54.1155, 1)):
        ConcernFactory(organisation=organisation, location=point(-3.2270, latitude), occurred_at=now - datetime.timedelta(days=days),
                       reported_at=now - datetime.timedelta(days=days))
    run = collation_request(requested_by=officer)
    with table_locked("partners_concern", "SHARE"):  # the placing UPDATE waits, inside the collation's transaction
        worker = worker_process()
        killed_at = kill_it_mid_job(worker, run)
    assert run.status == CollationStatus.RUNNING

    take_it_up_again(run, done=CollationStatus.DONE, killed_at=killed_at, capsys=capsys)
    assert CollationRun.objects.count() == 1 and run.summary["collated"] == 2 and run.summary["linked"] == 1
    assert set(Concern.objects.values_list("neighbourhood", "status")) == {(hindpool.pk, ConcernStatus.COLLATED)}
    assert ConcernLink.objects.count() == 1 and NeighbourhoodDigest.objects.filter(run=run).count() == 1


def test_an_agreement_killed_while_being_stored_is_made_once(force, council, redis_server, worker_process, files, capsys):
    """The agreement's PDF is rendered and stored, then the worker is killed as it records it: nothing recorded, and the
    sweeper's second attempt replaces the unrecorded file rather than trusting it, leaving one recorded copy."""
    from documents.models import AgreementFile, BuildStatus
    from documents.services import agreement_request
    from sharing_protocols.services import protocol_send_for_signature
    from tests.sharing_protocols.test_protocol_sign_off import draft, governance

    force_ig = governance("force-ig", force)
    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    # SHARE: the build reads on and stores the PDF, then waits to record it (its INSERT); a FK check still passes.
    with table_locked("documents_agreementfile", "SHARE"):
        worker = worker_process()
        build = agreement_request(version=version, acting_user=force_ig, organisation=force)
        killed_at = kill_it_mid_job(worker, build)
    assert build.status == BuildStatus.BUILDING and not AgreementFile.objects.exists()

    take_it_up_again(build, done=BuildStatus.READY, killed_at=killed_at, capsys=capsys)
    assert AgreementFile.objects.count() == 1 and build.agreement_id is not None
    assert len(list((files.MEDIA_ROOT / f"agreements/protocol-{version.protocol_id}").iterdir())) == 1
