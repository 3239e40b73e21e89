"""One-off shares of a single record with another organisation: granted for a reason, until an expiry."""
from datetime import timedelta
from functools import cache

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from organisations import audit
from access.visibility import can_own
from sharing_protocols.disclosures import disclosure_record
from sharing_protocols.models import DisclosureAction, OneOffShare

LONGEST_SHARE = timedelta(days=90)


@cache
def share_models() -> dict:
    """{shared model: its direct-foreign-key share model}, read from the app registry once (visible_to asks on
    every query it builds)."""
    return {model._meta.get_field("content_object").related_model: model
            for model in apps.get_models() if issubclass(model, OneOffShare)}


def share_model_for(model):
    """The direct-foreign-key share model for `model`, or None if its records are never shared one-off."""
    return share_models().get(model)


def organisation_group(organisation) -> Group:
    """The organisation's django-guardian group, made on first use; its members follow memberships."""
    if organisation.group_id is None:
        organisation.group = Group.objects.create(name=f"organisation:{organisation.slug}")
        organisation.save(update_fields=["group"])
    return organisation.group


def view_permission(model) -> Permission:
    return Permission.objects.get(content_type__app_label=model._meta.app_label, codename=f"view_{model._meta.model_name}")


@transaction.atomic
def record_share(*, record, organisation, reason: str, expires_at, includes_personal_data: bool, acting_user) -> OneOffShare:
    """Share one record with another organisation. Only the owning organisation shares, with a reason,
    for at most 90 days; personal details go only when asked for. Logged in the disclosure log."""
    share_model = share_model_for(type(record))
    errors = {}
    if share_model is None:
        raise ValidationError(f"{record._meta.verbose_name.capitalize()} records cannot be shared one-off.")
    if not can_own(acting_user, record.organisation):
        raise ValidationError("Only the organisation that holds this record can share it.")
    if organisation.pk == record.organisation_id or not organisation.is_active:
        errors["organisation"] = "Choose another active organisation to share with."
    if not reason.strip():
        errors["reason"] = "Give the reason for sharing: it is recorded in the disclosure log."
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = "The expiry must be in the future."
    elif expires_at > now + LONGEST_SHARE:
        errors["expires_at"] = "A one-off share lasts at most 90 days; agree a protocol for anything longer."
    if errors:
        raise ValidationError(errors)
    share, _ = share_model.objects.update_or_create(
        group=organisation_group(organisation), permission=view_permission(type(record)), content_object=record,
        defaults={"reason": reason.strip(), "expires_at": expires_at, "includes_personal_data": includes_personal_data,
                  "granted_by": acting_user, "sharing_organisation": record.organisation},  # the database sets the same
    )
    disclosure_record(user=acting_user, organisation=organisation, action=DisclosureAction.GRANT, record=record,
                      purpose=reason.strip(), details={"expires_at": expires_at.isoformat(), "personal_data": includes_personal_data})
    audit.record(actor=acting_user, organisation=record.organisation, action="record.shared",
                 summary=f"Shared {record._meta.verbose_name} {record.pk} with {organisation} until {expires_at:%d %B %Y}",
                 record=record.pk, shared_with=organisation.pk)
    return share


@transaction.atomic
def record_share_revoke(*, share: OneOffShare, acting_user, reason: str) -> None:
    record = share.content_object
    if not can_own(acting_user, record.organisation):
        raise ValidationError("Only the organisation that holds this record can end its share.")
    organisation = share.group.organisation
    share.delete()
    disclosure_record(user=acting_user, organisation=organisation, action=DisclosureAction.GRANT, record=record,
                      purpose=f"Share ended: {reason}", details={"revoked": True})
