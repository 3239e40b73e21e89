"""A partner user on a phone reads the topics in the concerns and issues raised its agency may read, and opens the
concerns behind one."""
import pytest
from playwright.sync_api import expect

from digital.analysis_text import text_analysis_request, text_analysis_run
from row_security.context import viewer_context
from tests.digital.test_text_topics import SCRAMBLERS, report_concerns, texts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_partner_reads_its_topics_in_concerns_on_a_phone(phone_page, live_server, partner_user, council):
    report_concerns(council, texts(SCRAMBLERS, 12, 18, seed=33))
    job, _ = text_analysis_request(organisation=council)
    with viewer_context(council):
        text_analysis_run(analysis_id=job.pk)
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next=/online/text-topics/")
    page.get_by_label("Username").fill(partner_user.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Topics in concerns and issues raised")
    expect(page.locator("#channel-concerns ol li").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#channel-concerns ol li a").first.click()
    expect(page.locator("#text-topic-words")).to_be_visible()
    page.locator("#text-topic-members li a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
