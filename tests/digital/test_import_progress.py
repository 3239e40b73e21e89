"""An import's page shows rows checked or imported of the total while it runs, read from outside the import's own
transaction (which holds the job's row locked until the end)."""
import json

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from digital import progress as progress_module
from digital import services
from digital.demo import as_generic_json, labelled_posts
from digital.models import ConversationImport, ImportProgress, ImportStatus
from digital.progress import ProgressReporter, estimated_total, progress_of
from tests.digital.conftest import boxes, import_file

pytestmark = pytest.mark.django_db


# Nothing here may wait on the test's own transaction for ever: a lock wait on these connections fails instead.
OUTSIDE_LOCK_TIMEOUT = "5s"


def outside_connection():
    params = connection.get_connection_params()
    look = psycopg.connect(autocommit=True, **{k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"}})
    look.execute(f"SET lock_timeout = '{OUTSIDE_LOCK_TIMEOUT}'")
    return look


@pytest.fixture
def seen_from_outside(monkeypatch):
    """Every progress the import writes, as another connection reads it at that moment; the rows are cleared after
    (they are committed on their own connection, outside the test's transaction)."""
    monkeypatch.setattr(progress_module, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(progress_module, "MIN_SECONDS", 0)
    monkeypatch.setattr(services, "BATCH", 10)
    seen = []
    write = ProgressReporter.write
    with outside_connection() as look:
        def observed(self, done, total):
            write(self, done, total)
            seen.append(look.execute(f"SELECT done, total FROM {ImportProgress._meta.db_table} WHERE job_id = %s",
                                     [self.job_id]).fetchone())
        monkeypatch.setattr(ProgressReporter, "write", observed)
        yield seen
        look.execute(f"DELETE FROM {ImportProgress._meta.db_table} WHERE job_id = ANY(%s)",
                     [list(ConversationImport.objects.values_list("pk", flat=True))])


@pytest.mark.timeout(60, func_only=True)  # the lock waits themselves fail sooner (lock_timeout)
def test_rows_checked_and_imported_are_seen_while_the_job_runs(officer, places, seen_from_outside):
    """Both steps run in this test's one open transaction: had the check locked its progress row (deleting or
    updating it as it ended), the import's reporter, on its own connection, would wait on it and give up."""
    job = import_file(officer, as_generic_json(labelled_posts(35, boxes(places), seed=5)))
    assert job.status == ImportStatus.IMPORTED and job.created_count == 35
    # The check: 10, 20, 30 of the list's 35; the import: 10, 20, 30 of the 35 kept, each seen from outside.
    assert seen_from_outside == [(10, 35), (20, 35), (30, 35), (10, 35), (20, 35), (30, 35)]


def test_a_csv_files_total_is_estimated_from_how_far_into_the_file_the_rows_reach(officer, places, seen_from_outside):
    records = json.loads(as_generic_json(labelled_posts(40, boxes(places), seed=6)))
    lines = ["post_id,text,time,site,author,url"] + [
        f"{r['post_id']},\"{r['text']}\",{r['time']},{r['site']},{r['author']},{r['url']}" for r in records]
    job = import_file(officer, "\n".join(lines).encode(), name="posts.csv", confirm=False)
    assert job.status == ImportStatus.CHECKED
    checked = seen_from_outside[:3]
    assert [done for done, _ in checked] == [10, 20, 30]
    assert all(done <= total <= 80 for done, total in checked)  # an estimate, never less than the rows seen


def test_a_small_file_reports_nothing_and_leaves_no_progress(officer, places, monkeypatch):
    calls = []
    monkeypatch.setattr(ProgressReporter, "write", lambda self, done, total: calls.append(done))
    import_file(officer, as_generic_json(labelled_posts(12, boxes(places), seed=7)))
    assert calls == [] and not ImportProgress.objects.exists()


def test_the_estimate_is_never_below_the_rows_read():
    assert estimated_total(100, 1000, 10000, None) == 1000
    assert estimated_total(100, 10000, 10000, None) == 100  # the whole file is read
    assert estimated_total(100, 0, 10000, 250) == 250       # a JSON list's length is known
    assert estimated_total(300, 500, 10000, 250) == 300


def test_the_page_and_its_status_show_rows_done_of_the_total(officer_client, officer, places):
    job = import_file(officer, as_generic_json(labelled_posts(3, boxes(places), seed=8)), confirm=False)
    ConversationImport.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    ImportProgress.objects.create(job_id=job.pk, status="importing", done=20000, total=50000)
    page = officer_client.get(reverse("digital:import-detail", args=[job.pk])).content.decode()
    assert "Importing: 20000 of about 50000 rows (40%)." in page and 'id="import-progress-bar"' in page
    status = officer_client.get(reverse("digital:import-status", args=[job.pk]))
    assert status["Cache-Control"] == "no-store"
    assert status.json() == {"status": "importing", "status_label": "Importing", "processed_rows": 20000, "total_rows": 50000,
                             "percent": 40, "running": True}


def test_another_organisations_import_status_is_not_found(partner_client, officer, places):
    job = import_file(officer, as_generic_json(labelled_posts(3, boxes(places), seed=9)), confirm=False)
    assert partner_client.get(reverse("digital:import-status", args=[job.pk])).status_code in (403, 404)


def test_a_step_that_has_ended_shows_no_progress_though_its_row_stays_until_the_sweeper(officer, places, seen_from_outside):
    job = import_file(officer, as_generic_json(labelled_posts(35, boxes(places), seed=5)), confirm=False)
    assert job.status == ImportStatus.CHECKED and seen_from_outside == [(10, 35), (20, 35), (30, 35)]  # written while it ran
    assert progress_of(job) == (0, 0)
    with outside_connection() as look:  # the row was never locked by the check: another connection deletes it at once
        assert look.execute(f"DELETE FROM {ImportProgress._meta.db_table} WHERE job_id = %s", [job.pk]).rowcount == 1


def test_the_jobs_sweeper_deletes_progress_a_day_after_its_job_stopped_running(officer, places):
    """No step deletes its counts: the sweeper deletes them a day after they were last written, never those of a
    running job."""
    import datetime

    from django.utils import timezone

    from jobs.sweeper import jobs_sweep

    ended, running, recent = (import_file(officer, as_generic_json(labelled_posts(3, boxes(places), seed=seed)), confirm=False)
                              for seed in (11, 12, 13))
    ConversationImport.objects.filter(pk=ended.pk).update(status=ImportStatus.FAILED)
    ConversationImport.objects.filter(pk=running.pk).update(status=ImportStatus.IMPORTING, heartbeat_at=timezone.now())
    ConversationImport.objects.filter(pk=recent.pk).update(status=ImportStatus.FAILED)
    for job in (ended, running, recent):
        ImportProgress.objects.create(job_id=job.pk, status=ImportStatus.IMPORTING, done=5000, total=9000)
    a_day_ago = timezone.now() - datetime.timedelta(days=1, minutes=1)
    ImportProgress.objects.filter(job_id__in=[ended.pk, running.pk]).update(updated_at=a_day_ago)

    sweep = jobs_sweep()
    assert sweep.leftovers_deleted == 1
    assert sorted(ImportProgress.objects.values_list("job_id", flat=True)) == sorted([running.pk, recent.pk])
