"""The collation pages: what the police see, taking concerns into a priority, and what others cannot see."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from organisations.models import AuditEvent
from crm.models import Priority
from access.roles import Role
from partners.collation.services import collation_run
from partners.responses.models import ConcernResponse
from partners.responses.services import concerns_take_into_priority
from partners.models import Concern, ConcernStatus, NeighbourhoodDigest
from tests.factories import MembershipFactory, UserFactory, issue_category
from tests.partners.collation.conftest import HINDPOOL_POINT, concern, metres_north, today

pytestmark = pytest.mark.django_db

ORMSGILL_POINT = (-3.280, 54.120)


@pytest.fixture
def collated(concerns_shared, council, fire_service, hindpool, ormsgill):
    """Hindpool: six fly-tips reported this month (two before), one pair reported by both partners."""
    for days_ago in (2, 3, 4, 5, 6):
        concern(council, at=metres_north(HINDPOOL_POINT, 300 * days_ago), days_ago=days_ago, place=f"Abbey Road {days_ago}")
    concern(fire_service, at=metres_north(HINDPOOL_POINT, 300 * 2 + 60), days_ago=1.5, place="Behind Abbey Road flats")
    for days_ago in (30, 35):
        concern(council, at=metres_north(HINDPOOL_POINT, -500), days_ago=days_ago)
    concern(council, at=ORMSGILL_POINT, days_ago=2, category=issue_category("graffiti"), place="Ormsgill underpass")
    return collation_run(period_end=today())


def test_the_collation_page_shows_the_latest_run_its_hot_spots_rising_topics_and_near_duplicates(officer_client, collated):
    page = officer_client.get(reverse("partners:collation")).content.decode()
    assert f"covering concerns reported from {collated.period_start:%-d %B %Y} to {collated.period_end:%-d %B %Y}" in page
    assert '<dt class="govuk-summary-list__key">Concerns collated</dt><dd class="govuk-summary-list__value">9</dd>' in page
    assert '<dt class="govuk-summary-list__key">Near-duplicates linked</dt><dd class="govuk-summary-list__value">1</dd>' in page
    assert "<strong class=\"govuk-tag govuk-tag--red\">Hot spot</strong> 6 concerns, 2 before (up 200%)" in page
    assert "Fly-tipping: 6, 2 before" in page  # rising in Hindpool
    assert "Fly-tipping: 6 concerns, 2 before (up 200%)" in page  # rising across the force
    assert "Westmorland and Furness Council: Abbey Road 2" in page and "Cumbria Fire and Rescue: Behind Abbey Road flats" in page
    assert "60 m, 0.5 days" in page
    assert "Run collation now" in page


def test_the_page_says_when_nothing_has_been_collated(officer_client, concerns_shared, hindpool):
    page = officer_client.get(reverse("partners:collation")).content.decode()
    assert "The concerns have not been collated yet." in page
    assert "No near-duplicates linked." in page


def test_a_partner_user_cannot_open_the_collation_pages(partner_client, collated, hindpool):
    assert partner_client.get(reverse("partners:collation")).status_code == 403
    assert partner_client.get(reverse("partners:collation-neighbourhood", args=[hindpool.pk])).status_code == 403
    assert partner_client.post(reverse("partners:collation-run")).status_code == 403


def test_an_outsider_sees_nothing_of_our_collation(outsider_client, collated, hindpool):
    page = outsider_client.get(reverse("partners:collation")).content.decode()
    assert "Hindpool" not in page and "Abbey Road" not in page
    assert '<dd class="govuk-summary-list__value">9</dd>' not in page
    digest = NeighbourhoodDigest.objects.get(run=collated, neighbourhood=hindpool)
    assert outsider_client.get(reverse("partners:collation-neighbourhood", args=[hindpool.pk])).status_code == 404
    assert outsider_client.get(reverse("partners:collation-team-digests", args=[hindpool.team_id])).status_code == 404
    assert outsider_client.get(reverse("partners:collation-digest", args=[digest.pk])).status_code == 404
    response = outsider_client.post(reverse("partners:collation-neighbourhood", args=[hindpool.pk]),
                                    {"concerns": list(Concern.objects.values_list("pk", flat=True)), "category": issue_category("fly-tipping").pk,
                                     "issue": "x", "issue_date": today().isoformat()})
    assert response.status_code == 404
    assert not Priority.objects.exists()


def test_a_neighbourhood_lists_its_open_concerns_with_personal_details_withheld(officer_client, collated, council, hindpool):
    private = concern(council, days_ago=1, place="Rear of the Co-op", description="Mr Jones at 4 Abbey Road dumps it.", holds_personal_data=True)
    Concern.objects.filter(pk=private.pk).update(neighbourhood=hindpool)
    page = officer_client.get(reverse("partners:collation-neighbourhood", args=[hindpool.pk])).content.decode()
    assert page.count('name="concerns" type="checkbox"') == 9  # 8 collated in Hindpool and the new one
    assert "Ormsgill underpass" not in page
    assert "Rear of the Co-op" in page and "Withheld: it holds personal data" in page
    assert "Mr Jones" not in page


def test_chosen_concerns_are_taken_into_one_pact_priority(officer_client, officer, collated, hindpool, team):
    chosen = list(Concern.objects.filter(neighbourhood=hindpool, place__startswith="Abbey Road").order_by("pk").values_list("pk", flat=True)[:3])
    response = officer_client.post(reverse("partners:collation-neighbourhood", args=[hindpool.pk]), {
        "concerns": chosen, "category": issue_category("fly-tipping").pk,
        "issue": "Fly-tipping behind Abbey Road.", "issue_date": today().isoformat(),
    })
    priority = Priority.objects.get()
    assert response.status_code == 302 and response.url == reverse("crm:priority-detail", args=[priority.pk])
    assert (priority.organisation, priority.neighbourhood, priority.issue) == (team, hindpool, "Fly-tipping behind Abbey Road.")
    # The team's own answers, one a concern; the partners' rows are as the collation left them.
    answers = ConcernResponse.objects.filter(priority=priority)
    assert sorted(answers.values_list("concern_id", flat=True)) == sorted(chosen)
    assert {(a.organisation_id, a.created_by_id) for a in answers} == {(team.pk, officer.pk)}
    assert set(Concern.objects.filter(pk__in=chosen).values_list("status", flat=True)) == {ConcernStatus.COLLATED}
    event = AuditEvent.objects.get(action="partners.concerns_taken_into_priority")
    assert (event.actor, event.organisation, sorted(event.details["concerns"])) == (officer, team, sorted(chosen))
    assert "3 concerns taken into a new priority for Hindpool." in officer_client.get(response.url).content.decode()
    page = officer_client.get(reverse("partners:collation-neighbourhood", args=[hindpool.pk])).content.decode()
    assert page.count('name="concerns" type="checkbox"') == 5


def test_a_concern_from_another_neighbourhood_or_none_chosen_is_refused_with_a_message(officer_client, collated, hindpool):
    elsewhere = Concern.objects.get(place="Ormsgill underpass")
    url = reverse("partners:collation-neighbourhood", args=[hindpool.pk])
    fields = {"category": issue_category("fly-tipping").pk, "issue": "Fly-tipping.", "issue_date": today().isoformat()}
    page = officer_client.post(url, {**fields, "concerns": [elsewhere.pk]}).content.decode()
    assert f"Concern {elsewhere.pk} cannot be chosen: it is not open in this neighbourhood." in page
    page = officer_client.post(url, fields).content.decode()
    assert "Choose at least one concern." in page
    assert not Priority.objects.exists()
    assert not ConcernResponse.objects.exists()


def test_only_the_neighbourhood_teams_members_take_its_concerns_into_a_priority(collated, hindpool, ormsgill):
    ormsgill_officer = UserFactory(username="pcso-lee")
    MembershipFactory(user=ormsgill_officer, organisation=ormsgill.team, role=Role.OFFICER)
    with pytest.raises(ValidationError) as refused:
        concerns_take_into_priority(concerns=Concern.objects.filter(neighbourhood=hindpool)[:1], neighbourhood=hindpool,
                                    category=issue_category("fly-tipping"), issue="Fly-tipping.", issue_date=today(), acting_user=ormsgill_officer)
    assert refused.value.messages == ["Only members of Hindpool neighbourhood team can take concerns into its priorities."]
    assert not Priority.objects.exists()


def test_run_collation_now_queues_the_task_on_commit(officer_client, officer, concerns_shared, hindpool, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = officer_client.post(reverse("partners:collation-run"))
    assert response.status_code == 302 and response.url == reverse("partners:collation")
    assert len(callbacks) == 1  # the task, sent to the broker only once the request's transaction commits
    assert AuditEvent.objects.filter(action="partners.collation_requested", actor=officer).exists()
    assert officer_client.get(reverse("partners:collation-run")).status_code == 405


def test_a_teams_digest_page_shows_the_latest_digests(officer_client, collated, hindpool):
    page = officer_client.get(reverse("partners:collation-team-digests", args=[hindpool.team_id])).content.decode()
    assert f"Hindpool: to {collated.period_end:%-d %B %Y}" in page
    assert "New concerns: 8" in page and "<li>Fly-tipping: 8</li>" in page
    assert "6 concerns in the period, against 2 the period before (up 200%)." in page
    digest = NeighbourhoodDigest.objects.get(run=collated, neighbourhood=hindpool)
    detail = officer_client.get(reverse("partners:collation-digest", args=[digest.pk])).content.decode()
    assert "Hindpool: partner concerns to" in detail and "New concerns: 8" in detail


def test_collation_pages_take_the_same_queries_however_many_rows(officer_client, collated, council, fire_service, hindpool,
                                                                 django_assert_num_queries):
    urls = [reverse("partners:collation"), reverse("partners:collation-neighbourhood", args=[hindpool.pk]),
            reverse("partners:collation-team-digests", args=[hindpool.team_id])]
    digest_url = reverse("partners:collation-digest", args=[NeighbourhoodDigest.objects.get(run=collated, neighbourhood=hindpool).pk])
    officer_client.get(urls[0])  # warms the spatial reference cache

    def pinned():
        # Overview: 1 session, 2 user, 3 roles, 4 latest run, 5 the force's neighbourhoods, 6 hot spots and rising
        # topics (one grouped count), 7 linked pairs, 8-9 the run's figures as the reader sees them (collated, linked),
        # 10 the linked concerns shown, 11-22 one disclosure entry per holding organisation naming them (two here, the council
        # and the fire service: live flows, holders, history context, lock, last hash, insert), 23 a run asked for since.
        # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
        with django_assert_num_queries(24):
            officer_client.get(urls[0])
        # Neighbourhood: 1 session, 2 user, 3 roles, 4 the neighbourhood, 5 its open concerns with category and reporter,
        # 6 the categories to choose from, 7-18 one disclosure entry per holding organisation (the council and the fire
        # service) naming the shared concerns listed (live flows, history context, lock, last hash, insert, recipients).
        # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
        with django_assert_num_queries(19):
            officer_client.get(urls[1])
        # Team digests: 1 session, 2 user, 3 roles, 4 the team, 5 its digests with run and neighbourhood.
        # + 1: the reader's grant set, resolved once per request (access/grants.py).
        with django_assert_num_queries(6):
            officer_client.get(urls[2])
        # Digest: 1 session, 2 user, 3 roles, 4 the digest with run, neighbourhood and team.
        # + 1: the reader's grant set, resolved once per request (access/grants.py).
        with django_assert_num_queries(5):
            officer_client.get(digest_url)

    pinned()
    for days_ago in range(1, 9):
        concern(council if days_ago % 2 else fire_service, at=metres_north(HINDPOOL_POINT, 40 * days_ago), days_ago=days_ago / 4)
    collation_run(period_end=today())
    collation_run(period_end=today())
    pinned()


def test_agree_a_priority_from_a_concern_starts_with_it_chosen_and_its_category(officer_client, collated, hindpool):
    concern = Concern.objects.filter(neighbourhood=hindpool, police_response__isnull=True).order_by("pk").first()
    detail = officer_client.get(reverse("partners:concern-detail", args=[concern.pk])).content.decode()
    link = f'{reverse("partners:collation-neighbourhood", args=[hindpool.pk])}?concern={concern.pk}'
    assert link in detail and "Agree a priority from this concern" in detail
    response = officer_client.get(link)
    assert str(concern.pk) in response.context["chosen"]
    assert response.context["form"].initial["category"] == concern.category_id
    # Its words are not copied: a partner's free text may name people, and the priority goes public.
    assert "issue" not in response.context["form"].initial
