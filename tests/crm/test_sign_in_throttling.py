"""Sign-in is throttled per account and per address (django-axes) through the real sign-in page, and the answer
never says whether the account exists."""
import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="203.0.113.7"):
    for _ in range(times):
        sign_in(client, username, "wrong", address)


def without_token(page: str, username: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page).replace(username, "X")


def signed_in(client):
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(client, officer, settings):
    fail(client, "pc-shah", settings.AXES_FAILURE_LIMIT - 1)
    response = sign_in(client, "pc-shah", "wrong")
    assert response.status_code == 429
    response = sign_in(client, "pc-shah", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    page = response.content.decode()
    assert "Too many attempts to sign in" in page
    assert f"paused for {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in page


def test_a_few_wrong_passwords_then_the_right_one_signs_in_and_starts_the_count_again(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "pc-shah", "wrong").status_code == 200
    assert sign_in(client, "pc-shah", PASSWORD).status_code == 302
    client.logout()
    fail(client, "pc-shah", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "pc-shah", PASSWORD).status_code == 302


def test_the_account_is_locked_whatever_address_the_attempts_come_from(client, officer, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "pc-shah", "wrong", address=f"198.51.100.{attempt + 1}")
    assert sign_in(client, "pc-shah", PASSWORD, address="192.0.2.200").status_code == 429


def test_an_address_trying_many_accounts_is_locked_out_for_every_account(client, officer, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess-{attempt}", "wrong")
    response = sign_in(client, "pc-shah", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    # Another address is not held back by that one.
    assert sign_in(client, "pc-shah", PASSWORD, address="192.0.2.99").status_code == 302


def test_a_forwarded_for_header_does_not_escape_the_address_lockout(client, officer, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"guess-{attempt}", "password": "wrong"}, REMOTE_ADDR="203.0.113.7",
                    HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}")
    assert sign_in(client, "pc-shah", PASSWORD).status_code == 429


def test_the_lockout_reads_the_same_for_an_account_that_does_not_exist(client, officer, settings):
    fail(client, "pc-shah", settings.AXES_FAILURE_LIMIT, address="203.0.113.7")
    fail(client, "no-such-user", settings.AXES_FAILURE_LIMIT, address="203.0.113.8")
    existing = sign_in(client, "pc-shah", "wrong", address="203.0.113.7")
    missing = sign_in(client, "no-such-user", "wrong", address="203.0.113.8")
    assert existing.status_code == missing.status_code == 429
    assert without_token(existing.content.decode(), "pc-shah") == without_token(missing.content.decode(), "no-such-user")


def test_the_wrong_password_message_reads_the_same_for_an_account_that_does_not_exist(client, officer):
    existing = sign_in(client, "pc-shah", "wrong").content.decode()
    missing = sign_in(client, "no-such-user", "wrong", address="203.0.113.8").content.decode()
    assert "There is a problem" in existing
    assert without_token(existing, "pc-shah") == without_token(missing, "no-such-user")


def test_signing_in_works_again_once_the_lockout_period_is_over(client, officer, settings):
    fail(client, "pc-shah", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "pc-shah", PASSWORD).status_code == 429
    with override_settings(AXES_COOLOFF_TIME=datetime.timedelta(seconds=0)):
        assert sign_in(client, "pc-shah", PASSWORD).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("path", ["login", "admin:login"])
def test_a_username_longer_than_any_account_is_refused_on_the_page_not_with_a_500(client, path):
    long_name = "a" * 300
    response = client.post(reverse(path), {"username": long_name, "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert not signed_in(client)
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(ip_address="203.0.113.9").username == "a" * 255  # counted, cut to what axes stores
