"""The nightly enforcement: a dry run lists, a real run acts on what was listed, once, leaving no personal data behind."""
import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from crm.models import Contact, DoorstepVisit, EngagementKind
from partners.models import Concern, ConcernImportJob
from retention.enforcement import enforce
from retention.models import DueItem, DueStatus, EndAction, LegalHold, Outcome, RecordClass, RetentionDecision, RetentionSchedule
from retention.services import adopt_default_schedules, hold_place
from tests.factories import (
    AdvisoryMembershipFactory, ConcernFactory, ContactFactory, DoorstepVisitFactory, EngagementFactory,
    SmallAreaFactory,
)
from tests.retention.conftest import age, long_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def now_acts(settings):
    settings.RETENTION_NOTICE_DAYS = 0


def old_contact(team, **kwargs):
    contact = ContactFactory(organisation=team, first_name="Marjorie", last_name="Quennell", email="mq@example.org",
                             phone="01229 555 123", postcode="LA14 2QE", notes="Lives with her son Dylan", **kwargs)
    age(contact, 800)
    return contact


def test_a_dry_run_lists_what_falls_due_and_changes_nothing(team, force):
    contact = old_contact(team)
    recent = ContactFactory(organisation=team)
    run = enforce(dry_run=True)
    listed = DueItem.objects.get(record_class=RecordClass.CONTACTS)
    assert (listed.record_id, listed.status, listed.end_action) == (contact.pk, DueStatus.WAITING, EndAction.REVIEW)
    assert not DueItem.objects.filter(record_id=recent.pk, record_class=RecordClass.CONTACTS).exists()
    assert Contact.objects.get(pk=contact.pk).last_name == "Quennell"
    assert run.summary["listed"] == {RecordClass.CONTACTS: 1}
    assert not RetentionDecision.objects.exists()


def test_a_contact_past_its_own_retain_until_date_falls_due_before_the_period(team, force):
    contact = ContactFactory(organisation=team)
    Contact.objects.filter(pk=contact.pk).update(retain_until=timezone.localdate() - datetime.timedelta(days=1))
    enforce(dry_run=True)
    assert DueItem.objects.get(record_class=RecordClass.CONTACTS).record_id == contact.pk


def test_a_real_run_anonymises_what_an_earlier_dry_run_listed_and_its_history_too(team, force, now_acts):
    adopt_default_schedules(organisation=force)
    RetentionSchedule.objects.filter(organisation=force, record_class=RecordClass.CONTACTS).update(end_action=EndAction.ANONYMISE)
    contact = old_contact(team)
    enforce(dry_run=True)
    assert Contact.objects.get(pk=contact.pk).last_name == "Quennell"  # listed only
    run = enforce(dry_run=False)
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.first_name, stored.email, stored.phone, stored.postcode, stored.notes) == ("Anonymised", "", "", "LA14", "")
    assert stored.neighbourhood_id == contact.neighbourhood_id
    history = Contact.pgh_event_model.objects.filter(pgh_obj_id=contact.pk)
    assert history.count() >= 2
    assert not history.filter(last_name="Quennell").exists() and not history.filter(email="mq@example.org").exists()
    decision = RetentionDecision.objects.get(record_class=RecordClass.CONTACTS)
    assert (decision.outcome, decision.record_id, decision.decided_by, decision.run) == (Outcome.ANONYMISED, str(contact.pk), None, run)
    assert decision.schedule.record_class == RecordClass.CONTACTS and decision.regime


def test_running_again_does_nothing_twice(team, force, now_acts):
    adopt_default_schedules(organisation=force)
    RetentionSchedule.objects.filter(organisation=force, record_class=RecordClass.CONTACTS).update(end_action=EndAction.DELETE)
    contact = old_contact(team)
    enforce(dry_run=True)
    enforce(dry_run=False)
    enforce(dry_run=False)
    enforce(dry_run=True)
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not Contact.pgh_event_model.objects.filter(pgh_obj_id=contact.pk).exists()
    assert RetentionDecision.objects.filter(record_class=RecordClass.CONTACTS, outcome=Outcome.DELETED).count() == 1


def test_nothing_is_done_before_the_notice_period_after_listing(team, force, settings):
    settings.RETENTION_NOTICE_DAYS = 7
    adopt_default_schedules(organisation=force)
    RetentionSchedule.objects.filter(organisation=force, record_class=RecordClass.CONTACTS).update(end_action=EndAction.DELETE)
    contact = old_contact(team)
    enforce(dry_run=False)  # lists it
    enforce(dry_run=False)  # too soon to act
    assert Contact.objects.filter(pk=contact.pk).exists()
    DueItem.objects.update(listed_at=long_ago(8))
    enforce(dry_run=False)
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_legal_hold_stops_enforcement_for_that_record(team, force, governance, now_acts):
    adopt_default_schedules(organisation=force)
    RetentionSchedule.objects.filter(organisation=force, record_class=RecordClass.CONTACTS).update(end_action=EndAction.DELETE)
    held, other = old_contact(team), ContactFactory(organisation=team)
    age(other, 800)
    enforce(dry_run=True)
    hold_place(organisation=force, record_class=RecordClass.CONTACTS, record_id=held.pk, reason="Civil claim", acting_user=governance)
    enforce(dry_run=False)
    assert Contact.objects.filter(pk=held.pk).exists()
    assert not Contact.objects.filter(pk=other.pk).exists()
    enforce(dry_run=True)
    assert not DueItem.objects.filter(record_id=held.pk, status=DueStatus.WAITING).exists()


def test_a_hold_on_a_record_already_erased_is_refused_with_a_clear_message(team, force, governance, now_acts):
    from django.core.exceptions import ValidationError

    adopt_default_schedules(organisation=force)
    RetentionSchedule.objects.filter(organisation=force, record_class=RecordClass.CONTACTS).update(end_action=EndAction.DELETE)
    contact = old_contact(team)
    enforce(dry_run=True)
    enforce(dry_run=False)
    with pytest.raises(ValidationError) as refused:
        hold_place(organisation=force, record_class=RecordClass.CONTACTS, record_id=contact.pk, reason="Claim", acting_user=governance)
    assert f"record {contact.pk} was already deleted on" in refused.value.message_dict["record_id"][0]
    assert not LegalHold.objects.exists()


def test_advisory_members_who_left_long_ago_are_deleted_with_their_history(team, force, now_acts):
    from crm.models import AdvisoryMembership

    membership = AdvisoryMembershipFactory(advisory_group__organisation=force, ethnic_group="black", age_band="25-44",
                                           left_on=timezone.localdate() - datetime.timedelta(days=500))
    current = AdvisoryMembershipFactory(advisory_group=membership.advisory_group)
    enforce(dry_run=True)
    enforce(dry_run=False)
    assert not AdvisoryMembership.objects.filter(pk=membership.pk).exists()
    assert AdvisoryMembership.objects.filter(pk=current.pk).exists()
    assert not AdvisoryMembership.pgh_event_model.objects.filter(pgh_obj_id=membership.pk).exists()


def test_concern_reporters_are_anonymised_keeping_category_small_area_and_dates(council, force, now_acts):
    lsoa = SmallAreaFactory()
    concern = ConcernFactory(organisation=council, reporter_name="Kenneth Albright", reporter_email="ka@example.org",
                             reporter_phone="07700 900123", description="Kenneth Albright's neighbour dumps bags", holds_personal_data=True,
                             place="Outside 4 Ramsden Street", reported_at=long_ago(400), lsoa=lsoa)
    enforce(dry_run=True)
    enforce(dry_run=False)
    stored = Concern.objects.get(pk=concern.pk)
    assert (stored.reporter_name, stored.reporter_email, stored.reporter_phone, stored.place) == ("", "", "", "")
    assert "Albright" not in stored.description
    assert (stored.category_id, stored.lsoa_id, stored.reported_at) == (concern.category_id, lsoa.pk, concern.reported_at)
    assert lsoa.boundary.contains(stored.location)
    assert not Concern.pgh_event_model.objects.filter(reporter_name="Kenneth Albright").exists()


def test_doorstep_visits_keep_the_street_and_outcome_not_the_home(team, force, now_acts):
    visit = DoorstepVisitFactory(engagement=EngagementFactory(organisation=team, kind=EngagementKind.DOOR_TO_DOOR, starts_at=long_ago(300)),
                                 address="12 Abbey Road", resolved_on_the_spot="Fitted a smoke alarm for Mrs Pike")
    enforce(dry_run=True)
    enforce(dry_run=False)
    stored = DoorstepVisit.objects.get(pk=visit.pk)
    assert (stored.address, stored.resolved_on_the_spot, stored.outcome) == ("Abbey Road", "", visit.outcome)
    assert not DoorstepVisit.pgh_event_model.objects.filter(address="12 Abbey Road").exists()


def test_an_uploaded_file_is_deleted_from_storage_and_its_counts_stay(council, force, now_acts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from partners.models import ImportJobStatus

    job = ConcernImportJob(organisation=council, original_name="reporters.csv", file_format="csv", file_size=10, file_sha256="0" * 64,
                           created_count=3, status=ImportJobStatus.IMPORTED)
    job.upload.save("reporters.csv", ContentFile(b"reporter_name\nGwendolyn Thistlewood\n"), save=False)
    job.save()
    name = job.upload.name
    busy = ConcernImportJob(organisation=council, original_name="busy.csv", file_format="csv", file_size=10, file_sha256="2" * 64,
                            status=ImportJobStatus.CHECKING)
    busy.upload.save("busy.csv", ContentFile(b"reporter_name\n"), save=False)
    busy.save()
    ConcernImportJob.objects.filter(pk__in=[job.pk, busy.pk]).update(created_at=long_ago(60))
    enforce(dry_run=True)
    run_with_commit_hooks(lambda: enforce(dry_run=False))
    stored = ConcernImportJob.objects.get(pk=job.pk)
    assert not stored.upload and stored.created_count == 3
    assert not default_storage.exists(name)
    assert default_storage.exists(ConcernImportJob.objects.get(pk=busy.pk).upload.name)  # a worker is reading it


def run_with_commit_hooks(action):
    """Run `action`, then the on_commit callbacks it queued (the test's transaction never commits)."""
    from django.db import connection

    start = len(connection.run_on_commit)
    action()
    for _, callback, _ in connection.run_on_commit[start:]:
        callback()


def test_history_rows_older_than_their_schedule_are_swept(team, force, now_acts):
    contact = ContactFactory(organisation=team)
    Contact.pgh_event_model.objects.filter(pgh_obj_id=contact.pk).update(pgh_created_at=long_ago(365 * 7))
    run = enforce(dry_run=True)
    assert run.summary["history"]["crm.contactevent"] == 1
    assert Contact.pgh_event_model.objects.filter(pgh_obj_id=contact.pk).exists()
    enforce(dry_run=False)
    assert not Contact.pgh_event_model.objects.filter(pgh_obj_id=contact.pk).exists()
    decision = RetentionDecision.objects.get(record_class=RecordClass.HISTORY_ROWS)
    assert decision.rows == 1 and decision.record_id.startswith("crm.contactevent ")


def test_decisions_cannot_be_changed_or_removed(team, force, now_acts):
    from django.db import ProgrammingError, transaction

    old_contact(team)
    adopt_default_schedules(organisation=force)
    RetentionSchedule.objects.filter(organisation=force, record_class=RecordClass.CONTACTS).update(end_action=EndAction.DELETE)
    enforce(dry_run=True)
    enforce(dry_run=False)
    decision = RetentionDecision.objects.get(record_class=RecordClass.CONTACTS)
    with pytest.raises(ProgrammingError), transaction.atomic():
        RetentionDecision.objects.filter(pk=decision.pk).update(reason="changed")
