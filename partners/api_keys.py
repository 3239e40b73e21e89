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
from partners.models.intake import API_KEY_LIFETIME, API_KEY_NOTICE, api_key_expiry

PREFIX_BYTES = 4  # 8 hex characters: room for billions of keys before a clash is likely
SECRET_BYTES = 32
# Writing last_used_at on every call would make each read a write; once every few minutes tells enough.
LAST_USED_RESOLUTION = timedelta(minutes=5)
# A rotated key keeps working this long (or until its own expiry, if sooner), so the system using it can switch over.
ROTATION_OVERLAP = timedelta(days=7)
# Compared against when no key has the prefix, so a wrong prefix takes as long as a wrong secret.
_NO_SUCH_KEY_HASH = hashlib.sha256(b"no such key").hexdigest()


class ApiKeyRefused(Exception):
    """The key is missing, unknown, revoked, or belongs to an organisation that is no longer active."""

    status = 403


class ApiKeyExpired(ApiKeyRefused):
    """The key was good but its time is up: the caller must authenticate afresh (a renewed or new key), hence 401."""

    status = 401


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


def key_expiry_text(key: PartnerApiKey) -> str:
    """The expiry as a person reads it, in the hub's time zone: "28 November 2027 at 09:53 GMT"."""
    return timezone.localtime(key.expires_at).strftime("%-d %B %Y at %H:%M %Z")


def _may_manage(acting_user, key: PartnerApiKey, verb: str) -> None:
    if not can_own(acting_user, key.organisation):
        raise ValidationError(f"You cannot {verb} keys of that organisation.")
    if key.revoked_at is not None:
        raise ValidationError(f"The key ‘{key.name}’ ({key.prefix}…) is revoked: it cannot be brought back. Make a new key instead.")


def api_key_renew(*, key: PartnerApiKey, acting_user) -> PartnerApiKey:
    """Give a key that still works another full lifetime from now (the same key: nothing to change in the system using it).
    A key that has expired is not renewed: whoever held it may have stopped guarding it, so it is rotated (a new secret)."""
    _may_manage(acting_user, key, "renew")
    if key.is_expired:
        raise ValidationError(f"The key ‘{key.name}’ ({key.prefix}…) expired on {key_expiry_text(key)}: an expired key is not "
                              "renewed. Make a new key in its place (rotate it) instead.")
    with transaction.atomic():
        locked = PartnerApiKey.objects.select_for_update().get(pk=key.pk)
        previous = locked.expires_at
        locked.expires_at = api_key_expiry()
        locked.expiry_notice_sent_at = None  # the next expiry is told again
        locked.save(update_fields=["expires_at", "expiry_notice_sent_at", "updated_at"])
        audit.record(actor=acting_user, organisation=locked.organisation, action="api_key.renewed",
                     summary=f"Open311 API key renewed until {key_expiry_text(locked)}: {locked.name} ({locked.prefix}…)",
                     api_key=locked.pk, prefix=locked.prefix, previous_expiry=previous.isoformat(), expires_at=locked.expires_at.isoformat())
    return locked


def api_key_rotate(*, key: PartnerApiKey, acting_user) -> tuple[PartnerApiKey, str]:
    """Make a new key in place of `key`, with the same name and a full lifetime; the old key keeps working for
    ROTATION_OVERLAP (never longer than it would have) so the system using it can switch over, then stops.
    Returns (new key, plaintext): the plaintext is shown now and never again."""
    _may_manage(acting_user, key, "rotate")
    with transaction.atomic():
        old = PartnerApiKey.objects.select_for_update().get(pk=key.pk)
        new, plaintext = api_key_issue(organisation=old.organisation, name=old.name, acting_user=acting_user)
        old.expires_at = min(old.expires_at, timezone.now() + ROTATION_OVERLAP)
        old.save(update_fields=["expires_at", "updated_at"])
        audit.record(actor=acting_user, organisation=old.organisation, action="api_key.rotated",
                     summary=f"Open311 API key {old.name} ({old.prefix}…) replaced by {new.prefix}…; the old key stops on "
                             f"{key_expiry_text(old)}", api_key=old.pk, prefix=old.prefix, replaced_by=new.pk)
    return new, plaintext


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
    """The live key `plaintext` names, with its organisation loaded, or ApiKeyRefused (ApiKeyExpired after its expiry).

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
    if key.expires_at <= now:
        audit.record(actor=None, organisation=key.organisation, action="api_key.refused",
                     summary=f"An expired Open311 API key was used: {key.name} ({key.prefix}…)", api_key=key.pk, prefix=key.prefix)
        raise ApiKeyExpired(f"api_key expired on {key_expiry_text(key)}: ask your organisation to renew it, or to make a new key, "
                            "on the hub's API keys page.")
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        PartnerApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def key_managers(organisation):
    """Who is told about the organisation's keys: its active partner users (any of them may renew or rotate a key)."""
    from access.roles import Role
    from organisations.models import User

    return User.objects.filter(is_active=True, memberships__organisation=organisation,
                               memberships__role=Role.PARTNER_USER).distinct().order_by("pk")


def api_keys_warn_expiring(*, now=None) -> int:
    """Tell each organisation, once per expiry, about its live keys that stop within API_KEY_NOTICE (a notification of
    the kind API_KEY_EXPIRING: listed in the hub, emailed as each person chose). Returns how many keys were told about.
    Each key is marked and notified in one transaction, so a run that stops part-way tells nobody twice."""
    from django.urls import reverse

    from notifications.models import Kind
    from notifications.services import notify

    now = now or timezone.now()
    due = (PartnerApiKey.objects.filter(revoked_at__isnull=True, expiry_notice_sent_at__isnull=True,
                                        expires_at__gt=now, expires_at__lte=now + API_KEY_NOTICE, organisation__is_active=True)
           .select_related("organisation").order_by("expires_at", "pk"))
    told = 0
    for key in due.iterator(chunk_size=200):
        with transaction.atomic():
            if not PartnerApiKey.objects.filter(pk=key.pk, expiry_notice_sent_at__isnull=True).update(expiry_notice_sent_at=now):
                continue  # another run told it meanwhile
            notify(recipients=key_managers(key.organisation), kind=Kind.API_KEY_EXPIRING, about=key, template="api_key_expiring.txt",
                   subject=f"Your API key ‘{key.name}’ stops working on {timezone.localtime(key.expires_at):%-d %B %Y}",
                   url=reverse("partners:api-key-list"), context={"expires": key_expiry_text(key)})
            audit.record(actor=None, organisation=key.organisation, action="api_key.expiry_told",
                         summary=f"Told the organisation that its Open311 API key {key.name} ({key.prefix}…) expires on {key_expiry_text(key)}",
                         api_key=key.pk, prefix=key.prefix)
        told += 1
    return told
