"""An officer takes a partner's concern into a PACT priority from the concern's page, and the partner sees it taken:
on its list (the status column and its filter) and on the concern's page."""
import pytest
from playwright.sync_api import expect

from partners.models import ConcernStatus
from partners.responses.models import ConcernResponse
from tests.browser.test_home_on_a_phone import hindpool, sign_in  # noqa: F401 (hindpool: a fixture)
from tests.factories import ConcernFactory
from tests.partners.concerns.conftest import share_concerns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_takes_a_concern_into_a_priority_and_the_partner_sees_it_taken(page, live_server, officer, partner_user, council,
                                                                                  force, team, hindpool):  # noqa: F811
    share_concerns(provider=council, recipient=team, acting_user=officer)
    concern = ConcernFactory(organisation=council, neighbourhood=hindpool, place="Rear of Market Street", status=ConcernStatus.COLLATED)
    sign_in(page, live_server, "pc-shah")
    page.goto(f"{live_server.url}/partners/concerns/{concern.pk}/")
    page.get_by_role("link", name="Agree a priority from this concern").click()
    expect(page.locator(f"#concern-{concern.pk}")).to_be_checked()
    page.get_by_label("The priority, in words fit to publish").fill("Fly-tipping behind Market Street.")
    page.get_by_role("button", name="Take into a PACT priority").click()
    expect(page.get_by_text("1 concern taken into a new priority for Hindpool.")).to_be_visible()
    assert ConcernResponse.objects.filter(concern=concern, organisation=team).exists()

    page.context.clear_cookies()
    sign_in(page, live_server, "sam-council")
    page.goto(f"{live_server.url}/partners/concerns/?status=taken_into_priority")
    row = page.locator("#concern-table tr", has_text="Rear of Market Street")
    expect(row).to_contain_text("Taken into a priority")
    row.get_by_role("link").first.click()
    expect(page.locator("#concern-status")).to_have_text("Taken into a priority")
    expect(page.locator("#concern-priority")).to_contain_text("Taken into a priority (agreed)")
