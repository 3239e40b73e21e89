"""What needs attention about partner concerns, for the home page: for officers, new concerns placed in their
neighbourhoods since they last looked; for partner users, their organisation's concerns the police moved
and their finished imports since they last looked. Reads through visible_to / editable_by; counts capped."""
from django.urls import reverse

from access.roles import Role
from home.attention import Item, capped_count, look_url
from home.models import last_looked
from access.visibility import membership_organisation_ids
from partners.models import Concern, ConcernImportJob, ImportJobStatus
from partners.responses.selectors import answers_visible_to


def _since(queryset, field: str, at):
    return queryset.filter(**{f"{field}__gt": at}) if at else queryset


def items_for(user) -> list[Item]:
    items: list[Item] = []
    if user.has_role(Role.OFFICER):
        from crm.attention import my_neighbourhood_ids

        neighbourhoods = my_neighbourhood_ids(user)
        new = _since(Concern.objects.visible_to(user).filter(neighbourhood_id__in=neighbourhoods), "created_at",
                     last_looked(user, "new-concerns"))
        # Every concern placed in the officer's neighbourhoods, newest first ("only mine", for the police): a concern
        # counted here may have been collated already, so the list is not narrowed to "new".
        target = f"{reverse('partners:concern-list')}?mine=on"
        items.append({"kind": "new-concerns", "label": "New partner concerns in your neighbourhoods since you last looked",
                      "count": capped_count(new), "url": look_url("new-concerns", target)})
    if user.has_role(Role.PARTNER_USER):
        # The police's answers to the organisation's concerns (their own records), since the user last looked.
        moved = _since(answers_visible_to(user).filter(concern_organisation_id__in=membership_organisation_ids(user)),
                       "created_at", last_looked(user, "concerns-moved"))
        # Taken into a priority or closed by the police with an outcome: the list, sorted by the status it shows.
        items.append({"kind": "concerns-moved", "label": "Your organisation's concerns the police took into a priority or closed since you last looked",
                      "count": capped_count(moved),
                      "url": look_url("concerns-moved", f"{reverse('partners:concern-list')}?o=-status")})
        finished = _since(ConcernImportJob.objects.editable_by(user).filter(
            created_by=user, status__in=(ImportJobStatus.CHECKED, ImportJobStatus.IMPORTED, ImportJobStatus.REJECTED, ImportJobStatus.FAILED)),
            "finished_at", last_looked(user, "imports-finished"))
        items.append({"kind": "imports-finished", "label": "Your imports that finished, failed or wait for you to confirm",
                      "count": capped_count(finished),
                      "url": look_url("imports-finished", f"{reverse('partners:import-list')}?mine=on")})
    return items
