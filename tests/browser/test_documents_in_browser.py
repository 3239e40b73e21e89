"""Information governance asks for a protocol's printable agreement in Chromium: it is made by a real Celery worker
while the page shows its progress, the page moves on by itself when it is ready, and the PDF opens from it."""
import pytest
from playwright.sync_api import expect

from sharing_protocols.services import protocol_send_for_signature
from tests.browser.conftest import save_artefact
from tests.jobs.conftest import worker_thread
from tests.sharing_protocols.test_protocol_sign_off import draft, governance, sign

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_the_printable_agreement_is_made_in_the_background_and_opened_when_ready(page, live_server, force, council, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    force_ig = governance("force-ig", force)
    version = draft(force_ig, force, council)
    protocol_send_for_signature(version=version, acting_user=force_ig, acted_for=force)
    sign(version, force, force_ig, name="Jo Whitfield")

    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill("force-ig")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Sharing protocols").click()
    page.get_by_role("link", name="Furness contacts protocol").click()
    page.get_by_role("link", name="Version 1", exact=True).click()
    page.get_by_role("link", name="Printable agreement (PDF)").click()
    expect(page.locator("#agreement-not-made")).to_contain_text("has not been made yet")  # following the link queued nothing
    page.get_by_role("button", name="Make the printable agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Furness contacts protocol, version 1")
    expect(page.locator("[data-document-label]")).to_have_text("Waiting to start")  # no worker yet: nothing made in the request

    with worker_thread():
        open_link = page.get_by_role("link", name="Open the agreement (PDF)")
        expect(open_link).to_be_visible(timeout=60_000)  # the page polled its status and reloaded itself
    expect(page.locator("[data-document-label]")).to_have_text("Ready")
    save_artefact(page, "agreement-ready")
    pdf = page.request.get(live_server.url + open_link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")

    page.get_by_role("link", name="Notifications").first.click()
    expect(page.locator("main")).to_contain_text("Printable agreement (furness-contacts version 1) is ready to download")
