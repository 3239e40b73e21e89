"""What a reporting organisation is told about its concerns: taken into a priority, and what came of it.
Through notifications.services.notify, so each person's copy is rendered from the concern as they see it."""
from django.urls import reverse

from crm.models import FINISHED_STATUSES
from organisations.models import Membership, User
from access.roles import Role
from notifications.models import Kind
from notifications.services import notify
from partners.models import Concern
from partners.responses.models import ConcernResponse
from row_security.context import viewer_context


def _reporters(organisation_id: int):
    return [m.user for m in Membership.objects.filter(organisation_id=organisation_id, role=Role.PARTNER_USER, user__is_active=True)
            .select_related("user")]


def concerns_taken_notify(*, reported_by: dict[int, int], team_name: str, neighbourhood_name: str) -> None:
    """`reported_by`: {concern id: its reporting organisation's id}, from the police's answers."""
    for concern_id, organisation_id in sorted(reported_by.items()):
        concern = Concern(pk=concern_id, organisation_id=organisation_id)  # each recipient reads it as they see it (notify)
        notify(recipients=_reporters(organisation_id), kind=Kind.CONCERN_TAKEN, about=concern,
               subject=f"Your concern {concern.reference} was taken into a priority", template="concern_taken.txt",
               context={"team": team_name, "neighbourhood": neighbourhood_name},
               url=reverse("partners:concern-detail", args=[concern_id]))


def concern_closed_by_police_notify(*, concern_id: int, organisation_id: int, team_name: str, outcome: str) -> None:
    """The team's outcome, written for the reporting organisation; the concern as each recipient sees it."""
    concern = Concern(pk=concern_id, organisation_id=organisation_id)
    notify(recipients=_reporters(organisation_id), kind=Kind.CONCERN_CLOSED_BY_POLICE, about=concern,
           subject=f"Your concern {concern.reference} was closed by the police", template="concern_closed_by_police.txt",
           context={"team": team_name, "outcome": outcome}, url=reverse("partners:concern-detail", args=[concern_id]))


def concern_reopened_by_police_notify(*, concern_id: int, organisation_id: int, team_name: str, reason: str) -> None:
    concern = Concern(pk=concern_id, organisation_id=organisation_id)
    notify(recipients=_reporters(organisation_id), kind=Kind.CONCERN_CLOSED_BY_POLICE, about=concern,
           subject=f"Your concern {concern.reference} was reopened by the police", template="concern_reopened_by_police.txt",
           context={"team": team_name, "reason": reason}, url=reverse("partners:concern-detail", args=[concern_id]))


def priority_finished_notify(*, sender, priority_id: int, old_status: str, new_status: str, **kwargs) -> None:
    """On a priority resolved or closed: its outcome is screened at once (so a clean wording can go in the
    email), and each reporting organisation of its concerns is told."""
    if new_status not in FINISHED_STATUSES:
        return
    from crm.models import Priority
    from publication.models import Subject
    from publication.selectors import public_priority_wording
    from publication.services import screening_run

    priority = Priority.objects.filter(pk=priority_id).first()
    if priority is None:
        return
    if priority.outcome:
        screening_run(subject=Subject.OUTCOME, record=priority)
    # The concerns it took in are found from the team's own answers, read as the officer who finished it (their
    # team's records): no need to read the partners' rows, which row-level security may hide from them. Each
    # copy is rendered as its recipient sees the concern.
    acting_user = User.objects.filter(pk=kwargs.get("acting_user_id")).first()
    with viewer_context(acting_user):
        answers = list(ConcernResponse.objects.visible_to(acting_user).filter(priority_id=priority_id)
                       .values_list("concern_id", "concern_organisation_id").order_by("concern_id"))
    outcome = public_priority_wording(priority_id)
    for concern_id, organisation_id in answers:
        concern = Concern(pk=concern_id, organisation_id=organisation_id)
        notify(recipients=_reporters(organisation_id), kind=Kind.CONCERN_OUTCOME, about=concern,
               subject=f"What came of your concern {concern.reference}", template="concern_outcome.txt",
               context={"outcome": outcome}, url=reverse("partners:concern-detail", args=[concern_id]))
