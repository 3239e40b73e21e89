"""On a phone: an officer of the concern's neighbourhood team closes a partner's concern without a priority, saying
what the police did; the partner sees it on their home page (what came of their concerns) and on the concern."""
import pytest
from playwright.sync_api import expect

from partners.models import ConcernStatus
from partners.responses.models import ConcernResponse, ConcernResponseKind
from tests.browser.conftest import save_artefact
from tests.browser.test_home_on_a_phone import fits_the_screen, hindpool, sign_in  # noqa: F401 (hindpool: a fixture)
from tests.factories import ConcernFactory
from tests.partners.concerns.conftest import share_concerns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTCOME = "Passed to the council's housing team: a landlord matter."


def test_an_officer_closes_a_concern_with_an_outcome_and_the_partner_sees_it(phone_page, live_server, officer, partner_user, council,
                                                                             force, team, hindpool):  # noqa: F811
    share_concerns(provider=council, recipient=force, acting_user=officer)
    concern = ConcernFactory(organisation=council, neighbourhood=hindpool, place="Rear of Market Street", status=ConcernStatus.COLLATED)
    page = phone_page
    sign_in(page, live_server, "pc-shah")
    page.goto(f"{live_server.url}/partners/concerns/{concern.pk}/")
    page.locator("#police-actions").get_by_role("link", name="Close without a priority").click()
    page.get_by_label("What did the police do?").fill(OUTCOME)
    assert fits_the_screen(page)
    page.get_by_role("button", name="Close the concern with this outcome").click()
    expect(page.get_by_text(f"Concern {concern.reference} closed by the police.")).to_be_visible()
    expect(page.locator("#concern-status")).to_have_text("Closed by the police")
    assert ConcernResponse.objects.filter(concern=concern, organisation=team, kind=ConcernResponseKind.CLOSED_BY_POLICE).exists()

    page.context.clear_cookies()
    sign_in(page, live_server, "sam-council")
    moved = page.get_by_role("link", name="Your organisation's concerns the police took into a priority or closed since you last looked")
    expect(page.locator("#concerns-moved-count")).to_have_text("1")
    save_artefact(page, "home-partner-police-closed-phone")
    moved.click()
    row = page.locator("#concern-table tr", has_text="Rear of Market Street")
    expect(row).to_contain_text("Closed by the police")
    row.get_by_role("link").first.click()
    expect(page.locator("#concern-status")).to_have_text("Closed by the police")
    expect(page.locator("#police-outcome")).to_have_text(OUTCOME)
    expect(page.locator("#police-actions")).to_have_count(0)
    assert fits_the_screen(page)
