"""A partner's day on a phone: from the home page to the keys about to expire (renewed, one replaced), to what was
shared with the organisation, and through a file of concerns to what it created, placed and near-duplicated."""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partners.api_keys import api_key_issue
from partners.imports.services import concern_import_check, concern_import_commit
from partners.models import Concern, ConcernImportJob, ImportJobStatus, PartnerApiKey
from sharing_protocols.shares import record_share
from tests.browser.conftest import save_artefact
from tests.browser.test_home_on_a_phone import fits_the_screen, sign_in
from tests.browser.test_lists_in_browser import open_from_menu
from tests.browser.test_every_page_on_a_phone_and_with_axe import BLOCKING, axe_violations
from tests.factories import ForceAreaFactory, NeighbourhoodFactory, PriorityFactory, square
from tests.jobs.conftest import redis_server  # noqa: F401 (fixture: the import's jobs go to a Redis of this test's own)
from tests.partners.imports.conftest import csv_bytes, rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_page(browser):
    """A phone, as tests/browser/conftest.py's, letting axe-core's script in past the hub's content security policy."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB", bypass_csp=True)
    yield context.new_page()
    context.close()


def accessible(page) -> bool:
    """Fits a phone and axe-core finds no serious or critical violation (as the every-page walk checks its pages)."""
    blocking = [violation for violation in axe_violations(page) if violation["impact"] in BLOCKING]
    assert not blocking, blocking
    return fits_the_screen(page)


def test_a_partner_renews_a_key_about_to_expire_and_replaces_an_expired_one(phone_page, live_server, partner_user, council):
    soon, _ = api_key_issue(organisation=council, name="Council case management system", acting_user=partner_user)
    gone, _ = api_key_issue(organisation=council, name="Old reporting tool", acting_user=partner_user)
    PartnerApiKey.objects.filter(pk=soon.pk).update(expires_at=timezone.now() + timedelta(days=12))
    PartnerApiKey.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - timedelta(days=1))
    page = phone_page
    sign_in(page, live_server, "sam-council")
    page.get_by_role("link", name="API keys that expire within 30 days, or have just expired").click()
    expect(page.locator(f"#key-{soon.pk}-expires")).to_contain_text("Expires soon")
    expect(page.locator(f"#key-{gone.pk}-expires")).to_contain_text("Expired")
    save_artefact(page, "partner-keys-expiring-phone")
    assert accessible(page)
    page.get_by_role("link", name=f"Renew the key for Council case management system starting {soon.prefix}").click()
    assert accessible(page)
    page.get_by_role("button", name="Renew this key").click()
    expect(page.get_by_text("is renewed: it now works until")).to_be_visible()
    expect(page.locator(f"#key-{soon.pk}-expires")).not_to_contain_text("Expires soon")
    page.get_by_role("link", name=f"Replace the key for Old reporting tool starting {gone.prefix}").click()
    page.get_by_role("button", name="Make a new key in its place").click()
    expect(page.get_by_role("heading", name="Copy your new API key")).to_be_visible()
    assert page.locator("#api-key").inner_text().count(".") == 1
    assert fits_the_screen(page)
    assert PartnerApiKey.objects.filter(organisation=council, name="Old reporting tool").count() == 2


def test_a_partner_opens_what_was_shared_with_their_organisation(phone_page, live_server, partner_user, council, team, officer):
    priority = PriorityFactory(organisation=team, issue="Speeding on Walney Road.")
    record_share(record=priority, organisation=council, reason="Joint traffic survey with the council",
                 expires_at=timezone.now() + timedelta(days=20), includes_personal_data=False, acting_user=officer)
    page = phone_page
    sign_in(page, live_server, "sam-council")
    page.get_by_role("link", name="Records and protocols shared with your organisation since you last looked").click()
    expect(page.get_by_role("heading", name="Shared with your organisation")).to_be_visible()
    expect(page.locator("#shared-records")).to_contain_text("Joint traffic survey with the council")
    expect(page.locator("#shared-records")).to_contain_text("New")
    save_artefact(page, "partner-shared-with-us-phone")
    assert accessible(page)
    page.locator("#shared-records").get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server.url}/priorities/{priority.pk}/")
    # Looked at: the home page no longer counts it.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Records and protocols shared with your organisation since you last looked")).to_have_count(0)


def test_a_partner_imports_a_file_and_sees_each_concern_placed_at_once(phone_page, live_server, partner_user, council, force, team,
                                                                     settings, tmp_path, redis_server):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    area = ForceAreaFactory(force=force, code="cumbria", name="Cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    NeighbourhoodFactory(force_area=area, code="HIND", name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.05))
    upload = tmp_path / "weekly-concerns.csv"
    upload.write_bytes(csv_bytes(rows(3)))
    page = phone_page
    sign_in(page, live_server, "sam-council")
    open_from_menu(page, "Concern imports")
    page.get_by_role("link", name="Upload a file of concerns").click()
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check the file").click()
    expect(page.locator("#import-status")).to_be_visible()
    job = ConcernImportJob.objects.get()
    concern_import_check(job_id=job.pk)  # as the Celery task does
    page.reload()
    page.get_by_role("button", name="Confirm import").click()
    concern_import_commit(job_id=job.pk)
    page.goto(f"{live_server.url}/partners/imports/{job.pk}/")
    assert ConcernImportJob.objects.get().status == ImportJobStatus.IMPORTED
    expect(page.locator("#import-created-count")).to_have_text("3 concerns created")
    for concern in Concern.objects.filter(import_job=job):
        expect(page.locator("#import-created")).to_contain_text(concern.reference)
    expect(page.locator("#import-created")).to_contain_text("Hindpool")
    save_artefact(page, "partner-import-result-phone")
    assert accessible(page)
    page.get_by_role("link", name="See the concerns this file created in your concerns list").click()
    expect(page.locator("#concern-table tbody tr")).to_have_count(3)
