"""The migration that brings in key expiry gives every key held before it a full year from the upgrade: none expires
at once, none is dated in the past, and a revoked key stays revoked."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.migrating import back_to_the_latest_schema, migrate  # noqa: F401  (the fixture, used by name below)
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("back_to_the_latest_schema")]

BEFORE, AFTER = [("partners", "0004_concern_answers_are_police_records")], [("partners", "0005_api_key_expiry")]


def test_keys_held_before_expiry_existed_get_a_year_from_the_upgrade():
    council = OrganisationFactory(name="Barrow Borough Council", slug="barrow-council", kind="council")
    old_apps = migrate(BEFORE)
    try:
        Key = old_apps.get_model("partners", "PartnerApiKey")
        made_long_ago = timezone.now() - timedelta(days=900)
        old = Key.objects.create(organisation_id=council.pk, name="Old system", prefix="0000aaaa", key_hash="a" * 64,
                                 created_at=made_long_ago, updated_at=made_long_ago)
        revoked = Key.objects.create(organisation_id=council.pk, name="Gone", prefix="0000bbbb", key_hash="b" * 64,
                                     revoked_at=timezone.now())
    finally:
        new_apps = migrate(AFTER)
    Key = new_apps.get_model("partners", "PartnerApiKey")
    for pk in (old.pk, revoked.pk):
        key = Key.objects.get(pk=pk)
        assert timedelta(days=364) < key.expires_at - timezone.now() <= timedelta(days=365)
        assert key.expiry_notice_sent_at is None
    assert Key.objects.get(pk=revoked.pk).revoked_at is not None
