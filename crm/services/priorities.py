"""PACT priorities: agreed at a meeting from the issues raised, acted on, reported back."""
from collections.abc import Iterable

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from crm.visibility import can_own

from crm.models import EngagementIssue, Priority, PriorityAction


def priority_agree(*, priority: Priority, acting_user, organisation=None, raised_issues: Iterable[EngagementIssue] = ()) -> Priority:
    with transaction.atomic(), pghistory.context(user=acting_user.pk):
        if priority.pk is None:
            if not can_own(acting_user, organisation):
                raise ValidationError("You cannot agree priorities for that organisation.")
            priority.organisation = organisation
            priority.created_by = acting_user
        priority.full_clean()
        raised_issues = list(raised_issues)
        elsewhere = [issue for issue in raised_issues if issue.engagement.neighbourhood_id != priority.neighbourhood_id]
        if elsewhere:
            raise ValidationError({"raised_issues": "Link only issues raised in this priority's neighbourhood."})
        priority.save()
        priority.raised_issues.set(raised_issues)
    return priority


def priority_action_record(*, action: PriorityAction, acting_user) -> PriorityAction:
    with transaction.atomic(), pghistory.context(user=acting_user.pk):
        action.full_clean()
        action.save()
    return action
