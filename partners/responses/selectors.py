"""Reading the police's answers to partner concerns: always through ConcernResponse.objects.visible_to(user), so the
reporting organisation and the responding team read them, and no one else but by the usual sharing rule."""
from __future__ import annotations

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When

from partners.models import Concern, ConcernStatus
from partners.responses.models import ConcernResponse


def answers_visible_to(user) -> QuerySet[ConcernResponse]:
    return ConcernResponse.objects.visible_to(user)


def concern_answer(*, user, concern: Concern) -> ConcernResponse | None:
    """The police's answer to `concern` that `user` may read, or None."""
    return answers_visible_to(user).filter(concern_id=concern.pk).only("pk", "concern_id", "priority_id", "kind", "created_at").first()


def with_police_answer(concerns: QuerySet[Concern], user) -> QuerySet[Concern]:
    """Each concern with `answered_priority_id`: the priority the police took it into, as far as `user` may read
    their answer (None otherwise); Concern.shown_status reads it. One subquery, no extra query."""
    answer = answers_visible_to(user).filter(concern_id=OuterRef("pk")).values("priority_id")[:1]
    return concerns.annotate(answered_priority_id=Subquery(answer))


def with_shown_status_key(concerns: QuerySet[Concern]) -> QuerySet[Concern]:
    """`shown_status_key`, Concern.shown_status in SQL, for sorting a list by the status it shows: a concern the
    police took into a priority sorts as "taken into a priority", not as the "collated" stored on the partner's
    row. An alias over `answered_priority_id` (with_police_answer first): selected only when a sort uses it."""
    return concerns.alias(shown_status_key=Case(
        When(status=ConcernStatus.CLOSED, then=Value(ConcernStatus.CLOSED.value)),
        When(answered_priority_id__isnull=False, then=Value(ConcernStatus.TAKEN_INTO_PRIORITY.value)),
        default=F("status"), output_field=CharField(),
    ))


def answered(user) -> Exists:
    return Exists(answers_visible_to(user).filter(concern_id=OuterRef("pk")))


def with_shown_status(concerns: QuerySet[Concern], status: str, user) -> QuerySet[Concern]:
    """The concerns whose shown status (Concern.shown_status) is `status`."""
    if status == ConcernStatus.TAKEN_INTO_PRIORITY:
        return concerns.filter(answered(user)).exclude(status=ConcernStatus.CLOSED)
    if status == ConcernStatus.CLOSED:
        return concerns.filter(status=ConcernStatus.CLOSED)
    return concerns.filter(Q(status=status) & ~answered(user))
