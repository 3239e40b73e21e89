"""A priority moves: agreed, in progress, resolved or closed with an outcome; its actions are edited and
withdrawn with their history; it is agreed for one neighbourhood, or from an issue raised."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm import services
from organisations.models import AuditEvent
from crm.models import Priority, PriorityAction, PriorityStatus
from publication.models import Screening, ScreeningStatus, Subject
from publication.selectors import published_priorities
from publication.services import screening_pending
from tests.factories import (
    EngagementFactory, EngagementIssueFactory, NeighbourhoodFactory, PriorityActionFactory, PriorityFactory, issue_category, square,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def priority(team, hindpool):
    return PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Speeding on Walney Road.", category=issue_category("speeding"))


def test_a_priority_is_resolved_with_an_outcome_and_the_move_is_audited(officer_client, officer, priority):
    response = officer_client.post(reverse("crm:priority-move", args=[priority.pk]), {
        "status": "resolved", "outcome": "Average speeds fell from 38 to 29 mph after six weeks of checks.",
    }, follow=True)
    page = response.content.decode()
    assert "The priority is now resolved." in page and "Average speeds fell from 38 to 29 mph" in page
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.RESOLVED and priority.status_changed_at is not None
    event = AuditEvent.objects.get(action="priority.status_changed")
    assert event.actor == officer and event.details["old_status"] == "agreed" and event.details["new_status"] == "resolved"


def test_resolving_or_closing_without_an_outcome_is_refused_by_name(officer_client, priority):
    response = officer_client.post(reverse("crm:priority-move", args=[priority.pk]), {"status": "closed", "outcome": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["outcome"] == ["Say what came of the priority: it is reported back to the community."]
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.AGREED


@pytest.mark.parametrize("hostile", ["agreed", "done", "RESOLVED", "resolved' OR 1=1 --", "x" * 5000])
def test_a_status_not_offered_is_refused_by_name_and_nothing_moves(officer_client, priority, hostile):
    response = officer_client.post(reverse("crm:priority-move", args=[priority.pk]), {"status": hostile, "outcome": "Fixed."})
    assert response.status_code == 200
    assert response.context["form"].errors["status"] == [
        "Choose a new status this priority can move to: “In progress”, “Resolved”, “Closed without resolution”."]
    assert "New status: Choose a new status this priority can move to" in response.content.decode()
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.AGREED and not AuditEvent.objects.filter(action="priority.status_changed").exists()


def test_a_move_the_life_does_not_allow_is_refused(officer, priority):
    services.priority_move(priority=priority, acting_user=officer, status="closed", outcome="No longer reported.")
    with pytest.raises(ValidationError) as error:
        services.priority_move(priority=priority, acting_user=officer, status="resolved", outcome="Done.")
    assert "cannot become resolved" in str(error.value)
    # A closed priority may be reopened.
    assert services.priority_move(priority=priority, acting_user=officer, status="in_progress").status == "in_progress"


def test_the_move_page_offers_only_the_moves_from_here(officer_client, officer, priority):
    services.priority_move(priority=priority, acting_user=officer, status="resolved", outcome="Fixed.")
    form = officer_client.get(reverse("crm:priority-move", args=[priority.pk])).context["form"]
    assert [value for value, _ in form.fields["status"].choices] == ["in_progress"]


def test_an_outsider_cannot_move_our_priority(outsider_client, priority):
    response = outsider_client.post(reverse("crm:priority-move", args=[priority.pk]), {"status": "resolved", "outcome": "x"})
    assert response.status_code == 404
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.AGREED


def test_the_first_action_puts_an_agreed_priority_in_progress(officer_client, priority):
    officer_client.post(reverse("crm:priority-action-add", args=[priority.pk]), {
        "action": "Speed checks on six evenings.", "action_date": timezone.localdate().isoformat(), "status": "done",
    })
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.IN_PROGRESS


def test_the_record_an_action_page_answers(officer_client, priority):
    response = officer_client.get(reverse("crm:priority-action-add", args=[priority.pk]))
    assert response.status_code == 200 and "Record an action" in response.content.decode()


def test_an_action_is_edited_and_its_history_keeps_the_old_wording(officer_client, priority):
    action = PriorityActionFactory(priority=priority, action="Leaflets in Walney Road.")
    response = officer_client.post(reverse("crm:priority-action-edit", args=[priority.pk, action.pk]), {
        "action": "Leaflets to every house in Walney Road.", "action_date": action.action_date.isoformat(), "status": "done",
    }, follow=True)
    assert "Leaflets to every house in Walney Road." in response.content.decode()
    page = officer_client.get(reverse("crm:priority-action-edit", args=[priority.pk, action.pk])).content.decode()
    assert "From Leaflets in Walney Road. to Leaflets to every house in Walney Road." in page


def test_a_withdrawn_action_leaves_the_public_page_but_stays_with_its_reason(officer_client, officer, priority):
    action = PriorityActionFactory(priority=priority, action="Speed checks on six evenings.")
    screening_pending()
    assert [a.pk for a in published_priorities()[0].public_actions] == [action.pk]
    response = officer_client.post(reverse("crm:priority-action-withdraw", args=[priority.pk, action.pk]),
                                   {"reason": "Recorded against the wrong priority."}, follow=True)
    assert "Withdrawn" in response.content.decode() and "Recorded against the wrong priority." in response.content.decode()
    assert PriorityAction.objects.get().withdrawn_at is not None
    assert published_priorities()[0].public_actions == []
    assert AuditEvent.objects.filter(action="priority.action_withdrawn").count() == 1
    # A withdrawn action cannot be edited.
    assert officer_client.get(reverse("crm:priority-action-edit", args=[priority.pk, action.pk])).status_code == 404


def test_the_outcome_goes_public_only_once_screened(officer, priority):
    screening_pending()
    services.priority_move(priority=priority, acting_user=officer, status="resolved", outcome="Call PC Priya Shah on 01229 555 123.")
    screening_pending()
    shown = published_priorities().get(pk=priority.pk)
    assert shown.status == "resolved" and not shown.outcome_published
    assert Screening.objects.get(subject=Subject.OUTCOME).status == ScreeningStatus.FLAGGED
    services.priority_move(priority=priority, acting_user=officer, status="in_progress")
    services.priority_move(priority=priority, acting_user=officer, status="resolved", outcome="Average speeds fell to 29 mph.")
    screening_pending()
    assert published_priorities().get(pk=priority.pk).outcome_published


def test_the_agree_form_asks_for_the_neighbourhood_first_and_offers_only_its_issues(officer_client, team, hindpool, force):
    elsewhere = NeighbourhoodFactory(force_area=hindpool.force_area, code="CENT", name="Central", boundary=square(west=-3.30, south=54.10, size=0.04))
    here = EngagementIssueFactory(engagement=EngagementFactory(organisation=team, neighbourhood=hindpool), description="Bikes on the pavement")
    EngagementIssueFactory(engagement=EngagementFactory(organisation=team, neighbourhood=elsewhere), description="Dogs off leads")
    first = officer_client.get(reverse("crm:priority-create"))
    assert first.templates[0].name == "crm/priorities/choose_neighbourhood.html"
    form = officer_client.get(reverse("crm:priority-create"), {"neighbourhood": hindpool.pk}).context["form"]
    assert list(form.fields["raised_issues"].queryset) == [here]


def test_agree_a_priority_from_an_issue_raised_is_prefilled(officer_client, team, hindpool):
    meeting = EngagementFactory(organisation=team, neighbourhood=hindpool, kind="pact_meeting", title="Hindpool PACT")
    issue = EngagementIssueFactory(engagement=meeting, description="Cars racing on the Strand at night", category=issue_category("speeding"))
    detail = officer_client.get(reverse("crm:engagement-detail", args=[meeting.pk])).content.decode()
    link = f'{reverse("crm:priority-create")}?issue={issue.pk}'
    assert link in detail
    form = officer_client.get(link).context["form"]
    assert form.initial["issue"] == "Cars racing on the Strand at night"
    assert form.initial["category"] == issue.category_id and form.initial["raised_issues"] == [issue.pk]
    assert form.initial["agreed_at"] == meeting.pk and form.initial["neighbourhood"] == hindpool.pk
    response = officer_client.post(link, {
        "neighbourhood": hindpool.pk, "category": issue.category_id, "issue": "Cars racing on the Strand at night.",
        "issue_date": timezone.localdate().isoformat(), "agreed_at": meeting.pk, "raised_issues": [issue.pk],
    })
    assert response.status_code == 302 and list(Priority.objects.get().raised_issues.all()) == [issue]


def test_an_issue_the_user_cannot_see_is_a_404(outsider_client, team, hindpool):
    issue = EngagementIssueFactory(engagement=EngagementFactory(organisation=team, neighbourhood=hindpool))
    assert outsider_client.get(reverse("crm:priority-create"), {"issue": issue.pk}).status_code == 404


def test_a_priority_is_agreed_only_for_a_neighbourhood_of_the_officers_own_force(officer_client, officer, team, hindpool, lancashire_beat):
    # It would go on that neighbourhood's public page: another force's neighbourhood is neither offered nor accepted.
    choices = officer_client.get(reverse("crm:priority-create")).context["choice_form"].fields["neighbourhood"].queryset
    assert list(choices) == [hindpool]
    crafted = officer_client.get(reverse("crm:priority-create"), {"neighbourhood": lancashire_beat.pk})
    assert crafted.templates[0].name == "crm/priorities/choose_neighbourhood.html"
    with pytest.raises(ValidationError, match="Preston centre is not in your force's area"):
        services.priority_agree(priority=Priority(neighbourhood=lancashire_beat, category=issue_category("speeding"), issue="Speeding.",
                                                  issue_date=timezone.localdate()), acting_user=officer, organisation=team)
    assert not Priority.objects.exists()


def test_the_agree_form_and_the_service_use_one_rule_a_teams_own_neighbourhood_outside_its_forces_area(
        officer_client, officer, team, hindpool, lancashire_beat, other_force):
    # A neighbourhood the officer's team polices though it lies in another force's area (a border beat): the form
    # offers it and the service accepts it; a neighbourhood that is neither the force's nor the team's is neither.
    from crm.selectors import priority_neighbourhoods

    border = NeighbourhoodFactory(force_area=lancashire_beat.force_area, code="BORDER", name="Border beat", team=team,
                                  boundary=square(west=-2.60, south=53.75, size=0.04))
    assert set(priority_neighbourhoods(team)) == {hindpool, border}
    assert set(priority_neighbourhoods(other_force)) == {lancashire_beat, border}
    choices = officer_client.get(reverse("crm:priority-create")).context["choice_form"].fields["neighbourhood"].queryset
    assert set(choices) == {hindpool, border}
    agreed = services.priority_agree(priority=Priority(neighbourhood=border, category=issue_category("speeding"), issue="Speeding.",
                                                       issue_date=timezone.localdate()), acting_user=officer, organisation=team)
    assert agreed.pk and agreed.neighbourhood == border
    offered = officer_client.get(reverse("crm:priority-create"), {"neighbourhood": border.pk})
    assert offered.templates[0].name == "crm/priorities/form.html"
    with pytest.raises(ValidationError, match="Preston centre is not in your force's area"):
        services.priority_agree(priority=Priority(neighbourhood=lancashire_beat, category=issue_category("speeding"), issue="Speeding.",
                                                  issue_date=timezone.localdate()), acting_user=officer, organisation=team)
