"""How far a running conversation import has got: rows checked or imported, of the total.

The import writes all its posts in one transaction, and that transaction holds the job's row locked
(jobs.worker.job_is_still_mine), so progress cannot be kept on the job itself: nobody else would see it
until the end. It is written instead to its own small table (digital.models.ImportProgress, counts only),
on a database connection of its own in autocommit, so the import's page reads it while the work runs.
The table has no foreign key: checking one would wait on the job row's lock.

Only the reporter writes a row, and nothing else locks it: a step does not delete its row when it ends. Were it
to, in its own transaction, the row would stay locked until that transaction ended, and the next write on the
reporter's separate connection (the next step's, if two steps ever shared a transaction) would wait on it. A
finished step's row is simply not shown (progress_of reads the row of the job's present step only), and the jobs
sweeper deletes it a day after it was last written, once the job is not running (ConversationImport.job_leftovers_delete).

Reporting is advice: if the progress connection fails, the import goes on without it.
"""
from __future__ import annotations

import logging
import time

import psycopg
from django.db import connections

from digital.models import ImportProgress

logger = logging.getLogger(__name__)

# Report after every this many rows, and at most this often: a small file finishes before it would say anything.
PROGRESS_EVERY = 5000
MIN_SECONDS = 0.5
CONNECTION_KEYS = {"dbname", "user", "password", "host", "port", "connect_timeout"}


class ProgressReporter:
    """Call with (done, total) as rows go by; it writes every PROGRESS_EVERY rows, on its own connection,
    opened the first time there is something to say. Use as a context manager (closes the connection)."""

    def __init__(self, job_id: int, status: str):
        self.job_id, self.status = job_id, status
        self._connection = None
        self._failed = False
        self._next_at = PROGRESS_EVERY
        self._last_written = 0.0

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __call__(self, done: int, total) -> None:
        """`total` is a number, or a function that works it out (called only when something is written)."""
        if done < self._next_at or self._failed:
            return
        self._next_at = (done // PROGRESS_EVERY + 1) * PROGRESS_EVERY
        if time.monotonic() - self._last_written < MIN_SECONDS:
            return
        self.write(done, total() if callable(total) else total)

    def write(self, done: int, total: int) -> None:
        try:
            if self._connection is None:
                params = connections["default"].get_connection_params()
                self._connection = psycopg.connect(autocommit=True, **{k: v for k, v in params.items() if k in CONNECTION_KEYS})
                # Never wait on a lock: the import's own transaction must not wait on its progress.
                self._connection.execute("SET lock_timeout = '200ms'")
            self._connection.execute(
                f"INSERT INTO {ImportProgress._meta.db_table} (job_id, status, done, total, updated_at) VALUES (%s, %s, %s, %s, now()) "
                "ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status, done = EXCLUDED.done, total = EXCLUDED.total, updated_at = now()",
                [self.job_id, self.status, done, max(total, done)],
            )
            self._last_written = time.monotonic()
        except psycopg.Error:
            logger.warning("Conversation import %s: its progress could not be written; the import goes on", self.job_id, exc_info=True)
            self._failed = True
            self.close()

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None


def estimated_total(done: int, position: int, size: int, known: int | None) -> int:
    """The file's rows: known when the whole file has been parsed (a JSON list); otherwise estimated from how far
    into the file `done` rows reach (a CSV file is read as it goes)."""
    if known is not None:
        return max(known, done)
    if position <= 0 or position >= size:
        return done
    return max(done, round(done * size / position))


def progress_of(job) -> tuple[int, int]:
    """(rows done, total) of a running job, as its page shows it: (0, 0) before the first report of its present
    step (a row of another step, or of a step that has ended, is not this one's progress)."""
    row = ImportProgress.objects.filter(job_id=job.pk, status=job.status).values_list("done", "total").first()
    return row or (0, 0)
