"""Each class of personal data the schedules cover: which rows it is, the date its clock runs from,
what anonymising it keeps (category, small-area place, dates, counts) and what it removes.

Deleting is the same for every class (`delete_record`): the row, what cascades from it, and the history
rows of all of them, in one transaction. Anonymising rewrites the row's history rows too, so an old
snapshot cannot give back what the row no longer holds."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.deletion import Collector
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.urls import reverse

from retention.models import EndAction, LegalHold, Outcome, RecordClass, RetentionDecision

ANONYMISED = "Anonymised"
REMOVED = "Removed under the retention schedule."


def event_model_for(model):
    """The pghistory event model of a tracked model, or None."""
    return getattr(model, "pgh_event_model", None) if getattr(model, "pgh_event_models", None) else None


def months_before(day: datetime.date, months: int) -> datetime.date:
    return day - relativedelta(months=months)


def months_after(day: datetime.date, months: int) -> datetime.date:
    return day + relativedelta(months=months)


def delete_record(record) -> list[tuple[type, list]]:
    """Delete `record`, what cascades from it, and the history rows of each (their delete snapshots included).
    Call inside a transaction: it is all or nothing. Returns what was deleted, as (model, ids)."""
    collector = Collector(using="default", origin=record)
    collector.collect([record])
    deleted = [(model, [instance.pk for instance in instances]) for model, instances in collector.data.items()]
    deleted += [(queryset.model, list(queryset.values_list("pk", flat=True))) for queryset in collector.fast_deletes]
    record.delete()
    for model, ids in deleted:
        if (events := event_model_for(model)) is not None and ids:
            events.objects.filter(pgh_obj_id__in=ids).delete()
    return deleted


def rewrite_history(model, record_id, values: dict) -> int:
    """Put the anonymised `values` into every history row of one record."""
    events = event_model_for(model)
    if events is None or not values:
        return 0
    return events.objects.filter(pgh_obj_id=record_id).update(**values)


@dataclass(frozen=True)
class RecordKind:
    """What the schedules need to know about one class of record."""

    record_class: str
    model_label: str | None
    organisation_lookup: str = "organisation"
    allowed_actions: tuple[str, ...] = (EndAction.REVIEW, EndAction.ANONYMISE, EndAction.DELETE)
    url_name: str | None = None
    why_not: str = ""  # why an action is not offered, for the message naming the field
    # What an erasure request does: delete the person's own records; anonymise those that also count events
    # (a concern, a visit, an engagement), so statistics stay and the person goes.
    erasure_action: str = EndAction.DELETE

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_label) if self.model_label else None

    @property
    def label(self) -> str:
        return RecordClass(self.record_class).label

    # -- which rows, and when they fall due ------------------------------------------------------------

    def clock(self):
        """The expression for the date the period runs from."""
        raise NotImplementedError

    def base_queryset(self):
        return self.model.objects.all()

    def candidates(self, *, organisation_ids, months: int, today: datetime.date):
        """Rows of these organisations whose period has run out, not anonymised already, not kept after a
        review until a later date, not under a legal hold. Annotated with `_clock` (the date it runs from)."""
        if self.model is None:
            return []
        cutoff = months_before(today, months)
        as_text = Cast(OuterRef("pk"), models.CharField())
        anonymised = RetentionDecision.objects.filter(record_class=self.record_class, record_id=as_text, outcome=Outcome.ANONYMISED)
        kept = RetentionDecision.objects.filter(record_class=self.record_class, record_id=as_text, outcome=Outcome.KEPT,
                                                keep_until__gt=today)
        held = LegalHold.objects.active().filter(record_class=self.record_class, record_id=OuterRef("pk"))
        parents = self.organisation_lookup.rsplit("__", 1)[0] if "__" in self.organisation_lookup else None
        queryset = self.base_queryset().select_related(parents) if parents else self.base_queryset()
        return (queryset.filter(**{f"{self.organisation_lookup}__in": organisation_ids})
                .annotate(_clock=self.clock()).filter(self.due_filter(cutoff=cutoff, today=today))
                .exclude(Exists(anonymised)).exclude(Exists(kept)).exclude(Exists(held)))

    def due_filter(self, *, cutoff, today):
        return models.Q(_clock__lte=cutoff)

    def due_on(self, record, months: int) -> datetime.date:
        return months_after(record._clock, months)

    def organisation_id_of(self, record) -> int:
        *path, last = self.organisation_lookup.split("__")
        value = record
        for part in path:
            value = getattr(value, part)
        return getattr(value, f"{last}_id")

    def url(self, record_id) -> str | None:
        return reverse(self.url_name, args=[record_id]) if self.url_name else None

    def url_of(self, record) -> str | None:
        return self.url(record.pk)

    # -- what happens at the end -----------------------------------------------------------------------

    def anonymised_values(self, record) -> dict:
        raise NotImplementedError

    def anonymise(self, record) -> None:
        values = self.anonymised_values(record)
        type(record).objects.filter(pk=record.pk).update(**values)
        rewrite_history(type(record), record.pk, values)

    def delete(self, record) -> None:
        delete_record(record)

    def is_erased(self, record) -> bool:
        """A row that stays after its personal data went (an import job whose file was deleted)."""
        return False


class Contacts(RecordKind):
    def clock(self):
        return TruncDate("updated_at")

    def due_filter(self, *, cutoff, today):
        # The record's own "retain until" date, or the schedule's period since it last changed: whichever comes first.
        return models.Q(_clock__lte=cutoff) | models.Q(retain_until__lte=today)

    def due_on(self, record, months):
        return min(record.retain_until, months_after(record._clock, months))

    def anonymised_values(self, record):
        # Kept: the neighbourhood, the postcode's outward part (a district), communities, language, needs, dates.
        outward = record.postcode.split()[0].upper() if record.postcode.strip() else ""
        return {"first_name": ANONYMISED, "last_name": f"contact {record.pk}", "email": "", "phone": "", "postcode": outward[:4], "notes": ""}

    def anonymise(self, record):
        super().anonymise(record)
        record.key_contact_for.clear()  # a group's key contact must be someone who can be reached


class AdvisoryMembers(RecordKind):
    def base_queryset(self):
        return self.model.objects.filter(left_on__isnull=False)

    def clock(self):
        return models.F("left_on")

    def url_of(self, record):
        return reverse("crm:advisory-detail", args=[record.advisory_group_id])

    def url(self, record_id):
        membership = self.model.objects.filter(pk=record_id).first()
        return self.url_of(membership) if membership else None


class ConcernReporters(RecordKind):
    def clock(self):
        return TruncDate("reported_at")

    def anonymised_values(self, record):
        values = {"reporter_name": "", "reporter_email": "", "reporter_phone": "", "description": REMOVED,
                  "holds_personal_data": False, "place": ""}
        # The place at small-area level: the point on the surface of its LSOA (or neighbourhood), not the doorstep.
        area = record.lsoa or record.neighbourhood
        if area is not None:
            values["location"] = area.boundary.point_on_surface
        return values

    def anonymise(self, record):
        values = self.anonymised_values(record)
        type(record).objects.filter(pk=record.pk).update(**values)
        values.pop("location", None)  # the history rows' generated grid reference follows location; set it alone
        rewrite_history(type(record), record.pk, values)
        if record.lsoa or record.neighbourhood:
            events = event_model_for(type(record))
            point = (record.lsoa or record.neighbourhood).boundary.point_on_surface
            events.objects.filter(pgh_obj_id=record.pk).update(location=point)


HOUSE = re.compile(r"^\s*(flat|apartment|unit)?\s*[\w/-]*\d[\w/-]*[,\s]+", re.IGNORECASE)


def street_of(address: str) -> str:
    """'12 Abbey Road' -> 'Abbey Road'; 'Rose Cottage, Abbey Road' -> 'Abbey Road': the street, not the home."""
    street = address.rsplit(",", 1)[-1] if "," in address else address
    return HOUSE.sub("", street).strip() or "Street withheld"


class DoorstepVisits(RecordKind):
    def clock(self):
        return TruncDate("engagement__starts_at")

    def url_of(self, record):
        return reverse("crm:engagement-detail", args=[record.engagement_id])

    def url(self, record_id):
        visit = self.model.objects.filter(pk=record_id).first()
        return self.url_of(visit) if visit else None

    def anonymised_values(self, record):
        from crm.models import QuestionKind

        free_text = {str(pk) for pk in record.engagement.questionnaire.questions.filter(kind=QuestionKind.TEXT).values_list("pk", flat=True)} \
            if record.engagement.questionnaire_id else set()
        answers = {key: value for key, value in (record.answers or {}).items() if str(key) not in free_text}
        return {"address": street_of(record.address), "resolved_on_the_spot": "", "answers": answers}


class EngagementAttendance(RecordKind):
    def clock(self):
        return TruncDate("starts_at")

    def base_queryset(self):
        # Only engagements still holding something to remove: idempotent without a mark on the row.
        return self.model.objects.exclude(notes="", issues__isnull=True).distinct()

    def anonymised_values(self, record):
        return {"notes": ""}

    def anonymise(self, record):
        from crm.models import EngagementIssue

        super().anonymise(record)
        for issue in EngagementIssue.objects.filter(engagement=record).select_related("category"):
            values = {"description": f"{issue.category.name} (details removed)"[:500]}
            EngagementIssue.objects.filter(pk=issue.pk).update(**values)
            rewrite_history(EngagementIssue, issue.pk, values)


class ImportFiles(RecordKind):
    def base_queryset(self):
        from partners.models import ImportJobStatus

        # Never a file a worker is reading now; a checked file left unconfirmed falls due like any other.
        busy = [ImportJobStatus.QUEUED, ImportJobStatus.CHECKING, ImportJobStatus.IMPORTING]
        return self.model.objects.exclude(upload="").exclude(status__in=busy)

    def clock(self):
        return TruncDate(Coalesce("finished_at", "created_at"))

    def url(self, record_id):
        return reverse("partners:import-detail", args=[record_id])

    def is_erased(self, record):
        return not record.upload

    def delete(self, record):
        """The file goes from storage; the job row stays (its counts, and the concerns that came from it)."""
        from django.db import transaction

        name, storage = record.upload.name, record.upload.storage
        type(record).objects.filter(pk=record.pk).update(upload="", original_name="File deleted under the retention schedule", errors=[])
        transaction.on_commit(lambda: storage.delete(name))


class NotHeld(RecordKind):
    """A class the hub does not hold yet (social-media content): a schedule can be set; nothing falls due."""

    def candidates(self, **kwargs):
        return []


class HistoryRows(RecordKind):
    """Swept by age, table by table (see enforcement.sweep_history); never listed one row at a time."""

    def candidates(self, **kwargs):
        return []


KINDS: dict[str, RecordKind] = {
    RecordClass.CONTACTS: Contacts(RecordClass.CONTACTS, "crm.Contact", url_name="crm:contact-detail"),
    RecordClass.ADVISORY_MEMBERS: AdvisoryMembers(
        RecordClass.ADVISORY_MEMBERS, "crm.AdvisoryMembership", organisation_lookup="advisory_group__organisation",
        allowed_actions=(EndAction.REVIEW, EndAction.DELETE),
        why_not="A membership is its member: it can be reviewed or deleted, not anonymised."),
    RecordClass.CONCERN_REPORTERS: ConcernReporters(RecordClass.CONCERN_REPORTERS, "partners.Concern", url_name="partners:concern-detail",
                                                     erasure_action=EndAction.ANONYMISE),
    RecordClass.DOORSTEP_VISITS: DoorstepVisits(RecordClass.DOORSTEP_VISITS, "crm.DoorstepVisit", organisation_lookup="engagement__organisation",
                                                 erasure_action=EndAction.ANONYMISE),
    RecordClass.ENGAGEMENT_ATTENDANCE: EngagementAttendance(
        RecordClass.ENGAGEMENT_ATTENDANCE, "crm.Engagement", url_name="crm:engagement-detail",
        allowed_actions=(EndAction.REVIEW, EndAction.ANONYMISE), erasure_action=EndAction.ANONYMISE,
        why_not="An engagement is counted in reports: its attendance details can be anonymised, not the engagement deleted."),
    RecordClass.IMPORT_FILES: ImportFiles(
        RecordClass.IMPORT_FILES, "partners.ConcernImportJob", allowed_actions=(EndAction.REVIEW, EndAction.DELETE),
        why_not="An uploaded file cannot be anonymised: it is deleted from storage (the import's counts stay)."),
    RecordClass.HISTORY_ROWS: HistoryRows(
        RecordClass.HISTORY_ROWS, None, allowed_actions=(EndAction.DELETE,),
        why_not="History rows older than the period are deleted; they are too many to review one by one."),
    RecordClass.SOCIAL_MEDIA: NotHeld(RecordClass.SOCIAL_MEDIA, None),
}


def kind_of(record_class: str) -> RecordKind:
    return KINDS[record_class]
