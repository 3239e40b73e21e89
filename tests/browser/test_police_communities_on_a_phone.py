"""An officer, on a phone, reads which communities talk most negatively and most positively about the police,
and narrows the hot-topics page to posts about the police."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import save_artefact
from tests.digital.conftest import force_area, places  # noqa: F401 (fixtures)
from tests.digital.test_communities import conversations  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_ranks_communities_and_filters_to_the_police_on_a_phone(phone_page, live_server, officer, conversations):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next=/online/")
    page.get_by_label("Username").fill("pc-shah")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hot topics online")

    expect(page.get_by_role("heading", name="Communities talking about the police")).to_be_visible()
    negative = page.get_by_role("table", name="Most negative")
    expect(negative.get_by_role("row").nth(1)).to_contain_text("Barrow Residents Group")
    expect(page.get_by_role("table", name="Most positive")).to_contain_text("facebook.com/BarrowPolice")
    expect(page.locator("#communities-folded")).to_contain_text("never named")
    expect(page.locator("body")).not_to_contain_text("jane.example.99")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_artefact(page, "police-communities-phone")

    page.get_by_label("About the police only").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#police-only-shown")).to_contain_text("only posts about the police")
    expect(page.get_by_label("About the police only")).to_be_checked()
    expect(page.locator("#sites")).to_contain_text("24")
    assert "police=1" in page.url

    page.get_by_label("Show a neighbourhood").select_option(label="Roose")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hot topics online: Roose")
    expect(page.get_by_label("About the police only")).to_be_checked()
    save_artefact(page, "police-filter-neighbourhood-phone")
