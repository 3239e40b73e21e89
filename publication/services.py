"""Writes for publication: screening decisions, reviews, officers' public profiles and releases.
Each validates, saves and writes its audit record in one transaction."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from row_security.context import system_context
from organisations import audit
from crm.models import Engagement, EngagementStatus, Priority, PriorityAction
from access.roles import Role
from jobs.dispatch import job_dispatch_on_commit
from publication.models import (
    PUBLIC_FIELDS, PublicProfile, Release, ReleaseStatus, ReleaseTrigger, Screening, ScreeningStatus, Subject, text_hash,
)
from publication.screening import screen_fields
from publication.selectors import PUBLIC_MEETING_KINDS, with_public_hash

REVIEWER_ROLES = (Role.MANAGER, Role.INFORMATION_GOVERNANCE, Role.ADMINISTRATOR)
RELEASE_ROLES = (Role.MANAGER, Role.INFORMATION_GOVERNANCE, Role.ADMINISTRATOR)


# --- Screening -------------------------------------------------------------------------------------------------------

def subject_queryset(subject: Subject):
    """Every record of a kind whose text goes public. A system read for screening (it must see all
    organisations' records); it never leaves this module except as a Screening."""
    if subject == Subject.PRIORITY:
        return Priority.objects.all()
    if subject == Subject.OUTCOME:
        return Priority.objects.exclude(outcome="")
    if subject == Subject.ACTION:
        return PriorityAction.objects.select_related("priority").filter(withdrawn_at__isnull=True)
    if subject == Subject.PROFILE:
        return PublicProfile.objects.filter(published=True).exclude(bio="")
    # Only meetings still to come can go public: past ones are never screened (or shown).
    return Engagement.objects.filter(kind__in=PUBLIC_MEETING_KINDS, status=EngagementStatus.PLANNED, starts_at__gte=timezone.now())


def owner_of(subject: Subject, record):
    if subject == Subject.PROFILE:  # the officer's organisation, whose managers review it
        return record.user.memberships.order_by("pk").values_list("organisation_id", flat=True).first()
    return record.priority.organisation_id if subject == Subject.ACTION else record.organisation_id


def public_text(subject: Subject, record) -> dict[str, str]:
    return {field: getattr(record, field) or "" for field in PUBLIC_FIELDS[subject]}


def screening_run(*, subject: Subject, record) -> Screening:
    """Screen the record's current public wording (once per wording: a second run returns the first decision)."""
    fields = public_text(subject, record)
    content_hash = text_hash(*fields.values())
    existing = Screening.objects.filter(subject=subject, object_id=record.pk, content_hash=content_hash).first()
    if existing is not None:
        return existing
    findings = screen_fields(fields)
    status = ScreeningStatus.FLAGGED if findings else ScreeningStatus.CLEARED
    try:
        with transaction.atomic():
            screening = Screening.objects.create(
                organisation_id=owner_of(subject, record), subject=subject, object_id=record.pk, content_hash=content_hash,
                status=status, findings=[finding.as_dict() for finding in findings],
            )
            if findings:
                audit.record(
                    actor=None, organisation=screening.organisation, action="publication.screening_flagged",
                    summary=f"{screening.get_subject_display()} {record.pk} held back from publication for review",
                    screening=screening.pk, subject=subject, object_id=record.pk, kinds=sorted({f.kind for f in findings}),
                )
    except IntegrityError:  # screened at the same moment by another worker
        return Screening.objects.get(subject=subject, object_id=record.pk, content_hash=content_hash)
    return screening


@system_context("screening public wording")
def screening_pending(*, limit: int | None = None) -> int:
    """Screen every public text whose current wording has no decision yet. Returns how many were screened."""
    done = 0
    for subject in Subject:
        decided = Screening.objects.filter(subject=subject, object_id=OuterRef("pk"), content_hash=OuterRef("public_hash"))
        pending = with_public_hash(subject_queryset(subject), subject).filter(~Exists(decided)).order_by("pk")
        for record in pending[:limit] if limit else pending:
            screening_run(subject=subject, record=record)
            done += 1
    return done


def reviewable_screenings(user):
    """What `user` may review: flagged screenings of their organisations' records, if they hold a reviewer role."""
    if not user.is_authenticated or not user.has_role(*REVIEWER_ROLES):
        return Screening.objects.none()
    return Screening.objects.visible_to(user)


def screened_record(screening: Screening, user):
    """The record a screening is about, read through visible_to (None if the user cannot see it)."""
    if screening.subject == Subject.PROFILE:  # a colleague's profile: an officer of one of the reviewer's organisations
        organisations = user.memberships.values("organisation_id")
        return PublicProfile.objects.filter(pk=screening.object_id, user__memberships__organisation_id__in=organisations).first()
    model = {Subject.PRIORITY: Priority, Subject.OUTCOME: Priority, Subject.ACTION: PriorityAction, Subject.MEETING: Engagement}[screening.subject]
    return model.objects.visible_to(user).filter(pk=screening.object_id).first()


def _decide(*, screening: Screening, acting_user, status: str, note: str) -> Screening:
    if not reviewable_screenings(acting_user).filter(pk=screening.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        if screening.status not in (ScreeningStatus.FLAGGED,):
            raise ValidationError(f"This text has already been {screening.get_status_display().lower()}.")
        record = screened_record(screening, acting_user)
        if record is None or text_hash(*public_text(screening.subject, record).values()) != screening.content_hash:
            raise ValidationError("The wording has changed since it was screened: the new wording will be screened on its own.")
        if status == ScreeningStatus.REJECTED and not note.strip():
            raise ValidationError({"note": "Say why the text cannot be published, so the author can reword it."})
        screening.status = status
        screening.reviewed_by = acting_user
        screening.reviewed_at = timezone.now()
        screening.review_note = note.strip()[:500]
        screening.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        verb = "approved for publication" if status == ScreeningStatus.APPROVED else "rejected for publication"
        audit.record(
            actor=acting_user, organisation=screening.organisation, action=f"publication.screening_{status}",
            summary=f"{screening.get_subject_display()} {screening.object_id} {verb}",
            screening=screening.pk, subject=screening.subject, object_id=screening.object_id, note=screening.review_note,
        )
        if status == ScreeningStatus.REJECTED:
            _tell_author(screening, record)
    return screening


def _tell_author(screening: Screening, record) -> None:
    """The person who wrote a rejected wording is told why, with a link to where they can reword it."""
    from django.urls import reverse

    from notifications.models import Kind
    from notifications.services import notify

    if screening.subject == Subject.ACTION:
        author, url = record.priority.created_by, reverse("crm:priority-action-edit", args=[record.priority_id, record.pk])
    elif screening.subject == Subject.MEETING:
        author, url = record.created_by, reverse("crm:engagement-edit", args=[record.pk])
    else:
        author, url = record.created_by, reverse("crm:priority-detail", args=[record.pk])
    notify(recipients=[author], kind=Kind.SCREENING_REJECTED, template="screening_rejected.txt",
           subject=f"Not published: your {screening.get_subject_display().lower()} needs rewording",
           context={"subject_label": screening.get_subject_display(), "note": screening.review_note}, url=url)


def screening_approve(*, screening: Screening, acting_user, note: str = "") -> Screening:
    return _decide(screening=screening, acting_user=acting_user, status=ScreeningStatus.APPROVED, note=note)


def screening_reject(*, screening: Screening, acting_user, note: str) -> Screening:
    return _decide(screening=screening, acting_user=acting_user, status=ScreeningStatus.REJECTED, note=note)


# --- Officers' public profiles -----------------------------------------------------------------------------------------

def public_profile_save(*, acting_user, display_name: str, rank: str, bio: str = "", published: bool) -> PublicProfile:
    """An officer sets their own public profile; only they can opt in."""
    if not acting_user.is_authenticated or not acting_user.has_role(Role.OFFICER, Role.MANAGER):
        raise PermissionDenied
    with transaction.atomic():
        profile = PublicProfile.objects.filter(user=acting_user).first() or PublicProfile(user=acting_user)
        profile.display_name, profile.rank, profile.bio, profile.published = display_name.strip(), rank.strip(), bio.strip(), published
        profile.full_clean()
        profile.save()
        if profile.published and profile.bio:
            screening_run(subject=Subject.PROFILE, record=profile)  # the biography is public only once it passes
        membership = acting_user.memberships.select_related("organisation").first()
        audit.record(
            actor=acting_user, organisation=membership.organisation if membership else None, action="publication.profile_saved",
            summary=f"Public profile {'published' if published else 'withdrawn'}", published=published,
        )
    return profile


# --- Releases --------------------------------------------------------------------------------------------------------

def release_request(*, trigger: str = ReleaseTrigger.ON_DEMAND, acting_user=None) -> Release:
    """Queue a new release; the build runs in the worker once this transaction commits."""
    if trigger == ReleaseTrigger.ON_DEMAND and (acting_user is None or not acting_user.has_role(*RELEASE_ROLES)):
        raise PermissionDenied
    with transaction.atomic():
        Release.objects.select_for_update().filter(pk__in=Release.objects.order_by("-version").values("pk")[:1]).exists()
        version = (Release.objects.aggregate(latest=Max("version"))["latest"] or 0) + 1
        release = Release.objects.create(version=version, trigger=trigger, requested_by=acting_user, status=ReleaseStatus.QUEUED)
        if acting_user is not None:
            membership = acting_user.memberships.select_related("organisation").first()
            audit.record(
                actor=acting_user, organisation=membership.organisation if membership else None, action="publication.release_requested",
                summary=f"Open-data release {version} requested", release=release.pk,
            )
        job_dispatch_on_commit(release)
    return release
