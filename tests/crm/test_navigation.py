"""The navigation shows each role the links its role uses."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav_labels(client) -> list[str]:
    response = client.get(reverse("home"))
    return [item["label"] for item in response.context["navigation"]]


def test_an_officer_sees_engagements_priorities_and_the_map_but_no_administration(officer_client):
    assert nav_labels(officer_client) == ["Home", "Engagements", "Priorities", "Contacts", "Groups", "Advisory groups", "Import and export", "Neighbourhood map", "Neighbourhoods", "People"]


def test_a_partner_user_is_not_offered_the_polices_engagement_pages(partner_client):
    assert nav_labels(partner_client) == ["Home", "Neighbourhood map", "Neighbourhoods", "People"]


def test_an_administrator_also_sees_administration(admin_client_hub):
    assert nav_labels(admin_client_hub)[-1] == "Administration"


def test_the_current_page_is_marked_for_screen_readers(officer_client):
    page = officer_client.get(reverse("geo:map")).content.decode()
    assert 'aria-current="page"' in page
    assert page.index('aria-current="page"') > page.index('href="/map/"')


def test_a_visitor_who_has_not_signed_in_sees_no_navigation(client):
    response = client.get(reverse("login"))
    assert response.context["navigation"] == []
