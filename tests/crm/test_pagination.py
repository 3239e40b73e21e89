"""Lists never count more than the cap of visible rows ("more than 10,000 concerns"); past it, pages still
go forward and say whether there is a next one."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Contact
from crm.pagination import COUNT_CAP, CappedPaginator
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
