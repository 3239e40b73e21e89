"""Writes for people's requests about their own data. Each validates, saves and audits in one transaction.
Audit events and the disclosure log name requests by reference and records by class and id, never a name."""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json

import pghistory
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from jobs.files import StoredFiles, files_stored_with_commit
from organisations import audit
from retention.models import LegalRegime, Outcome, RetentionDecision
from retention.record_classes import kind_of
from retention.services import apply_end_action, governed_organisations, history_erase
from subject_access.models import (
    DataSubjectRequest, Exemption, ItemDecision, RequestItem, RequestKind, RequestStatus, Restriction, SubjectAccessPackage,
    package_path,
)
from subject_access.search import SOURCES, Terms, find, label_for, source_for

PART_3_NO_EXTENSION = ("A request under Part 3 cannot be extended: DPA 2018 s.54 gives one month. If the right of access must be "
                       "restricted, record a restriction under s.45 instead.")


def _require(user, request: DataSubjectRequest) -> None:
    if request.organisation_id not in {o.pk for o in governed_organisations(user)}:
        raise PermissionDenied("Only information governance for this organisation can handle this request.")


def _audit(request, user, action: str, summary: str, **details):
    audit.record(actor=user, organisation=request.organisation, action=f"subject_access.{action}",
                 summary=f"{request.reference}: {summary}", request=request.pk, kind=request.kind, **details)


def request_create(*, request: DataSubjectRequest, acting_user) -> DataSubjectRequest:
    organisations = governed_organisations(acting_user)
    if not organisations:
        raise PermissionDenied("Only information governance can record requests.")
    request.organisation = request.organisation if request.organisation_id else organisations[0]
    _require(acting_user, request)
    errors = {}
    if request.received_on and request.received_on > timezone.localdate():
        errors["received_on"] = "The date received cannot be in the future."
    if request.kind in (RequestKind.ERASURE, RequestKind.RECTIFICATION) and not request.reason.strip():
        errors["reason"] = "Say what the person asked to be erased or corrected, and why."
    if errors:
        raise ValidationError(errors)
    request.due_on = DataSubjectRequest.one_month_after(request.received_on) if request.received_on else None
    request.created_by = acting_user
    with transaction.atomic():
        request.full_clean(exclude=["due_on", "created_by", "organisation"])
        request.save()
        _audit(request, acting_user, "received", f"{request.get_kind_display()} request received on {request.received_on:%d %B %Y}",
               regime=request.regime, due_on=request.due_on.isoformat())
    return request


def request_search(*, request: DataSubjectRequest, acting_user) -> int:
    """Search every source for the person; add what is new, keep what was reviewed. Returns how many items are new."""
    _require(acting_user, request)
    found = find(acting_user, Terms.of(request))
    with transaction.atomic():
        existing = {(i.source, i.record_type, i.record_id) for i in request.items.all()}
        new = [RequestItem(request=request, source=f.source, record_type=f.record_type, record_id=f.record_id, matched_on=f.matched_on)
               for f in found if (f.source, f.record_type, f.record_id) not in existing]
        RequestItem.objects.bulk_create(new)
        request.searched_at = timezone.now()
        request.save(update_fields=["searched_at"])
        _audit(request, acting_user, "searched", f"searched: {len(found)} records found, {len(new)} new", found=len(found))
    return len(new)


def item_review(*, item: RequestItem, acting_user, decision: str, exemption: str = "", redact_fields=(), note: str = "",
                corrections: dict | None = None) -> RequestItem:
    _require(acting_user, item.request)
    errors = {}
    if decision not in ItemDecision.values or decision == ItemDecision.PENDING:
        errors["decision"] = "Choose what to do with this record."
    if decision == ItemDecision.EXEMPT and not exemption:
        errors["exemption"] = "Choose the exemption that applies."
    if exemption and exemption not in Exemption.values:
        errors["exemption"] = "Choose one of the exemptions listed."
    shown = set(SOURCES[item.source].shown) if item.source in SOURCES else set()
    if decision == ItemDecision.REDACT and not redact_fields:
        errors["redact_fields"] = "Choose the details that identify someone else."
    if set(redact_fields) - shown and item.source in SOURCES:
        errors["redact_fields"] = "Choose details shown for this record."
    if corrections:
        bad = set(corrections) - shown
        if bad:
            errors["corrections"] = f"These cannot be corrected here: {', '.join(sorted(bad))}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item.decision, item.exemption, item.note = decision, exemption if decision == ItemDecision.EXEMPT else "", note[:300]
        item.redact_fields = list(redact_fields) if decision == ItemDecision.REDACT else []
        if corrections is not None:
            item.corrections = corrections
        item.save()
        _audit(item.request, acting_user, "item_reviewed", f"{item.record_type} {item.record_id}: {item.get_decision_display().lower()}",
               item=item.pk, decision=decision, exemption=item.exemption, redacted=item.redact_fields)
    return item


def request_extend(*, request: DataSubjectRequest, acting_user, months: int, reason: str) -> DataSubjectRequest:
    """UK GDPR article 12(3): up to two further months for a complex or numerous request, with the person told why."""
    _require(acting_user, request)
    reason = " ".join((reason or "").split())
    if request.regime == LegalRegime.PART_3:
        raise ValidationError({"months": PART_3_NO_EXTENSION})
    errors = {}
    if months not in (1, 2):
        errors["months"] = "Extend by one or two months (article 12(3) allows at most two more)."
    if not reason:
        errors["reason"] = "Say why the request is complex or numerous: the person must be told."
    if request.extended_to:
        errors["months"] = "This request was already extended."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request.extended_to = request.due_on + relativedelta(months=months)
        request.extension_reason = reason[:300]
        request.save(update_fields=["extended_to", "extension_reason"])
        _audit(request, acting_user, "extended", f"deadline extended to {request.extended_to:%d %B %Y}", extended_to=request.extended_to.isoformat())
    return request


def request_restrict(*, request: DataSubjectRequest, acting_user, restriction: str, note: str) -> DataSubjectRequest:
    """Record a restriction under DPA 2018 s.45(4): the package then neither confirms nor denies that data is held."""
    _require(acting_user, request)
    note = " ".join((note or "").split())
    if restriction and request.regime != LegalRegime.PART_3:
        raise ValidationError({"restriction": "A restriction under s.45 applies to law-enforcement processing (Part 3) only; "
                                              "for UK GDPR, mark the exemptions item by item."})
    if restriction and restriction not in Restriction.values:
        raise ValidationError({"restriction": "Choose one of the grounds in s.45(4)."})
    if restriction and not note:
        raise ValidationError({"restriction_note": "Say why the restriction is necessary and proportionate (s.45(4))."})
    with transaction.atomic():
        request.restriction, request.restriction_note = restriction, note[:500]
        request.save(update_fields=["restriction", "restriction_note"])
        _audit(request, acting_user, "restricted" if restriction else "restriction_removed",
               "restriction under s.45 recorded" if restriction else "restriction removed", restriction=restriction)
    return request


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def package_check(*, request: DataSubjectRequest, acting_user) -> None:
    """Whether a package can be made now: ValidationError naming what is missing if not."""
    _require(acting_user, request)
    if request.kind != RequestKind.ACCESS:
        raise ValidationError("Only a subject access request has a package.")
    pending = request.items.filter(decision=ItemDecision.PENDING).count()
    if pending and not request.restriction:
        raise ValidationError(f"Review every record first: {pending} still to review.")


def package_make(*, request: DataSubjectRequest, acting_user, still_mine=None, files: StoredFiles | None = None) -> SubjectAccessPackage | None:
    """The tagged PDF (cover letter and records) and the JSON, stored, hashed, audited and logged as a disclosure.
    Made by the background worker (documents.tasks); `still_mine`, called inside the final transaction, says whether
    the worker's job is still its own (a superseded worker saves nothing and gets None). The files are stored in
    the transaction that records them (`files`, the caller's outermost one, else one of its own) and deleted again
    if it does not commit: a failed build leaves neither a row nor a file."""
    from sharing_protocols.disclosures import disclosure_record
    from sharing_protocols.models import DisclosureAction
    from subject_access.package import package_content, package_json, package_pdf

    package_check(request=request, acting_user=acting_user)
    content = package_content(acting_user, request)
    pdf, data = package_pdf(content), package_json(content)
    with files_stored_with_commit() if files is None else contextlib.nullcontext(files) as files, transaction.atomic():
        if still_mine is not None and not still_mine():
            return None
        _package_leftovers_delete(request)
        package = SubjectAccessPackage(request=request, made_by=acting_user, pdf_sha256=_sha256(pdf), json_sha256=_sha256(data),
                                       items_included=len(content["items"]))
        files.save_field(package.pdf, f"{request.reference}.pdf", ContentFile(pdf))
        files.save_field(package.json, f"{request.reference}.json", ContentFile(data))
        package.save()
        disclosure_record(user=acting_user, organisation=request.organisation, action=DisclosureAction.EXPORT,
                          record_type=DataSubjectRequest._meta.label_lower, record_id=str(request.pk),
                          purpose=f"Subject access package {request.reference}",
                          details={"items": package.items_included, "pdf_sha256": package.pdf_sha256, "json_sha256": package.json_sha256,
                                   "neither_confirm_nor_deny": request.neither_confirm_nor_deny})
        _audit(request, acting_user, "package_made", f"package made with {package.items_included} records", package=package.pk,
               pdf_sha256=package.pdf_sha256, json_sha256=package.json_sha256)
    return package


def _package_leftovers_delete(request: DataSubjectRequest) -> None:
    """Files in the request's folder that no package records: left by a worker killed before its transaction
    committed (no cleanup runs then). Called while this build holds its job's row, so no other build writes here."""
    storage = SubjectAccessPackage._meta.get_field("pdf").storage
    folder = package_path(SubjectAccessPackage(request=request), "").rstrip("/")
    try:
        names = storage.listdir(folder)[1]
    except FileNotFoundError:  # no folder yet (local disk; an object store lists nothing instead)
        return
    recorded = {name for pair in request.packages.values_list("pdf", "json") for name in pair}
    for name in names:
        if f"{folder}/{name}" not in recorded:
            storage.delete(f"{folder}/{name}")


def requester_hash(request: DataSubjectRequest) -> str:
    """A keyed hash of who asked: recognises a repeat request without keeping the name."""
    key = settings.SECRET_KEY.encode()
    identity = "|".join([request.requester_name.strip().lower(), request.requester_email.strip().lower()])
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()


def request_erase(*, request: DataSubjectRequest, acting_user) -> list[RetentionDecision]:
    """Carry out an erasure request through the retention path: each record the reviewer chose ("include") is
    deleted, or anonymised where it also counts an event (a concern, a visit, an engagement), one record at a time,
    all or nothing per record; history rows left of a record already gone are deleted; disclosure entries stay.
    Then the request itself keeps only a keyed hash of who asked."""
    _require(acting_user, request)
    if request.kind != RequestKind.ERASURE:
        raise ValidationError("Only an erasure request erases records.")
    items = list(request.items.filter(decision=ItemDecision.INCLUDE, actioned_at__isnull=True))
    if not items:
        raise ValidationError("Choose the records to erase first (mark them “Include”).")
    decisions, refused = [], []
    for item in items:
        if item.source == "disclosure":
            # The append-only log names records by class and number only: there is nothing personal in it to erase.
            RequestItem.objects.filter(pk=item.pk).update(actioned_at=timezone.now())
            continue
        history = item.source.startswith("history:")
        source = source_for(item.source.split(":", 1)[1] if history else item.source)
        record_class = source.record_class if source else ""
        if not record_class:
            refused.append(f"{label_for(item)}: erase it from its own page (the retention schedules do not cover it)")
            continue
        kind = kind_of(record_class)
        done_already = RetentionDecision.objects.filter(record_class=record_class, record_id=str(item.record_id),
                                                        request_reference=request.reference).exists()
        try:
            if history and not kind.model.objects.filter(pk=item.record_id).exists():
                if decision := history_erase(record_class=record_class, record_id=item.record_id, acting_user=acting_user,
                                             request_reference=request.reference):
                    decisions.append(decision)
            elif not done_already:
                decisions.append(apply_end_action(record_class=record_class, record_id=item.record_id, action=kind.erasure_action,
                                                  acting_user=acting_user, request_reference=request.reference,
                                                  reason=f"Erasure request {request.reference}"))
            RequestItem.objects.filter(pk=item.pk).update(actioned_at=timezone.now())
        except ValidationError as error:
            refused.append(f"{label_for(item)}: {' '.join(error.messages)}")
    if refused:
        raise ValidationError([f"{len(decisions)} erased; not erased: " + "; ".join(refused)])
    _finish_erasure(request, acting_user)
    return decisions


def _forget_requester(request: DataSubjectRequest) -> None:
    """Keep the request (its reference, kind, dates, decisions) and a keyed hash of who asked; drop the rest, and the
    files of any package sent (their hashes stay on the package row)."""
    request.requester_hash = request.requester_hash or requester_hash(request)
    request.requester_name = f"Erased: {request.reference}"
    request.requester_email = request.requester_address = request.other_names = request.other_emails = ""
    request.phones = request.addresses = request.handles = ""
    for package in request.packages.all():
        for file in (package.pdf, package.json):
            if file:
                name, storage = file.name, file.storage
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    request.save()


def _finish_erasure(request, acting_user):
    """The erasure request, and the same person's earlier requests to this controller, keep only a hash of who asked."""
    with transaction.atomic():
        identity = requester_hash(request)
        earlier = [r for r in DataSubjectRequest.objects.filter(organisation=request.organisation).exclude(pk=request.pk)
                   .exclude(status=RequestStatus.OPEN).exclude(requester_name__startswith="Erased: ")
                   if requester_hash(r) == identity]
        for other in earlier:
            _forget_requester(other)
        _forget_requester(request)
        request.status, request.completed_at = RequestStatus.COMPLETED, timezone.now()
        request.save(update_fields=["status", "completed_at"])
        _audit(request, acting_user, "erased", "records erased; the request keeps only a hash of who asked",
               requester_hash=request.requester_hash, earlier_requests=[r.reference for r in earlier])


def request_rectify(*, request: DataSubjectRequest, acting_user) -> list[RetentionDecision]:
    """Correct each chosen record as the reviewer set out (field: corrected value), validated as any edit is."""
    from django.apps import apps

    _require(acting_user, request)
    if request.kind != RequestKind.RECTIFICATION:
        raise ValidationError("Only a rectification request corrects records.")
    items = list(request.items.filter(decision=ItemDecision.INCLUDE, actioned_at__isnull=True).exclude(corrections={}))
    if not items:
        raise ValidationError("Set out the corrections first (on each record's review).")
    decisions = []
    for item in items:
        source = SOURCES.get(item.source)
        if source is None or not source.record_class:
            raise ValidationError([f"{item.record_type} {item.record_id}: correct it from its own page."])
        with transaction.atomic(), pghistory.context(user=acting_user.pk, via=f"rectification {request.reference}"):
            record = apps.get_model(source.model_label).objects.select_for_update().get(pk=item.record_id)
            for name, value in item.corrections.items():
                setattr(record, name, value)
            try:
                record.full_clean()
            except ValidationError as error:
                raise ValidationError([f"{source.label} {item.record_id}: " + " ".join(error.messages)]) from None
            record.save()
            organisation = getattr(record, "organisation", None) or request.organisation
            decision = RetentionDecision.objects.create(
                decided_by=acting_user, organisation=organisation, record_class=source.record_class,
                record_id=str(item.record_id), outcome=Outcome.RECTIFIED, request_reference=request.reference,
                reason=f"Corrected: {', '.join(sorted(item.corrections))}")
            decisions.append(decision)
            RequestItem.objects.filter(pk=item.pk).update(actioned_at=timezone.now())
            _audit(request, acting_user, "rectified", f"{item.record_type} {item.record_id} corrected: {', '.join(sorted(item.corrections))}",
                   item=item.pk, fields=sorted(item.corrections))
    return decisions


def request_complete(*, request: DataSubjectRequest, acting_user) -> DataSubjectRequest:
    _require(acting_user, request)
    if request.kind == RequestKind.ACCESS and not request.packages.exists():
        raise ValidationError("Make the package before completing the request.")
    with transaction.atomic():
        request.status, request.completed_at = RequestStatus.COMPLETED, timezone.now()
        request.save(update_fields=["status", "completed_at"])
        late = timezone.localdate() > request.deadline
        _audit(request, acting_user, "completed", "completed" + (" late" if late else " in time"), late=late)
    return request


def json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode("utf-8")
