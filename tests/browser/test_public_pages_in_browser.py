"""A member of the public, not signed in, finds their neighbourhood in a real browser: the team,
the next meeting and how it is made accessible, what was done about what people said."""
import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from crm.models import IssueCategory
from publication.services import screening_pending
from tests.browser.conftest import save_artefact
from tests.factories import ContactFactory
from tests.publication.conftest import central, force_area, hindpool, opted_in_officer  # noqa: F401 (fixtures)
from tests.publication.conftest import priority_with_action, upcoming_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def public_neighbourhood(hindpool, central, opted_in_officer, council):
    # Transactional tests flush the seeded vocabularies between tests: put back the one we use.
    IssueCategory.objects.get_or_create(slug="anti-social-behaviour", defaults={"name": "Anti-social behaviour"})
    ContactFactory(organisation=council, first_name="Maureen", last_name="Whitlock")
    upcoming_meeting(hindpool)
    priority_with_action(hindpool)
    priority_with_action(hindpool, issue="Maureen Whitlock reported dealing at the flats.", action="Warrant executed.")
    screening_pending()
    return hindpool


def test_the_public_find_their_neighbourhood_and_its_meetings(page, live_server, public_neighbourhood):
    page.goto(f"{live_server.url}/your-area/")
    expect(page.get_by_role("heading", name="Find your neighbourhood")).to_be_visible()
    page.get_by_role("link", name="Hindpool").click()
    page.wait_for_url("**/your-area/cumbria/HIND/")
    expect(page.get_by_role("heading", name="Hindpool", level=1)).to_be_visible()
    expect(page.get_by_test_id("team")).to_contain_text("PC Gareth Jones, Police Constable")

    meeting = page.get_by_test_id("meeting")
    expect(meeting).to_have_count(1)
    expect(meeting.get_by_role("heading", name="Hindpool beat meeting")).to_be_visible()
    for adjustment in ("BSL interpreter", "Step-free venue", "Hearing loop"):
        expect(meeting.get_by_role("listitem").filter(has_text=adjustment)).to_be_visible()
    expect(meeting.get_by_role("link", name="Join the meeting online")).to_have_attribute("href", "https://meet.example.org/hindpool")

    priorities = page.get_by_test_id("priority")
    expect(priorities).to_have_count(1)
    expect(priorities).to_contain_text("Speeding on Duke Street at school times.")
    expect(priorities).to_contain_text("Speed checks at 8 am and 3 pm.")
    expect(page.get_by_role("heading", name="How to get involved")).to_be_visible()
    assert "Whitlock" not in page.content() and "Warrant executed" not in page.content()
    assert page.get_by_role("button", name="Sign out").count() == 0
    save_artefact(page, "public-neighbourhood")

    subscription = page.get_by_role("link", name="Subscribe to these meetings in your calendar app").get_attribute("href")
    assert subscription.startswith("webcal://") and subscription.endswith("/your-area/cumbria/HIND/meetings.ics")
    feed_path = page.get_by_role("link", name="download them once").get_attribute("href")
    feed = page.request.get(f"{live_server.url}{feed_path}")
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    assert [str(e["summary"]) for e in Calendar.from_ical(feed.body()).walk("VEVENT")] == ["Hindpool beat meeting"]


def test_the_public_page_works_on_a_phone(phone_page, live_server, public_neighbourhood):
    phone_page.goto(f"{live_server.url}/your-area/cumbria/HIND/")
    expect(phone_page.get_by_role("heading", name="Upcoming meetings")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling
    save_artefact(phone_page, "public-neighbourhood-phone")
