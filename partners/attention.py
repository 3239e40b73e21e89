"""What needs attention about partner concerns, for the home page: for officers, new concerns placed in their
neighbourhoods since they last looked; for partner users, their organisation's concerns the police moved,
their finished imports, what other organisations shared with them since they last looked, and API keys about to
expire. Reads through visible_to / editable_by; counts capped."""
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from home.attention import COUNT_CAP, Item, capped_count, look_url
from home.models import last_looked
from access.visibility import membership_organisation_ids
from partners.models import Concern, ConcernImportJob, ImportJobStatus, PartnerApiKey
from partners.models.intake import API_KEY_NOTICE
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
        items.append(shares_granted_item(user))
        items.append(keys_expiring_item(user))
    return items


def shares_granted_item(user) -> Item:
    """One-off shares and protocol flows granted to the user's organisations since they last looked (one query to count:
    partners.shared_with_us). The link carries that moment, so the page marks what is new after the marker moves."""
    from partners.shared_with_us import granted_since_count

    since = last_looked(user, "shares-granted")
    target = reverse("partners:shared-with-us") + (f"?{urlencode({'since': since.isoformat()})}" if since else "")
    return {"kind": "shares-granted", "label": "Records and protocols shared with your organisation since you last looked",
            "count": granted_since_count(user, since, COUNT_CAP), "url": look_url("shares-granted", target)}


def keys_expiring_item(user) -> Item:
    """The organisation's API keys that stop within API_KEY_NOTICE, or stopped within it (an expired key still in use
    shows as refused calls in the partner's own system: the page says how to renew or replace it)."""
    now = timezone.now()
    expiring = PartnerApiKey.objects.visible_to(user).filter(
        revoked_at__isnull=True, expires_at__lte=now + API_KEY_NOTICE, expires_at__gt=now - API_KEY_NOTICE)
    return {"kind": "keys-expiring", "label": f"API keys that expire within {API_KEY_NOTICE.days} days, or have just expired",
            "count": capped_count(expiring), "url": reverse("partners:api-key-list")}
