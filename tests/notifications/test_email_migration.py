"""The migration that brings in the email outbox puts the last day's unsent emails at once into it (their old tasks
may have been lost with the broker), and nothing older, nothing already sent, nothing the recipient wants otherwise."""
import datetime

import pytest
from django.utils import timezone

from tests.migrating import back_to_the_latest_schema, migrate  # noqa: F401  (the fixture, used by name below)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("back_to_the_latest_schema")]

BEFORE, AFTER = [("notifications", "0001_initial")], [("notifications", "0002_notification_email")]


def test_the_last_days_unsent_emails_at_once_are_queued_in_the_outbox():
    kim, lee, nobody = UserFactory(username="kim"), UserFactory(username="lee"), UserFactory(username="nobody", email="")
    old_apps = migrate(BEFORE)
    try:
        Notification = old_apps.get_model("notifications", "Notification")
        old_apps.get_model("notifications", "Preference").objects.create(user_id=lee.pk, kind="concern_taken", delivery="daily")

        def told(user, kind="concern_taken", **fields):
            return Notification.objects.create(recipient_id=user.pk, kind=kind, subject="Taken", body="", **fields).pk

        waiting = [told(kim), told(lee, kind="import_finished")]
        told(kim, emailed_at=timezone.now())  # sent already
        told(lee)  # wanted in a digest
        told(nobody)  # no address
        stale = told(kim)
        Notification.objects.filter(pk=stale).update(created_at=timezone.now() - datetime.timedelta(days=3))
    finally:
        new_apps = migrate(AFTER)
    emails = new_apps.get_model("notifications", "NotificationEmail").objects.all()
    assert sorted(emails.values_list("notification_id", flat=True)) == sorted(waiting)
    assert {(email.status, email.dispatched_at) for email in emails} == {("waiting", None)}
