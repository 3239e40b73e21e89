"""Publication's part of the home page: texts flagged and waiting for a reviewer, and rejected wording to redo."""
from django.urls import reverse

from home.attention import Item, capped_count
from publication.models import ScreeningStatus
from publication.services import REVIEWER_ROLES, reviewable_screenings


def items_for(user) -> list[Item]:
    if not user.has_role(*REVIEWER_ROLES):
        return []
    waiting = reviewable_screenings(user).filter(status=ScreeningStatus.FLAGGED)
    return [{"kind": "screening-waiting", "label": "Public wording waiting for your review", "count": capped_count(waiting),
             "url": reverse("publication:review-queue")}]
