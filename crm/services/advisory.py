"""Writes for advisory groups: the group, its members, the advice it gives and the force's response.

Each validates with full_clean and saves inside one transaction, with the acting user in
the history (pghistory) context. A ValidationError names the field and nothing is saved."""
import datetime
from collections.abc import Iterable

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from crm.models import AdvisoryAdvice, AdvisoryGroup, AdvisoryMembership
from organisations.models import Organisation
from crm.services.records import record_save


def advisory_group_save(
    *, group: AdvisoryGroup, acting_user, organisation: Organisation | None = None, neighbourhoods: Iterable = (),
) -> AdvisoryGroup:
    """Create or change an advisory group and the neighbourhoods it advises on (none: the whole force)."""
    return record_save(instance=group, acting_user=acting_user, organisation=organisation, many_to_many={"neighbourhoods": list(neighbourhoods)})


def advisory_member_add(*, membership: AdvisoryMembership, acting_user) -> AdvisoryMembership:
    """Add a contact to an advisory group, with their optional self-described profile."""
    with transaction.atomic(), pghistory.context(user=acting_user.pk):
        already = (
            AdvisoryMembership.objects.select_for_update()
            .filter(advisory_group_id=membership.advisory_group_id, contact_id=membership.contact_id)
            .exclude(pk=membership.pk)
        )
        if membership.contact_id and already.exists():
            raise ValidationError({"contact": f"{membership.contact} is already a member of this group."})
        membership.full_clean()
        membership.save()
    return membership


def advisory_advice_record(*, advice: AdvisoryAdvice, acting_user, organisation: Organisation) -> AdvisoryAdvice:
    """Record advice an advisory group gave on a policy; it awaits the force's response."""
    if advice.consultation_id and advice.consultation.advisory_group_id != advice.advisory_group_id:
        raise ValidationError({"consultation": "Choose a consultation held with this advisory group."})
    return record_save(instance=advice, acting_user=acting_user, organisation=organisation)


def advisory_advice_respond(
    *, advice: AdvisoryAdvice, acting_user, response: str, force_response: str, responded_on: datetime.date | None,
) -> AdvisoryAdvice:
    """Record what the force did with a piece of advice, and when it said so."""
    advice.response = response
    advice.force_response = force_response
    advice.responded_on = responded_on
    return record_save(instance=advice, acting_user=acting_user)
