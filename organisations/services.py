"""Writes for organisations and their people: validate, save and audit in one transaction."""
from django.db import transaction

from organisations import audit
from organisations.models import Membership, Organisation, User


@transaction.atomic
def organisation_upsert(*, slug: str, name: str, kind: str, parent: Organisation | None = None, acting_user=None) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first() or Organisation(slug=slug)
    before = (organisation.name, organisation.kind, organisation.parent_id, organisation.is_active)
    organisation.name, organisation.kind, organisation.parent, organisation.is_active = name, kind, parent, True
    created = organisation.pk is None
    if not created and before == (name, kind, parent.pk if parent else None, True):
        return organisation  # nothing changed: nothing to save or audit
    organisation.full_clean()
    organisation.save()
    audit.record(
        actor=acting_user, organisation=organisation, action="organisation.created" if created else "organisation.updated",
        summary=f"{organisation.name} ({organisation.get_kind_display()})", organisation_id=organisation.pk,
    )
    return organisation


@transaction.atomic
def membership_grant(*, user: User, organisation: Organisation, role: str, job_title: str = "", warranted: bool = False, acting_user=None) -> Membership:
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership is not None:
        return membership
    membership = Membership(user=user, organisation=organisation, role=role, job_title=job_title, warranted=warranted)
    membership.full_clean()
    membership.save()
    audit.record(
        actor=acting_user, organisation=organisation, action="membership.granted",
        summary=f"{user.get_username()} is now {membership.get_role_display()} in {organisation.name}",
        membership_id=membership.pk, user_id=user.pk, organisation_id=organisation.pk, role=role,
    )
    return membership
