"""Notifications and social-media posts under their retention schedules, and the set-based real run."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import Contact
from digital.models import ConversationImport, Post, StagedPost
from notifications.models import Kind, Notification
from retention.enforcement import enforce
from retention.models import DueItem, DueStatus, EndAction, Outcome, RecordClass, RetentionDecision, RetentionSchedule
from retention.services import adopt_default_schedules, hold_place, kept_for, schedule_save
from tests.factories import ContactFactory, NeighbourhoodFactory
from tests.retention.conftest import age

pytestmark = pytest.mark.django_db


@pytest.fixture
def now_acts(settings):
    settings.RETENTION_NOTICE_DAYS = 0


def notification_for(user, days_old: int) -> Notification:
    notification = Notification.objects.create(recipient=user, kind=Kind.CONCERN_TAKEN, subject="A concern was taken into a priority",
                                               body="Ann Example's concern about bikes on the field is now part of a priority.")
    age(notification, days_old, field="created_at")
    return notification


def post_for(organisation, post_id: str, *, days_old: int, neighbourhood=None) -> Post:
    export = ConversationImport.objects.filter(organisation=organisation).first()
    if export is None:
        export = ConversationImport(organisation=organisation, original_name="mentions.csv", file_format="generic", file_sha256="3" * 64,
                                    lawful_basis="law_enforcement", purpose="Hot topics", status="imported")
        export.upload.save("mentions.csv", ContentFile(b"post_id,author,text\n"), save=False)
        export.save()
    from django.contrib.gis.geos import Point

    post = Post.objects.create(organisation=organisation, source_import=export, site="X", post_id=post_id, posted_at=timezone.now(),
                               author="@ann_example", text="Bikes on the field again", url="https://x.example/ann_example/1",
                               place_text="Abbey Road", location=Point(-3.2270, 54.1110, srid=4326), neighbourhood=neighbourhood, tone=-0.4)
    age(post, days_old, field="created_at")
    return post


def test_an_old_notification_is_listed_under_its_recipients_organisation_then_deleted(officer, team, force, now_acts):
    old, recent = notification_for(officer, 100), notification_for(officer, 10)
    enforce(dry_run=True)
    listed = DueItem.objects.get(record_class=RecordClass.NOTIFICATIONS)
    assert listed.record_id == old.pk and listed.organisation_id in (force.pk, team.pk) and listed.end_action == EndAction.DELETE
    enforce(dry_run=False)
    assert not Notification.objects.filter(pk=old.pk).exists() and Notification.objects.filter(pk=recent.pk).exists()
    decision = RetentionDecision.objects.get(record_class=RecordClass.NOTIFICATIONS)
    assert (decision.outcome, decision.record_id, decision.schedule.period_months) == (Outcome.DELETED, str(old.pk), 3)


def test_a_notification_can_be_held_and_the_hold_stops_its_deletion(officer, force, governance, now_acts):
    held = notification_for(officer, 100)
    enforce(dry_run=True)
    hold_place(organisation=force, record_class=RecordClass.NOTIFICATIONS, record_id=held.pk, reason="Complaint under investigation",
               acting_user=governance)
    enforce(dry_run=False)
    assert Notification.objects.filter(pk=held.pk).exists()
    assert DueItem.objects.get(record_class=RecordClass.NOTIFICATIONS).status == DueStatus.HELD


def test_a_notification_cannot_be_given_an_anonymise_schedule(force, governance):
    schedule = RetentionSchedule(organisation=force, record_class=RecordClass.NOTIFICATIONS, regime="part_3", period_months=3,
                                 end_action=EndAction.ANONYMISE, source="Local policy", effective_from=datetime.date(2030, 1, 1))
    with pytest.raises(ValidationError) as error:
        schedule_save(schedule=schedule, acting_user=governance)
    assert error.value.message_dict["end_action"] == ["A notification is only its message: it can be reviewed or deleted, not anonymised."]


def test_posts_past_the_schedule_keep_only_their_counts_and_a_point_in_their_neighbourhood(force, now_acts):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    area = NeighbourhoodFactory(boundary=MultiPolygon(Polygon(((-3.30, 54.05), (-3.30, 54.15), (-3.15, 54.15), (-3.15, 54.05), (-3.30, 54.05)))))
    old, recent = post_for(force, "1", days_old=100, neighbourhood=area), post_for(force, "2", days_old=10, neighbourhood=area)
    enforce(dry_run=True)
    enforce(dry_run=False)
    old.refresh_from_db()
    assert (old.text, old.author, old.url, old.place_text) == ("", "", "", "") and old.text_removed_at is not None
    assert (old.tone, old.neighbourhood_id, old.site) == (-0.4, area.pk, "X")
    assert area.boundary.contains(old.location) and old.location.coords != (-3.2270, 54.1110)
    assert Post.objects.get(pk=recent.pk).author == "@ann_example"
    assert RetentionDecision.objects.get(record_class=RecordClass.SOCIAL_MEDIA).outcome == Outcome.ANONYMISED


def test_the_schedule_alone_decides_how_long_posts_are_kept(force, governance, now_acts, officer_client):
    adopt_default_schedules(organisation=force)
    schedule = RetentionSchedule.objects.get(organisation=force, record_class=RecordClass.SOCIAL_MEDIA)
    assert kept_for(force, RecordClass.SOCIAL_MEDIA) == "3 months, then anonymised"
    schedule.period_months, schedule.end_action = 1, EndAction.DELETE
    schedule_save(schedule=schedule, acting_user=governance)
    post = post_for(force, "1", days_old=40)
    enforce(dry_run=True)
    enforce(dry_run=False)
    assert not Post.objects.filter(pk=post.pk).exists()
    # The import page says what the schedule says: there is no other period.
    assert "1 month, then deleted after import" in officer_client.get(reverse("digital:import-upload")).content.decode()


def test_the_real_run_takes_the_same_queries_for_thirty_records_as_for_three(team, force, now_acts):
    def anonymise(count):
        adopt_default_schedules(organisation=force)
        RetentionSchedule.objects.filter(organisation=force, record_class=RecordClass.CONTACTS).update(end_action=EndAction.ANONYMISE)
        contacts = [ContactFactory(organisation=team, notes="Lives with her son") for _ in range(count)]
        for contact in contacts:
            age(contact, 800)
        enforce(dry_run=True)
        with CaptureQueriesContext(connection) as queries:
            enforce(dry_run=False)
        assert Contact.objects.filter(pk__in=[c.pk for c in contacts], first_name="Anonymised", notes="").count() == count
        return len(queries)

    assert anonymise(3) == anonymise(30)


def test_a_record_held_after_listing_is_left_while_the_rest_of_its_batch_is_done(team, force, governance, now_acts):
    adopt_default_schedules(organisation=force)
    RetentionSchedule.objects.filter(organisation=force, record_class=RecordClass.CONTACTS).update(end_action=EndAction.ANONYMISE)
    contacts = [ContactFactory(organisation=team, last_name=f"Person{n}") for n in range(4)]
    for contact in contacts:
        age(contact, 800)
    enforce(dry_run=True)
    hold_place(organisation=force, record_class=RecordClass.CONTACTS, record_id=contacts[1].pk, reason="Inquiry", acting_user=governance)
    enforce(dry_run=False)
    assert list(Contact.objects.filter(pk__in=[c.pk for c in contacts]).order_by("pk").values_list("last_name", flat=True)) == [
        f"contact {contacts[0].pk}", "Person1", f"contact {contacts[2].pk}", f"contact {contacts[3].pk}"]
    assert Contact.pgh_event_model.objects.filter(pgh_obj_id=contacts[0].pk, last_name="Person0").count() == 0


def test_an_old_export_that_was_never_imported_is_deleted_from_storage(force, now_acts, settings, tmp_path,
                                                                       django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    rejected = ConversationImport(organisation=force, original_name="bad.csv", file_format="generic", file_sha256="5" * 64,
                                  lawful_basis="law_enforcement", purpose="Hot topics", status="rejected")
    rejected.upload.save("bad.csv", ContentFile(b"post_id,author,text\n1,@ann_example,Bikes again\n"), save=False)
    rejected.save()
    recent = ConversationImport.objects.get(pk=rejected.pk)
    recent.pk = None
    recent.upload.save("recent.csv", ContentFile(b"post_id\n"), save=False)
    recent.save()
    age(rejected, 100, field="created_at")
    name = rejected.upload.name
    assert enforce(dry_run=True).summary["exports"] == 1 and default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        enforce(dry_run=False)
    assert not default_storage.exists(name) and ConversationImport.objects.get(pk=rejected.pk).upload.name == ""
    assert default_storage.exists(ConversationImport.objects.get(pk=recent.pk).upload.name)
    decision = RetentionDecision.objects.get(record_class=RecordClass.SOCIAL_MEDIA)
    assert (decision.outcome, decision.record_id) == (Outcome.DELETED, f"digital.conversationimport {rejected.pk}")


def test_an_old_export_checked_and_never_confirmed_loses_the_posts_its_dry_run_kept(force, now_acts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    checked = ConversationImport(organisation=force, original_name="posts.csv", file_format="generic", file_sha256="6" * 64,
                                 lawful_basis="law_enforcement", purpose="Hot topics", status="checked", total_rows=1)
    checked.upload.save("posts.csv", ContentFile(b"post_id,author,text,time,site\n1,@ann_example,Bikes again,2026-11-01,X\n"), save=False)
    checked.save()
    StagedPost.objects.create(job=checked, row=2, site="X", post_id="1", posted_at=timezone.now(), text="Bikes again", author="@ann_example")
    age(checked, 100, field="created_at")
    enforce(dry_run=False)
    assert not StagedPost.objects.exists()
