"""Sign in, sign out and password reset, as a person would do them."""
import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_a_user_signs_in_and_lands_on_the_home_page(client, officer):
    response = client.post(reverse("login"), {"username": "pc-shah", "password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert "Signed in as Priya Shah" in page
    assert "Engagement Hub" in page


def test_a_wrong_password_is_refused_with_a_message(client, officer):
    response = client.post(reverse("login"), {"username": "pc-shah", "password": "wrong"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(officer_client):
    response = officer_client.post(reverse("logout"), follow=True)
    assert "Sign in to the Engagement Hub" in response.content.decode()
    assert officer_client.get(reverse("crm:people")).status_code == 302


def test_a_forgotten_password_can_be_reset_from_the_emailed_link(client, officer):
    client.post(reverse("password_reset"), {"email": officer.email})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Engagement Hub password"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "a-new-long-pass-phrase", "new_password2": "a-new-long-pass-phrase"}, follow=True)
    assert "Your password has been changed" in done.content.decode()
    officer.refresh_from_db()
    assert officer.check_password("a-new-long-pass-phrase")


def test_a_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, officer):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []
