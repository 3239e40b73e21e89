"""API keys expire: a year after they are made, the API refuses them (401, naming the expiry); the partner renews or
replaces them from the keys page; the organisation is told, once, 30 days before, through the notifications app."""
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from notifications.models import Delivery, Kind, Notification, NotificationEmail
from notifications.services import preference_set
from organisations.models import AuditEvent
from partners.api_keys import ApiKeyExpired, api_key_authenticate, api_keys_warn_expiring
from partners.models import PartnerApiKey
from partners.tasks import warn_expiring_api_keys
from tests.factories import MembershipFactory, UserFactory

LIST = "/partners/api-keys/"


def expire_in(key, delta: timedelta) -> PartnerApiKey:
    PartnerApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() + delta)
    return PartnerApiKey.objects.get(pk=key.pk)


def test_a_new_key_works_for_a_year(council_key):
    key, _ = council_key
    assert timedelta(days=364) < key.expires_at - timezone.now() <= timedelta(days=365)


def test_an_expired_key_is_refused_with_401_naming_its_expiry_and_the_refusal_is_audited(client, council_key, council):
    key, plaintext = council_key
    key = expire_in(key, -timedelta(hours=1))
    response = client.get("/open311/v2/requests.json", {"api_key": plaintext})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    [error] = response.json()
    expiry = timezone.localtime(key.expires_at).strftime("%-d %B %Y")
    assert error["code"] == 401 and f"api_key expired on {expiry}" in error["description"]
    assert "renew it" in error["description"]
    assert AuditEvent.objects.filter(action="api_key.refused", organisation=council, summary__contains="expired").exists()
    # A POST is refused the same way, and nothing is recorded.
    assert client.post("/open311/v2/requests.json", {"api_key": plaintext}).status_code == 401


def test_a_key_works_until_its_last_moment(council_key):
    key, plaintext = council_key
    expire_in(key, timedelta(minutes=1))
    assert api_key_authenticate(plaintext).pk == key.pk
    expire_in(key, timedelta(0))
    with pytest.raises(ApiKeyExpired):
        api_key_authenticate(plaintext)


def test_the_keys_page_shows_each_expiry_and_flags_keys_expiring_soon_or_expired(partner_client, council, partner_user, force_area):
    from partners.api_keys import api_key_issue

    soon = expire_in(api_key_issue(organisation=council, name="Soon", acting_user=partner_user)[0], timedelta(days=10))
    gone = expire_in(api_key_issue(organisation=council, name="Gone", acting_user=partner_user)[0], -timedelta(days=2))
    later = api_key_issue(organisation=council, name="Later", acting_user=partner_user)[0]
    page = partner_client.get(LIST).content.decode()
    cell = lambda key: re.search(rf'id="key-{key.pk}-expires">(.*?)</td>', page, re.S).group(1)  # noqa: E731
    assert "Expires soon" in cell(soon) and f"{timezone.localtime(soon.expires_at):%-d %B %Y}" in cell(soon)
    assert "Expired" in cell(gone)
    assert "Expire" not in cell(later).replace(f"{timezone.localtime(later.expires_at):%-d %B %Y}", "")
    assert reverse("partners:api-key-renew", args=[soon.pk]) in page and reverse("partners:api-key-renew", args=[gone.pk]) not in page
    assert reverse("partners:api-key-rotate", args=[gone.pk]) in page


def test_a_partner_renews_a_key_after_confirming_and_the_same_key_works_another_year(partner_client, partner_user, council_key):
    key, plaintext = council_key
    key = expire_in(key, timedelta(days=5))
    PartnerApiKey.objects.filter(pk=key.pk).update(expiry_notice_sent_at=timezone.now())
    url = reverse("partners:api-key-renew", args=[key.pk])
    assert "Renew the key for Council case management system?" in partner_client.get(url).content.decode()
    assert PartnerApiKey.objects.get(pk=key.pk).expires_at == key.expires_at  # a GET changes nothing
    page = partner_client.post(url, follow=True).content.decode()
    renewed = PartnerApiKey.objects.get(pk=key.pk)
    assert timedelta(days=364) < renewed.expires_at - timezone.now() <= timedelta(days=365)
    assert renewed.expiry_notice_sent_at is None  # the next expiry is told again
    assert f"now works until {timezone.localtime(renewed.expires_at):%-d %B %Y}" in page
    assert api_key_authenticate(plaintext).pk == key.pk
    event = AuditEvent.objects.get(action="api_key.renewed")
    assert event.actor == partner_user and key.prefix in event.summary


def test_an_expired_key_is_not_renewed_but_replaced_and_the_new_key_is_shown_once(partner_client, partner_user, council_key):
    key, old_plaintext = council_key
    expire_in(key, -timedelta(days=1))
    refused = partner_client.post(reverse("partners:api-key-renew", args=[key.pk]))
    assert refused.status_code == 400 and "an expired key is not renewed" in refused.content.decode()
    response = partner_client.post(reverse("partners:api-key-rotate", args=[key.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    plaintext = re.search(r'<code id="api-key"[^>]*>([^<]+)</code>', response.content.decode()).group(1)
    new = api_key_authenticate(plaintext)
    assert new.pk != key.pk and new.name == key.name and new.organisation_id == key.organisation_id
    with pytest.raises(ApiKeyExpired):  # the old key stays expired: replacing never brings it back
        api_key_authenticate(old_plaintext)
    assert AuditEvent.objects.filter(action="api_key.rotated", actor=partner_user).exists()
    assert plaintext not in partner_client.get(LIST).content.decode()


def test_a_replaced_key_keeps_working_a_week_so_the_system_can_switch_then_stops(partner_client, council_key):
    key, old_plaintext = council_key
    page = partner_client.post(reverse("partners:api-key-rotate", args=[key.pk])).content.decode()
    assert 'id="replaced-key"' in page
    old = PartnerApiKey.objects.get(pk=key.pk)
    assert timedelta(days=6) < old.expires_at - timezone.now() <= timedelta(days=7)
    assert api_key_authenticate(old_plaintext).pk == key.pk
    assert PartnerApiKey.objects.filter(organisation=key.organisation, revoked_at__isnull=True).count() == 2


def test_a_revoked_key_is_neither_renewed_nor_replaced(partner_client, council_key):
    from partners.api_keys import api_key_revoke

    key, _ = council_key
    api_key_revoke(key=key, acting_user=key.created_by)
    for action in ("renew", "rotate"):
        response = partner_client.post(reverse(f"partners:api-key-{action}", args=[key.pk]))
        assert response.status_code == 400 and "is revoked" in response.content.decode()
    assert PartnerApiKey.objects.filter(organisation=key.organisation).count() == 1


def test_another_organisations_key_cannot_be_renewed_or_replaced(partner_client, housing_key):
    key, _ = housing_key
    for action in ("renew", "rotate"):
        assert partner_client.get(reverse(f"partners:api-key-{action}", args=[key.pk])).status_code == 404
        assert partner_client.post(reverse(f"partners:api-key-{action}", args=[key.pk])).status_code == 404
    assert PartnerApiKey.objects.get(pk=key.pk).expires_at == key.expires_at


def test_the_organisation_is_told_once_30_days_before_a_key_expires(council_key, council, partner_user, housing_key, housing_user):
    colleague = UserFactory(username="council-colleague")
    MembershipFactory(user=colleague, organisation=council, role=Role.PARTNER_USER)
    key, _ = council_key
    key = expire_in(key, timedelta(days=20))
    expire_in(housing_key[0], timedelta(days=200))  # not yet
    assert warn_expiring_api_keys() == 1  # as Celery beat runs it, in its named system context
    told = Notification.objects.filter(kind=Kind.API_KEY_EXPIRING)
    assert {n.recipient for n in told} == {partner_user, colleague}
    notice = told.first()
    assert key.prefix in notice.body and f"{timezone.localtime(key.expires_at):%-d %B %Y}" in notice.body
    assert notice.url == reverse("partners:api-key-list")
    assert NotificationEmail.objects.filter(notification__in=told).count() == 2  # emailed at once: the default choice
    assert AuditEvent.objects.filter(action="api_key.expiry_told", organisation=council).count() == 1
    assert AuditEvent.objects.filter(action="system.context", summary__contains="API keys expire soon").exists()
    # Told once: the next day's run tells nobody again.
    assert api_keys_warn_expiring() == 0 and told.count() == 2


def test_a_key_renewed_and_nearing_its_new_expiry_is_told_again(partner_client, council_key, partner_user):
    key, _ = council_key
    expire_in(key, timedelta(days=20))
    api_keys_warn_expiring()
    partner_client.post(reverse("partners:api-key-renew", args=[key.pk]))
    assert api_keys_warn_expiring(now=timezone.now() + timedelta(days=340)) == 1
    assert Notification.objects.filter(kind=Kind.API_KEY_EXPIRING, recipient=partner_user).count() == 2


def test_the_expiry_notice_follows_each_persons_choice_for_its_kind(council_key, partner_user):
    """The notifications app's own preferences (no second mechanism): off means listed in the hub, not emailed."""
    preference_set(user=partner_user, kind=Kind.API_KEY_EXPIRING, delivery=Delivery.OFF)
    expire_in(council_key[0], timedelta(days=3))
    api_keys_warn_expiring()
    notice = Notification.objects.get(kind=Kind.API_KEY_EXPIRING, recipient=partner_user)
    assert not NotificationEmail.objects.filter(notification=notice).exists()


def test_revoked_and_already_expired_keys_are_not_told(council_key, council, partner_user):
    from partners.api_keys import api_key_issue, api_key_revoke

    key, _ = council_key
    expire_in(key, timedelta(days=3))
    api_key_revoke(key=key, acting_user=partner_user)
    expire_in(api_key_issue(organisation=council, name="Old", acting_user=partner_user)[0], -timedelta(days=1))
    assert api_keys_warn_expiring() == 0
    assert not Notification.objects.filter(kind=Kind.API_KEY_EXPIRING).exists()
