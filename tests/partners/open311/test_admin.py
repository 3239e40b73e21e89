"""API keys in the admin: issued with the key shown once, listed through visible_to, revoked by an action."""
import re

import pytest
from django.urls import reverse

from crm.demo import administrators_group
from organisations.models import AuditEvent
from access.roles import Role
from partners.api_keys import api_key_authenticate, hash_api_key
from partners.models import PartnerApiKey
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def council_administrator(council, vocabularies):
    user = UserFactory(username="kim-council-admin", is_staff=True)
    MembershipFactory(user=user, organisation=council, role=Role.ADMINISTRATOR)
    user.groups.add(administrators_group())
    return user


def test_an_administrator_issues_a_key_and_sees_it_once(client, council_administrator, council, team):
    client.force_login(council_administrator)
    form = client.get(reverse("admin:partners_partnerapikey_add"))
    offered = re.findall(r'<option value="(\d+)"', form.content.decode())
    assert offered == [str(council.pk)]  # not the police team, nor anyone else's organisation
    response = client.post(reverse("admin:partners_partnerapikey_add"), {"organisation": council.pk, "name": "Council CRM"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = PartnerApiKey.objects.get()
    plaintext = re.search(r'<code id="api-key"[^>]*>([^<]+)</code>', response.content.decode()).group(1)
    assert hash_api_key(plaintext) == key.key_hash and api_key_authenticate(plaintext).pk == key.pk
    assert AuditEvent.objects.get(action="api_key.issued").actor == council_administrator
    # Afterwards the key page shows the prefix, never the key.
    page = client.get(reverse("admin:partners_partnerapikey_change", args=[key.pk])).content.decode()
    assert key.prefix in page and plaintext not in page and key.key_hash not in page


def test_an_administrator_sees_and_revokes_only_their_organisations_keys(client, council_administrator, council_key, housing_key):
    client.force_login(council_administrator)
    listing = client.get(reverse("admin:partners_partnerapikey_changelist")).content.decode()
    assert council_key[0].prefix in listing and housing_key[0].prefix not in listing
    client.post(reverse("admin:partners_partnerapikey_changelist"), {
        "action": "revoke_keys", "_selected_action": [council_key[0].pk, housing_key[0].pk],
    })
    assert PartnerApiKey.objects.get(pk=council_key[0].pk).revoked_at is not None
    assert PartnerApiKey.objects.get(pk=housing_key[0].pk).revoked_at is None
    assert client.get(reverse("admin:partners_partnerapikey_change", args=[housing_key[0].pk])).status_code == 302


def test_keys_cannot_be_deleted_so_the_audit_trail_keeps_naming_them(client, council_administrator, council_key):
    client.force_login(council_administrator)
    response = client.get(reverse("admin:partners_partnerapikey_delete", args=[council_key[0].pk]))
    assert response.status_code == 403
