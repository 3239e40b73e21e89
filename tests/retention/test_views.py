"""Information governance's retention pages: schedules with clear messages, records due, holds, decisions."""
import datetime

import pytest
from django.utils import timezone

from organisations.models import AuditEvent
from crm.models import Contact
from retention.enforcement import enforce
from retention.models import DueItem, DueStatus, EndAction, LegalHold, Outcome, RecordClass, RetentionDecision, RetentionSchedule
from retention.services import adopt_default_schedules
from tests.factories import ContactFactory
from tests.retention.conftest import age

pytestmark = pytest.mark.django_db


def schedule_data(**changes):
    data = {"record_class": RecordClass.CONTACTS, "regime": "uk_gdpr", "period_months": "24", "end_action": EndAction.REVIEW,
            "source": "Force policy 12", "effective_from": timezone.localdate().isoformat(), "effective_until": ""}
    return {**data, **changes}


def test_only_information_governance_reaches_the_retention_pages(officer_client):
    assert officer_client.get("/retention/").status_code == 403
    assert officer_client.get("/retention/due/").status_code == 403


def test_retention_is_in_information_governances_navigation(governance_client):
    page = governance_client.get("/").content.decode()
    assert 'href="/retention/"' in page


def test_a_schedule_is_added_and_audited(governance_client, force):
    response = governance_client.post("/retention/schedules/new/", schedule_data())
    assert response.status_code == 302
    schedule = RetentionSchedule.objects.get(organisation=force)
    assert (schedule.period_months, schedule.end_action) == (24, EndAction.REVIEW)
    event = AuditEvent.objects.get(action="retention.schedule_created")
    assert event.details["schedule"] == schedule.pk and event.organisation == force


def test_a_period_of_zero_is_refused_naming_the_field(governance_client, force):
    response = governance_client.post("/retention/schedules/new/", schedule_data(period_months="0"))
    assert response.status_code == 200
    assert "The period must be at least one month" in response.content.decode()
    assert response.context["form"].errors["period_months"]
    assert not RetentionSchedule.objects.exists()


def test_an_overlapping_schedule_is_refused_naming_the_dates(governance_client, force):
    governance_client.post("/retention/schedules/new/", schedule_data())
    later = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = governance_client.post("/retention/schedules/new/", schedule_data(effective_from=later, period_months="12"))
    assert response.status_code == 200
    assert "This overlaps the schedule for community contacts in force from" in response.context["form"].errors["effective_from"][0]
    assert RetentionSchedule.objects.count() == 1


def test_an_action_a_class_cannot_take_is_refused_with_why(governance_client, force):
    response = governance_client.post("/retention/schedules/new/", schedule_data(record_class=RecordClass.ADVISORY_MEMBERS,
                                                                                 end_action=EndAction.ANONYMISE))
    assert "A membership is its member" in response.context["form"].errors["end_action"][0]


def test_a_schedule_change_is_kept_in_its_history_and_audited(governance_client, force, governance):
    adopt_default_schedules(organisation=force, acting_user=governance)
    schedule = RetentionSchedule.objects.get(organisation=force, record_class=RecordClass.CONTACTS)
    response = governance_client.post(f"/retention/schedules/{schedule.pk}/", schedule_data(period_months="36", source=schedule.source))
    assert response.status_code == 302
    assert RetentionSchedule.pgh_event_model.objects.filter(pgh_obj_id=schedule.pk).count() == 2
    assert AuditEvent.objects.filter(action="retention.schedule_changed", details__period_months=36).exists()
    page = governance_client.get(f"/retention/schedules/{schedule.pk}/").content.decode()
    assert "History of changes" in page


def test_records_due_for_review_are_listed_and_a_kept_one_is_recorded_with_its_reason(governance_client, force, team):
    contact = ContactFactory(organisation=team)
    age(contact, 800)
    enforce(dry_run=True)
    item = DueItem.objects.get()
    page = governance_client.get("/retention/due/")
    assert f"record {contact.pk}" in page.content.decode()
    refused = governance_client.post(f"/retention/due/{item.pk}/keep/", {"months": "12", "reason": ""})
    assert "Say why the record is kept" in refused.content.decode()
    governance_client.post(f"/retention/due/{item.pk}/keep/", {"months": "12", "reason": "Active PACT member"})
    decision = RetentionDecision.objects.get(outcome=Outcome.KEPT)
    assert decision.keep_until > timezone.localdate() and decision.reason == "Active PACT member"
    enforce(dry_run=True)
    assert not DueItem.objects.filter(status=DueStatus.WAITING).exists()


def test_a_due_record_is_deleted_on_review(governance_client, force, team, governance):
    contact = ContactFactory(organisation=team)
    age(contact, 800)
    enforce(dry_run=True)
    item = DueItem.objects.get()
    governance_client.post(f"/retention/due/{item.pk}/act/", {"action": EndAction.DELETE})
    assert not Contact.objects.filter(pk=contact.pk).exists()
    decision = RetentionDecision.objects.get(outcome=Outcome.DELETED)
    assert decision.decided_by == governance
    assert "Deleted" in governance_client.get("/retention/decisions/").content.decode()


def test_a_hold_on_a_record_already_erased_gets_a_clear_message_on_the_page(governance_client, force, team):
    contact = ContactFactory(organisation=team)
    age(contact, 800)
    enforce(dry_run=True)
    governance_client.post(f"/retention/due/{DueItem.objects.get().pk}/act/", {"action": EndAction.DELETE})
    response = governance_client.post("/retention/holds/", {"record_class": RecordClass.CONTACTS, "record_id": str(contact.pk),
                                                            "reason": "Civil claim"})
    assert response.status_code == 200
    assert "was already deleted on" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_a_hold_is_placed_and_lifted(governance_client, force, team):
    contact = ContactFactory(organisation=team)
    governance_client.post("/retention/holds/", {"record_class": RecordClass.CONTACTS, "record_id": str(contact.pk), "reason": "Inquiry"})
    hold = LegalHold.objects.get()
    governance_client.post(f"/retention/holds/{hold.pk}/lift/")
    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert list(RetentionDecision.objects.order_by("pk").values_list("outcome", flat=True)) == [Outcome.HELD, Outcome.HOLD_LIFTED]


def test_another_forces_governance_cannot_hold_our_records(client, other_force, team):
    from access.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    contact = ContactFactory(organisation=team)
    stranger = UserFactory(username="their-dpo")
    MembershipFactory(user=stranger, organisation=other_force, role=Role.INFORMATION_GOVERNANCE)
    client.force_login(stranger)
    response = client.post("/retention/holds/", {"record_class": RecordClass.CONTACTS, "record_id": str(contact.pk), "reason": "x"})
    assert "holds no community contacts record" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_attention_counts_the_records_waiting_for_a_persons_review(governance, team, force, officer):
    from retention.attention import items_for

    for _ in range(2):
        age(ContactFactory(organisation=team), 800)
    enforce(dry_run=True)
    assert items_for(governance) == [{"kind": "retention_review", "label": "Records due for retention review", "count": 2,
                                      "url": "/retention/due/?end_action=review"}]
    assert items_for(officer) == []


def test_attention_stops_counting_at_the_home_pages_cap(governance, team, monkeypatch):
    import home.attention
    from retention.attention import items_for

    for _ in range(3):
        age(ContactFactory(organisation=team), 800)
    enforce(dry_run=True)
    monkeypatch.setattr(home.attention, "COUNT_CAP", 2)
    assert [item["count"] for item in items_for(governance)] == [2]
