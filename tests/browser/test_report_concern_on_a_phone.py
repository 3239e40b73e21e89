"""A partner user reports a concern on a phone-sized screen by typing its coordinates."""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import Concern
from tests.browser.conftest import save_artefact
from organisations.models import OrganisationKind
from tests.factories import ConcernFactory, ForceAreaFactory, NeighbourhoodFactory, OrganisationFactory, point, square
from tests.partners.concerns.conftest import share_concerns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def barrow(force):
    area = ForceAreaFactory(force=force, code="cumbria", name="Cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    return NeighbourhoodFactory(force_area=area, code="HIND", name="Hindpool", boundary=square(west=-3.25, south=54.10, size=0.05))


def sign_in(page, live_server, next_url: str):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill("sam-council")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_partner_user_reports_a_concern_on_a_phone_by_typing_coordinates(phone_page, live_server, partner_user, council, barrow):
    # Reported yesterday a few metres away by a housing association sharing its concerns with the council: a
    # near-duplicate the new concern is checked against at once (near-duplicates come from another partner).
    housing = OrganisationFactory(name="Furness Housing Services", slug="furness-housing", kind=OrganisationKind.HOUSING)
    share_concerns(provider=housing, recipient=council, acting_user=partner_user)
    earlier = ConcernFactory(organisation=housing, place="Dalton Road back lane", reported_at=timezone.now() - timedelta(days=1),
                             location=point(-3.2271, 54.1151))
    page = phone_page
    sign_in(page, live_server, "/partners/concerns/report/")
    expect(page.get_by_role("heading", name="Report a concern", level=1)).to_be_visible()
    assert fits_the_screen(page)

    page.get_by_label("What is it about?").select_option(label="Fly-tipping")
    # Swapped first, as people often type them: the error summary names the field.
    page.get_by_label("Latitude").fill("-3.2270")
    page.get_by_label("Longitude").fill("54.1150")
    page.get_by_label("Place description").fill("Back lane behind Dalton Road")
    page.get_by_label("Phone call").check()
    page.get_by_label("What were you told?").fill("Six black bags and a mattress dumped overnight.")
    page.get_by_label("Name (optional)").fill("Margaret Holt")
    page.get_by_role("button", name="Report concern").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("look swapped")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_latitude")
    save_artefact(page, "report-concern-phone-error")
    assert list(Concern.objects.values_list("pk", flat=True)) == [earlier.pk]

    page.get_by_label("Latitude").fill("54.1150")
    page.get_by_label("Longitude").fill("-3.2270")
    expect(page.get_by_label("Place description")).to_have_value("Back lane behind Dalton Road")
    page.get_by_role("button", name="Report concern").click()

    concern = Concern.objects.exclude(pk=earlier.pk).get()
    # Placed and checked at once: the reference, the neighbourhood and the near-duplicate, before any collation runs.
    expect(page.get_by_text(f"Concern recorded, reference {concern.reference}: Fly-tipping at Back lane behind Dalton Road, "
                            "placed in Hindpool.")).to_be_visible()
    expect(page.locator("#concern-reference")).to_have_text(concern.reference)
    expect(page.locator("#concern-summary")).to_contain_text("Hindpool")
    expect(page.locator("#near-duplicates")).to_contain_text("Dalton Road back lane, reported by Furness Housing Services")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fly-tipping at Back lane behind Dalton Road")
    expect(page.locator("#classification-marking")).to_contain_text("OFFICIAL")
    expect(page.locator("#reporter-name")).to_contain_text("Margaret Holt")
    page.wait_for_selector("#concern-map[data-loaded='true']")
    assert fits_the_screen(page)
    save_artefact(page, "report-concern-phone-detail")
    assert (round(concern.location.y, 4), round(concern.location.x, 4)) == (54.115, -3.227)

    page.get_by_role("link", name="All concerns").click()
    expect(page.locator("#concern-table")).to_contain_text("Back lane behind Dalton Road")
    save_artefact(page, "report-concern-phone-list")


def test_a_tap_on_the_map_fills_in_the_coordinates(phone_page, live_server, partner_user, barrow):
    page = phone_page
    sign_in(page, live_server, "/partners/concerns/report/")
    page.wait_for_selector("#location-map[data-loaded='true']")
    page.evaluate("hubLocationMap.fire('click', {latlng: L.latLng(54.1108, -3.2261)})")
    expect(page.get_by_label("Latitude")).to_have_value("54.110800")
    expect(page.get_by_label("Longitude")).to_have_value("-3.226100")
