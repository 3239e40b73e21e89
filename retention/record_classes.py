"""Each class of personal data the schedules cover: which rows it is, the date its clock runs from,
what anonymising it keeps (category, small-area place, dates, counts) and what it removes.

Deleting is the same for every class (`delete_records`): the row, what cascades from it, and the history
rows of all of them, in one transaction. Anonymising rewrites the row's history rows too, so an old
snapshot cannot give back what the row no longer holds."""
from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.contrib.gis.db.models.functions import PointOnSurface
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
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


def delete_records(records) -> list[tuple[type, list]]:
    """Delete `records`, what cascades from them, and the history rows of each (their delete snapshots included),
    in one collector pass: one DELETE per table. Call inside a transaction: it is all or nothing.
    Returns what was deleted, as (model, ids)."""
    collector = Collector(using="default", origin=records[0])
    collector.collect(records)
    deleted = [(model, [instance.pk for instance in instances]) for model, instances in collector.data.items()]
    deleted += [(queryset.model, list(queryset.values_list("pk", flat=True))) for queryset in collector.fast_deletes]
    collector.delete()
    for model, ids in deleted:
        if (events := event_model_for(model)) is not None and ids:
            events.objects.filter(pgh_obj_id__in=ids).delete()
    return deleted


def _as_text(field, value):
    """A value as PostgreSQL reads it back through a cast to the column's type."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value, cls=DjangoJSONEncoder)
    if hasattr(value, "ewkt"):
        return value.ewkt
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def set_values(model, values_by_key: dict, *, key: str = "pk") -> int:
    """One UPDATE giving each row (found by `key`) its own values: a value shared by every row is a parameter, the
    others come from arrays unnested into a table joined on the key, each cast to its column's type. Rows not
    named keep theirs. (A CASE per row costs Django more to build than the database to run, at a batch's size.)"""
    if not values_by_key:
        return 0
    meta = model._meta
    key_column = meta.pk.column if key == "pk" else meta.get_field(key).column
    keys = list(values_by_key)
    names = sorted({name for values in values_by_key.values() for name in values})
    assignments, params, columns, arrays = [], [], [], [keys]
    for name in names:
        field = meta.get_field(name)
        cast = field.db_type(connection)
        given = [values_by_key[record_key].get(name, _KEEP) for record_key in keys]
        if all(value is not _KEEP and value == given[0] for value in given):
            assignments.append(f'"{field.column}" = %s::{cast}')
            params.append(_as_text(field, given[0]))
            continue
        alias = f"v{len(columns)}"
        columns.append(alias)
        arrays.append([None if value is _KEEP else _as_text(field, value) for value in given])
        if any(value is _KEEP for value in given):
            assignments.append(f'"{field.column}" = CASE WHEN u.{alias}_keep THEN t."{field.column}" ELSE u.{alias}::{cast} END')
            columns.append(f"{alias}_keep")
            arrays.append([value is _KEEP for value in given])
        else:
            assignments.append(f'"{field.column}" = u.{alias}::{cast}')
    unnest_types = ["%s::bigint[]"] + [("%s::boolean[]" if column.endswith("_keep") else "%s::text[]") for column in columns]
    sql = (f'UPDATE "{meta.db_table}" AS t SET {", ".join(assignments)} '
           f'FROM unnest({", ".join(unnest_types)}) AS u(k{"".join(", " + c for c in columns)}) WHERE t."{key_column}" = u.k')
    with connection.cursor() as cursor:
        cursor.execute(sql, params + arrays)
        return cursor.rowcount


_KEEP = object()  # a row whose values leave this field alone


def rewrite_history(model, values_by_pk: dict) -> int:
    """Put each record's anonymised values into every one of its history rows, in one UPDATE."""
    events = event_model_for(model)
    if events is None or not values_by_pk:
        return 0
    return set_values(events, values_by_pk, key="pgh_obj_id")


def area_points(records) -> dict[int, object]:
    """A point on the surface of each record's small area (or, without one, its neighbourhood), by record id:
    the place at small-area level, not the doorstep. Two queries for the batch."""
    from geo.models import Neighbourhood, SmallArea

    def surface_points(model, ids):
        ids = {pk for pk in ids if pk}
        return dict(model.objects.filter(pk__in=ids).annotate(point=PointOnSurface("boundary")).values_list("pk", "point")) if ids else {}

    lsoas = surface_points(SmallArea, [getattr(r, "lsoa_id", None) for r in records])
    neighbourhoods = surface_points(Neighbourhood, [r.neighbourhood_id for r in records])
    points = {}
    for record in records:
        point = lsoas.get(getattr(record, "lsoa_id", None)) or neighbourhoods.get(record.neighbourhood_id)
        if point is not None:
            points[record.pk] = point
    return points


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
    # (a concern, a visit, an engagement, a post), so statistics stay and the person goes.
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

    def with_parents(self, queryset):
        """`queryset` with what `organisation_id_of` and `anonymised_values` read loaded in the same query."""
        parents = self.organisation_lookup.rsplit("__", 1)[0] if "__" in self.organisation_lookup else None
        return queryset.select_related(parents) if parents else queryset

    def owned_by(self, queryset, organisation_ids):
        """The rows of `queryset` that belong to these organisations."""
        return queryset.filter(**{f"{self.organisation_lookup}__in": organisation_ids})

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
        return (self.owned_by(self.with_parents(self.base_queryset()), organisation_ids)
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
    # Set-based: a batch of records is anonymised with one UPDATE of its table and one of its history
    # table, or deleted with one DELETE per table; a single record (a review, a request) is a batch of one.

    def anonymised_values(self, record) -> dict:
        raise NotImplementedError

    def anonymise_many(self, records) -> None:
        values = {record.pk: self.anonymised_values(record) for record in records}
        set_values(self.model, values)
        rewrite_history(self.model, values)

    def delete_many(self, records) -> None:
        delete_records(records)

    def anonymise(self, record) -> None:
        self.anonymise_many([record])

    def delete(self, record) -> None:
        self.delete_many([record])

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

    def anonymise_many(self, records):
        super().anonymise_many(records)
        # A group's key contact must be someone who can be reached.
        self.model.key_contact_for.through.objects.filter(contact_id__in=[r.pk for r in records]).delete()


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
        return {"reporter_name": "", "reporter_email": "", "reporter_phone": "", "description": REMOVED,
                "holds_personal_data": False, "place": ""}

    def anonymise_many(self, records):
        super().anonymise_many(records)
        # The place at small-area level. Set alone: the history rows' generated grid reference follows location.
        points = {pk: {"location": point} for pk, point in area_points(records).items()}
        set_values(self.model, points)
        rewrite_history(self.model, points)


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

    def anonymise_many(self, records):
        from crm.models import QuestionKind, QuestionnaireQuestion

        # The free-text questions of every questionnaire in the batch, in one query.
        questionnaires = {r.engagement.questionnaire_id for r in records if r.engagement.questionnaire_id}
        free_text: dict[int, set[str]] = {}
        for questionnaire_id, pk in QuestionnaireQuestion.objects.filter(questionnaire_id__in=questionnaires, kind=QuestionKind.TEXT) \
                .values_list("questionnaire_id", "pk"):
            free_text.setdefault(questionnaire_id, set()).add(str(pk))
        values = {}
        for record in records:
            dropped = free_text.get(record.engagement.questionnaire_id, set())
            answers = {key: value for key, value in (record.answers or {}).items() if str(key) not in dropped}
            values[record.pk] = {"address": street_of(record.address), "resolved_on_the_spot": "", "answers": answers}
        set_values(self.model, values)
        rewrite_history(self.model, values)


class EngagementAttendance(RecordKind):
    def clock(self):
        return TruncDate("starts_at")

    def base_queryset(self):
        # Only engagements still holding something to remove: idempotent without a mark on the row.
        return self.model.objects.exclude(notes="", issues__isnull=True).distinct()

    def anonymised_values(self, record):
        return {"notes": ""}

    def anonymise_many(self, records):
        from crm.models import EngagementIssue

        super().anonymise_many(records)
        issues = {pk: {"description": f"{category} (details removed)"[:500]} for pk, category in
                  EngagementIssue.objects.filter(engagement__in=records).values_list("pk", "category__name")}
        set_values(EngagementIssue, issues)
        rewrite_history(EngagementIssue, issues)


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

    def delete_many(self, records):
        """The files go from storage once the batch commits; the job rows stay (their counts, and the concerns that came from them)."""
        from django.db import transaction

        files = [(record.upload.name, record.upload.storage) for record in records]
        self.model.objects.filter(pk__in=[r.pk for r in records]).update(
            upload="", original_name="File deleted under the retention schedule", errors=[])
        transaction.on_commit(lambda: [storage.delete(name) for name, storage in files])


class Notifications(RecordKind):
    """What the hub told one person, listed in the hub and perhaps emailed. A notification belongs to its
    recipient's organisation (the first they are a member of, for someone in more than one)."""

    def clock(self):
        return TruncDate("created_at")

    def with_parents(self, queryset):
        return queryset

    def memberships(self, organisation_ids=None):
        from organisations.models import Membership

        memberships = Membership.objects.filter(user=OuterRef("recipient_id"))
        return memberships.filter(organisation_id__in=organisation_ids) if organisation_ids is not None else memberships

    def owned_by(self, queryset, organisation_ids):
        owner = self.memberships(organisation_ids).order_by("pk").values("organisation_id")[:1]
        return queryset.filter(Exists(self.memberships(organisation_ids))).annotate(_owner=models.Subquery(owner))

    def organisation_id_of(self, record):
        if getattr(record, "_owner", None):
            return record._owner
        from organisations.models import Membership

        return Membership.objects.filter(user_id=record.recipient_id).order_by("pk").values_list("organisation_id", flat=True).first()


class SocialMedia(RecordKind):
    """Imported social-media posts (digital.Post). The schedule alone decides how long a post's text, author
    handle, link and place words are kept; anonymising keeps what the hot-topics counts need."""

    def clock(self):
        return TruncDate("created_at")  # when the hub took the post in

    def base_queryset(self):
        return self.model.objects.filter(text_removed_at__isnull=True)

    def is_erased(self, record):
        return record.text_removed_at is not None

    def anonymise_many(self, records):
        from django.utils import timezone

        # A geotagged post's point can be the author's home: it becomes a point in its neighbourhood.
        points = area_points(records)
        # An account's handle (a reply thread's) is personal like the author's; a group, subreddit or hashtag stays counted.
        values = {record.pk: {"text": "", "author": "", "url": "", "place_text": "", "reply_to": "", "placed_match": "",
                              "community": "" if record.community_kind == "account" else record.community,
                              "text_removed_at": timezone.now(), "location": points.get(record.pk)} for record in records}
        set_values(self.model, values)
        # The uploaded export holds the same text and handles: it goes from storage too (the hub has the posts).
        from django.db import transaction

        from digital.models import ConversationImport, ImportStatus

        imports = ConversationImport.objects.filter(pk__in={r.source_import_id for r in records}, status=ImportStatus.IMPORTED).exclude(upload="")
        files = [(job.upload.name, job.upload.storage) for job in imports]
        imports.update(upload="")
        transaction.on_commit(lambda: [storage.delete(name) for name, storage in files])


class AgreementPdfs(RecordKind):
    """The stored PDFs of a sharing protocol's versions (documents.AgreementFile): they name the signatories and their
    roles, and can be made again from the register. Their clock runs from the day the protocol ended: terminated
    (the terminating version's date) or past the end date of the version in force; a protocol in force never falls due."""

    def clock(self):
        from sharing_protocols.models import ProtocolStatus

        current = "version__protocol__current_version"
        return models.Case(
            models.When(**{f"{current}__status": ProtocolStatus.TERMINATED}, then=TruncDate(f"{current}__created_at")),
            models.When(**{f"{current}__ends_on__isnull": False}, then=models.F(f"{current}__ends_on")),
            default=None, output_field=models.DateField())

    def url_of(self, record):
        return reverse("sharing:protocol-version", args=[record.version.protocol_id, record.version.number])

    def url(self, record_id):
        stored = self.model.objects.select_related("version").filter(pk=record_id).first()
        return self.url_of(stored) if stored else None

    def delete_many(self, records):
        """The rows go now; the files (and any older copy of the same version) once the batch commits."""
        from django.db import transaction

        from documents.agreements import agreement_files_delete

        versions = {record.version_id: record.version for record in records}
        names = [record.name for record in records]
        self.model.objects.filter(pk__in=[r.pk for r in records]).delete()
        transaction.on_commit(lambda: [agreement_files_delete(version, also=names) for version in versions.values()])


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
    RecordClass.NOTIFICATIONS: Notifications(
        RecordClass.NOTIFICATIONS, "notifications.Notification", organisation_lookup="recipient__memberships__organisation",
        allowed_actions=(EndAction.REVIEW, EndAction.DELETE),
        why_not="A notification is only its message: it can be reviewed or deleted, not anonymised."),
    RecordClass.HISTORY_ROWS: HistoryRows(
        RecordClass.HISTORY_ROWS, None, allowed_actions=(EndAction.DELETE,),
        why_not="History rows older than the period are deleted; they are too many to review one by one."),
    RecordClass.SOCIAL_MEDIA: SocialMedia(RecordClass.SOCIAL_MEDIA, "digital.Post", erasure_action=EndAction.ANONYMISE),
    RecordClass.AGREEMENT_PDFS: AgreementPdfs(
        RecordClass.AGREEMENT_PDFS, "documents.AgreementFile", organisation_lookup="version__protocol__lead_organisation",
        allowed_actions=(EndAction.REVIEW, EndAction.DELETE),
        why_not="A printed agreement is a copy of the register's version: it is deleted (and can be made again), not anonymised."),
}


def kind_of(record_class: str) -> RecordKind:
    return KINDS[record_class]
