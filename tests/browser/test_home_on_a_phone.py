"""Each role starts the day on its home page, on a phone, and follows an item to where it is done."""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.models import PriorityStatus
from access.roles import Role
from publication.models import Screening, ScreeningStatus, Subject
from tests.browser.conftest import save_artefact
from tests.factories import (
    ConcernFactory, ConcernResponseFactory, ForceAreaFactory, MembershipFactory, NeighbourhoodFactory, PriorityFactory, UserFactory, square,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hindpool(force, team):
    area = ForceAreaFactory(force=force, code="cumbria", name="Cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    return NeighbourhoodFactory(force_area=area, code="HIND", name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.05))


def sign_in(page, live_server, username: str):
    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="What needs you", level=1)).to_be_visible()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def flagged_priority(team, hindpool):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Call Priya Shah about the bikes.")
    Screening.objects.create(organisation=team, subject=Subject.PRIORITY, object_id=priority.pk, content_hash="z" * 64,
                             status=ScreeningStatus.FLAGGED, findings=[{"kind": "name", "field": "issue", "start": 5, "end": 15}])
    return priority


def test_an_officer_follows_a_priority_with_no_action_and_records_one(phone_page, live_server, officer, team, hindpool):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Speeding on Walney Road.")
    page = phone_page
    sign_in(page, live_server, "pc-shah")
    assert fits_the_screen(page)
    save_artefact(page, "home-officer-phone")
    page.get_by_role("link", name="Priorities with no action yet").click()
    page.get_by_role("link", name=priority.category.name).click()
    page.get_by_role("link", name="Record an action").click()
    page.get_by_label("What was done, in words fit to publish").fill("Speed checks on six evenings.")
    page.get_by_label("Action date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record action").click()
    expect(page.locator("#priority-status")).to_have_text("In progress")
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.IN_PROGRESS
    assert fits_the_screen(page)


def test_a_partner_follows_a_concern_the_police_took_into_a_priority(phone_page, live_server, partner_user, council, team, hindpool):
    ConcernResponseFactory(concern=ConcernFactory(organisation=council, neighbourhood=hindpool, place="Rear of Market Street"),
                           priority=PriorityFactory(organisation=team, neighbourhood=hindpool))
    page = phone_page
    sign_in(page, live_server, "sam-council")
    save_artefact(page, "home-partner-phone")
    page.get_by_role("link", name="Your organisation's concerns the police took into a priority or closed since you last looked").click()
    page.locator("#concern-table").get_by_role("link", name="Fly-tipping").first.click()
    expect(page.locator("#concern-priority")).to_contain_text("Taken into a priority (agreed)")
    assert fits_the_screen(page)


@pytest.mark.parametrize("role,username", [(Role.MANAGER, "insp-malik"), (Role.INFORMATION_GOVERNANCE, "ig-lead")])
def test_a_reviewer_follows_screening_waiting_to_the_review_queue(phone_page, live_server, force, team, hindpool, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=force, role=role, warranted=role == Role.MANAGER)
    flagged_priority(team, hindpool)
    page = phone_page
    sign_in(page, live_server, username)
    save_artefact(page, f"home-{role}-phone")
    page.get_by_role("link", name="Public wording waiting for your review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("review", ignore_case=True)
    assert fits_the_screen(page)
