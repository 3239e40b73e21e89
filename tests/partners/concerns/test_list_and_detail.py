"""The concerns list and page: only what visible_to lets through, personal fields withheld by name, constant queries."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import ConcernLink, ConcernStatus
from tests.factories import ConcernFactory, ConcernResponseFactory, PriorityFactory, issue_category, point
from tests.partners.concerns.conftest import share_concerns

pytestmark = pytest.mark.django_db
LIST = reverse("partners:concern-list")


def detail(pk):
    return reverse("partners:concern-detail", args=[pk])


def listed_places(client, **params) -> str:
    return client.get(LIST, params).content.decode()


def test_a_partner_user_sees_their_organisations_concerns_and_not_another_partners(partner_client, council, housing):
    ConcernFactory(organisation=council, place="Rear of Market Street")
    theirs = ConcernFactory(organisation=housing, place="Stairwell of Crellin Street flats")
    page = listed_places(partner_client)
    assert "Rear of Market Street" in page and "Crellin Street" not in page
    assert partner_client.get(detail(theirs.pk)).status_code == 404


def test_an_outsider_sees_no_concerns_and_every_page_is_404(outsider_client, council):
    concern = ConcernFactory(organisation=council, place="Rear of Market Street")
    page = listed_places(outsider_client)
    assert "Rear of Market Street" not in page and "No concerns to show yet." in page
    assert outsider_client.get(detail(concern.pk)).status_code == 404
    assert outsider_client.get(reverse("partners:concern-edit", args=[concern.pk])).status_code == 404
    assert outsider_client.post(reverse("partners:concern-close", args=[concern.pk]), {"reason": "x"}).status_code == 404


def test_an_officer_sees_no_partner_concerns_without_a_protocol(officer_client, council):
    concern = ConcernFactory(organisation=council, place="Rear of Market Street")
    assert "Rear of Market Street" not in listed_places(officer_client)
    assert officer_client.get(detail(concern.pk)).status_code == 404


def test_under_a_protocol_an_officer_reads_a_shared_concern_but_cannot_change_it(officer_client, council, council_shares_concerns_with_police):
    concern = ConcernFactory(organisation=council, place="Rear of Market Street")
    assert "Rear of Market Street" in listed_places(officer_client)
    page = officer_client.get(detail(concern.pk)).content.decode()
    assert "Shared with your organisation by Westmorland and Furness Council: you can read it, not change it." in page
    assert page.count("clause 4.1: partner-reported concerns from Westmorland and Furness Council to Cumbria Constabulary, without personal data.") == 1
    assert "Edit this concern" not in page and "Close this concern" not in page
    assert officer_client.get(reverse("partners:concern-edit", args=[concern.pk])).status_code == 404
    response = officer_client.post(reverse("partners:concern-close", args=[concern.pk]), {"reason": "Dealt with"})
    assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NEW


def test_personal_fields_a_protocol_does_not_cover_are_withheld_by_name(officer_client, council, council_shares_concerns_with_police):
    concern = ConcernFactory(organisation=council, holds_personal_data=True, reporter_name="Margaret Holt",
                             reporter_phone="07700 900123", description="Mrs Holt at number 4 says her son is dealing.")
    page = officer_client.get(detail(concern.pk)).content.decode()
    assert "Margaret Holt" not in page and "07700 900123" not in page and "dealing" not in page
    withheld = "Withheld: no protocol lets your organisation see personal data from Westmorland and Furness Council"
    assert page.count(withheld) == 4  # description, name, email, phone
    # Searching for the withheld words finds nothing either.
    assert "Rear of Market Street" not in listed_places(officer_client, q="dealing")


def test_a_protocol_with_personal_data_shows_the_reporter(officer_client, council, force, officer):
    share_concerns(provider=council, recipient=force, acting_user=officer, personal_data=True)
    concern = ConcernFactory(organisation=council, holds_personal_data=True, reporter_name="Margaret Holt")
    page = officer_client.get(detail(concern.pk)).content.decode()
    assert "Margaret Holt" in page and "Withheld" not in page


def test_an_official_sensitive_concern_needs_a_protocol_at_that_level(officer_client, council, council_shares_concerns_with_police):
    concern = ConcernFactory(organisation=council, classification="official_sensitive", place="Hidden sensitive place")
    assert "Hidden sensitive place" not in listed_places(officer_client)
    assert officer_client.get(detail(concern.pk)).status_code == 404


def test_the_page_shows_the_marking_organisation_channel_map_and_what_it_was_taken_into(partner_client, council, team, hindpool):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Fly-tipping in the back lanes of Hindpool")
    concern = ConcernFactory(organisation=council, classification="official_sensitive", neighbourhood=hindpool)
    ConcernResponseFactory(concern=concern, priority=priority)
    page = partner_client.get(detail(concern.pk)).content.decode()
    assert page.index("OFFICIAL-SENSITIVE") < page.index("<h1")
    assert "Concern reported by Westmorland and Furness Council" in page and "Phone call" in page
    assert 'id="concern-map"' in page and 'data-latitude="54.115000"' in page
    # The council cannot see the police team's priority: it is told its status, and its wording only once screened.
    assert "Taken into a priority (agreed)" in page and "back lanes of Hindpool" not in page
    from publication.services import screening_pending

    screening_pending()
    page = partner_client.get(detail(concern.pk)).content.decode()
    assert "Taken into a priority (agreed): Fly-tipping in the back lanes of Hindpool" in page


def test_the_officer_sees_the_priority_named(officer_client, council, team, hindpool, council_shares_concerns_with_police):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Fly-tipping in the back lanes of Hindpool")
    concern = ConcernResponseFactory(concern=ConcernFactory(organisation=council), priority=priority).concern
    page = officer_client.get(detail(concern.pk)).content.decode()
    assert "Taken into" in page and "Fly-tipping in the back lanes of Hindpool" in page


def test_near_duplicates_are_linked_only_when_both_are_visible(partner_client, council, housing):
    mine = ConcernFactory(organisation=council, place="Dalton Road")
    also_mine = ConcernFactory(organisation=council, place="Dalton Road, by the bank")
    hidden = ConcernFactory(organisation=housing, place="Dalton Road flats")
    for other in (also_mine, hidden):
        first, second = sorted([mine, other], key=lambda c: c.pk)
        ConcernLink.objects.create(first=first, second=second, distance_metres=24.6, days_apart=0.5)
    page = partner_client.get(detail(mine.pk)).content.decode()
    links = page.split('id="near-duplicates"', 1)[1].split("</ul>", 1)[0]
    assert "Dalton Road, by the bank" in links and "25 metres" in links
    assert "Dalton Road flats" not in page


def test_the_list_filters_by_category_status_organisation_dates_and_words(partner_client, partner_user, council, housing, hindpool):
    from access.roles import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=partner_user, organisation=housing, role=Role.PARTNER_USER)
    now = timezone.now()
    ConcernFactory(organisation=council, place="Abbey Road", category=issue_category("graffiti"), reported_at=now - timedelta(days=40))
    ConcernFactory(organisation=council, place="Duke Street", status=ConcernStatus.CLOSED, neighbourhood=hindpool)
    ConcernFactory(organisation=housing, place="Crellin Street", description="Needles found on the stairs.")
    assert "Abbey Road" in listed_places(partner_client, category=issue_category("graffiti").pk)
    assert "Duke Street" not in listed_places(partner_client, category=issue_category("graffiti").pk)
    closed = listed_places(partner_client, status="closed")
    assert "Duke Street" in closed and "Abbey Road" not in closed
    assert "Duke Street" in listed_places(partner_client, neighbourhood=hindpool.pk)
    assert "Abbey Road" not in listed_places(partner_client, neighbourhood=hindpool.pk)
    by_housing = listed_places(partner_client, organisation=housing.pk)
    assert "Crellin Street" in by_housing and "Abbey Road" not in by_housing
    recent = listed_places(partner_client, reported_from=(now - timedelta(days=7)).date().isoformat(), reported_to=now.date().isoformat())
    assert "Duke Street" in recent and "Abbey Road" not in recent
    assert "Crellin Street" in listed_places(partner_client, q="needles")
    assert "Abbey Road" in listed_places(partner_client, q="abbey")
    assert "Abbey Road" not in listed_places(partner_client, q="needles")


def listed_in_order(client, **params) -> list[tuple[str, str]]:
    concerns = client.get(LIST, params).context["concerns"]
    return [(concern.place, concern.get_shown_status_display()) for concern in concerns]


def test_sorting_by_status_sorts_a_concern_taken_into_a_priority_by_the_status_the_list_shows(partner_client, council, team, hindpool):
    # Stored as "collated" on the council's row; the police team's answer makes it "taken into a priority".
    taken = ConcernFactory(organisation=council, place="Taken Lane", status=ConcernStatus.COLLATED, neighbourhood=hindpool)
    ConcernResponseFactory(concern=taken, priority=PriorityFactory(organisation=team, neighbourhood=hindpool))
    ConcernFactory(organisation=council, place="Collated Close", status=ConcernStatus.COLLATED, neighbourhood=hindpool)
    ConcernFactory(organisation=council, place="New Street", status=ConcernStatus.NEW)
    ConcernFactory(organisation=council, place="Closed Court", status=ConcernStatus.CLOSED)
    shown = [("Closed Court", "Closed"), ("Collated Close", "Collated"), ("New Street", "New"), ("Taken Lane", "Taken into a priority")]
    assert listed_in_order(partner_client, o="status") == shown
    assert listed_in_order(partner_client, o="-status") == shown[::-1]


def test_the_next_page_of_a_list_sorted_by_status_follows_the_status_shown(partner_client, council, team, hindpool):
    taken = ConcernFactory(organisation=council, place="Taken Lane", status=ConcernStatus.COLLATED, neighbourhood=hindpool)
    ConcernResponseFactory(concern=taken, priority=PriorityFactory(organisation=team, neighbourhood=hindpool))
    ConcernFactory.create_batch(25, organisation=council, place="New Street", status=ConcernStatus.NEW)
    first = partner_client.get(LIST, {"o": "status"})
    assert [c.place for c in first.context["concerns"]] == ["New Street"] * 25
    # "Next" reads by keyset from the last row shown (access/pagination.py), in the same order.
    last = first.context["page_obj"].last_pk
    assert listed_in_order(partner_client, o="status", page=2, after=last) == [("Taken Lane", "Taken into a priority")]


def test_only_mine_for_an_officer_is_the_concerns_placed_in_their_teams_neighbourhoods(officer_client, council, team, force, force_area,
                                                                                        hindpool, council_shares_concerns_with_police):
    from tests.factories import NeighbourhoodFactory, TeamFactory, square

    ormsgill = NeighbourhoodFactory(force_area=force_area, name="Ormsgill", team=team, boundary=square(west=-3.25, south=54.13, size=0.03))
    walney = NeighbourhoodFactory(force_area=force_area, name="Walney", boundary=square(west=-3.28, south=54.06, size=0.03),
                                  team=TeamFactory(name="Walney neighbourhood team", slug="team-walney", parent=force))
    ConcernFactory(organisation=council, place="Hindpool Road", neighbourhood=hindpool)
    ConcernFactory(organisation=council, place="Ormsgill Lane", neighbourhood=ormsgill)
    ConcernFactory(organisation=council, place="Walney Promenade", neighbourhood=walney)
    response = officer_client.get(LIST, {"mine": "on"})
    # The police report no concerns: theirs are those in their team's neighbourhoods, and the box says so.
    assert sorted(c.place for c in response.context["concerns"]) == ["Hindpool Road", "Ormsgill Lane"]
    assert "Only my neighbourhoods" in response.content.decode()


def test_only_mine_for_a_partner_is_their_organisations_concerns(partner_client, partner_user, council, housing, hindpool):
    from access.roles import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=partner_user, organisation=housing, role=Role.PARTNER_USER)
    ConcernFactory(organisation=council, place="Abbey Road")
    ConcernFactory(organisation=housing, place="Crellin Street")
    response = partner_client.get(LIST, {"mine": "on"})
    assert sorted(c.place for c in response.context["concerns"]) == ["Abbey Road", "Crellin Street"]
    assert "Only mine" in response.content.decode()


def test_a_concern_outside_every_neighbourhood_says_so_in_the_list(partner_client, council):
    # Concerns are placed the moment they arrive: one without a neighbourhood lies outside them all, not "not placed yet".
    ConcernFactory(organisation=council, place="Out in the bay", neighbourhood=None)
    page = listed_places(partner_client)
    assert "Outside every neighbourhood" in page and "Not placed yet" not in page


def test_a_reversed_date_range_is_named_and_narrows_nothing(partner_client, council):
    ConcernFactory(organisation=council, place="Abbey Road")
    page = listed_places(partner_client, reported_from="2026-05-10", reported_to="2026-05-01")
    assert "Reported to: The end date must be on or after the start date." in page


def test_the_list_takes_the_same_queries_however_many_concerns(partner_client, council, hindpool, django_assert_num_queries):
    ConcernFactory(organisation=council, neighbourhood=hindpool)
    partner_client.get(LIST)  # warm Django's per-process SRID cache
    # 1 session, 2 user, 3 may the user report (the button), 4 count for the paginator, 5 roles for the navigation,
    # 6-8 the filters' categories, neighbourhoods and organisations, 9 the page of concerns with category,
    # organisation and neighbourhood.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(10):
        partner_client.get(LIST)
    ConcernFactory.create_batch(30, organisation=council, neighbourhood=hindpool)
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(10):
        response = partner_client.get(LIST, {"q": "rubbish", "status": "new"})
    assert len(response.context["concerns"]) == 25
    # Sorted by the status shown (the police's answer read in the page's own query): no query more.
    with django_assert_num_queries(10):
        response = partner_client.get(LIST, {"o": "-status"})
    assert len(response.context["concerns"]) == 25


def add_links(concern, count):
    for n in range(count):
        other = ConcernFactory(organisation=concern.organisation, location=point(-3.2271, 54.1151 + n / 100000))
        ConcernLink.objects.create(first=concern, second=other, distance_metres=10 + n, days_apart=1)


def test_the_page_takes_the_same_queries_however_many_links(partner_client, council, hindpool, django_assert_num_queries):
    concern = ConcernFactory(organisation=council, neighbourhood=hindpool)
    partner_client.get(detail(concern.pk))  # warm Django's per-process SRID cache
    # 1 session, 2 user, 3 the concern with category, organisation, neighbourhood and LSOA,
    # 4 the visible near-duplicates, 5 roles for the navigation (no priority: no query for it).
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(6):
        partner_client.get(detail(concern.pk))
    add_links(concern, 6)
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(6):
        response = partner_client.get(detail(concern.pk))
    assert len(response.context["near_duplicates"]) == 6


def test_a_shared_page_takes_the_same_queries_however_many_links(officer_client, council, team, hindpool, council_shares_concerns_with_police,
                                                                 django_assert_num_queries):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool)
    concern = ConcernResponseFactory(concern=ConcernFactory(organisation=council, neighbourhood=hindpool), priority=priority).concern
    officer_client.get(detail(concern.pk))  # warm Django's per-process SRID cache
    add_links(concern, 1)
    # 1 session, 2 user, 3 the concern, 4 the visible near-duplicates, 5-10 one disclosure entry for the concern and
    # its near-duplicates (live flows, history context, lock, last hash, insert), 11-13 why the concern is visible
    # (worked out once for the entry and the page), 14 the priority, 15 roles for the navigation: the same for one near-duplicate as for six.
    # Now one fewer: the reader's grant set is resolved once per request (+1, access/grants.py), and why the concern is
    # visible reads it instead of querying the reader's organisations and the live flows (-2).
    with django_assert_num_queries(14):
        officer_client.get(detail(concern.pk))
    add_links(concern, 5)
    with django_assert_num_queries(14):
        response = officer_client.get(detail(concern.pk))
    assert len(response.context["near_duplicates"]) == 6


def test_reading_shared_concerns_is_written_in_the_disclosure_log_and_own_ones_are_not(officer, partner_user, council,
                                                                                     council_shares_concerns_with_police):
    from django.test import Client

    from sharing_protocols.models import DisclosureAction, DisclosureEntry

    partner_client, officer_client = Client(), Client()
    partner_client.force_login(partner_user)
    officer_client.force_login(officer)
    concern = ConcernFactory(organisation=council)
    partner_client.get(LIST)
    partner_client.get(detail(concern.pk))
    assert not DisclosureEntry.objects.filter(action=DisclosureAction.READ).exists()
    officer_client.get(LIST)
    officer_client.get(detail(concern.pk))
    reads = list(DisclosureEntry.objects.filter(action=DisclosureAction.READ).order_by("pk"))
    assert len(reads) == 2
    assert reads[0].purpose.startswith("Listed on /partners/concerns/") and reads[1].purpose == f"Viewed on {detail(concern.pk)}"
    assert "isp-wf-council-cumbria-constabulary v1, clause 4.1" in reads[1].protocol_reference


def test_a_list_of_shared_concerns_takes_the_same_queries_however_many(officer_client, council, hindpool, council_shares_concerns_with_police,
                                                                      django_assert_num_queries):
    ConcernFactory.create_batch(2, organisation=council, neighbourhood=hindpool)
    officer_client.get(LIST)  # warm Django's per-process SRID cache
    # 1 session, 2 user, 3 may the user report, 4 count, 5 roles, 6-8 the filters' choices, 9 the page of concerns,
    # 10-15 one disclosure entry for the shared rows shown (the protocols that allowed it, history context, lock,
    # last hash, insert). (A page of exactly one shared row explains it in full: a few more, still constant.)
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(16):
        officer_client.get(LIST)
    ConcernFactory.create_batch(30, organisation=council, neighbourhood=hindpool)
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(16):
        response = officer_client.get(LIST)
    assert len(response.context["concerns"]) == 25
