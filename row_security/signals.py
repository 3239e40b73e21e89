"""Each Celery task starts with no context: a task reads protected tables only inside the viewer or
system context it opens itself (row_security/tasks.py), never in one a previous task left behind."""
from celery.signals import task_postrun, task_prerun

from row_security.context import NO_CONTEXT, _current

_tokens: dict = {}


def _task_starts(task_id=None, **kwargs):
    _tokens[task_id] = _current.set(NO_CONTEXT)


def _task_ends(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        try:
            _current.reset(token)
        except ValueError:  # set in another context (an eager task run elsewhere): nothing of ours to restore
            pass


def connect() -> None:
    task_prerun.connect(_task_starts, weak=False, dispatch_uid="row_security.task_starts")
    task_postrun.connect(_task_ends, weak=False, dispatch_uid="row_security.task_ends")
