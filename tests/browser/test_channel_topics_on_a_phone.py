"""An officer on a phone asks for the topics in issues raised and concerns, watches the analysis run on a real
Celery worker, reads the channels side by side and opens the engagements behind a topic."""
import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from engagement_hub.celery import app
from tests.digital.test_text_topics import SCRAMBLERS, raise_issues, report_concerns, texts
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_an_officer_reads_topics_in_issues_raised_and_concerns_on_a_phone(phone_page, live_server, officer, force, team, council):
    raise_issues(team, texts(SCRAMBLERS, 14, 26, seed=31))
    publish_protocol(provider=council, recipient=force, categories=("concerns",), personal=True)
    report_concerns(council, texts(SCRAMBLERS, 12, 28, seed=32))
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next=/online/")
    page.get_by_label("Username").fill("pc-shah")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#channel-issues")).to_contain_text("Not analysed yet")

    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        page.get_by_role("button", name="Find topics in issues raised and concerns again").click()
        expect(page.locator("#text-analysis-progress")).to_be_visible()
        for _ in range(120):
            if page.locator("#channel-issues ol li").count():
                break
            page.wait_for_timeout(500)
            page.reload()
    expect(page.locator("#channel-concerns ol li").first).to_be_visible()
    expect(page.locator("#channel-issues").get_by_role("img")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#channel-issues ol li a").first.click()
    expect(page.locator("#text-topic-words")).to_be_visible()
    expect(page.locator("#text-topic-members li a").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#text-topic-members li a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Beat meeting")
