"""The partner's own page for API keys: list, make (shown once) and revoke."""
import re

from django.urls import reverse

from organisations.models import AuditEvent
from partners.api_keys import api_key_authenticate, hash_api_key
from partners.models import PartnerApiKey

LIST = "/partners/api-keys/"


def test_a_partner_user_sees_only_their_organisations_keys(partner_client, council_key, housing_key, django_assert_num_queries):
    partner_client.get(LIST)
    # 1 session, 2 user, 3 memberships (the user's organisation), 4 whether they may act for it,
    # 5 roles for the navigation, 6 the keys with who made them.
    with django_assert_num_queries(6):
        page = partner_client.get(LIST).content.decode()
    assert council_key[0].prefix in page and "Council case management system" in page
    assert housing_key[0].prefix not in page and "Housing repairs line" not in page


def test_a_partner_user_makes_a_key_and_sees_it_once(partner_client, partner_user, council, force_area):
    response = partner_client.post(LIST, {"name": "Environmental health CRM"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    plaintext = re.search(r'<code id="api-key"[^>]*>([^<]+)</code>', response.content.decode()).group(1)
    key = PartnerApiKey.objects.get()
    assert key.organisation == council and key.key_hash == hash_api_key(plaintext)
    assert api_key_authenticate(plaintext).pk == key.pk
    assert AuditEvent.objects.get(action="api_key.issued").actor == partner_user
    assert plaintext not in partner_client.get(LIST).content.decode()


def test_a_key_needs_a_name(partner_client, force_area):
    response = partner_client.post(LIST, {"name": ""})
    assert "Enter what will use the key." in response.content.decode()
    assert not PartnerApiKey.objects.exists()


def test_a_partner_user_revokes_a_key_after_confirming(partner_client, council_key):
    key, plaintext = council_key
    url = reverse("partners:api-key-revoke", args=[key.pk])
    assert "Revoke the key for Council case management system?" in partner_client.get(url).content.decode()
    assert PartnerApiKey.objects.get(pk=key.pk).revoked_at is None
    response = partner_client.post(url, follow=True)
    assert "is revoked: it no longer works." in response.content.decode()
    assert PartnerApiKey.objects.get(pk=key.pk).revoked_at is not None


def test_another_organisations_key_is_not_found(partner_client, housing_key):
    url = reverse("partners:api-key-revoke", args=[housing_key[0].pk])
    assert partner_client.get(url).status_code == 404
    assert partner_client.post(url).status_code == 404
    assert PartnerApiKey.objects.get(pk=housing_key[0].pk).revoked_at is None


def test_the_police_have_no_key_pages(officer_client, force_area):
    assert officer_client.get(LIST).status_code == 403
    assert officer_client.post(LIST, {"name": "Team laptop"}).status_code == 403
    assert not PartnerApiKey.objects.exists()


def test_signing_in_comes_first(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
