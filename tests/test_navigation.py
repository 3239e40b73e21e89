"""The navigation shows each role the links its role uses, and every link it shows opens for that role."""
import pytest
from django.urls import reverse

from access.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

POLICE_WORK = ["Engagements", "Priorities", "Contacts", "Groups", "Advisory groups", "Concerns", "Collation", "Reports", "Online conversations",
               "Import and export"]
EVERYONE = ["Neighbourhood map", "Neighbourhoods", "People", "Notifications"]


def navigation(client) -> list[dict]:
    return client.get(reverse("home")).context["navigation"]


def nav_labels(client) -> list[str]:
    return [item["label"] for item in navigation(client)]


@pytest.fixture
def manager_client(client, force, team):
    user = UserFactory(username="insp-malik", first_name="Amira", last_name="Malik")
    MembershipFactory(user=user, organisation=force, role=Role.MANAGER, warranted=True)
    client.force_login(user)
    return client


@pytest.fixture
def governance_client(client, force):
    user = UserFactory(username="ig-lead", first_name="Helen", last_name="Burke")
    MembershipFactory(user=user, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    client.force_login(user)
    return client


def test_an_officer_sees_the_police_pages_and_their_public_profile_but_no_review_or_administration(officer_client):
    assert nav_labels(officer_client) == [*POLICE_WORK, *EVERYONE, "Your public profile"]


def test_a_manager_also_sees_the_publication_review(manager_client):
    assert nav_labels(manager_client) == [*POLICE_WORK, *EVERYONE, "Publication review", "Your public profile", "Postcodes and places"]


def test_an_administrator_sees_the_review_and_administration_but_has_no_public_profile(admin_client_hub):
    assert nav_labels(admin_client_hub) == [*POLICE_WORK, *EVERYONE, "Publication review", "Postcodes and places", "Administration"]


def test_a_partner_user_sees_concerns_their_imports_and_api_keys_but_not_the_polices_pages(partner_client):
    assert nav_labels(partner_client) == ["Concerns", "Concern imports", "API keys", "Shared with us", "Topics in concerns", *EVERYONE]


def test_information_governance_sees_the_review_protocols_disclosure_log_retention_and_subject_access(governance_client):
    assert nav_labels(governance_client) == [*EVERYONE, "Publication review", "Sharing protocols", "Disclosure log", "Retention",
                                             "Subject access"]


@pytest.mark.parametrize("persona", ["officer_client", "manager_client", "admin_client_hub", "partner_client", "governance_client"])
def test_every_link_in_the_navigation_opens_for_the_person_it_is_shown_to(persona, request):
    client = request.getfixturevalue(persona)
    for item in navigation(client):
        assert client.get(item["url"]).status_code == 200, item


def test_the_current_page_is_marked_for_screen_readers(officer_client):
    page = officer_client.get(reverse("geo:map")).content.decode()
    assert 'aria-current="page"' in page
    assert page.index('aria-current="page"') > page.index('href="/map/"')


def test_a_partner_users_imports_page_is_marked_as_current(partner_client):
    active = [item["label"] for item in partner_client.get(reverse("partners:import-list")).context["navigation"] if item["active"]]
    assert active == ["Concern imports"]


def test_on_a_phone_the_links_fold_behind_one_menu_button(officer_client):
    """GOV.UK's service navigation hides the list behind its "Menu" toggle on narrow screens; the
    toggle must control the list, and the service name must still lead home (there is no "Home" link)."""
    page = officer_client.get(reverse("geo:map")).content.decode()
    assert 'data-module="govuk-service-navigation"' in page
    assert 'class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" aria-controls="navigation"' in page
    assert 'class="govuk-service-navigation__list" id="navigation"' in page
    assert f'<a href="{reverse("home")}" class="govuk-service-navigation__link">Engagement Hub</a>' in page


def test_a_visitor_who_has_not_signed_in_sees_no_navigation(client):
    response = client.get(reverse("login"))
    assert response.context["navigation"] == []
