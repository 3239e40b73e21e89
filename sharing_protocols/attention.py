"""What waits for an information-governance user, for their home page and notifications:
`items_for(user)` gives a list of {"kind", "label", "count", "url"}, plain English, empty for others.
Every count is capped like every home page count (home.attention.capped_count): the page says "100 or more"."""
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

import home.attention
from home.attention import capped_count
from sharing_protocols.models import ProtocolParty, ProtocolSignature, ProtocolStatus, ProtocolVersion
from sharing_protocols.register import governance_organisation_ids, protocols_for
from sharing_protocols.verification import latest_verification


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _how_many(count: int) -> str:
    """The count for a label: a capped count at the cap is "100 or more", as the home page shows it."""
    cap = home.attention.COUNT_CAP
    return f"{cap} or more" if count >= cap else str(count)


def items_for(user) -> list[dict]:
    organisations = governance_organisation_ids(user)
    if not organisations:
        return []
    today = timezone.localdate()
    notice = today + timedelta(days=settings.PROTOCOL_REVIEW_NOTICE_DAYS)
    register = reverse("sharing:protocol-list")
    items = []

    ours = ProtocolParty.objects.filter(version=OuterRef("pk"), organisation_id__in=organisations)
    decided = ProtocolSignature.objects.filter(version=OuterRef("pk"), organisation_id__in=organisations)
    awaiting = ProtocolVersion.objects.filter(status=ProtocolStatus.AWAITING_SIGNATURES).filter(Exists(ours)).exclude(Exists(decided))
    count = capped_count(awaiting)
    if count:
        items.append({"kind": "protocol_signatures_awaited", "count": count, "url": register,
                      "label": f"{_how_many(count)} protocol {_plural(count, 'version waits', 'versions wait')} for your organisation's signature"})

    in_force = protocols_for(user).filter(current_version__status=ProtocolStatus.ACTIVE, current_version__starts_on__lte=today)
    count = capped_count(in_force.filter(lead_organisation_id__in=organisations, current_version__review_on__lte=notice))
    if count:
        items.append({"kind": "protocol_reviews_due", "count": count, "url": register,
                      "label": f"{_how_many(count)} {_plural(count, 'protocol you lead is', 'protocols you lead are')} due for review"})

    count = capped_count(in_force.filter(current_version__ends_on__gte=today, current_version__ends_on__lte=notice))
    if count:
        items.append({"kind": "protocols_lapsing", "count": count, "url": register,
                      "label": f"{_how_many(count)} {_plural(count, 'protocol ends', 'protocols end')} within {settings.PROTOCOL_REVIEW_NOTICE_DAYS} days"})

    count = capped_count(protocols_for(user).filter(current_version__status__in=[ProtocolStatus.SUSPENDED, ProtocolStatus.TERMINATED])
                         .exclude(current_version__acted_for_id__in=organisations))
    if count:
        items.append({"kind": "protocols_stopped_by_another_party", "count": count, "url": register,
                      "label": f"{_how_many(count)} {_plural(count, 'protocol was', 'protocols were')} suspended or terminated by another party"})

    check = latest_verification()
    if check is not None and not check.intact:
        items.append({"kind": "disclosure_log_broken", "count": 1, "url": reverse("sharing:disclosure-log"),
                      "label": f"The disclosure log failed its check on {timezone.localtime(check.at):%d %B %Y}: it is broken at entry "
                               f"#{check.first_broken_entry_id}"})
    return items
