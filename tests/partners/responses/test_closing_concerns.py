"""The police closing a partner's concern with an outcome and no priority, and reopening it: the team's own answer
(the partner's row untouched, row-level security still refusing a police write to it), shown to the partner as
"Closed by the police" with the outcome on every page that shows status, the partner told, and only the concern's
neighbourhood team able to do either."""
import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from access.roles import Role
from notifications.models import Kind, Notification
from organisations.models import AuditEvent
from partners.api_keys import api_key_issue
from partners.models import Concern, ConcernStatus
from partners.responses.models import ConcernResponse, ConcernResponseKind
from partners.responses.services import concern_close_by_police, concern_reopen_by_police
from row_security.context import viewer_context
from tests.factories import ConcernFactory, MembershipFactory, NeighbourhoodFactory, UserFactory
from tests.partners.concerns.conftest import share_concerns

pytestmark = pytest.mark.django_db

OUTCOME = "Passed to the council's housing team: a landlord matter, no police action."


@pytest.fixture
def hindpool(team):
    return NeighbourhoodFactory(team=team, name="Hindpool")


@pytest.fixture
def shared(council, force, officer):
    return share_concerns(provider=council, recipient=force, acting_user=officer)


@pytest.fixture
def concern(council, hindpool, shared):
    return ConcernFactory(organisation=council, neighbourhood=hindpool, status=ConcernStatus.COLLATED, place="Abbey Road")


def close(concern, officer, outcome=OUTCOME):
    with viewer_context(officer):
        visible = Concern.objects.visible_to(officer).select_related("neighbourhood__team").get(pk=concern.pk)
        return concern_close_by_police(concern=visible, outcome=outcome, acting_user=officer)


def test_closing_records_the_teams_answer_audits_and_tells_the_partner_leaving_its_row_untouched(officer, partner_user, council, team, concern,
                                                                                                 django_capture_on_commit_callbacks):
    before = Concern.objects.values("status", "updated_at").get(pk=concern.pk)
    with django_capture_on_commit_callbacks(execute=True):
        answer = close(concern, officer)
    assert (answer.kind, answer.outcome, answer.priority, answer.organisation, answer.concern_organisation) == (
        ConcernResponseKind.CLOSED_BY_POLICE, OUTCOME, None, team, council)
    assert Concern.objects.values("status", "updated_at").get(pk=concern.pk) == before
    assert AuditEvent.objects.filter(action="partners.concern_closed_by_police", organisation=team, details__concern=concern.pk).exists()
    told = Notification.objects.get(recipient=partner_user)
    assert told.kind == Kind.CONCERN_CLOSED_BY_POLICE and concern.reference in told.subject and OUTCOME in told.body


def test_closing_needs_an_outcome_and_refuses_a_concern_already_answered_or_closed_by_its_partner(officer, council, hindpool, concern):
    with pytest.raises(ValidationError) as refused:
        close(concern, officer, outcome="   ")
    assert "Say what the police did" in refused.value.message_dict["outcome"][0]
    close(concern, officer)
    with pytest.raises(ValidationError, match="The police have already answered concern"):
        close(concern, officer)
    partner_closed = ConcernFactory(organisation=council, neighbourhood=hindpool, status=ConcernStatus.CLOSED)
    with pytest.raises(ValidationError, match="closed by its partner"):
        close(partner_closed, officer)
    assert ConcernResponse.objects.count() == 1


def test_the_partner_sees_closed_by_the_police_with_the_outcome_in_the_list_filter_sort_page_and_open311(client, officer, partner_user, council,
                                                                                                       hindpool, concern):
    other = ConcernFactory(organisation=council, neighbourhood=hindpool, status=ConcernStatus.COLLATED, place="Duke Street")
    close(concern, officer)
    client.force_login(partner_user)
    listing = client.get(reverse("partners:concern-list"), {"status": "closed_by_police"}).content.decode()
    assert "Abbey Road" in listing and "Duke Street" not in listing and "Closed by the police" in listing
    assert "Abbey Road" not in client.get(reverse("partners:concern-list"), {"status": "collated"}).content.decode()
    sorted_page = client.get(reverse("partners:concern-list"), {"o": "status"})
    assert [c.pk for c in sorted_page.context["concerns"]] == [concern.pk, other.pk]  # "closed_by_police" before "collated"
    page = client.get(reverse("partners:concern-detail", args=[concern.pk])).content.decode()
    assert "Closed by the police" in page and OUTCOME.replace("'", "&#x27;") in page
    assert "police-actions" not in page  # a partner has no police actions
    plaintext = api_key_issue(organisation=council, name="Council case management system", acting_user=partner_user)[1]
    (served,) = client.get(f"/open311/v2/requests/{concern.pk}.json", {"api_key": plaintext}).json()
    assert served["status"] == "closed" and served["status_notes"] == f"Closed by the police: {OUTCOME}"


def test_the_partners_home_counts_the_police_closing_its_concern_and_opens_what_came_of_it(client, officer, partner_user, concern):
    close(concern, officer)
    client.force_login(partner_user)
    items = {item["kind"]: item for item in client.get(reverse("home")).context["waiting"]}
    assert items["concerns-moved"]["count"] == 1 and items["concern-outcomes"]["count"] == 1
    assert "Closed by the police" in client.get(items["concerns-moved"]["url"], follow=True).content.decode()
    assert f"Your concern {concern.reference} was closed by the police" in client.get(items["concern-outcomes"]["url"]).content.decode()


def test_the_officer_of_the_team_closes_and_reopens_through_the_pages_with_history(client, officer, partner_user, concern,
                                                                                  django_capture_on_commit_callbacks):
    client.force_login(officer)
    page = client.get(reverse("partners:concern-detail", args=[concern.pk])).content.decode()
    assert reverse("partners:concern-police-close", args=[concern.pk]) in page
    form = client.post(reverse("partners:concern-police-close", args=[concern.pk]), {"outcome": ""})
    assert form.status_code == 200 and form.context["form"].errors["outcome"] and not ConcernResponse.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("partners:concern-police-close", args=[concern.pk]), {"outcome": OUTCOME})
    assert done.status_code == 302
    page = client.get(reverse("partners:concern-detail", args=[concern.pk])).content.decode()
    assert "Closed by the police" in page and reverse("partners:concern-police-reopen", args=[concern.pk]) in page
    assert "Agree a priority from this concern" not in page
    with django_capture_on_commit_callbacks(execute=True):
        reopened = client.post(reverse("partners:concern-police-reopen", args=[concern.pk]), {"reason": "The council passed it back."})
    assert reopened.status_code == 302
    assert not ConcernResponse.objects.filter(concern=concern).exists()
    with viewer_context(officer):
        history = list(ConcernResponse.pgh_event_model.objects.filter(concern_id=concern.pk).order_by("pgh_id").values_list("pgh_label", "outcome"))
    assert history == [("insert", OUTCOME), ("delete", OUTCOME)]
    assert AuditEvent.objects.filter(action="partners.concern_reopened_by_police", details__concern=concern.pk).exists()
    assert Notification.objects.filter(recipient=partner_user, kind=Kind.CONCERN_CLOSED_BY_POLICE).count() == 2
    page = client.get(reverse("partners:concern-detail", args=[concern.pk])).content.decode()
    assert "Collated" in page and "Agree a priority from this concern" in page


def test_a_partner_cannot_close_or_reopen_for_the_police(client, partner_user, officer, concern):
    client.force_login(partner_user)
    assert client.post(reverse("partners:concern-police-close", args=[concern.pk]), {"outcome": OUTCOME}).status_code == 403
    close(concern, officer)
    assert client.post(reverse("partners:concern-police-reopen", args=[concern.pk]), {"reason": "x"}).status_code == 403
    assert ConcernResponse.objects.filter(concern=concern).count() == 1


def test_an_officer_of_another_force_reading_the_concern_cannot_close_it(client, council, other_force, officer, concern):
    stranger = UserFactory(username="pc-lancs")
    MembershipFactory(user=stranger, organisation=other_force, role=Role.OFFICER, warranted=True)
    share_concerns(provider=council, recipient=other_force, acting_user=officer)
    client.force_login(stranger)
    assert client.get(reverse("partners:concern-detail", args=[concern.pk])).status_code == 200  # reads it under the protocol
    assert "police-actions" not in client.get(reverse("partners:concern-detail", args=[concern.pk])).content.decode()
    assert client.post(reverse("partners:concern-police-close", args=[concern.pk]), {"outcome": OUTCOME}).status_code == 403
    with viewer_context(stranger), pytest.raises(ValidationError, match="Only members of Hindpool neighbourhood team"):
        visible = Concern.objects.visible_to(stranger).select_related("neighbourhood__team").get(pk=concern.pk)
        concern_close_by_police(concern=visible, outcome=OUTCOME, acting_user=stranger)
    assert not ConcernResponse.objects.exists()


def test_row_level_security_still_refuses_the_police_a_write_to_the_partners_row(officer, concern):
    close(concern, officer)
    with viewer_context(officer):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE partners_concern SET status = 'closed' WHERE id = %s", [concern.pk])
            if cursor.rowcount == 0:  # a policy's USING hides the row from UPDATE: refused as surely
                raise DatabaseError("no row updated")
    assert Concern.objects.values_list("status", flat=True).get(pk=concern.pk) == ConcernStatus.COLLATED
