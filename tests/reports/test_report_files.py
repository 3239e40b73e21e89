"""A report's files are kept only with the row that records them: a build that fails or is superseded at the end
leaves no file in storage, and what a killed build left is deleted by the next attempt."""
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from reports.models import ReportStatus
from reports.services import report_build, report_request

pytestmark = pytest.mark.django_db


def asked(user, seeded):
    run, _ = report_request(acting_user=user, period_start=seeded.period_start, period_end=seeded.period_end,
                            neighbourhoods=[seeded.hindpool], include_maps=False)
    return run


def files_of(report_files, run) -> list[str]:
    folder = report_files / "reports" / str(run.token)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_build_whose_last_transaction_fails_leaves_no_file(manager, seeded, report_files, monkeypatch):
    run = asked(manager, seeded)

    def log_refused(entries):
        raise RuntimeError("the disclosure log refused the entries")

    monkeypatch.setattr("reports.services.disclosure_record_many", log_refused)
    with pytest.raises(RuntimeError):
        report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportStatus.FAILED and not run.pdf and files_of(report_files, run) == []


def test_a_superseded_build_leaves_no_file(manager, seeded, report_files):
    """A worker thought dead and superseded by a newer attempt writes nothing: no row change, and no file either."""
    run = asked(manager, seeded)
    report_build(run_id=run.pk, attempt=7)  # the job was never claimed by attempt 7: not this worker's any more
    run.refresh_from_db()
    assert run.status == ReportStatus.RUNNING and not run.pdf and files_of(report_files, run) == []


def test_what_a_killed_build_left_is_deleted_by_the_next_attempt(manager, seeded, report_files):
    run = asked(manager, seeded)
    default_storage.save(f"reports/{run.token}/engagement-coverage-half.pdf", ContentFile(b"%PDF half-written"))
    report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportStatus.DONE
    assert files_of(report_files, run) == sorted(name.rsplit("/", 1)[1] for name in (run.pdf.name, run.csv.name, run.xlsx.name))
