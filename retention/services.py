"""Writes for retention: schedules, decisions on due records, legal holds. Each validates, saves and
audits in one transaction. Audit events and decisions name records by class and id, never their content."""
from __future__ import annotations

import datetime
from collections import Counter

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from organisations import audit
from organisations.governance import governance_scope
from organisations.models import Organisation, OrganisationKind
from access.roles import Role
from retention.defaults import DEFAULTS
from retention.models import (
    DueItem, DueStatus, EndAction, LegalHold, Outcome, RecordClass, RetentionDecision, RetentionSchedule,
)
from retention.record_classes import kind_of, months_after

GOVERNANCE_ROLES = (Role.INFORMATION_GOVERNANCE,)


def governed_organisations(user) -> list[Organisation]:
    """The data controllers whose retention `user` governs: each organisation they hold the information-governance
    role in (a neighbourhood team's is its force's: one controller)."""
    if user is None or not user.is_authenticated:
        return []
    return governance_scope(user).controllers  # read once per request, shared with sharing protocols and subject access


def require_governance(user, organisation: Organisation) -> None:
    if organisation.pk not in {o.pk for o in governed_organisations(user)}:
        raise PermissionDenied("Only information governance for this organisation can do that.")


def covered_organisation_ids(organisation: Organisation) -> list[int]:
    """A schedule's organisation and, for a force, its neighbourhood teams."""
    return list(Organisation.objects.filter(Q(pk=organisation.pk) | Q(parent_id=organisation.pk)).values_list("pk", flat=True))


def _schedule_errors(schedule: RetentionSchedule) -> dict:
    errors = {}
    kind = kind_of(schedule.record_class) if schedule.record_class in RecordClass.values else None
    if kind is not None and schedule.end_action and schedule.end_action not in kind.allowed_actions:
        errors["end_action"] = kind.why_not
    if schedule.period_months == 0:
        errors["period_months"] = "The period must be at least one month: a period of zero would erase records the day they are made."
    if schedule.organisation_id and schedule.organisation.kind == OrganisationKind.NEIGHBOURHOOD_TEAM:
        errors["organisation"] = f"A neighbourhood team follows its force's schedules: set this for {schedule.organisation.parent}."
    if schedule.effective_until and schedule.effective_from and schedule.effective_until < schedule.effective_from:
        errors["effective_until"] = "The end date cannot come before the date it comes into force."
    if not errors and schedule.organisation_id and schedule.record_class and schedule.effective_from:
        others = RetentionSchedule.objects.filter(organisation_id=schedule.organisation_id, record_class=schedule.record_class).exclude(pk=schedule.pk)
        starts, ends = schedule.effective_from, schedule.effective_until or datetime.date.max
        for other in others:
            other_ends = other.effective_until or datetime.date.max
            if other.effective_from <= ends and starts <= other_ends:
                until = date_format(other.effective_until, "j F Y") if other.effective_until else "with no end date"
                errors["effective_from"] = (
                    f"This overlaps the schedule for {schedule.get_record_class_display().lower()} in force from "
                    f"{date_format(other.effective_from, 'j F Y')} {'until ' + until if other.effective_until else until}: "
                    "give that one an end date first, or choose dates that do not overlap.")
                break
    return errors


def schedule_save(*, schedule: RetentionSchedule, acting_user) -> RetentionSchedule:
    """Validate and save a schedule (new or changed), with its audit event; refuse overlaps and a period of zero."""
    require_governance(acting_user, schedule.organisation)
    creating = schedule.pk is None
    with transaction.atomic(), pghistory.context(user=acting_user.pk, via="retention schedule"):
        # One writer at a time per organisation, so two overlapping schedules cannot both pass the check.
        Organisation.objects.select_for_update().filter(pk=schedule.organisation_id).first()
        errors = _schedule_errors(schedule)
        try:
            schedule.full_clean(exclude=["created_by"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, " ".join(messages))
        if errors:
            raise ValidationError(errors)
        if creating:
            schedule.created_by = acting_user
        schedule.save()
        audit.record(actor=acting_user, organisation=schedule.organisation,
                     action="retention.schedule_created" if creating else "retention.schedule_changed",
                     summary=f"Retention schedule {'set' if creating else 'changed'}: {schedule}",
                     schedule=schedule.pk, record_class=schedule.record_class, regime=schedule.regime,
                     period_months=schedule.period_months, end_action=schedule.end_action,
                     effective_from=schedule.effective_from.isoformat(),
                     effective_until=schedule.effective_until.isoformat() if schedule.effective_until else None)
    return schedule


def adopt_default_schedules(*, organisation: Organisation, acting_user=None) -> list[RetentionSchedule]:
    """Give `organisation` the default schedule for each class it has none for (in force today). Idempotent."""
    if organisation.kind == OrganisationKind.NEIGHBOURHOOD_TEAM:
        return []
    today = timezone.localdate()
    made = []
    with transaction.atomic(), pghistory.context(user=acting_user.pk if acting_user else None, via="retention defaults"):
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        held = set(RetentionSchedule.objects.filter(organisation=organisation).in_force(today).values_list("record_class", flat=True))
        for default in DEFAULTS:
            if default.record_class in held:
                continue
            schedule = RetentionSchedule(
                organisation=organisation, record_class=default.record_class, period_months=default.period_months,
                regime=default.police_regime if organisation.is_police else default.partner_regime,
                end_action=default.end_action, source=default.source[:500], effective_from=today, created_by=acting_user)
            if _schedule_errors(schedule):
                continue  # a future-dated schedule of the organisation's own already covers it
            schedule.save()
            made.append(schedule)
        if made:
            audit.record(actor=acting_user, organisation=organisation, action="retention.defaults_adopted",
                         summary=f"Default retention schedules adopted for {len(made)} classes of record",
                         schedules=[s.pk for s in made], record_classes=[s.record_class for s in made])
    return made


def schedule_in_force(organisation_id: int, record_class: str, on: datetime.date | None = None) -> RetentionSchedule | None:
    """The schedule covering a record of this organisation (its own, or its force's)."""
    on = on or timezone.localdate()
    organisation = Organisation.objects.get(pk=organisation_id)
    owner = organisation.parent_id if organisation.kind == OrganisationKind.NEIGHBOURHOOD_TEAM else organisation.pk
    return RetentionSchedule.objects.filter(organisation_id=owner, record_class=record_class).in_force(on).first()


AFTERWARDS = {EndAction.REVIEW: "reviewed by a person", EndAction.ANONYMISE: "anonymised", EndAction.DELETE: "deleted"}


def kept_for(organisation: Organisation, record_class: str) -> str:
    """How long `organisation` keeps this class of record, in words, from the schedule in force (or the default
    the nightly job will adopt): other apps show this rather than keep a period of their own."""
    owner = organisation.force if organisation.kind == OrganisationKind.NEIGHBOURHOOD_TEAM and organisation.parent_id else organisation
    schedule = RetentionSchedule.objects.filter(organisation=owner, record_class=record_class).in_force(timezone.localdate()).first()
    if schedule is not None:
        months, action = schedule.period_months, schedule.end_action
    else:
        default = next(d for d in DEFAULTS if d.record_class == record_class)
        months, action = default.period_months, default.end_action
    return f"{months} month{'s' if months != 1 else ''}, then {AFTERWARDS[action]}"


def _last_erasure(record_class: str, record_id) -> RetentionDecision | None:
    return (RetentionDecision.objects.filter(record_class=record_class, record_id=str(record_id),
                                             outcome__in=[Outcome.DELETED, Outcome.ANONYMISED]).order_by("-at").first())


def _erased_message(kind, record_id, decision: RetentionDecision | None) -> str:
    if decision is None:
        return f"There is no {kind.label.lower()} record {record_id}: it may have been deleted before the hub kept retention decisions."
    return (f"{kind.label} record {record_id} was already {decision.get_outcome_display().lower()} on "
            f"{date_format(timezone.localtime(decision.at), 'j F Y')}: there is no personal data left to act on.")


def apply_end_action(*, record_class: str, record_id, action: str, acting_user=None, schedule: RetentionSchedule | None = None,
                     run=None, request_reference: str = "", reason: str = "") -> RetentionDecision:
    """Anonymise or delete one record, all or nothing, and record the decision (who, when, what, under which
    schedule or request). The nightly job passes no user; a person acting on the review page or on a request does."""
    kind = kind_of(record_class)
    if action not in (EndAction.ANONYMISE, EndAction.DELETE):
        raise ValidationError({"action": "Choose whether to anonymise or delete the record."})
    if action not in kind.allowed_actions:
        raise ValidationError({"action": kind.why_not})
    with transaction.atomic(), pghistory.context(user=acting_user.pk if acting_user else None, via=f"retention {request_reference or 'schedule'}"):
        record = kind.model.objects.select_for_update().filter(pk=record_id).first() if kind.model else None
        if record is None or kind.is_erased(record):
            raise ValidationError({"record_id": _erased_message(kind, record_id, _last_erasure(record_class, record_id))})
        if LegalHold.objects.active().filter(record_class=record_class, record_id=record.pk).exists():
            raise ValidationError({"record_id": f"{kind.label} record {record.pk} is under a legal hold: lift the hold first."})
        if action == EndAction.ANONYMISE and (erased := _last_erasure(record_class, record.pk)) is not None:
            raise ValidationError({"record_id": _erased_message(kind, record.pk, erased)})
        organisation_id = kind.organisation_id_of(record)
        schedule = schedule or schedule_in_force(organisation_id, record_class)
        if acting_user is not None:
            organisation = Organisation.objects.select_related("parent").get(pk=organisation_id)
            require_governance(acting_user, organisation.force or organisation)
        if action == EndAction.ANONYMISE:
            kind.anonymise(record)
        else:
            kind.delete(record)
        outcome = Outcome.ANONYMISED if action == EndAction.ANONYMISE else Outcome.DELETED
        decision = RetentionDecision.objects.create(
            decided_by=acting_user, organisation_id=organisation_id, record_class=record_class, record_id=str(record_id),
            outcome=outcome, schedule=schedule, regime=schedule.regime if schedule else "", run=run,
            request_reference=request_reference, reason=reason[:300])
        DueItem.objects.filter(record_class=record_class, record_id=record_id, status=DueStatus.WAITING).update(status=DueStatus.DONE)
        audit.record(actor=acting_user, organisation=Organisation(pk=organisation_id), action=f"retention.{outcome}",
                     summary=f"{kind.label} record {record_id} {outcome.label.lower()}"
                             f"{' under request ' + request_reference if request_reference else ' under its retention schedule'}",
                     record_class=record_class, record_id=str(record_id), decision=decision.pk,
                     schedule=schedule.pk if schedule else None, request=request_reference)
    return decision


def end_action_batch(*, items: list[DueItem], run=None) -> Counter:
    """The nightly job's act on a batch of listed records of one class and one end action, set-based: one query
    locks the records, one finds the holds, one UPDATE anonymises them (and one their history) or one DELETE per
    table deletes them, one INSERT records the decisions, one audit event names them. A record held, or gone,
    since it was listed is marked so and left. Call inside a transaction; on failure the caller retries the batch
    one record at a time (`apply_end_action`), so one bad record cannot stop the rest. Returns counts."""
    done = Counter()
    if not items:
        return done
    record_class, action = items[0].record_class, items[0].end_action
    kind = kind_of(record_class)
    # The schedule in force now decides: one changed to "review" since the listing stops the automatic action.
    items = [item for item in items if item.schedule.end_action == item.end_action]
    ids = [item.record_id for item in items]
    with pghistory.context(user=None, via="retention schedule"):
        records = {record.pk: record for record in
                   kind.with_parents(kind.model.objects.select_for_update(of=("self",))).filter(pk__in=ids)}
        held = set(LegalHold.objects.active().filter(record_class=record_class, record_id__in=ids).values_list("record_id", flat=True))
        erased = set(RetentionDecision.objects.filter(record_class=record_class, record_id__in=[str(i) for i in ids],
                                                      outcome__in=[Outcome.DELETED, Outcome.ANONYMISED]).values_list("record_id", flat=True))
        acting, stopped = [], {DueStatus.HELD: [], DueStatus.GONE: []}
        for item in items:
            record = records.get(item.record_id)
            if item.record_id in held:
                stopped[DueStatus.HELD].append(item.pk)
            elif record is None or kind.is_erased(record) or (action == EndAction.ANONYMISE and str(item.record_id) in erased):
                stopped[DueStatus.GONE].append(item.pk)
            else:
                acting.append((item, record))
        for status, item_ids in stopped.items():
            if item_ids:
                DueItem.objects.filter(pk__in=item_ids, status=DueStatus.WAITING).update(status=status)
                done[f"{record_class}:{status}"] += len(item_ids)
        if not acting:
            return done
        if action == EndAction.ANONYMISE:
            kind.anonymise_many([record for _, record in acting])
        else:
            kind.delete_many([record for _, record in acting])
        outcome = Outcome.ANONYMISED if action == EndAction.ANONYMISE else Outcome.DELETED
        decisions = RetentionDecision.objects.bulk_create([
            RetentionDecision(organisation_id=item.organisation_id, record_class=record_class, record_id=str(item.record_id),
                              outcome=outcome, schedule=item.schedule, regime=item.schedule.regime, run=run)
            for item, _ in acting])
        DueItem.objects.filter(pk__in=[item.pk for item, _ in acting]).update(status=DueStatus.DONE)
        by_controller: dict = {}
        for (item, _), decision in zip(acting, decisions):
            by_controller.setdefault(item.schedule.organisation, []).append((item.record_id, decision.pk))
        for organisation, pairs in by_controller.items():
            audit.record(actor=None, organisation=organisation, action=f"retention.{outcome}",
                         summary=f"{len(pairs)} {kind.label.lower()} records {outcome.label.lower()} under their retention schedule",
                         record_class=record_class, record_ids=[str(record_id) for record_id, _ in pairs],
                         decisions=[pk for _, pk in pairs], run=run.pk if run else None)
    done[f"{record_class}:{action}"] += len(acting)
    return done


def history_erase(*, record_class: str, record_id, acting_user, request_reference: str) -> RetentionDecision | None:
    """Delete the history rows left of a record that is itself gone (an erasure request found an old name in them).
    None if none are left (erasing the record took them already)."""
    from retention.record_classes import event_model_for

    kind = kind_of(record_class)
    events = event_model_for(kind.model)
    organisations = [pk for o in governed_organisations(acting_user) for pk in covered_organisation_ids(o)]
    with transaction.atomic():
        rows = events.objects.filter(pgh_obj_id=record_id, **{f"{kind.organisation_lookup}_id__in": organisations})
        deleted, _ = rows.delete()
        if not deleted:
            return None
        decision = RetentionDecision.objects.create(
            decided_by=acting_user, organisation=governed_organisations(acting_user)[0], record_class=RecordClass.HISTORY_ROWS,
            record_id=f"{events._meta.label_lower} of {record_id}", outcome=Outcome.DELETED, rows=deleted,
            request_reference=request_reference, reason=f"Erasure request {request_reference}")
        audit.record(actor=acting_user, organisation=decision.organisation, action="retention.deleted",
                     summary=f"History of {kind.label.lower()} record {record_id} deleted under request {request_reference}",
                     record_class=RecordClass.HISTORY_ROWS, record_id=decision.record_id, decision=decision.pk, request=request_reference)
    return decision


def keep_after_review(*, item: DueItem, acting_user, months: int, reason: str) -> RetentionDecision:
    """A person reviewed a due record and keeps it: recorded with the reason and when it is next due (MoPI)."""
    reason = " ".join((reason or "").split())
    errors = {}
    if not reason:
        errors["reason"] = "Say why the record is kept (MoPI asks for a recorded decision whenever a record is kept)."
    if not months or months < 1:
        errors["months"] = "Keep it for at least one month before its next review."
    if errors:
        raise ValidationError(errors)
    require_governance(acting_user, item.schedule.organisation)
    with transaction.atomic():
        item = DueItem.objects.select_for_update().get(pk=item.pk)
        if item.status != DueStatus.WAITING:
            raise ValidationError({"reason": "This record was already dealt with."})
        decision = RetentionDecision.objects.create(
            decided_by=acting_user, organisation=item.organisation, record_class=item.record_class, record_id=str(item.record_id),
            outcome=Outcome.KEPT, schedule=item.schedule, regime=item.schedule.regime, reason=reason[:300],
            keep_until=months_after(timezone.localdate(), months))
        item.status = DueStatus.KEPT
        item.save(update_fields=["status"])
        audit.record(actor=acting_user, organisation=item.organisation, action="retention.kept",
                     summary=f"{kind_of(item.record_class).label} record {item.record_id} kept after review until "
                             f"{date_format(decision.keep_until, 'j F Y')}", record_class=item.record_class,
                     record_id=str(item.record_id), decision=decision.pk)
    return decision


def hold_place(*, organisation: Organisation, record_class: str, record_id, reason: str, acting_user) -> LegalHold:
    """Stop retention and erasure for one record. A record already erased cannot be held: the message says when it went."""
    require_governance(acting_user, organisation)
    reason = " ".join((reason or "").split())
    if record_class not in RecordClass.values:
        raise ValidationError({"record_class": "Choose the class of record."})
    kind = kind_of(record_class)
    if kind.model is None:
        raise ValidationError({"record_class": f"The hub holds no {kind.label.lower()} records to hold one by one."})
    if not reason:
        raise ValidationError({"reason": "Say why the record is held (the litigation, investigation or inquiry)."})
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        raise ValidationError({"record_id": "Give the record's number, as shown on its page or the list of records due."}) from None
    with transaction.atomic():
        erased = _last_erasure(record_class, record_id)
        record = kind.owned_by(kind.model.objects.filter(pk=record_id), covered_organisation_ids(organisation)).first()
        if erased is None and record is None:
            raise ValidationError({"record_id": f"{organisation} holds no {kind.label.lower()} record {record_id}."})
        if erased is not None or kind.is_erased(record):
            raise ValidationError({"record_id": "A hold cannot be placed. " + _erased_message(kind, record_id, erased)})
        if LegalHold.objects.active().filter(record_class=record_class, record_id=record_id).exists():
            raise ValidationError({"record_id": f"{kind.label} record {record_id} is already under a legal hold."})
        hold = LegalHold.objects.create(organisation=organisation, record_class=record_class, record_id=record_id, reason=reason[:300],
                                        placed_by=acting_user)
        DueItem.objects.filter(record_class=record_class, record_id=record_id, status=DueStatus.WAITING).update(status=DueStatus.HELD)
        RetentionDecision.objects.create(decided_by=acting_user, organisation=organisation, record_class=record_class,
                                         record_id=str(record_id), outcome=Outcome.HELD, reason=reason[:300])
        audit.record(actor=acting_user, organisation=organisation, action="retention.hold_placed",
                     summary=f"Legal hold placed on {kind.label.lower()} record {record_id}", hold=hold.pk,
                     record_class=record_class, record_id=str(record_id))
    return hold


def hold_lift(*, hold: LegalHold, acting_user) -> LegalHold:
    require_governance(acting_user, hold.organisation)
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            return hold
        hold.lifted_at, hold.lifted_by = timezone.now(), acting_user
        hold.save(update_fields=["lifted_at", "lifted_by"])
        RetentionDecision.objects.create(decided_by=acting_user, organisation=hold.organisation, record_class=hold.record_class,
                                         record_id=str(hold.record_id), outcome=Outcome.HOLD_LIFTED)
        audit.record(actor=acting_user, organisation=hold.organisation, action="retention.hold_lifted",
                     summary=f"Legal hold lifted from {kind_of(hold.record_class).label.lower()} record {hold.record_id}",
                     hold=hold.pk, record_class=hold.record_class, record_id=str(hold.record_id))
    return hold
