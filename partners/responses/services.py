"""The police answering partners' concerns: each answer is the police team's own record (ConcernResponse),
saved with its audit entry in one transaction; the reporting organisations are told once it commits. The
partner's concern row is never written: row-level security would refuse it (WITH CHECK), and it is the
partner's record."""
from __future__ import annotations

from datetime import date

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from access.visibility import can_own
from crm.models import Priority
from crm.services.priorities import priority_agree
from geo.models import Neighbourhood
from organisations import audit
from partners.models import Concern, ConcernStatus
from partners.responses.models import ConcernResponse, ConcernResponseKind


def concerns_take_into_priority(*, concerns, neighbourhood: Neighbourhood, category, issue: str, issue_date: date,
                                acting_user) -> Priority:
    """One action: agree a PACT priority, owned by the neighbourhood's team (the officer must belong to it), and
    record the team's answer to each chosen concern: taken into it. `concerns` must come from visible_to.
    All or nothing."""
    team = neighbourhood.team
    if team is None:
        raise ValidationError(f"{neighbourhood.name} has no neighbourhood team to own a priority.")
    if not can_own(acting_user, team):
        raise ValidationError(f"Only members of {team.name} can take concerns into its priorities.")
    chosen = list(concerns)
    if not chosen:
        raise ValidationError({"concerns": "Choose at least one concern."})
    elsewhere = [c for c in chosen if c.neighbourhood_id != neighbourhood.pk]
    if elsewhere:
        raise ValidationError({"concerns": f"Concern {elsewhere[0].pk} is not in {neighbourhood.name}."})
    try:
        with transaction.atomic(), pghistory.context(user=acting_user.pk):
            # Lock the concerns (a lock, not a write) so that a second officer taking the same concern waits, then
            # finds the first one's answer; the unique concern on the answer holds even without the lock.
            held = dict(Concern.objects.visible_to(acting_user).select_for_update(of=("self",))
                        .filter(pk__in=[c.pk for c in chosen]).values_list("pk", "organisation_id"))
            missing = sorted({c.pk for c in chosen} - set(held))
            if missing:
                raise ValidationError({"concerns": f"Concern {missing[0]} cannot be found."})
            closed = sorted(Concern.objects.filter(pk__in=held, status=ConcernStatus.CLOSED).values_list("pk", flat=True))
            if closed:
                raise ValidationError({"concerns": f"Concern {closed[0]} was closed by its partner: choose only open concerns."})
            _refuse_answered(held)
            priority = priority_agree(
                priority=Priority(neighbourhood=neighbourhood, category=category, issue=issue, issue_date=issue_date),
                acting_user=acting_user, organisation=team,
            )
            ConcernResponse.objects.bulk_create([
                ConcernResponse(concern_id=pk, concern_organisation_id=organisation_id, organisation=team, priority=priority,
                                kind=ConcernResponseKind.TAKEN_INTO_PRIORITY, created_by=acting_user)
                for pk, organisation_id in sorted(held.items())
            ])
            audit.record(actor=acting_user, organisation=team, action="partners.concerns_taken_into_priority",
                         summary=f"{len(held)} partner concerns taken into the priority '{category}' in {neighbourhood.name}",
                         priority=priority.pk, concerns=sorted(held))
            from partners.notices import concerns_taken_notify

            # Notifications in this transaction (all or nothing); their emails go once it commits.
            concerns_taken_notify(reported_by=held, team_name=team.name, neighbourhood_name=neighbourhood.name)
    except IntegrityError as error:
        if "concern_id" not in str(error):
            raise
        # Another officer's answer to one of these concerns committed first (without the lock: a bare insert).
        raise ValidationError({"concerns": "One of these concerns was taken into a priority a moment ago: choose again."}) from None
    return priority


def _refuse_answered(concern_ids) -> None:
    # The team's own answers; one by anyone else (which the officer may not read) is caught by the unique concern.
    answered = sorted(ConcernResponse.objects.filter(concern_id__in=concern_ids).values_list("concern_id", flat=True))
    if answered:
        raise ValidationError({"concerns": f"Concern {answered[0]} is already in a priority: choose only concerns not yet taken."})


def _answering_team(*, concern: Concern, acting_user):
    """The neighbourhood team that answers for `concern`: the officer must belong to it."""
    team = concern.neighbourhood.team if concern.neighbourhood_id else None
    if team is None:
        raise ValidationError("This concern is not placed in a neighbourhood with a team: no team can answer it yet.")
    if not can_own(acting_user, team):
        raise ValidationError(f"Only members of {team.name} can answer concerns in {concern.neighbourhood.name}.")
    return team


def concern_close_by_police(*, concern: Concern, outcome: str, acting_user) -> ConcernResponse:
    """The neighbourhood team closes a partner's concern without a priority, saying what it did (passed to the
    council's housing team; no police action, a civil matter). The team's own answer, audited; the reporting
    organisation is told once it commits. `concern` must come from visible_to."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": "Say what the police did about this concern: the reporting organisation reads it."})
    if len(outcome) > 2000:
        raise ValidationError({"outcome": "Keep the outcome to 2,000 characters or fewer."})
    team = _answering_team(concern=concern, acting_user=acting_user)
    try:
        with transaction.atomic(), pghistory.context(user=acting_user.pk):
            # A lock, not a write, on the partner's row: a second officer waits, then finds this answer.
            held = (Concern.objects.visible_to(acting_user).select_for_update(of=("self",)).filter(pk=concern.pk)
                    .values("status", "organisation_id").first())
            if held is None:
                raise ValidationError(f"Concern {concern.reference} cannot be found.")
            if held["status"] == ConcernStatus.CLOSED:
                raise ValidationError(f"Concern {concern.reference} was closed by its partner: there is nothing to close.")
            if ConcernResponse.objects.filter(concern_id=concern.pk).exists():
                raise ValidationError(f"The police have already answered concern {concern.reference}: reopen it first to answer it again.")
            answer = ConcernResponse.objects.create(
                concern_id=concern.pk, concern_organisation_id=held["organisation_id"], organisation=team,
                kind=ConcernResponseKind.CLOSED_BY_POLICE, outcome=outcome, created_by=acting_user)
            audit.record(actor=acting_user, organisation=team, action="partners.concern_closed_by_police",
                         summary=f"Partner concern {concern.reference} closed by the police with an outcome", concern=concern.pk)
            from partners.notices import concern_closed_by_police_notify

            concern_closed_by_police_notify(concern_id=concern.pk, organisation_id=held["organisation_id"], team_name=team.name,
                                            outcome=outcome)
    except IntegrityError as error:
        if "concern_id" not in str(error):
            raise
        raise ValidationError("The police answered this concern a moment ago: look at the concern again.") from None
    return answer


def concern_reopen_by_police(*, concern: Concern, reason: str, acting_user) -> None:
    """The team withdraws its "closed by the police" answer: the concern shows as the collation left it again and
    can be taken into a priority. The answer's history (pghistory) keeps what it said; the audit says why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the concern is reopened: the reporting organisation reads it."})
    team = _answering_team(concern=concern, acting_user=acting_user)
    with transaction.atomic(), pghistory.context(user=acting_user.pk, reason=reason):
        answer = (ConcernResponse.objects.visible_to(acting_user).select_for_update()
                  .filter(concern_id=concern.pk, kind=ConcernResponseKind.CLOSED_BY_POLICE, organisation=team).first())
        if answer is None:
            raise ValidationError(f"Concern {concern.reference} is not closed by {team.name}: there is nothing to reopen.")
        organisation_id = answer.concern_organisation_id
        answer.delete()
        audit.record(actor=acting_user, organisation=team, action="partners.concern_reopened_by_police",
                     summary=f"Partner concern {concern.reference} reopened by the police: {reason}", concern=concern.pk)
        from partners.notices import concern_reopened_by_police_notify

        concern_reopened_by_police_notify(concern_id=concern.pk, organisation_id=organisation_id, team_name=team.name, reason=reason)
