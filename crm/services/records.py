"""Saving an organisation-owned CRM record. Its history (who, when, what) is written by
pghistory's triggers in the same transaction, with the acting user as context."""
from collections.abc import Iterable

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from access.visibility import can_own


def record_save(*, instance, acting_user, organisation=None, many_to_many: dict[str, Iterable] | None = None):
    """Validate and save `instance` (and its many-to-many fields) for `acting_user`.

    A new record belongs to `organisation` (the acting user's, chosen by the caller); an
    existing one keeps its owner. Raises ValidationError naming the field, saving nothing."""
    with transaction.atomic(), pghistory.context(user=acting_user.pk if acting_user else None):
        if instance.pk is None:
            if not can_own(acting_user, organisation):
                raise ValidationError("You cannot create records for that organisation.")
            instance.organisation = organisation
            instance.created_by = acting_user
        instance.full_clean()
        instance.save()
        for field, values in (many_to_many or {}).items():
            getattr(instance, field).set(values)
    return instance
