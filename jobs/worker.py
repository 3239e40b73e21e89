"""The worker's side of a job: claim it, keep its heartbeat going while the work runs.

    with job_running(ConcernImportJob, job_id) as attempt:
        if attempt is None:
            return  # finished already, or a live worker has it (a duplicate message)
        ...do the work, passing `attempt` to the final write so a superseded worker writes nothing

The heartbeat is a thread with its own database connection. It skips a row that is locked (the
work holds the job row while it commits, and the sweeper skips locked rows too: a lock is held
only by a live connection).
"""
from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

logger = logging.getLogger(__name__)


def stale_before():
    return timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)


def job_claim(model, job_id: int) -> int | None:
    """Take the job up: its new attempt number, or None if it is finished or a live worker has it."""
    table = model._meta.db_table
    statuses = list(model.JOB_OPEN_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} SET attempts = attempts + 1, heartbeat_at = now(), dispatched_at = COALESCE(dispatched_at, now())
                 WHERE id = %s AND status = ANY(%s) AND (heartbeat_at IS NULL OR heartbeat_at < %s)
             RETURNING attempts""",
            [job_id, statuses, stale_before()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class Refusal:
    text: str
    level: int


# Why a claim was refused, and how loudly to say so. A message delivered twice (the sweeper re-sends, the broker
# redelivers a late-acknowledged task) finds its job finished or in a live worker's hands: normal, INFO. A job
# that is not there at all should never be sent: a row deleted under its task, or one the worker's database
# session may not read (row-level security with no context): something is wrong, WARNING.
FINISHED = Refusal("finished already (a repeated message)", logging.INFO)
HELD = Refusal("another worker has it and its heartbeat is fresh", logging.INFO)
MISSING = Refusal("no such job: deleted while queued, or not readable in this worker's database context", logging.WARNING)


def claim_refusal(model, job_id: int) -> Refusal:
    """Why job_claim refused the job (read just after the refusal; the row may have moved on since)."""
    row = model.objects.filter(pk=job_id).values("status").first()
    if row is None:
        return MISSING
    return HELD if row["status"] in model.JOB_OPEN_STATUSES else FINISHED


def job_is_still_mine(model, job_id: int, attempt: int | None) -> bool:
    """Inside the work's final transaction: lock the job row and say whether this attempt still owns it.
    A worker thought dead and superseded by a newer attempt must write nothing (no doubles)."""
    rows = model.objects.select_for_update().filter(pk=job_id, status__in=model.JOB_OPEN_STATUSES)
    if attempt is not None:
        rows = rows.filter(attempts=attempt)
    return rows.exists()


class Heartbeat(threading.Thread):
    def __init__(self, model, job_id: int, attempt: int):
        super().__init__(name=f"heartbeat-{model._meta.label}-{job_id}", daemon=True)
        # Only while the row is still this attempt's open, claimed work: once the job has moved on (finished a phase,
        # put back in the outbox by the next step or by the sweeper, heartbeat emptied) a late beat must not make it look
        # taken, or the next phase's claim is refused and the job waits for ever (the check's last beat landing after
        # the confirm did exactly that to an import's commit).
        self.sql = (f"UPDATE {model._meta.db_table} SET heartbeat_at = now() WHERE id = "
                    f"(SELECT id FROM {model._meta.db_table} WHERE id = %s AND attempts = %s AND status = ANY(%s) "
                    f"AND heartbeat_at IS NOT NULL FOR UPDATE SKIP LOCKED)")
        self.params = [job_id, attempt, list(model.JOB_OPEN_STATUSES)]
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    with connection.cursor() as cursor:
                        cursor.execute(self.sql, self.params)
                except Exception:  # a missed beat is not fatal; the next one may get through
                    logger.warning("Heartbeat of %s missed", self.name, exc_info=True)
                    connection.close()
        finally:
            connections.close_all()  # this thread's own connections


@contextlib.contextmanager
def job_running(model, job_id: int):
    """Claim the job and beat its heart while the block runs; yields the attempt number (or None)."""
    attempt = job_claim(model, job_id)
    if attempt is None:
        reason = claim_refusal(model, job_id)
        logger.log(reason.level, "%s %s not taken up: %s", model.__name__, job_id, reason.text)
        yield None
        return
    heartbeat = Heartbeat(model, job_id, attempt)
    heartbeat.start()
    try:
        yield attempt
    finally:
        heartbeat.stopped.set()
        heartbeat.join(timeout=5)
