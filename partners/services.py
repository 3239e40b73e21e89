"""Writing concerns. Every way in (the web form, a bulk file, Open311) goes through these rules."""
import hashlib
import json
from datetime import timedelta

import pghistory
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from organisations import audit
from access.visibility import can_own
from geo.models import ForceArea
from partners.collation.services import concerns_place_at_intake
from partners.models import Concern

# A device clock a few minutes fast is not an error; a date next week is.
FUTURE_TOLERANCE = timedelta(minutes=10)


def concern_fingerprint(*, organisation_id: int, category_id: int, longitude: float, latitude: float, occurred_at,
                        description: str, external_reference: str = "") -> str:
    """What makes two reports the same report: the same organisation, category, place (to about 10 cm),
    time and words. Uploading a file twice, or retrying an API call, matches on this."""
    canonical = json.dumps([
        organisation_id, category_id, round(longitude, 6), round(latitude, 6), occurred_at.isoformat(),
        " ".join(description.split()), external_reference.strip(),
    ], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def concern_rule_errors(concern: Concern, *, now=None) -> dict[str, str]:
    """The rules beyond the fields' own: not in the future, inside a force area we serve, and
    reported no earlier than it happened. Shared by every way in; row by row for bulk files."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if concern.occurred_at and concern.occurred_at > now + FUTURE_TOLERANCE:
        errors["occurred_at"] = "The date it happened is in the future."
    if concern.reported_at and concern.reported_at > now + FUTURE_TOLERANCE:
        errors["reported_at"] = "The date it was reported is in the future."
    if concern.occurred_at and concern.reported_at and concern.reported_at < concern.occurred_at - FUTURE_TOLERANCE:
        errors.setdefault("reported_at", "It cannot have been reported before it happened.")
    if concern.location is not None and not ForceArea.objects.filter(boundary__contains=concern.location).exists():
        errors["location"] = location_outside_message(concern.location)
    return errors


def location_outside_message(point) -> str:
    longitude, latitude = point.x, point.y
    if 49 <= longitude <= 61 and -9 <= latitude <= 2:
        return (f"The place ({latitude}, {longitude}) is outside the force area: the latitude and longitude look swapped. "
                "Latitude comes first in Great Britain (around 50 to 60), longitude second (around -8 to 2).")
    return f"The place (latitude {latitude}, longitude {longitude}) is outside every force area the hub serves."


def concern_report(*, concern: Concern, acting_user=None, organisation, via: str = "") -> tuple[Concern, bool]:
    """Validate and save one concern for `organisation`, with its audit record, all or nothing.

    Returns (concern, created). The same report twice (same fingerprint) returns the first one
    and creates nothing. `acting_user` is None for an API key; `via` then names the key."""
    if acting_user is not None and not can_own(acting_user, organisation):
        raise ValidationError("You cannot report concerns for that organisation.")
    if organisation.is_police:
        raise ValidationError("Concerns are reported by partner agencies, not by the police.")
    concern.organisation = organisation
    concern.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    if concern.reported_at is None:
        concern.reported_at = timezone.now()
    errors = concern_rule_errors(concern)
    concern.fingerprint = concern_fingerprint(
        organisation_id=organisation.pk, category_id=concern.category_id, longitude=concern.location.x if concern.location else 0,
        latitude=concern.location.y if concern.location else 0, occurred_at=concern.occurred_at or concern.reported_at,
        description=concern.description or "", external_reference=concern.external_reference,
    ) if not errors.get("location") and concern.category_id else ""
    try:
        concern.full_clean(exclude=["fingerprint", "location_bng"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, " ".join(messages))
    if errors:
        raise ValidationError(errors)
    existing = Concern.objects.filter(organisation=organisation, fingerprint=concern.fingerprint).first()
    if existing is None and concern.external_reference:
        existing = Concern.objects.filter(organisation=organisation, external_reference=concern.external_reference).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic(), pghistory.context(user=concern.created_by_id, via=via):
            concern.save()
            concerns_place_at_intake(concern_ids=[concern.pk])
            concern.refresh_from_db(fields=["neighbourhood", "lsoa"])
            audit.record(actor=acting_user, organisation=organisation, action="concern.reported",
                         summary=f"Concern reported: {concern.category} ({concern.get_channel_display()})",
                         concern=concern.pk, channel=concern.channel, via=via)
    except IntegrityError:
        # A retry that raced the first request: the first one won.
        existing = Concern.objects.filter(organisation=organisation, fingerprint=concern.fingerprint).first()
        if existing is None:
            raise ValidationError({NON_FIELD_ERRORS: "This concern clashes with one already held (the same partner reference)."})
        return existing, False
    return concern, True
