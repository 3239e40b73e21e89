"""A person signs in with a real browser and sees the neighbourhood map."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import save_artefact
from tests.factories import NeighbourhoodFactory, square

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def barrow_neighbourhoods(force):
    first = NeighbourhoodFactory(code="HIND", name="Hindpool", boundary=square(west=-3.25, south=54.10))
    NeighbourhoodFactory(code="CENT", name="Central", boundary=square(west=-3.24, south=54.10), force_area=first.force_area)


def sign_in(page, live_server, username="pc-shah"):
    page.goto(f"{live_server.url}/accounts/login/?next=/map/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_signs_in_and_sees_the_neighbourhoods_on_the_map(page, live_server, officer, barrow_neighbourhoods):
    sign_in(page, live_server)
    page.wait_for_selector("#map[data-loaded='true']")
    expect(page.get_by_role("heading", name="Neighbourhood map")).to_be_visible()
    assert page.locator("#map-status").inner_text().startswith("2 neighbourhoods shown.")
    assert sorted(page.locator("#map .hub-map-label").all_inner_texts()) == ["Central", "Hindpool"]  # names on the map
    expect(page.get_by_test_id("no-base-map")).to_be_visible()
    assert page.locator("#map .leaflet-control-scale-line").count() == 1
    outlines = page.locator("#map path[data-neighbourhood]")
    assert sorted(outlines.evaluate_all("paths => paths.map(p => p.getAttribute('data-neighbourhood'))")) == ["CENT", "HIND"]
    assert page.locator("#map .leaflet-tile").count() == 0  # no tile server needed
    save_artefact(page, "map-signed-in")


def test_tapping_the_map_names_the_neighbourhood(phone_page, live_server, officer, barrow_neighbourhoods):
    sign_in(phone_page, live_server)
    phone_page.wait_for_selector("#map[data-loaded='true']")
    phone_page.evaluate("hubMap.fire('click', {latlng: L.latLng(54.105, -3.245)})")
    expect(phone_page.locator("#map-status")).to_have_text("That place is in Hindpool.")
    save_artefact(phone_page, "map-phone-locate")


def test_the_map_is_not_shown_before_signing_in(page, live_server, barrow_neighbourhoods):
    page.goto(f"{live_server.url}/map/")
    expect(page.get_by_role("heading", name="Sign in to the Engagement Hub")).to_be_visible()


def test_a_hostile_neighbourhood_name_is_shown_as_text_and_never_run(page, live_server, officer):
    hostile = '<img src=x onerror="window.pwned=1">'
    NeighbourhoodFactory(code="EVIL", name=hostile, boundary=square(west=-3.25, south=54.10))
    sign_in(page, live_server)
    page.wait_for_selector("#map[data-loaded='true']")
    page.locator("#map path[data-neighbourhood='EVIL']").click(force=True)
    page.wait_for_selector(".leaflet-popup-content")
    assert hostile in page.locator(".leaflet-popup-content a").inner_text()
    assert page.evaluate("window.pwned") is None
    assert page.locator(".leaflet-popup-content img").count() == 0
