"""Lists never count more than the cap of visible rows ("more than 10,000 concerns"); past it, pages still
go forward and say whether there is a next one."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Contact
from access.pagination import COUNT_CAP, CappedPaginator
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)


def test_the_count_reads_at_most_one_row_past_the_cap(team, officer, small_cap):
    ContactFactory.create_batch(5, organisation=team)
    paginator = CappedPaginator(Contact.objects.visible_to(officer).order_by("pk"), 2)
    with CaptureQueriesContext(connection) as captured:
        assert paginator.count == 4
    assert "LIMIT 4" in captured[-1]["sql"]
    assert paginator.count_is_capped and paginator.count_text == "more than 3"


def test_past_the_cap_each_page_knows_whether_another_follows(team, officer, small_cap):
    contacts = ContactFactory.create_batch(5, organisation=team)
    paginator = CappedPaginator(Contact.objects.visible_to(officer).order_by("pk"), 2)
    pages = [paginator.page(n) for n in (1, 2, 3)]
    assert [[c.pk for c in page] for page in pages] == [[c.pk for c in contacts[i:i + 2]] for i in (0, 2, 4)]
    assert [page.has_next() for page in pages] == [True, True, False]


def test_under_the_cap_the_count_is_exact(team, officer):
    ContactFactory.create_batch(3, organisation=team)
    paginator = CappedPaginator(Contact.objects.visible_to(officer), 2)
    assert (paginator.count, paginator.count_is_capped, paginator.count_text, paginator.num_pages) == (3, False, "3", 2)
    assert COUNT_CAP == 10_000


def test_a_list_over_the_cap_says_more_than_and_no_last_page(officer_client, team, small_cap, monkeypatch):
    from crm.views.contacts import ContactListView

    monkeypatch.setattr(ContactListView, "paginate_by", 2)
    ContactFactory.create_batch(5, organisation=team)
    page = officer_client.get(reverse("crm:contact-list")).content.decode()
    assert "more than 3 contacts" in page
    assert "Page 1</p>" in page and 'rel="next"' in page


# -- keyset pages: Next and Previous start from a row, not an OFFSET ------------------------------------------

def _walk(paginator, pages: int):
    """Follow Next from page 1 by keyset, as the links do."""
    from access.pagination import keyset_page

    page = paginator.page(1)
    walked = [page]
    for number in range(2, pages + 1):
        page = keyset_page(paginator, number, page.last_pk)
        walked.append(page)
    return walked


@pytest.mark.parametrize("ordering", [("last_name", "first_name"), ("-last_name", "first_name"), ("-neighbourhood__name",), ("notes",)])
def test_keyset_pages_hold_the_same_rows_as_numbered_pages_whatever_the_order(team, officer, ordering):
    from tests.factories import NeighbourhoodFactory

    places = [None, NeighbourhoodFactory(name="Abbey"), NeighbourhoodFactory(name="Ormsgill")]
    for i in range(11):  # ties, and NULLs in a nullable sort column
        ContactFactory(organisation=team, last_name=("Smith", "Jones", "Ng")[i % 3], notes=("", "met at the fete")[i % 2],
                       neighbourhood=places[i % 3])
    queryset = Contact.objects.visible_to(officer).order_by(*ordering)
    numbered = [[c.pk for c in CappedPaginator(queryset, 3).page(n)] for n in (1, 2, 3, 4)]
    by_keyset = [[c.pk for c in page] for page in _walk(CappedPaginator(queryset, 3), 4)]
    assert by_keyset == numbered
    assert sum(numbered, []) == [c.pk for c in queryset.order_by(*ordering, "pk")]  # every row once, ties by id


def test_a_keyset_page_reads_no_offset_and_says_whether_more_follow(team, officer, django_assert_num_queries):
    from access.pagination import keyset_page

    ContactFactory.create_batch(5, organisation=team)
    paginator = CappedPaginator(Contact.objects.visible_to(officer).order_by("last_name", "pk"), 2)
    start = paginator.page(1).last_pk
    with CaptureQueriesContext(connection) as captured:
        second = keyset_page(paginator, 2, start)
        third = keyset_page(paginator, 3, second.last_pk)
    assert len(captured) == 4  # the row to start from, and the page: for any page size
    assert not any("OFFSET" in query["sql"] for query in captured)
    assert (second.has_next(), third.has_next(), len(third)) == (True, False, 1)


def test_previous_by_keyset_goes_back_to_the_same_rows(team, officer):
    from access.pagination import keyset_page

    ContactFactory.create_batch(7, organisation=team)
    paginator = CappedPaginator(Contact.objects.visible_to(officer).order_by("-first_name"), 3)
    first, second = _walk(paginator, 2)
    back = keyset_page(paginator, 1, second.first_pk, before=True)
    assert [c.pk for c in back] == [c.pk for c in first] and back.has_next()


def test_next_links_name_only_the_row_and_walk_a_withheld_name_order(partner_client, force, council, team, monkeypatch):
    """A partner without personal-data cover sorts by the withheld (blank) surname; the address carries
    an id, never a name, and the pages hold each shared contact once."""
    import re

    from crm.views.contacts import ContactListView
    from tests.sharing_protocols.conftest import publish_protocol

    monkeypatch.setattr(ContactListView, "paginate_by", 2)
    contacts = [ContactFactory(organisation=team, last_name=f"Surname{i}") for i in range(5)]
    publish_protocol(provider=force, recipient=council, categories=("contacts",))
    seen, url, pages = [], reverse("crm:contact-list") + "?o=name", 0
    while url and pages < 5:
        page = partner_client.get(url).content.decode()
        assert "Surname" not in page
        seen += re.findall(r'href="/contacts/(\d+)/"', page)
        following = re.search(r'href="(\?[^"]*)" rel="next"', page)
        url = reverse("crm:contact-list") + following.group(1).replace("&amp;", "&") if following else None
        if url:
            assert re.search(r"after=\d+", url) and "Surname" not in url
        pages += 1
    assert sorted(map(int, seen)) == sorted(c.pk for c in contacts)


@pytest.mark.parametrize("anchor", ["abc", "99999999999", "-1", "1e9", "9" * 40])
def test_a_bad_or_unseen_row_to_start_from_falls_back_to_the_page_number(officer_client, team, other_force, monkeypatch, anchor):
    from crm.views.contacts import ContactListView

    monkeypatch.setattr(ContactListView, "paginate_by", 2)
    ContactFactory.create_batch(3, organisation=team)
    hidden = ContactFactory(organisation=other_force)  # not the officer's to see: its position says nothing
    for value in (anchor, str(hidden.pk)):
        response = officer_client.get(reverse("crm:contact-list"), {"page": 2, "after": value})
        assert response.status_code == 200 and "Page 2" in response.content.decode()


# -- a visible_to list counts its door's parts through indexes, and counts exactly what the door lets through ----

@pytest.fixture
def partner_reach(council, partner_user, force, team, other_force):
    """The council's partner user sees: the council's own concerns; the team's at OFFICIAL only (a protocol
    stopping at OFFICIAL), not its OFFICIAL-SENSITIVE ones; two of another force's, shared one-off, one of them
    now expired; nothing else of that force's."""
    from datetime import timedelta

    from django.utils import timezone

    from sharing_protocols.models import ConcernShare
    from sharing_protocols.shares import organisation_group, view_permission
    from partners.models import Concern
    from tests.factories import ConcernFactory
    from tests.sharing_protocols.conftest import publish_protocol

    publish_protocol(provider=team, recipient=council, categories=("concerns",))
    own = ConcernFactory.create_batch(3, organisation=council)
    official = ConcernFactory.create_batch(2, organisation=team, classification="official")
    ConcernFactory.create_batch(2, organisation=team, classification="official_sensitive")
    elsewhere = ConcernFactory.create_batch(4, organisation=other_force)
    for concern, days in ((elsewhere[0], 30), (elsewhere[1], 30), (elsewhere[2], -1)):
        ConcernShare.objects.create(group=organisation_group(council), permission=view_permission(Concern), content_object=concern,
                                    reason="Joint visit", expires_at=timezone.now() + timedelta(days=days), includes_personal_data=False)
    return {c.pk for c in own + official + elsewhere[:2]}


def _counted(queryset):
    """The list's count, and the count statements it sent."""
    paginator = CappedPaginator(queryset.order_by("-reported_at"), 2)
    with CaptureQueriesContext(connection) as captured:
        count = paginator.count
    return count, [q["sql"] for q in captured if "COUNT(*)" in q["sql"]]


@pytest.mark.parametrize("cap", [3, 6, 7, 100])
def test_a_shared_list_counts_exactly_what_the_door_lets_through_below_at_and_past_the_cap(partner_user, partner_reach, cap, monkeypatch):
    from partners.models import Concern
    from row_security.context import viewer_context

    monkeypatch.setattr(CappedPaginator, "cap", cap)
    with viewer_context(partner_user):
        queryset = Concern.objects.visible_to(partner_user)
        assert {c.pk for c in queryset} == partner_reach  # the door, as the fixture says
        count, statements = _counted(queryset)
    assert count == min(len(partner_reach), cap + 1)
    assert "UNION ALL" in statements[-1]  # by the parts: the organisations' rows, then the rows shared one-off


def test_a_filtered_shared_list_counts_only_the_rows_it_lists(partner_user, partner_reach, council):
    from partners.models import Concern
    from row_security.context import viewer_context

    with viewer_context(partner_user):
        for queryset in (Concern.objects.visible_to(partner_user).exclude(organisation=council),
                         Concern.objects.visible_to(partner_user).filter(classification="official_sensitive")):
            assert _counted(queryset)[0] == queryset.count()
        assert _counted(Concern.objects.visible_to(partner_user).exclude(organisation=council))[0] == len(partner_reach) - 3


def test_a_list_not_built_by_the_door_alone_counts_as_before(partner_user, partner_reach, monkeypatch):
    """Combined with another queryset, or with the ORM's predicate off (so that row-level security alone is
    tested), the count is the plain capped count: the parts speak only for the door's own rows."""
    from access import visibility
    from partners.models import Concern
    from row_security.context import viewer_context

    with viewer_context(partner_user):
        door = Concern.objects.visible_to(partner_user)
        combined = door | Concern.objects.visible_to(partner_user).filter(pk__in=[])
        assert visibility.reach(door) and visibility.reach(combined) is None
        assert visibility.reach(door.none()) is None
        count, statements = _counted(combined)
        assert count == len(partner_reach) and "UNION" not in statements[-1]
        monkeypatch.setattr(visibility, "ORM_PREDICATE", False)
        rls_alone = Concern.objects.visible_to(partner_user)
        assert visibility.reach(rls_alone) is None
        count, statements = _counted(rls_alone)
        assert count == len(partner_reach) and "UNION" not in statements[-1]
