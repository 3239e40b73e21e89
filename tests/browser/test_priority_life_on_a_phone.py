"""A priority's life through the pages on a phone: an officer resolves it with an outcome, and the partner whose
concern it took in is told, in the hub's notifications, and reads what came of it."""
import pytest
from playwright.sync_api import expect

from crm.models import PriorityStatus
from notifications.models import Delivery, Kind, Preference
from tests.browser.conftest import save_artefact
from tests.browser.test_home_on_a_phone import fits_the_screen, hindpool, sign_in  # noqa: F401 (hindpool: a fixture)
from tests.factories import ConcernFactory, ConcernResponseFactory, PriorityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_resolves_a_priority_and_the_partner_reads_what_came_of_their_concern(phone_page, live_server, officer, partner_user,
                                                                                          council, team, hindpool):  # noqa: F811
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool, issue="Fly-tipping behind Market Street.")
    concern = ConcernFactory(organisation=council, neighbourhood=hindpool, place="Rear of Market Street")
    ConcernResponseFactory(concern=concern, priority=priority)
    page = phone_page
    sign_in(page, live_server, "pc-shah")
    page.goto(f"{live_server.url}/priorities/{priority.pk}/")
    page.get_by_role("link", name="Change status").click()
    page.get_by_label("Resolved").check()
    page.get_by_label("What came of it, in words fit to publish").fill("The council cleared the alley and fitted a locked gate.")
    page.get_by_role("button", name="Save status").click()
    expect(page.get_by_text("The priority is now resolved.")).to_be_visible()
    assert fits_the_screen(page)
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.RESOLVED

    page.context.clear_cookies()
    sign_in(page, live_server, "sam-council")
    # The partner's home page counts what came of their concerns; the item opens the unread notifications.
    page.get_by_role("link", name="What came of your organisation's concerns (the police's outcomes)").click()
    expect(page.get_by_role("heading", name=f"What came of your concern {concern.reference}")).to_be_visible()
    save_artefact(page, "partner-notification-outcome-phone")
    page.get_by_role("button", name=f"What came of your concern {concern.reference}").click()  # "Open: …"
    expect(page.locator("#concern-reference")).to_have_text(concern.reference)
    assert fits_the_screen(page)

    # The partner chooses a daily digest for this kind of notification instead of an email at once.
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="Choose what is emailed to you").click()
    page.get_by_role("group", name=Kind.CONCERN_OUTCOME.label).get_by_label("Email me a daily digest").check()
    page.get_by_role("button", name="Save choices").click()
    expect(page.get_by_text("Your email choices are saved.")).to_be_visible()
    assert fits_the_screen(page)
    assert Preference.objects.get(user=partner_user, kind=Kind.CONCERN_OUTCOME).delivery == Delivery.DAILY
