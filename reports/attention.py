"""Reports' part of the home page: the person's reports ready to read since they last looked."""
from django.urls import reverse

from access.roles import Role
from home.attention import Item, capped_count, look_url
from home.models import last_looked
from reports.models import ReportRun, ReportStatus


def items_for(user) -> list[Item]:
    if not user.has_role(Role.MANAGER, Role.OFFICER, Role.ADMINISTRATOR):
        return []
    ready = ReportRun.objects.visible_to(user).filter(status=ReportStatus.DONE)
    seen = last_looked(user, "reports-ready")
    if seen:
        ready = ready.filter(finished_at__gt=seen)
    return [{"kind": "reports-ready", "label": "Your reports ready since you last looked", "count": capped_count(ready),
             "url": look_url("reports-ready", reverse("reports:list"))}]
