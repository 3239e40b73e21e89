"""Each role's home page is a work queue: counts of what needs doing, each linking to where it is done,
read through visible_to, capped, in a fixed number of queries however many rows there are."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from home.attention import COUNT_CAP
from notifications.models import Kind
from notifications.services import notify
from partners.models import ImportJobStatus
from publication.models import Screening, ScreeningStatus, Subject
from tests.factories import (
    ConcernFactory, ConcernResponseFactory, EngagementFactory, ForceAreaFactory, MembershipFactory, NeighbourhoodFactory, PriorityActionFactory, PriorityFactory,
    UserFactory, square,
)

pytestmark = pytest.mark.django_db


def queue(client) -> dict[str, dict]:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {item["kind"]: item for item in response.context["waiting"]}


@pytest.fixture
def hindpool(force, team):
    area = ForceAreaFactory(force=force, code="cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    return NeighbourhoodFactory(force_area=area, name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.05))


@pytest.fixture
def manager_client(client, force, team):
    user = UserFactory(username="insp-malik")
    MembershipFactory(user=user, organisation=force, role=Role.MANAGER, warranted=True)
    client.force_login(user)
    return client


@pytest.fixture
def governance_client(client, force):
    user = UserFactory(username="ig-lead")
    MembershipFactory(user=user, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    client.force_login(user)
    return client


def test_an_officer_sees_overdue_beat_meetings_priorities_without_action_and_meetings_not_written_up(officer_client, team, hindpool):
    EngagementFactory(organisation=team, neighbourhood=hindpool, starts_at=timezone.now() - timedelta(days=90))  # last beat meeting
    PriorityFactory(organisation=team, neighbourhood=hindpool)
    EngagementFactory(organisation=team, neighbourhood=hindpool, kind="surgery", status="planned", starts_at=timezone.now() - timedelta(days=2))
    items = queue(officer_client)
    assert items["beat-meetings-overdue"]["count"] == 1
    assert items["beat-meetings-overdue"]["url"] == reverse("geo:neighbourhood", args=[hindpool.pk])
    assert items["priorities-without-action"]["count"] == 1
    assert items["meetings-not-written-up"]["count"] == 1
    # Each item opens where it is done, showing the same rows.
    page = officer_client.get(items["priorities-without-action"]["url"]).content.decode()
    assert "Anti-social behaviour" in page
    written_up = officer_client.get(items["meetings-not-written-up"]["url"])
    assert len(written_up.context["engagements"]) == 1


def test_a_priority_with_an_action_leaves_the_queue_and_a_recent_beat_meeting_clears_it(officer_client, team, hindpool):
    EngagementFactory(organisation=team, neighbourhood=hindpool, starts_at=timezone.now() - timedelta(days=3))
    PriorityActionFactory(priority=PriorityFactory(organisation=team, neighbourhood=hindpool), action_date=timezone.localdate())
    items = queue(officer_client)
    assert "beat-meetings-overdue" not in items and "priorities-without-action" not in items and "beat-meetings-due" not in items


def test_new_concerns_in_my_neighbourhoods_count_until_i_look(officer_client, officer, council, hindpool, force):
    from tests.partners.concerns.conftest import share_concerns

    share_concerns(provider=council, recipient=force, acting_user=officer)
    ConcernFactory.create_batch(2, organisation=council, neighbourhood=hindpool)
    ConcernFactory(organisation=council)  # not placed in my neighbourhood
    item = queue(officer_client)["new-concerns"]
    assert item["count"] == 2
    response = officer_client.get(item["url"])
    assert response.status_code == 302 and response.url.startswith(reverse("partners:concern-list"))
    assert "new-concerns" not in queue(officer_client)
    ConcernFactory(organisation=council, neighbourhood=hindpool)
    assert queue(officer_client)["new-concerns"]["count"] == 1


def test_following_the_look_link_moves_only_my_own_marker_and_never_from_another_site(officer_client, officer):
    from home.models import LastLooked

    colleague = UserFactory(username="pc-colleague")
    earlier = timezone.now() - timedelta(days=3)
    LastLooked.objects.create(user=colleague, kind="new-concerns", at=earlier)
    url, target = reverse("home:look", args=["new-concerns"]), reverse("partners:concern-list")
    # Another site's link (or a page that sends the browser there): taken to the list, the marker does not move.
    forged = officer_client.get(url, {"next": target}, HTTP_SEC_FETCH_SITE="cross-site")
    assert forged.status_code == 302 and forged.url == target
    assert not LastLooked.objects.filter(user=officer).exists()
    assert officer_client.get(url, {"next": target}, HTTP_SEC_FETCH_SITE="same-site").status_code == 302
    assert not LastLooked.objects.filter(user=officer).exists()
    # From the hub's own home page: the officer's marker moves; the colleague's is untouched.
    assert officer_client.get(url, {"next": target}, HTTP_SEC_FETCH_SITE="same-origin").status_code == 302
    assert LastLooked.objects.get(user=officer, kind="new-concerns").at > earlier
    assert LastLooked.objects.get(user=colleague).at == earlier


def test_the_look_link_goes_only_to_this_site(officer_client):
    assert officer_client.get(reverse("home:look", args=["new-concerns"]), {"next": "https://evil.example/"}).status_code == 404


def test_a_partner_sees_concerns_the_police_took_their_imports_and_unread_notifications(partner_client, partner_user, council, team):
    from partners.models import ConcernImportJob

    concern = ConcernResponseFactory(concern=ConcernFactory(organisation=council), priority=PriorityFactory(organisation=team)).concern
    ConcernImportJob.objects.create(organisation=council, created_by=partner_user, original_name="march.csv", file_format="csv", file_size=120,
                                    upload="x.csv", status=ImportJobStatus.IMPORTED, finished_at=timezone.now())
    notify(recipients=[partner_user], kind=Kind.CONCERN_TAKEN, subject="Taken", template="concern_taken.txt", about=concern)
    items = queue(partner_client)
    assert items["concerns-moved"]["count"] == 1 and items["imports-finished"]["count"] == 1
    assert items["unread-notifications"]["count"] == 1
    assert "beat-meetings-overdue" not in items and "screening-waiting" not in items


def test_a_partner_sees_what_came_of_their_concerns_until_they_read_it(partner_client, partner_user, council, team):
    concern = ConcernResponseFactory(concern=ConcernFactory(organisation=council), priority=PriorityFactory(organisation=team)).concern
    [told] = notify(recipients=[partner_user], kind=Kind.CONCERN_OUTCOME, subject=f"What came of your concern {concern.reference}",
                    template="concern_outcome.txt", about=concern, context={"outcome": {"status": "Resolved", "outcome": "Cleared."}})
    item = queue(partner_client)["concern-outcomes"]
    assert item["count"] == 1 and item["url"] == f"{reverse('notifications:list')}?show=unread"
    assert f"What came of your concern {concern.reference}" in partner_client.get(item["url"]).content.decode()
    partner_client.post(reverse("notifications:open", args=[told.pk]))
    assert "concern-outcomes" not in queue(partner_client)


def test_a_manager_sees_coverage_gaps_and_screening_waiting(manager_client, force, team, hindpool):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool)
    Screening.objects.create(organisation=team, subject=Subject.PRIORITY, object_id=priority.pk, content_hash="x" * 64,
                             status=ScreeningStatus.FLAGGED)
    items = queue(manager_client)
    assert items["coverage-gaps"]["count"] == 1 and items["screening-waiting"]["count"] == 1
    assert manager_client.get(items["screening-waiting"]["url"]).status_code == 200


def test_information_governance_sees_screening_waiting_and_nothing_of_the_officers(governance_client, team, hindpool):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool)
    Screening.objects.create(organisation=team, subject=Subject.PRIORITY, object_id=priority.pk, content_hash="y" * 64,
                             status=ScreeningStatus.FLAGGED)
    items = queue(governance_client)
    assert items["screening-waiting"]["count"] == 1 and "priorities-without-action" not in items


def test_an_outsider_counts_none_of_our_records(outsider_client, team, hindpool, council):
    PriorityFactory(organisation=team, neighbourhood=hindpool)
    ConcernFactory(organisation=council, neighbourhood=hindpool)
    items = queue(outsider_client)
    assert "priorities-without-action" not in items and "new-concerns" not in items


def test_counts_stop_at_the_cap(officer_client, team, hindpool, settings):
    import home.attention

    home.attention.COUNT_CAP, cap = 3, COUNT_CAP
    try:
        PriorityFactory.create_batch(5, organisation=team, neighbourhood=hindpool)
        page = officer_client.get(reverse("home")).content.decode()
        assert queue(officer_client)["priorities-without-action"]["count"] == 3
    finally:
        home.attention.COUNT_CAP = cap
    assert "priorities-without-action" in page


def test_the_officers_home_takes_the_same_queries_however_many_rows(officer_client, team, hindpool, council, django_assert_num_queries):
    officer_client.get(reverse("home"))

    def add_rows():
        PriorityFactory(organisation=team, neighbourhood=hindpool)
        EngagementFactory(organisation=team, neighbourhood=hindpool, status="planned", starts_at=timezone.now() - timedelta(days=1))
        ConcernFactory(organisation=council, neighbourhood=hindpool)

    # 1 session, 2 user, 3 roles, 4-5 unread notifications and rejections, 6 my neighbourhoods, 7 beat meetings,
    # 8 priorities without action, 9 quiet priorities, 10 not written up, 11 low turnout, 12 repeated issues,
    # 13 last looked at concerns, 14 new concerns, 15 last looked at reports, 16 reports ready, 17 navigation roles.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    # + 1: a sector not reached, Hindpool's profile (none here: the groups query is skipped), a query a neighbourhood.
    with django_assert_num_queries(19, exact=False) as first:
        officer_client.get(reverse("home"))
    for _ in range(3):
        add_rows()
    with django_assert_num_queries(len(first.captured_queries)):
        officer_client.get(reverse("home"))


def test_a_partners_finished_imports_item_opens_their_own_files(partner_client, partner_user, council):
    from partners.models import ConcernImportJob

    colleague = UserFactory(username="council-colleague")
    MembershipFactory(user=colleague, organisation=council, role=Role.PARTNER_USER)
    for user, name in ((partner_user, "mine.csv"), (colleague, "theirs.csv")):
        ConcernImportJob.objects.create(organisation=council, created_by=user, original_name=name, file_format="csv", file_size=120,
                                        upload="x.csv", status=ImportJobStatus.IMPORTED, finished_at=timezone.now())
    item = queue(partner_client)["imports-finished"]
    assert item["count"] == 1
    listed = partner_client.get(item["url"], follow=True).context["object_list"]
    assert [job.original_name for job in listed] == ["mine.csv"]


def add_partner_rows(partner_user, council, team):
    from partners.models import ConcernImportJob

    concern = ConcernResponseFactory(concern=ConcernFactory(organisation=council), priority=PriorityFactory(organisation=team)).concern
    ConcernImportJob.objects.create(organisation=council, created_by=partner_user, original_name="march.csv", file_format="csv",
                                    file_size=120, upload="x.csv", status=ImportJobStatus.IMPORTED, finished_at=timezone.now())
    notify(recipients=[partner_user], kind=Kind.CONCERN_TAKEN, subject="Taken", template="concern_taken.txt", about=concern)


def test_the_partners_home_takes_the_same_queries_however_many_rows(partner_client, partner_user, council, team, django_assert_num_queries):
    partner_client.get(reverse("home"))
    # 1 session, 2 user, 3-4 unread notifications and rejections, 5 roles, 6 the history context, 7 unread outcomes of the
    # organisation's concerns, 8 last looked at the police's answers, 9 answers, 10 last looked at imports, 11 imports,
    # 12 last looked at shares, 13 shares and protocol flows granted since (one UNION), 14 API keys expiring (three
    # added with the partner's "shares granted to us" and "keys about to expire" items), 15 memberships for the navigation.
    with django_assert_num_queries(15) as first:
        partner_client.get(reverse("home"))
    for _ in range(3):
        add_partner_rows(partner_user, council, team)
    with django_assert_num_queries(len(first.captured_queries)):
        page = partner_client.get(reverse("home"))
    assert {item["kind"]: item["count"] for item in page.context["waiting"]}["concerns-moved"] == 3


def test_the_managers_home_takes_the_same_queries_however_many_rows(manager_client, team, hindpool, django_assert_num_queries):
    manager_client.get(reverse("home"))
    # 1 session, 2 user, 3-4 unread notifications and rejections, 5 roles, 6 the history context, 7 coverage gaps,
    # 8 screening waiting, 9 last looked at reports, 10 reports ready, 11 memberships for the navigation.
    with django_assert_num_queries(11) as first:
        manager_client.get(reverse("home"))
    for n in range(3):
        NeighbourhoodFactory(force_area=hindpool.force_area, team=team)
        priority = PriorityFactory(organisation=team, neighbourhood=hindpool)
        Screening.objects.create(organisation=team, subject=Subject.PRIORITY, object_id=priority.pk, content_hash=f"{n}" * 64,
                                 status=ScreeningStatus.FLAGGED)
    with django_assert_num_queries(len(first.captured_queries)):
        page = manager_client.get(reverse("home"))
    counts = {item["kind"]: item["count"] for item in page.context["waiting"]}
    assert counts["coverage-gaps"] == 4 and counts["screening-waiting"] == 3


def test_governances_home_takes_the_same_queries_however_many_rows(governance_client, force, team, hindpool, council,
                                                                    django_assert_num_queries):
    from tests.partners.concerns.conftest import share_concerns

    governance_client.get(reverse("home"))
    # 1 session, 2 user, 3-4 unread notifications and rejections, 5 roles, 6 the history context, 7 screening waiting,
    # 8 the organisations governed (read once for protocols, retention and subject access: organisations/governance.py),
    # 9 signatures awaited, 10 reviews due, 11 protocols lapsing, 12 stopped by another party, 13 the last chain check,
    # 14 records due for review, 15-16 subject access requests overdue and due soon.
    with django_assert_num_queries(16) as first:
        governance_client.get(reverse("home"))
    organisation_reads = [q["sql"] for q in first.captured_queries if q["sql"].startswith('SELECT "crm_organisation".')]
    assert len(organisation_reads) == 1, organisation_reads  # not once per app that asks
    officer = UserFactory(username="pc-sharer")
    MembershipFactory(user=officer, organisation=force, role=Role.OFFICER)
    for n in range(3):
        share_concerns(provider=partner_agency(n), recipient=force, acting_user=officer)
        priority = PriorityFactory(organisation=team, neighbourhood=hindpool)
        Screening.objects.create(organisation=team, subject=Subject.PRIORITY, object_id=priority.pk, content_hash=f"{n}" * 64,
                                 status=ScreeningStatus.FLAGGED)
    with django_assert_num_queries(len(first.captured_queries)):
        page = governance_client.get(reverse("home"))
    assert {item["kind"]: item["count"] for item in page.context["waiting"]}["screening-waiting"] == 3


def partner_agency(n):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name=f"Partner agency {n}", slug=f"partner-agency-{n}", kind="council")
