"""An officer logs a beat meeting on a phone-sized screen and sees it on the neighbourhood page."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import save_artefact
from tests.factories import ForceAreaFactory, NeighbourhoodFactory, square

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hindpool(force):
    area = ForceAreaFactory(force=force, code="cumbria", name="Cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    return NeighbourhoodFactory(force_area=area, code="HIND", name="Hindpool", boundary=square(west=-3.25, south=54.10, size=0.05))


def test_an_officer_logs_a_beat_meeting_on_a_phone_and_sees_it_on_the_neighbourhood_page(browser, live_server, officer, hindpool):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB",
                                  geolocation={"latitude": 54.1108, "longitude": -3.2261}, permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/engagements/log/")
    page.get_by_label("Username").fill("pc-shah")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_label("Type of engagement").select_option(label="Beat meeting")
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("#location-status")).to_contain_text("Location set from your location")
    page.get_by_label("Turnout").fill("17")
    page.get_by_label("Issue 1: category").select_option(label="Speeding")
    page.get_by_label("Issue 1: what was said").fill("Cars racing on Walney Road at night")
    save_artefact(page, "log-beat-meeting-phone-form")
    page.get_by_role("button", name="Save engagement").click()

    expect(page.locator(".govuk-notification-banner__heading")).to_contain_text("Beat meeting in Hindpool, ")
    expect(page.locator(".govuk-notification-banner__heading")).to_contain_text("is saved in Hindpool.")
    page.get_by_role("link", name="Hindpool").first.click()
    expect(page.get_by_role("heading", name="Hindpool", level=1)).to_be_visible()
    expect(page.locator("#recent-engagements")).to_contain_text("(turnout 17)")
    assert "Beat meeting" in page.locator("#recent-engagements").inner_text()
    save_artefact(page, "log-beat-meeting-phone-neighbourhood")
    context.close()


def test_a_tap_on_the_map_sets_the_location(browser, live_server, officer, hindpool):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/engagements/log/")
    page.get_by_label("Username").fill("pc-shah")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#location-map[data-loaded='true']")
    page.evaluate("hubLocationMap.fire('click', {latlng: L.latLng(54.1108, -3.2261)})")
    assert page.locator("#id_latitude").input_value() == "54.110800"
    assert page.locator("#id_longitude").input_value() == "-3.226100"
    context.close()


def test_a_location_found_before_the_map_has_loaded_is_kept(browser, live_server, officer, hindpool):
    """Geolocation can answer before the boundaries arrive (slow networks); the page must keep it."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="en-GB",
                                  geolocation={"latitude": 54.1108, "longitude": -3.2261}, permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/engagements/log/")
    page.get_by_label("Username").fill("pc-shah")
    page.get_by_label("Password").fill("correct horse battery staple")
    held_back = []
    page.route("**/geo/neighbourhoods.geojson", lambda route: held_back.append(route))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("#location-status")).to_contain_text("Location set from your location")
    while not held_back:
        page.wait_for_timeout(50)
    held_back[0].continue_()
    page.wait_for_selector("#location-map[data-loaded='true']")
    expect(page.locator("#location-status")).to_contain_text("Location set from your location")
    context.close()
