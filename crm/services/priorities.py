"""PACT priorities: agreed at a meeting from the issues raised, acted on, reported back."""
from collections.abc import Iterable

import pghistory
from django.db import transaction

from crm.models import EngagementIssue, Priority, PriorityAction


def priority_agree(*, priority: Priority, acting_user, organisation=None, raised_issues: Iterable[EngagementIssue] = ()) -> Priority:
    with transaction.atomic(), pghistory.context(user=acting_user.pk):
        if priority.pk is None:
            priority.organisation = organisation
            priority.created_by = acting_user
        priority.full_clean()
        priority.save()
        priority.raised_issues.set(list(raised_issues))
    return priority


def priority_action_record(*, action: PriorityAction, acting_user) -> PriorityAction:
    with transaction.atomic(), pghistory.context(user=acting_user.pk):
        action.full_clean()
        action.save()
    return action
