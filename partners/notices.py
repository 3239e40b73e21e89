"""What a reporting organisation is told about its concerns: taken into a priority, and what came of it.
Through notifications.services.notify, so each person's copy is rendered from the concern as they see it."""
from django.urls import reverse

from crm.models import FINISHED_STATUSES
from organisations.models import Membership
from access.roles import Role
from notifications.models import Kind
from notifications.services import notify
from partners.models import Concern
from row_security.context import system_context


def _reporters(organisation_id: int):
    return [m.user for m in Membership.objects.filter(organisation_id=organisation_id, role=Role.PARTNER_USER, user__is_active=True)
            .select_related("user")]


def concerns_taken_notify(*, concern_ids: list[int], team_name: str, neighbourhood_name: str) -> None:
    for concern in Concern.objects.filter(pk__in=concern_ids).only("pk", "organisation_id"):
        notify(recipients=_reporters(concern.organisation_id), kind=Kind.CONCERN_TAKEN, about=concern,
               subject=f"Your concern {concern.reference} was taken into a priority", template="concern_taken.txt",
               context={"team": team_name, "neighbourhood": neighbourhood_name},
               url=reverse("partners:concern-detail", args=[concern.pk]))


def priority_finished_notify(*, sender, priority_id: int, old_status: str, new_status: str, **kwargs) -> None:
    """On a priority resolved or closed: its outcome is screened at once (so a clean wording can go in the
    email), and each reporting organisation of its concerns is told."""
    if new_status not in FINISHED_STATUSES:
        return
    from crm.models import Priority
    from partners.selectors import concern_outcome
    from publication.models import Subject
    from publication.services import screening_run

    priority = Priority.objects.filter(pk=priority_id).first()
    if priority is None:
        return
    if priority.outcome:
        screening_run(subject=Subject.OUTCOME, record=priority)
    # The officer finishing the priority may not read the partners' concerns it came from (row-level security hides
    # them), yet their reporters must be told: finding which concerns and whose is named system work, and each copy
    # is still rendered as its recipient sees it.
    with system_context("telling partners what came of the concerns in a finished priority"):
        concerns = list(Concern.objects.filter(priority_id=priority_id).only("pk", "organisation_id", "priority_id"))
    for concern in concerns:
        notify(recipients=_reporters(concern.organisation_id), kind=Kind.CONCERN_OUTCOME, about=concern,
               subject=f"What came of your concern {concern.reference}", template="concern_outcome.txt",
               context={"outcome": concern_outcome(concern=concern)}, url=reverse("partners:concern-detail", args=[concern.pk]))
