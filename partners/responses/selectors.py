"""Reading the police's answers to partner concerns: always through ConcernResponse.objects.visible_to(user), so the
reporting organisation and the responding team read them, and no one else but by the usual sharing rule."""
from __future__ import annotations

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When

from partners.models import Concern, ConcernStatus
from partners.responses.models import ConcernResponse, ConcernResponseKind


def answers_visible_to(user) -> QuerySet[ConcernResponse]:
    return ConcernResponse.objects.visible_to(user)


def concern_answer(*, user, concern: Concern) -> ConcernResponse | None:
    """The police's answer to `concern` that `user` may read, or None."""
    return (answers_visible_to(user).filter(concern_id=concern.pk)
            .only("pk", "concern_id", "priority_id", "kind", "outcome", "organisation_id", "created_at").first())


def with_police_answer(concerns: QuerySet[Concern], user) -> QuerySet[Concern]:
    """Each concern with `answered_priority_id`, the priority the police took it into, and `police_outcome`, what
    they wrote when they closed it without one, as far as `user` may read their answer (None otherwise);
    Concern.shown_status reads them. Two subqueries on the one unique answer, no extra query."""
    answer = answers_visible_to(user).filter(concern_id=OuterRef("pk"))
    return concerns.annotate(
        answered_priority_id=Subquery(answer.values("priority_id")[:1]),
        police_outcome=Subquery(answer.filter(kind=ConcernResponseKind.CLOSED_BY_POLICE).values("outcome")[:1]),
    )


def with_shown_status_key(concerns: QuerySet[Concern]) -> QuerySet[Concern]:
    """`shown_status_key`, Concern.shown_status in SQL, for sorting a list by the status it shows: a concern the
    police took into a priority sorts as "taken into a priority", one they closed as "closed by the police", not
    as the "collated" stored on the partner's row. An alias over with_police_answer's annotations: selected only
    when a sort uses it."""
    return concerns.alias(shown_status_key=Case(
        When(status=ConcernStatus.CLOSED, then=Value(ConcernStatus.CLOSED.value)),
        When(police_outcome__isnull=False, then=Value(ConcernStatus.CLOSED_BY_POLICE.value)),
        When(answered_priority_id__isnull=False, then=Value(ConcernStatus.TAKEN_INTO_PRIORITY.value)),
        default=F("status"), output_field=CharField(),
    ))


def answered(user, kind: str | None = None) -> Exists:
    answers = answers_visible_to(user).filter(concern_id=OuterRef("pk"))
    return Exists(answers.filter(kind=kind) if kind else answers)


def with_shown_status(concerns: QuerySet[Concern], status: str, user) -> QuerySet[Concern]:
    """The concerns whose shown status (Concern.shown_status) is `status`."""
    if status in (ConcernStatus.TAKEN_INTO_PRIORITY, ConcernStatus.CLOSED_BY_POLICE):
        return concerns.filter(answered(user, kind=status)).exclude(status=ConcernStatus.CLOSED)
    if status == ConcernStatus.CLOSED:
        return concerns.filter(status=ConcernStatus.CLOSED)
    return concerns.filter(Q(status=status) & ~answered(user))
