"""Partner API keys: shown once, kept only as a hash, revoked at once, every issue and revocation audited."""
import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from organisations.models import AuditEvent
from partners.api_keys import ApiKeyRefused, api_key_authenticate, api_key_issue, api_key_revoke
from partners.models import PartnerApiKey


def test_a_key_is_kept_only_as_its_sha256_and_named_by_its_prefix(council_key, council, partner_user):
    key, plaintext = council_key
    stored = PartnerApiKey.objects.get(pk=key.pk)
    assert plaintext.startswith(f"{stored.prefix}.")
    assert stored.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {getattr(stored, field.attname) for field in PartnerApiKey._meta.concrete_fields}
    assert stored.organisation == council and stored.created_by == partner_user
    event = AuditEvent.objects.get(action="api_key.issued")
    assert event.organisation == council and event.actor == partner_user and stored.prefix in event.summary


def test_two_keys_are_never_the_same(council, partner_user, vocabularies):
    first = api_key_issue(organisation=council, name="One", acting_user=partner_user)[1]
    second = api_key_issue(organisation=council, name="Two", acting_user=partner_user)[1]
    assert first != second and len(first) > 40


def test_the_key_authenticates_as_its_organisation(council_key, council, django_assert_num_queries):
    key, plaintext = council_key
    # 1 the key with its organisation, 2 noting when it was first used.
    with django_assert_num_queries(2):
        found = api_key_authenticate(plaintext)
    assert found.pk == key.pk and found.organisation == council
    assert PartnerApiKey.objects.get(pk=key.pk).last_used_at is not None
    # Within a few minutes the use is not written again: a read stays a read.
    with django_assert_num_queries(1):
        api_key_authenticate(plaintext)


@pytest.mark.parametrize("tamper", [
    lambda text: text[:-1] + ("A" if text[-1] != "A" else "B"),  # right prefix, wrong secret
    lambda text: "0" * 8 + text[8:],  # a prefix no key has
    lambda text: "not-a-key",
    lambda text: "",
    lambda text: text + "x" * 500,
])
def test_anything_but_the_exact_key_is_refused(council_key, tamper):
    with pytest.raises(ApiKeyRefused):
        api_key_authenticate(tamper(council_key[1]))


def test_a_revoked_key_stops_working_at_once_and_its_use_is_audited(council_key, council, partner_user):
    key, plaintext = council_key
    api_key_revoke(key=key, acting_user=partner_user)
    assert AuditEvent.objects.get(action="api_key.revoked").actor == partner_user
    with pytest.raises(ApiKeyRefused, match="revoked"):
        api_key_authenticate(plaintext)
    assert AuditEvent.objects.filter(action="api_key.refused", organisation=council).count() == 1


def test_revoking_twice_changes_nothing(council_key, partner_user):
    key, _ = council_key
    api_key_revoke(key=key, acting_user=partner_user)
    first_revoked_at = PartnerApiKey.objects.get(pk=key.pk).revoked_at
    api_key_revoke(key=PartnerApiKey.objects.get(pk=key.pk), acting_user=partner_user)
    assert PartnerApiKey.objects.get(pk=key.pk).revoked_at == first_revoked_at
    assert AuditEvent.objects.filter(action="api_key.revoked").count() == 1


def test_a_key_of_an_organisation_that_left_the_hub_is_refused(council_key, council):
    council.is_active = False
    council.save()
    with pytest.raises(ApiKeyRefused, match="no longer"):
        api_key_authenticate(council_key[1])


def test_nobody_issues_or_revokes_keys_for_another_organisation(council_key, housing, housing_user, council):
    with pytest.raises(ValidationError) as refused:
        api_key_issue(organisation=council, name="Not ours", acting_user=housing_user)
    assert "organisation" in refused.value.message_dict
    with pytest.raises(ValidationError):
        api_key_revoke(key=council_key[0], acting_user=housing_user)
    assert PartnerApiKey.objects.get(pk=council_key[0].pk).revoked_at is None


def test_the_police_are_not_issued_keys(officer, team):
    with pytest.raises(ValidationError) as refused:
        api_key_issue(organisation=team, name="Team laptop", acting_user=officer)
    assert refused.value.message_dict["organisation"] == ["API keys are for partner agencies, not for the police."]


def test_a_key_needs_a_name(council, partner_user):
    with pytest.raises(ValidationError) as refused:
        api_key_issue(organisation=council, name="  ", acting_user=partner_user)
    assert "name" in refused.value.message_dict
    assert not PartnerApiKey.objects.exists()


def test_last_used_is_written_again_after_a_while(council_key):
    key, plaintext = council_key
    api_key_authenticate(plaintext)
    PartnerApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(hours=1))
    api_key_authenticate(plaintext)
    assert timezone.now() - PartnerApiKey.objects.get(pk=key.pk).last_used_at < timedelta(minutes=1)
