"""Demo data: the default retention schedules for the force and the partner agencies, and one open subject
access request for the demo data protection officer (idempotent)."""
import datetime

from django.utils import timezone

from organisations.models import Organisation, OrganisationKind, User
from access.roles import Role
from retention.services import adopt_default_schedules


def seed_retention(*, force: Organisation) -> int:
    made = 0
    for organisation in Organisation.objects.filter(is_active=True).exclude(kind=OrganisationKind.NEIGHBOURHOOD_TEAM):
        made += len(adopt_default_schedules(organisation=organisation))
    dpo = User.objects.filter(memberships__organisation=force, memberships__role=Role.INFORMATION_GOVERNANCE).first()
    if dpo is not None:
        from subject_access.models import DataSubjectRequest, RequestKind

        received = timezone.localdate() - datetime.timedelta(days=24)
        DataSubjectRequest.objects.get_or_create(
            organisation=force, requester_name="Demo Requester", kind=RequestKind.ACCESS,
            defaults={"regime": "part_3", "requester_email": "demo.requester@example.org", "received_on": received,
                      "due_on": DataSubjectRequest.one_month_after(received), "created_by": dpo, "identity_checked": True})
    return made
