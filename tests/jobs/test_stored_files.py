"""Files stored in a job's transaction are kept only if it commits (jobs.files): a rollback leaves no stray file."""
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from jobs.files import files_stored_with_commit
from organisations.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=tmp_path / "files")


def test_files_stored_in_a_transaction_that_commits_are_kept(storage):
    with files_stored_with_commit() as files:
        name = files.save(storage, "kept/one.pdf", ContentFile(b"%PDF one"))
    assert storage.exists(name) and storage.open(name).read() == b"%PDF one"


def test_files_stored_in_a_transaction_that_rolls_back_are_deleted_with_its_rows(storage):
    with pytest.raises(RuntimeError), files_stored_with_commit() as files:
        first = files.save(storage, "gone/one.pdf", ContentFile(b"%PDF one"))
        AuditEvent.objects.create(action="test.row", summary="a row written with the file")
        second = files.save(storage, "gone/two.pdf", ContentFile(b"%PDF two"))
        assert storage.exists(first) and storage.exists(second)
        raise RuntimeError("the audit record could not be written")
    assert not storage.exists(first) and not storage.exists(second)
    assert not AuditEvent.objects.filter(action="test.row").exists()
    assert storage.listdir("gone") == ([], [])
