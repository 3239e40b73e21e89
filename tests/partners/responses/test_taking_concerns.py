"""Taking partners' concerns into a priority: the team's own answer, the partner's row untouched, the partner told
and shown "taken into a priority" and what came of it, and one answer per concern however many officers try."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from crm.models import PriorityStatus
from crm.services.priorities import priority_move
from notifications.models import Kind, Notification
from partners.models import Concern, ConcernStatus
from partners.responses.models import ConcernResponse
from partners.responses.services import concerns_take_into_priority
from row_security.context import viewer_context
from tests.factories import ConcernFactory, MembershipFactory, NeighbourhoodFactory, UserFactory, issue_category
from tests.partners.concerns.conftest import share_concerns

pytestmark = pytest.mark.django_db


@pytest.fixture
def hindpool(team):
    return NeighbourhoodFactory(team=team, name="Hindpool")


@pytest.fixture
def shared(council, force, officer):
    return share_concerns(provider=council, recipient=force, acting_user=officer)


def take(concerns, hindpool, officer):
    with viewer_context(officer):
        return concerns_take_into_priority(concerns=concerns, neighbourhood=hindpool, category=issue_category("fly-tipping"),
                                           issue="Fly-tipping in the back lanes.", issue_date=concerns[0].reported_at.date(),
                                           acting_user=officer)


def test_the_answer_is_the_teams_record_and_the_partners_row_is_untouched(officer, partner_user, council, team, hindpool, shared):
    concern = ConcernFactory(organisation=council, neighbourhood=hindpool, status=ConcernStatus.COLLATED)
    before = Concern.objects.values("status", "updated_at").get(pk=concern.pk)
    events_before = concern.events.count()
    priority = take([concern], hindpool, officer)
    answer = ConcernResponse.objects.get(concern=concern)
    assert (answer.organisation, answer.concern_organisation, answer.priority, answer.created_by) == (team, council, priority, officer)
    assert Concern.objects.values("status", "updated_at").get(pk=concern.pk) == before
    assert concern.events.count() == events_before  # no history of a change: there was none
    assert answer.events.count() == 1
    notification = Notification.objects.get(recipient=partner_user)
    assert notification.kind == Kind.CONCERN_TAKEN and concern.reference in notification.subject


def test_the_partner_sees_taken_into_a_priority_in_the_list_its_filter_and_the_page(client, officer, partner_user, council, hindpool, shared):
    taken = ConcernFactory(organisation=council, neighbourhood=hindpool, status=ConcernStatus.COLLATED, place="Abbey Road")
    ConcernFactory(organisation=council, neighbourhood=hindpool, status=ConcernStatus.COLLATED, place="Duke Street")
    take([taken], hindpool, officer)
    client.force_login(partner_user)
    listing = client.get(reverse("partners:concern-list"), {"status": "taken_into_priority"}).content.decode()
    assert "Abbey Road" in listing and "Duke Street" not in listing and "Taken into a priority" in listing
    collated = client.get(reverse("partners:concern-list"), {"status": "collated"}).content.decode()
    assert "Duke Street" in collated and "Abbey Road" not in collated
    page = client.get(reverse("partners:concern-detail", args=[taken.pk])).content.decode()
    assert "Taken into a priority (agreed)" in page


def test_the_partner_is_told_what_came_of_it_when_the_officer_resolves_the_priority(client, officer, partner_user, council, hindpool, shared,
                                                                                       django_capture_on_commit_callbacks):
    concern = ConcernFactory(organisation=council, neighbourhood=hindpool, status=ConcernStatus.COLLATED)
    priority = take([concern], hindpool, officer)
    with django_capture_on_commit_callbacks(execute=True), viewer_context(officer):
        priority_move(priority=priority, acting_user=officer, status=PriorityStatus.RESOLVED, outcome="The alley was cleared and gated.")
    told = Notification.objects.get(recipient=partner_user, kind=Kind.CONCERN_OUTCOME)
    assert concern.reference in told.subject
    client.force_login(partner_user)
    assert "Taken into a priority (resolved)" in client.get(reverse("partners:concern-detail", args=[concern.pk])).content.decode()


def test_a_concern_already_taken_is_refused_and_the_database_holds_one_answer_a_concern(officer, council, hindpool, shared):
    concern = ConcernFactory(organisation=council, neighbourhood=hindpool, status=ConcernStatus.COLLATED)
    take([concern], hindpool, officer)
    with pytest.raises(ValidationError) as refused:
        take([concern], hindpool, officer)
    assert refused.value.message_dict["concerns"] == [f"Concern {concern.pk} is already in a priority: choose only concerns not yet taken."]
    answer = ConcernResponse.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConcernResponse.objects.create(concern=concern, concern_organisation=council, organisation=answer.organisation, priority=answer.priority)


def test_a_concern_its_partner_closed_cannot_be_taken(officer, council, hindpool, shared):
    concern = ConcernFactory(organisation=council, neighbourhood=hindpool, status=ConcernStatus.CLOSED)
    with pytest.raises(ValidationError, match="was closed by its partner"):
        take([concern], hindpool, officer)
    assert not ConcernResponse.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_officers_taking_the_same_concern_at_once_cannot_both_succeed(officer, force, team, council, hindpool, shared):
    """Two real transactions on two connections: the second waits on the first's lock, then finds its answer."""
    second_officer = UserFactory(username="pc-ahmed")
    for organisation in (force, team):  # like the first: the force receives the council's concerns
        MembershipFactory(user=second_officer, organisation=organisation, role="officer", warranted=True)
    concern = ConcernFactory(organisation=council, neighbourhood=hindpool, status=ConcernStatus.COLLATED)
    first_holds_the_lock, results = threading.Event(), {}
    release = threading.Event()

    def first():
        try:
            with transaction.atomic():
                take([concern], hindpool, officer)
                first_holds_the_lock.set()
                release.wait(10)  # commit only once the second is waiting
            results["first"] = "taken"
        finally:
            first_holds_the_lock.set()
            connection.close()

    def second():
        first_holds_the_lock.wait(10)
        try:
            take([concern], hindpool, second_officer)
            results["second"] = "taken"
        except ValidationError as error:
            results["second"] = error.message_dict["concerns"][0]
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_holds_the_lock.wait(10)
    threading.Timer(1.0, release.set).start()  # the second is blocked on the concern's lock by now
    for thread in threads:
        thread.join(30)
    assert results == {"first": "taken", "second": f"Concern {concern.pk} is already in a priority: choose only concerns not yet taken."}
    assert ConcernResponse.objects.filter(concern=concern).count() == 1
