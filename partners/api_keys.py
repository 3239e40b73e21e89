"""Open311 API keys for partner organisations: issue, revoke, authenticate.

Only a SHA-256 hash of a key is kept; the key itself is shown once, when it is issued.
A key reads `<prefix>.<secret>`: the prefix finds the row (it is unique and shown in lists
so people can tell keys apart), the whole key is then checked against the hash in
constant time."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from organisations import audit
from access.visibility import can_own
from input_rules.text import unstorable
from partners.models import PartnerApiKey

PREFIX_BYTES = 4  # 8 hex characters: room for billions of keys before a clash is likely
SECRET_BYTES = 32
# Writing last_used_at on every call would make each read a write; once every few minutes tells enough.
LAST_USED_RESOLUTION = timedelta(minutes=5)
# Compared against when no key has the prefix, so a wrong prefix takes as long as a wrong secret.
_NO_SUCH_KEY_HASH = hashlib.sha256(b"no such key").hexdigest()


class ApiKeyRefused(Exception):
    """The key is missing, unknown, revoked, or belongs to an organisation that is no longer active."""


def hash_api_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def api_key_issue(*, organisation, name: str, acting_user) -> tuple[PartnerApiKey, str]:
    """Make a key for `organisation`. Returns (key, plaintext): the plaintext is never stored, so
    show it to the person now and only now."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Enter what will use the key, such as 'Council case management system'."
    elif len(name) > PartnerApiKey._meta.get_field("name").max_length:
        errors["name"] = "The name must be 120 characters or fewer."
    if organisation is None or not can_own(acting_user, organisation):
        errors["organisation"] = "You cannot issue keys for that organisation."
    elif organisation.is_police:
        # Concerns come in from partner agencies; the police record theirs in the hub itself.
        errors["organisation"] = "API keys are for partner agencies, not for the police."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        while True:
            prefix = secrets.token_hex(PREFIX_BYTES)
            if not PartnerApiKey.objects.filter(prefix=prefix).exists():
                break
        plaintext = f"{prefix}.{secrets.token_urlsafe(SECRET_BYTES)}"
        key = PartnerApiKey.objects.create(
            organisation=organisation, name=name, prefix=prefix, key_hash=hash_api_key(plaintext),
            created_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        )
        audit.record(actor=acting_user, organisation=organisation, action="api_key.issued",
                     summary=f"Open311 API key issued: {name} ({prefix}…)", api_key=key.pk, prefix=prefix)
    return key, plaintext


def api_key_revoke(*, key: PartnerApiKey, acting_user) -> PartnerApiKey:
    """Stop a key working, at once. Revoking a revoked key changes nothing."""
    if not can_own(acting_user, key.organisation):
        raise ValidationError("You cannot revoke keys of that organisation.")
    if key.revoked_at is not None:
        return key
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        audit.record(actor=acting_user, organisation=key.organisation, action="api_key.revoked",
                     summary=f"Open311 API key revoked: {key.name} ({key.prefix}…)", api_key=key.pk, prefix=key.prefix)
    return key


def api_key_authenticate(plaintext: str | None) -> PartnerApiKey:
    """The live key `plaintext` names, with its organisation loaded, or ApiKeyRefused.

    One query for the key; one more, at most every few minutes, to note when it was last used.
    A call with a revoked key is written to the audit trail of the key's organisation."""
    plaintext = (plaintext or "").strip()
    if not plaintext:
        raise ApiKeyRefused("api_key is missing: send the key your organisation was issued.")
    prefix = plaintext.split(".", 1)[0]
    key = None
    if len(prefix) == PREFIX_BYTES * 2 and len(plaintext) <= 200 and not unstorable(prefix):
        key = PartnerApiKey.objects.select_related("organisation").filter(prefix=prefix).first()
    matches = hmac.compare_digest(hash_api_key(plaintext), key.key_hash if key else _NO_SUCH_KEY_HASH)
    if key is None or not matches:
        raise ApiKeyRefused("api_key is not a key the hub issued.")
    if key.revoked_at is not None:
        audit.record(actor=None, organisation=key.organisation, action="api_key.refused",
                     summary=f"A revoked Open311 API key was used: {key.name} ({key.prefix}…)", api_key=key.pk, prefix=key.prefix)
        raise ApiKeyRefused("api_key has been revoked: ask your organisation for a new key.")
    if not key.organisation.is_active:
        raise ApiKeyRefused("api_key belongs to an organisation that no longer uses the hub.")
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        PartnerApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
