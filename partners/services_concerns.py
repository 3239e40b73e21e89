"""Changing a concern after it was reported: only its reporting organisation, with an audit record."""
import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from organisations import audit
from partners.collation.services import concerns_place_at_intake
from partners.models import Concern, ConcernStatus
from partners.services import concern_fingerprint, concern_rule_errors

# What an edit may change; who reported it, how it came in and its collation are not the editor's to change.
EDITABLE_FIELDS = (
    "category", "location", "place", "occurred_at", "channel", "description", "holds_personal_data",
    "reporter_name", "reporter_email", "reporter_phone", "classification",
)


def _own_concern(concern: Concern, acting_user) -> Concern:
    """The stored row, locked, if `acting_user`'s organisation owns it; else the same answer as a missing one."""
    try:
        return Concern.objects.editable_by(acting_user).select_for_update().get(pk=concern.pk)
    except Concern.DoesNotExist:
        raise ValidationError("Only the organisation that reported this concern can change it.") from None


def concern_update(*, concern: Concern, acting_user) -> Concern:
    """Save the edited fields of `concern` (an instance with the user's changes), under the same rules as a new report."""
    if getattr(concern, "withheld_fields", None):
        raise ValidationError("This concern's personal data is withheld from you, so you cannot change it.")
    with transaction.atomic():
        stored = _own_concern(concern, acting_user)
        if stored.status == ConcernStatus.CLOSED:
            raise ValidationError("This concern is closed: it cannot be changed.")
        changed = [name for name in EDITABLE_FIELDS if getattr(stored, name) != getattr(concern, name)]
        for name in changed:
            setattr(stored, name, getattr(concern, name))
        errors = concern_rule_errors(stored)
        try:
            stored.full_clean(exclude=["fingerprint", "location_bng"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, " ".join(messages))
        if errors:
            raise ValidationError(errors)
        if not changed:
            return stored
        stored.fingerprint = concern_fingerprint(
            organisation_id=stored.organisation_id, category_id=stored.category_id, longitude=stored.location.x,
            latitude=stored.location.y, occurred_at=stored.occurred_at, description=stored.description,
            external_reference=stored.external_reference,
        )
        if Concern.objects.filter(organisation_id=stored.organisation_id, fingerprint=stored.fingerprint).exclude(pk=stored.pk).exists():
            raise ValidationError("Your organisation already holds a concern with exactly these details.")
        moved = bool({"location", "occurred_at"} & set(changed))
        if moved:
            # Moved or re-dated: placed again at once (and its near-duplicates checked again).
            stored.collated_at, stored.neighbourhood, stored.lsoa = None, None, None
        with pghistory.context(user=acting_user.pk, via="concern edit"):
            stored.save()
            if moved:
                concerns_place_at_intake(concern_ids=[stored.pk])
                stored.refresh_from_db(fields=["neighbourhood", "lsoa"])
        # Names the fields, never their values: the audit trail must not copy personal data.
        audit.record(actor=acting_user, organisation=stored.organisation, action="concern.updated",
                     summary=f"Concern changed: {', '.join(changed)}", concern=stored.pk, fields=changed)
    return stored


def concern_close(*, concern: Concern, acting_user, reason: str) -> Concern:
    """Close a concern its organisation has dealt with. Closing twice changes nothing."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the concern is being closed."})
    with transaction.atomic():
        stored = _own_concern(concern, acting_user)
        if stored.status == ConcernStatus.CLOSED:
            return stored
        stored.status = ConcernStatus.CLOSED
        with pghistory.context(user=acting_user.pk, via="concern close"):
            stored.save(update_fields=["status", "updated_at"])
        audit.record(actor=acting_user, organisation=stored.organisation, action="concern.closed",
                     summary=f"Concern closed: {reason}"[:500], concern=stored.pk, reason=reason[:500])
    return stored
