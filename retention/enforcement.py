"""The nightly enforcement of retention schedules.

A dry run lists what falls due (a `DueItem` each, shown on the review page) and changes nothing else.
A real run first acts on what an earlier dry run listed at least `RETENTION_NOTICE_DAYS` before
(so information governance had that long to review it or place a hold), then lists what is newly due.
Records whose schedule ends in review wait for a person. Work goes in batches of
`RETENTION_BATCH_SIZE` records of one class, one transaction and a few set-based statements per batch; a batch
that fails is retried record by record, so a failure leaves that record as it was and the rest done; running
again does nothing twice (erased records are excluded by their decisions)."""
from __future__ import annotations

import logging
from collections import Counter

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from row_security.context import system_context
from organisations.models import Organisation, OrganisationKind
from retention.models import DueItem, DueStatus, EndAction, RecordClass, RetentionDecision, RetentionRun, RetentionSchedule, Outcome
from retention.record_classes import kind_of, months_before
from retention.services import adopt_default_schedules, apply_end_action, covered_organisation_ids, end_action_batch

logger = logging.getLogger(__name__)


def schedules_in_force(today):
    return (RetentionSchedule.objects.in_force(today).exclude(organisation__kind=OrganisationKind.NEIGHBOURHOOD_TEAM)
            .filter(organisation__is_active=True).select_related("organisation"))


def list_due(*, run: RetentionRun, today) -> Counter:
    """Add a waiting DueItem for each record now due that is not listed yet. Returns counts by class."""
    listed = Counter()
    for schedule in schedules_in_force(today):
        kind = kind_of(schedule.record_class)
        candidates = kind.candidates(organisation_ids=covered_organisation_ids(schedule.organisation), months=schedule.period_months,
                                     today=today)
        if not candidates:
            continue
        waiting = set(DueItem.objects.filter(record_class=kind.record_class, status=DueStatus.WAITING).values_list("record_id", flat=True))
        batch = []
        for record in candidates.iterator(chunk_size=settings.RETENTION_BATCH_SIZE):
            if record.pk in waiting:
                continue
            batch.append(DueItem(organisation_id=kind.organisation_id_of(record), record_class=kind.record_class, record_id=record.pk,
                                 schedule=schedule, due_on=kind.due_on(record, schedule.period_months), end_action=schedule.end_action))
            if len(batch) >= settings.RETENTION_BATCH_SIZE:
                listed[kind.record_class] += len(DueItem.objects.bulk_create(batch, ignore_conflicts=True))
                batch = []
        if batch:
            listed[kind.record_class] += len(DueItem.objects.bulk_create(batch, ignore_conflicts=True))
    return listed


def act_on_listed(*, run: RetentionRun, now) -> Counter:
    """Anonymise or delete what was listed long enough ago, as its schedule says, a batch at a time: one
    transaction per batch, set-based within it (`end_action_batch`). A batch that fails is done again one
    record at a time, each in its own savepoint, so a failure leaves that record as it was and the rest done."""
    done = Counter()
    notice_before = now - timezone.timedelta(days=settings.RETENTION_NOTICE_DAYS)
    ready = (DueItem.objects.filter(status=DueStatus.WAITING, listed_at__lte=notice_before,
                                    end_action__in=[EndAction.ANONYMISE, EndAction.DELETE])
             .select_related("schedule__organisation").order_by("record_class", "end_action", "pk"))
    for record_class in RecordClass.values:
        for action in (EndAction.ANONYMISE, EndAction.DELETE):
            last_pk = 0
            while batch := list(ready.filter(record_class=record_class, end_action=action, pk__gt=last_pk)[: settings.RETENTION_BATCH_SIZE]):
                last_pk = batch[-1].pk
                try:
                    with transaction.atomic():
                        done += end_action_batch(items=batch, run=run)
                except Exception:
                    logger.exception("Retention: a batch of %s could not be %sd together; trying each record alone", record_class, action)
                    with transaction.atomic():
                        for item in batch:
                            _act_on(item, run=run, done=done)
    return done


def _act_on(item: DueItem, *, run: RetentionRun, done: Counter) -> None:
    if item.schedule.end_action != item.end_action:
        return
    try:
        with transaction.atomic():
            apply_end_action(record_class=item.record_class, record_id=item.record_id, action=item.end_action, schedule=item.schedule, run=run)
        done[f"{item.record_class}:{item.end_action}"] += 1
    except ValidationError as error:
        # Held since it was listed, or gone already: nothing to do, and nothing half-done.
        status = DueStatus.HELD if "legal hold" in " ".join(error.messages) else DueStatus.GONE
        DueItem.objects.filter(pk=item.pk, status=DueStatus.WAITING).update(status=status)
        done[f"{item.record_class}:{status}"] += 1
    except Exception:
        logger.exception("Retention: %s record %s could not be %sd; it is left as it was", item.record_class, item.record_id, item.end_action)
        done[f"{item.record_class}:failed"] += 1


def history_event_models():
    """Every pghistory event model of a record that belongs to an organisation (directly or through its parent)."""
    import pghistory.models

    found = []
    for model in apps.get_models():
        if not issubclass(model, pghistory.models.Event) or model._meta.abstract:
            continue
        tracked = getattr(model, "pgh_tracked_model", None)
        lookup = getattr(tracked._default_manager._queryset_class, "organisation_lookup", None) if tracked else None
        # The schedules' own history is the audit of their changes: never swept.
        if tracked is not None and lookup and tracked._meta.app_label not in ("retention", "subject_access"):
            found.append((model, lookup))
    return found


def sweep_history(*, run: RetentionRun | None, today, dry_run: bool) -> Counter:
    """Delete history rows older than each organisation's history schedule, one decision per table and batch.
    Rows of records under a legal hold are kept (a hold covers the record's history)."""
    from retention.models import LegalHold

    counts = Counter()
    schedules = schedules_in_force(today).filter(record_class=RecordClass.HISTORY_ROWS, end_action=EndAction.DELETE)
    held = {(hold.record_class, hold.record_id) for hold in LegalHold.objects.active()}
    model_classes = {kind_of(c).model_label.lower(): c for c in RecordClass.values if kind_of(c).model_label}
    for schedule in schedules:
        cutoff = months_before(today, schedule.period_months)
        organisation_ids = covered_organisation_ids(schedule.organisation)
        for event_model, lookup in history_event_models():
            record_class = model_classes.get(event_model.pgh_tracked_model._meta.label_lower)
            held_ids = [record_id for (cls, record_id) in held if cls == record_class]
            old = (event_model.objects.filter(pgh_created_at__date__lt=cutoff, **{f"{lookup}_id__in": organisation_ids})
                   .exclude(pgh_obj_id__in=held_ids))
            if dry_run:
                counts[event_model._meta.label_lower] += old.count()
                continue
            while ids := list(old.order_by("pgh_id").values_list("pgh_id", flat=True)[: settings.RETENTION_BATCH_SIZE]):
                with transaction.atomic():
                    deleted, _ = event_model.objects.filter(pgh_id__in=ids).delete()
                    RetentionDecision.objects.create(
                        organisation=schedule.organisation, record_class=RecordClass.HISTORY_ROWS,
                        record_id=f"{event_model._meta.label_lower} {ids[0]}-{ids[-1]}", outcome=Outcome.DELETED,
                        schedule=schedule, regime=schedule.regime, run=run, rows=deleted,
                        reason=f"History rows before {cutoff:%d %B %Y}")
                counts[event_model._meta.label_lower] += deleted
    return counts


def sweep_conversation_exports(*, run: RetentionRun | None, today, dry_run: bool) -> int:
    """Delete the uploaded social-media exports older than the social-media schedule that no post anonymising took
    with it (a file rejected, failed, or checked and never confirmed holds the same text and handles), one decision
    each. A file a worker is reading now is left. Returns how many."""
    from digital.models import ConversationImport
    from digital.writer import drop_staged

    swept = 0
    for schedule in schedules_in_force(today).filter(record_class=RecordClass.SOCIAL_MEDIA).exclude(end_action=EndAction.REVIEW):
        old = (ConversationImport.objects.filter(organisation_id__in=covered_organisation_ids(schedule.organisation),
                                                 created_at__date__lt=months_before(today, schedule.period_months))
               .exclude(upload="").exclude(status__in=ConversationImport.JOB_OPEN_STATUSES))
        if dry_run:
            swept += old.count()
            continue
        with transaction.atomic():
            exports = list(old.select_for_update())
            files = [(export.upload.name, export.upload.storage) for export in exports]
            ConversationImport.objects.filter(pk__in=[export.pk for export in exports]).update(upload="")
            drop_staged([export.pk for export in exports])  # the dry run's copy of the file's posts goes with it
            RetentionDecision.objects.bulk_create([
                RetentionDecision(organisation_id=export.organisation_id, record_class=RecordClass.SOCIAL_MEDIA, outcome=Outcome.DELETED,
                                  record_id=f"digital.conversationimport {export.pk}", schedule=schedule, regime=schedule.regime, run=run,
                                  reason="The uploaded export of posts") for export in exports])
            transaction.on_commit(lambda files=files: [storage.delete(name) for name, storage in files])
        swept += len(exports)
    return swept


@system_context("retention enforcement")
def enforce(*, dry_run: bool, requested_by=None, today=None) -> RetentionRun:
    """One nightly pass. Organisations that own records get the default schedules first (recorded and audited)."""
    now = timezone.now()
    today = today or timezone.localdate()
    run = RetentionRun.objects.create(dry_run=dry_run, requested_by=requested_by)
    for organisation in Organisation.objects.filter(is_active=True).exclude(kind=OrganisationKind.NEIGHBOURHOOD_TEAM):
        adopt_default_schedules(organisation=organisation)
    summary = {"acted": {}, "history": {}}
    if not dry_run:
        summary["acted"] = dict(act_on_listed(run=run, now=now))
    summary["history"] = dict(sweep_history(run=run, today=today, dry_run=dry_run))
    summary["exports"] = sweep_conversation_exports(run=run, today=today, dry_run=dry_run)
    summary["listed"] = dict(list_due(run=run, today=today))
    summary["waiting"] = DueItem.objects.filter(status=DueStatus.WAITING).count()
    run.summary = summary
    run.finished_at = timezone.now()
    run.save(update_fields=["summary", "finished_at"])
    return run
