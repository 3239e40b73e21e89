"""Notifications: listed in the hub (read and unread), emailed at once or in a daily digest or not at all, as
plain text and HTML through a real SMTP server, with an unsubscribe link; never more than the recipient may see."""
import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import signing
from django.urls import reverse

from crm import services as crm_services
from engagement_hub.celery import app
from notifications.models import Delivery, Kind, Notification, Preference
from notifications.services import daily_digests_send, email_send, notify, preference_set
from tests.factories import ConcernFactory
from tests.notifications.conftest import text_and_html

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_resolving_a_priority_tells_the_reporting_partner_by_email_through_a_worker(smtp_inbox, officer, council_reporter, concern_in_priority):
    priority, concern = concern_in_priority
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        crm_services.priority_move(priority=priority, acting_user=officer, status="resolved",
                                   outcome="The back lanes were cleared and two fixed penalties issued.")
        for _ in range(100):
            if smtp_inbox.messages:
                break
            time.sleep(0.1)
    [message] = smtp_inbox.messages
    assert message["To"] == "kim.birkett@council.example"
    assert message["Subject"] == f"What came of your concern {concern.reference}"
    text, html = text_and_html(message)
    assert "now resolved" in text and "The back lanes were cleared and two fixed penalties issued." in text
    assert "https://hub.example" + reverse("partners:concern-detail", args=[concern.pk]) in text
    assert "Stop these emails" in html and "<h2" in html
    assert str(message["List-Unsubscribe"]).strip().startswith("<https://hub.example/notifications/unsubscribe/")
    notification = Notification.objects.get(recipient=council_reporter)
    assert notification.kind == Kind.CONCERN_OUTCOME and notification.emailed_at is not None and notification.read_at is None


def test_an_outcome_that_fails_screening_is_not_in_the_email(smtp_inbox, officer, council_reporter, concern_in_priority,
                                                             django_capture_on_commit_callbacks):
    priority, concern = concern_in_priority
    with django_capture_on_commit_callbacks() as callbacks:
        crm_services.priority_move(priority=priority, acting_user=officer, status="closed", outcome="Ring PC Priya Shah on 01229 555 123.")
    # Run the signal (the one callback) by hand; the email task it queues is run below, without a worker.
    [signal] = callbacks
    with django_capture_on_commit_callbacks():
        signal()
    notification = Notification.objects.get(recipient=council_reporter)
    assert "01229" not in notification.body and "once it has been checked for publication" in notification.body
    assert email_send(email_id=notification.email.pk)
    assert "01229" not in text_and_html(smtp_inbox.messages[0])[0]
    assert not email_send(email_id=notification.email.pk)  # once only
    assert len(smtp_inbox.messages) == 1


def test_a_recipient_sees_the_record_as_visible_to_them_and_an_outsider_is_not_told(settings, tmp_path, council, officer, outsider,
                                                                                    council_shares_concerns):
    # A template that would print the withheld fields if notify handed it the full row.
    (tmp_path / "notifications").mkdir()
    (tmp_path / "notifications" / "probe.txt").write_text("[{{ record.description }}|{{ record.reporter_name }}|{{ record.place }}]")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    concern = ConcernFactory(organisation=council, place="Rear of Market Street", holds_personal_data=True,
                             description="Margaret Holt saw the van.", reporter_name="Margaret Holt")
    told = notify(recipients=[officer, outsider], kind=Kind.CONCERN_TAKEN, subject="Probe", template="probe.txt", about=concern)
    assert [n.recipient for n in told] == [officer]
    assert told[0].body == "[||Rear of Market Street]"


def test_a_daily_digest_gathers_the_days_notifications_in_one_email(smtp_inbox, council_reporter, council,
                                                                    django_capture_on_commit_callbacks):
    preference_set(user=council_reporter, kind=Kind.CONCERN_TAKEN, delivery=Delivery.DAILY)
    concerns = ConcernFactory.create_batch(2, organisation=council)
    with django_capture_on_commit_callbacks() as callbacks:
        for concern in concerns:
            notify(recipients=[council_reporter], kind=Kind.CONCERN_TAKEN, subject=f"Taken {concern.reference}",
                   template="concern_taken.txt", context={"team": "Hindpool team"}, about=concern)
    assert callbacks == []  # nothing at once
    assert daily_digests_send() == 1
    [message] = smtp_inbox.messages
    text, html = text_and_html(message)
    assert message["Subject"] == "Engagement Hub: 2 updates today"
    assert all(concern.reference in text and concern.reference in html for concern in concerns)
    assert daily_digests_send() == 0


def test_no_email_when_the_kind_is_turned_off_but_it_is_still_listed(client, council_reporter, council, django_capture_on_commit_callbacks):
    preference_set(user=council_reporter, kind=Kind.CONCERN_TAKEN, delivery=Delivery.OFF)
    with django_capture_on_commit_callbacks() as callbacks:
        notify(recipients=[council_reporter], kind=Kind.CONCERN_TAKEN, subject="Taken", template="concern_taken.txt",
               about=ConcernFactory(organisation=council))
    assert callbacks == [] and daily_digests_send() == 0
    client.force_login(council_reporter)
    assert "Taken" in client.get(reverse("notifications:list")).content.decode()


def test_the_unsubscribe_link_turns_that_kind_off_and_a_forged_one_is_refused(client, smtp_inbox, council_reporter, council):
    [notification] = notify(recipients=[council_reporter], kind=Kind.IMPORT_FINISHED, subject="Imported", template="concern_taken.txt",
                            about=ConcernFactory(organisation=council))
    email_send(email_id=notification.email.pk)
    link = re.search(r"https://hub\.example(/notifications/unsubscribe/[^/\s]+/)", text_and_html(smtp_inbox.messages[0])[0]).group(1)
    assert "Stop these emails?" in client.get(link).content.decode()
    assert "Emails stopped" in client.post(link).content.decode()
    assert Preference.objects.get(user=council_reporter, kind=Kind.IMPORT_FINISHED).delivery == Delivery.OFF
    forged = signing.dumps({"u": council_reporter.pk, "k": "import_finished"}, salt="something else")
    assert client.get(reverse("notifications:unsubscribe", args=[forged])).status_code == 404


def test_the_list_shows_unread_and_opening_one_marks_it_read_and_goes_to_the_matter(client, council_reporter, council, partner_user):
    concern = ConcernFactory(organisation=council)
    [mine] = notify(recipients=[council_reporter], kind=Kind.CONCERN_TAKEN, subject="Taken into a priority", template="concern_taken.txt",
                    about=concern, url=reverse("partners:concern-detail", args=[concern.pk]))
    [theirs] = notify(recipients=[partner_user], kind=Kind.CONCERN_TAKEN, subject="Someone else's", template="concern_taken.txt", about=concern)
    client.force_login(council_reporter)
    page = client.get(reverse("notifications:list"), {"show": "unread"}).content.decode()
    assert "Taken into a priority" in page and "Someone else" not in page and "Unread" in page
    response = client.post(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response.url == reverse("partners:concern-detail", args=[concern.pk])
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert "Taken into a priority" not in client.get(reverse("notifications:list"), {"show": "unread"}).content.decode()
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404


def test_each_person_chooses_per_kind(client, council_reporter):
    client.force_login(council_reporter)
    data = {kind.value: Delivery.IMMEDIATE for kind in Kind} | {Kind.CONCERN_OUTCOME: Delivery.DAILY}
    response = client.post(reverse("notifications:settings"), data, follow=True)
    assert "Your email choices are saved." in response.content.decode()
    assert Preference.objects.get(user=council_reporter, kind=Kind.CONCERN_OUTCOME).delivery == Delivery.DAILY


def test_taking_concerns_into_a_priority_tells_the_reporting_partner(officer, council_reporter, council, team, council_shares_concerns):
    from partners.responses.services import concerns_take_into_priority
    from tests.factories import NeighbourhoodFactory, issue_category

    hindpool = NeighbourhoodFactory(team=team)
    concern = ConcernFactory(organisation=council, neighbourhood=hindpool)
    concerns_take_into_priority(concerns=[concern], neighbourhood=hindpool, category=issue_category("fly-tipping"),
                                issue="Fly-tipping in the lanes.", issue_date=concern.reported_at.date(), acting_user=officer)
    notification = Notification.objects.get(recipient=council_reporter)
    assert notification.kind == Kind.CONCERN_TAKEN and concern.reference in notification.body and team.name in notification.body
    assert "Margaret" not in notification.body
