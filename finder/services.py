"""Writes: the contact routes a force publishes for a neighbourhood's team."""
from django.db import transaction

from organisations import audit
from access.roles import Role
from finder.models import TeamContact
from geo.models import ForceArea, Neighbourhood

EDITOR_ROLES = (Role.MANAGER, Role.ADMINISTRATOR)


def editable_neighbourhoods(user):
    """The neighbourhoods whose public contact routes and gazetteer `user` may manage: their own force's."""
    if not user.is_authenticated or not user.has_role(*EDITOR_ROLES):
        return Neighbourhood.objects.none()
    return Neighbourhood.objects.filter(force_area__in=ForceArea.objects.administered_by(user))


@transaction.atomic
def team_contact_save(*, neighbourhood: Neighbourhood, acting_user, **fields) -> TeamContact:
    contact, _ = TeamContact.objects.get_or_create(neighbourhood=neighbourhood)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    audit.record(actor=acting_user, organisation=neighbourhood.force_area.force, action="public_contact.saved",
                 summary=f"Public contact routes for {neighbourhood.name} saved", neighbourhood_id=neighbourhood.pk)
    return contact
