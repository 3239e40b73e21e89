"""What every background job row has, so that one sweeper can watch them all (jobs.sweeper).

A job row is the outbox and the record of the work: the page that asks for work saves a row
and hands a task to the broker once the transaction commits (jobs.dispatch). If the broker does
not answer, the row waits with `dispatched_at` empty and the sweeper sends it when the broker is
back. A worker that takes the task claims the row (`attempts` goes up: the claim's number fences
off any older worker still running it) and keeps `heartbeat_at` fresh from a thread
(jobs.worker). A row still open whose heartbeat has stopped had its worker die: the sweeper
queues it again, or after `JOB_MAX_RESTARTS` fails it with a plain message.

A concrete job model inherits BackgroundJob and says, in a few attributes and methods, which of
its statuses are open, which task does the work, and how it fails and is tried again.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class BackgroundJob(models.Model):
    queued_at = models.DateTimeField(default=timezone.now, help_text="When the work was last asked for.")
    dispatched_at = models.DateTimeField(null=True, blank=True,
                                         help_text="When the task was last handed to the broker; empty while it waits in the outbox.")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The last sign of life from the worker running it.")
    attempts = models.PositiveIntegerField(default=0, help_text="How many times a worker has taken it up (the fencing number).")
    restarts = models.PositiveSmallIntegerField(default=0, help_text="How many times it was queued again after its worker stopped.")

    # Statuses in which the job still owes work (waiting for a worker, or being worked on).
    JOB_OPEN_STATUSES: tuple[str, ...] = ()
    # What a user reads when the hub gives up on it after its worker stopped again and again.
    JOB_GAVE_UP_MESSAGE = ("The hub's background worker stopped several times while working on this, so it was stopped. "
                           "Nothing was saved. Try again; if it happens again, tell the hub's administrators.")
    JOB_NEVER_STARTED_MESSAGE = ("The hub could not start this work: its task queue did not answer for too long. "
                                 "Nothing was saved. Try again.")

    class Meta:
        abstract = True

    # --- What each job model says about itself -----------------------------------------------------------------

    def job_task(self):
        """(task, args) that does the work still owed in the job's current status."""
        raise NotImplementedError

    def job_failed_fields(self, message: str) -> dict:
        """The field values that end the job as failed, with `message` for the user."""
        raise NotImplementedError

    def job_retry_fields(self) -> dict | None:
        """The field values that queue a failed job again ("Try again"), or None if trying again cannot help."""
        return None

    def job_organisation(self):
        """The organisation whose audit trail records a retry."""
        return None

    def job_user_may_retry(self, user) -> bool:
        """Whether `user` (who can see the job) may try it again."""
        return False

    @classmethod
    def job_leftovers_delete(cls) -> int:
        """Delete what the model's jobs left behind that their own end did not clear (a job the sweeper ended, a
        worker killed): called by the sweeper. Returns how many rows it deleted."""
        return 0

    # --- Shared ---------------------------------------------------------------------------------------------------

    @property
    def job_is_open(self) -> bool:
        return self.status in self.JOB_OPEN_STATUSES

    @property
    def job_waits_for_broker(self) -> bool:
        """Asked for, but not yet handed to the task queue (it did not answer): the sweeper will send it."""
        return self.job_is_open and self.dispatched_at is None and self.heartbeat_at is None

    @property
    def job_can_retry(self) -> bool:
        return not self.job_is_open and self.job_retry_fields() is not None


class RequesterOnlyQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RequesterOnlyQuerySet":
        """A job one person asked for holds what they may see, so only they (and superusers) see it. Its files are
        read through their own pages (a report's, an agreement's, a request's), which check again."""
        from access.visibility import can_see_everything, can_see_nothing

        if can_see_nothing(user):
            return self.none()
        if can_see_everything(user):
            return self.all()
        return self.filter(requested_by_id=user.pk)


class RequestedJob(BackgroundJob):
    """A job one person asked for and waits on (a report, a document): its page shows the stage it has reached, then
    its result or why it failed, with "Try again" for the requester. A concrete model adds its own `status` field
    (its words for each state) and names its statuses in the JOB_*_STATUS attributes below."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    JOB_QUEUED_STATUS: str = ""
    JOB_FAILED_STATUS: str = ""
    JOB_FINISHED_STATUSES: tuple[str, ...] = ()
    JOB_WAITING_STAGE = "Waiting for the background worker"  # what its page says while it waits for a worker

    objects = RequesterOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def job_failed_fields(self, message: str) -> dict:
        return {"status": self.JOB_FAILED_STATUS, "stage": "Stopped", "error": message, "finished_at": timezone.now()}

    def job_retry_fields(self) -> dict | None:
        if self.status != self.JOB_FAILED_STATUS:
            return None
        return {"status": self.JOB_QUEUED_STATUS, "stage": self.JOB_WAITING_STAGE, "error": "", "started_at": None, "finished_at": None}

    def job_organisation(self):
        return self.organisation

    def job_user_may_retry(self, user) -> bool:
        return user.pk == self.requested_by_id

    @property
    def is_finished(self) -> bool:
        return self.status in self.JOB_FINISHED_STATUSES


def waiting_fields() -> dict:
    """The field values that put a job (back) in the outbox: asked for now, not yet sent, not started."""
    return {"queued_at": timezone.now(), "dispatched_at": None, "heartbeat_at": None, "restarts": 0}
