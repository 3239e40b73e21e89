"""A resident on a phone finds their neighbourhood by postcode, by their location, and by keyboard on the map."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import save_artefact
from tests.finder.conftest import barrow, gazetteer  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_at_hindpool(browser):
    """A phone whose owner lets the site use their location, standing in Hindpool."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB",
                                  geolocation={"latitude": 54.1051, "longitude": -3.2449}, permissions=["geolocation"])
    page = context.new_page()
    yield page
    context.close()


def test_a_resident_finds_their_neighbourhood_by_postcode(phone_at_hindpool, live_server, gazetteer):
    page = phone_at_hindpool
    page.goto(f"{live_server.url}/your-area/")
    page.get_by_label("Search by postcode, street or place").fill("la14 2lr")
    page.get_by_role("button", name="Search").click()

    page.wait_for_url("**/your-area/cumbria/HIND/")
    expect(page.get_by_role("heading", name="Hindpool", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Contact the team")).to_be_visible()
    page.wait_for_selector("#map[data-loaded='true']")
    assert page.locator("#map path[data-neighbourhood='HIND']").count() == 1  # its boundary, on a map
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save_artefact(page, "find-by-postcode-phone")


def test_a_resident_finds_their_neighbourhood_by_location_and_the_map_shows_where(phone_at_hindpool, live_server, gazetteer):
    page = phone_at_hindpool
    page.goto(f"{live_server.url}/your-area/")
    page.wait_for_selector("#map[data-loaded='true']")
    expect(page.get_by_test_id("no-base-map")).to_be_visible()  # says plainly there is no base map

    page.get_by_role("button", name="Use my location").click()

    status = page.locator("#map-status")
    expect(status).to_have_text("You are in Hindpool.")
    expect(page.locator("#map")).to_have_attribute("data-found", "HIND")
    latitude, longitude = map(float, page.locator("#map").get_attribute("data-point").split(","))
    assert (latitude, longitude) == (54.1051, -3.2449)  # the point is drawn where the phone is
    save_artefact(page, "find-by-location-phone")
    status.get_by_role("link", name="Hindpool").click()
    page.wait_for_url("**/your-area/cumbria/HIND/")


def test_without_a_postcode_file_the_resident_is_told_and_can_still_use_the_map(phone_at_hindpool, live_server, barrow):
    page = phone_at_hindpool
    page.goto(f"{live_server.url}/your-area/")
    expect(page.get_by_test_id("no-postcodes")).to_contain_text("no postcode file has been loaded")
    page.wait_for_selector("#map[data-loaded='true']")
    page.evaluate("hubMap.fire('click', {latlng: L.latLng(54.105, -3.235)})")
    expect(page.locator("#map-status")).to_have_text("That place is in Central.")


def test_a_keyboard_user_places_the_point_with_the_arrow_keys_and_enter(page, live_server, barrow):
    page.goto(f"{live_server.url}/your-area/")
    page.wait_for_selector("#map[data-loaded='true']")
    page.evaluate("hubMap.setView([54.105, -3.245], 15, {animate: false})")
    page.locator("#map").focus()
    outline = page.evaluate("getComputedStyle(document.getElementById('map')).outlineColor")
    assert outline == "rgb(255, 221, 0)"  # GOV.UK's focus yellow
    page.keyboard.press("Enter")
    expect(page.locator("#map-status")).to_have_text("That place is in Hindpool.")

    for _ in range(3):  # 80 px a press, about 220 m at this zoom: the cross in the middle moves east into Central
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(350)  # each pan is animated
    assert -3.24 < page.evaluate("hubMap.getCenter().lng") < -3.23
    page.keyboard.press("Enter")
    expect(page.locator("#map-status")).to_have_text("That place is in Central.")
