"""PACT priorities: agreed at a meeting from the issues raised, acted on, reported back."""
from collections.abc import Iterable

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from django.utils import timezone

from organisations import audit
from crm.models import FINISHED_STATUSES, PRIORITY_MOVES, EngagementIssue, Priority, PriorityAction, PriorityStatus
from crm.signals import priority_moved
from access.visibility import can_own
from crm.selectors import priority_neighbourhoods


def priority_agree(*, priority: Priority, acting_user, organisation=None, raised_issues: Iterable[EngagementIssue] = ()) -> Priority:
    with transaction.atomic(), pghistory.context(user=acting_user.pk):
        if priority.pk is None:
            if not can_own(acting_user, organisation):
                raise ValidationError("You cannot agree priorities for that organisation.")
            priority.organisation = organisation
            priority.created_by = acting_user
        priority.full_clean()
        _refuse_another_forces_neighbourhood(priority)
        raised_issues = list(raised_issues)
        elsewhere = [issue for issue in raised_issues if issue.engagement.neighbourhood_id != priority.neighbourhood_id]
        if elsewhere:
            raise ValidationError({"raised_issues": "Link only issues raised in this priority's neighbourhood."})
        priority.save()
        priority.raised_issues.set(raised_issues)
    return priority


def _refuse_another_forces_neighbourhood(priority: Priority) -> None:
    # The same rule the agree form offers its neighbourhoods by (crm.selectors.priority_neighbourhoods).
    if not priority_neighbourhoods(priority.organisation).filter(pk=priority.neighbourhood_id).exists():
        raise ValidationError(f"{priority.neighbourhood.name} is not in your force's area: agree priorities only for its neighbourhoods.")


def _editable(model, pk: int, acting_user):
    """The stored row, locked, if the user's organisation owns it (or its priority); else the same answer as a missing one."""
    try:
        return model.objects.editable_by(acting_user).select_for_update().get(pk=pk)
    except model.DoesNotExist:
        raise ValidationError("Only the organisation that agreed this priority can change it.") from None


def priority_move(*, priority: Priority, acting_user, status: str, outcome: str = "") -> Priority:
    """Move a priority along its life: agreed, in progress, resolved or closed (PRIORITY_MOVES says where it
    may go). Resolving or closing needs an outcome in words fit to publish; it is screened before it goes
    public. Audited; listeners (the concerns' reporters) hear of it once the transaction commits."""
    outcome = (outcome or "").strip()
    with transaction.atomic(), pghistory.context(user=acting_user.pk, via="priority status"):
        stored = _editable(Priority, priority.pk, acting_user)
        old = stored.status
        if status not in PRIORITY_MOVES.get(old, ()):
            labels = dict(PriorityStatus.choices)
            raise ValidationError({"status": f"A priority that is {labels[old].lower()} cannot become {labels.get(status, status).lower()}."})
        if status in FINISHED_STATUSES and not outcome:
            raise ValidationError({"outcome": "Say what came of the priority: it is reported back to the community."})
        stored.status = status
        stored.status_changed_at = timezone.now()
        if outcome:
            stored.outcome = outcome
        stored.save(update_fields=["status", "status_changed_at", "outcome", "updated_at"])
        audit.record(actor=acting_user, organisation=stored.organisation, action="priority.status_changed",
                     summary=f"Priority {stored.pk} moved from {dict(PriorityStatus.choices)[old].lower()} to {stored.get_status_display().lower()}",
                     priority=stored.pk, old_status=old, new_status=status)
        transaction.on_commit(lambda: priority_moved.send(sender=Priority, priority_id=stored.pk, old_status=old,
                                                          new_status=status, acting_user_id=acting_user.pk))
    return stored


def priority_action_record(*, action: PriorityAction, acting_user) -> PriorityAction:
    """Record a new action, or save an edited one (its history keeps the earlier wording). The first
    action on an agreed priority puts it in progress."""
    with transaction.atomic(), pghistory.context(user=acting_user.pk):
        if action.pk is not None:
            stored = _editable(PriorityAction, action.pk, acting_user)
            if stored.is_withdrawn:
                raise ValidationError("This action was withdrawn: it cannot be changed.")
        priority = _editable(Priority, action.priority_id, acting_user)
        action.full_clean()
        action.save()
    if action.priority and priority.status == PriorityStatus.AGREED:
        priority_move(priority=priority, acting_user=acting_user, status=PriorityStatus.IN_PROGRESS)
    return action


def priority_action_withdraw(*, action: PriorityAction, acting_user, reason: str) -> PriorityAction:
    """Withdraw an action recorded in error: it leaves the public page; the row and its history stay."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the action is withdrawn."})
    with transaction.atomic(), pghistory.context(user=acting_user.pk, via="action withdrawn"):
        stored = _editable(PriorityAction, action.pk, acting_user)
        if stored.is_withdrawn:
            return stored
        stored.withdrawn_at = timezone.now()
        stored.withdrawn_reason = reason[:500]
        stored.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        audit.record(actor=acting_user, organisation=stored.priority.organisation, action="priority.action_withdrawn",
                     summary=f"Action {stored.pk} on priority {stored.priority_id} withdrawn: {reason}"[:500],
                     priority=stored.priority_id, action_id=stored.pk)
    return stored
