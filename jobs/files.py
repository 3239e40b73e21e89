"""Files a job stores with the rows that point to them: kept only if those rows commit.

A file written to storage (local disk or S3) is not part of the database's transaction: if the transaction rolls
back after the file was written (a failed audit record, a superseded worker, the commit itself failing), the
file would stay in storage with no row pointing to it. Store files through a `StoredFiles` opened with
`files_stored_with_commit()`, as the outermost transaction: if it does not commit, every file stored in it is
deleted again.

    with files_stored_with_commit() as files:
        package = Package(...)
        files.save_field(package.pdf, "ref.pdf", ContentFile(pdf))
        package.save()
        audit.record(...)

A worker killed outright (a hard time limit, the out-of-memory killer) runs no cleanup: each job writes its
files where a later attempt finds and replaces them (see each job).
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.core.files.storage import Storage
from django.db import transaction

logger = logging.getLogger(__name__)


class StoredFiles:
    """What has been stored so far in the transaction, to delete again should it not commit."""

    def __init__(self) -> None:
        self.stored: list[tuple[Storage, str]] = []

    def save(self, storage: Storage, name: str, content) -> str:
        """storage.save(name, content), remembered; returns the name it was stored under."""
        stored_name = storage.save(name, content)
        self.stored.append((storage, stored_name))
        return stored_name

    def save_field(self, field_file, name: str, content) -> None:
        """A FileField's save (without saving its model: the caller saves it in the transaction), remembered."""
        field_file.save(name, content, save=False)
        self.stored.append((field_file.storage, field_file.name))

    def delete_all(self) -> None:
        for storage, name in self.stored:
            try:
                storage.delete(name)
            except Exception:  # the storage is down too: say which file is left, and go on with the others
                logger.exception("A file stored by a transaction that rolled back could not be deleted: %s", name)
        self.stored.clear()


@contextlib.contextmanager
def files_stored_with_commit() -> Iterator[StoredFiles]:
    """An outermost transaction (durable: nothing around it can still roll back what it stored) whose stored files
    are deleted again if it does not commit."""
    files = StoredFiles()
    try:
        with transaction.atomic(durable=True):
            yield files
    except BaseException:
        files.delete_all()
        raise
