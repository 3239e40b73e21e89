"""What needs information governance's attention today, for the home pages (helper i14-day calls items_for)."""
from django.urls import reverse

from home.attention import capped_count
from retention.models import EndAction
from retention.selectors import due_items_for


def items_for(user) -> list[dict]:
    """Records due for a person's review under their retention schedule: {"kind", "label", "count", "url"}."""
    if not user.is_authenticated:
        return []
    # Capped like every home page count (home.attention): a schedule coming due can make thousands of rows at once.
    count = capped_count(due_items_for(user).filter(end_action=EndAction.REVIEW))
    if not count:
        return []
    return [{"kind": "retention_review", "label": f"Record{'s' if count != 1 else ''} due for retention review", "count": count,
             "url": reverse("retention:due-list") + f"?end_action={EndAction.REVIEW}"}]
