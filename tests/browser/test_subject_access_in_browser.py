"""Information governance takes a subject access request from the navigation to a package, in Chromium; and sets a
retention schedule, meeting the message for a period of zero."""
import json

import pytest
from playwright.sync_api import expect

from access.roles import Role
from subject_access.models import DataSubjectRequest
from tests.browser.conftest import save_artefact
from tests.jobs.conftest import worker_thread
from tests.factories import ContactFactory, DoorstepVisitFactory, EngagementFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dpo(force):
    user = UserFactory(username="dpo-whitfield", first_name="Jo", last_name="Whitfield")
    MembershipFactory(user=user, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    return user


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("dpo-whitfield")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()


def test_a_subject_access_request_from_search_to_package(page, live_server, dpo, team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ContactFactory(organisation=team, first_name="Ffion", last_name="Harcourt", email="ffion@example.org", phone="01229 404040")
    DoorstepVisitFactory(engagement=EngagementFactory(organisation=team, kind="door_to_door"), address="7 Rawlinson Street",
                         resolved_on_the_spot="Her lodger Mr Bryce asked about parking")
    sign_in(page, live_server)
    page.get_by_role("link", name="Subject access").click()
    page.get_by_role("link", name="Record a request").click()
    page.get_by_label("Subject access").check()
    page.get_by_label("Data Protection Act 2018 Part 3 (law enforcement)").check()
    page.get_by_label("The person's name").fill("Ffion Harcourt")
    page.get_by_label("Their email address").fill("ffion@example.org")
    page.get_by_label("Their postal address").fill("7 Rawlinson Street\nBarrow-in-Furness")
    page.get_by_label("Home addresses or postcodes to search for").fill("7 Rawlinson Street")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_text("recorded: answer by")).to_be_visible()

    page.get_by_role("button", name="Search the hub for this person").click()
    expect(page.get_by_text("2 new record(s) found")).to_be_visible()
    items = page.locator("#items")
    expect(items).to_contain_text("Community contact")
    expect(items).to_contain_text("Door-to-door visit")

    page.locator("#items a").first.click()
    expect(page.locator("#item-fields")).to_contain_text("ffion@example.org")
    page.get_by_label("Include", exact=True).check()
    page.get_by_role("button", name="Save and go to the next record").click()
    expect(page.locator("#item-fields")).to_contain_text("Her lodger Mr Bryce")
    page.get_by_label("Include, with third parties' details redacted").check()
    page.get_by_role("button", name="Save and go to the next record").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose the details that identify someone else")
    page.get_by_label("Include, with third parties' details redacted").check()
    page.get_by_label("Resolved on the spot").check()
    page.get_by_role("button", name="Save and go to the next record").click()
    expect(page.get_by_text("Every record is reviewed.", exact=True)).to_be_visible()

    with worker_thread():  # the package is made by the background worker, never in the request
        page.get_by_role("button", name="Make the package").click()
        expect(page.locator("[data-document-label]")).to_have_text("Ready", timeout=60_000)
    save_artefact(page, "subject-access-package")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the machine-readable JSON").click()
    assert json.loads(open(download.value.path(), encoding="utf-8").read())["records"]
    page.get_by_role("link", name="Back to request").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="machine-readable JSON").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    details = [record["details"] for record in data["records"]]
    assert any(d.get("Email") == "ffion@example.org" for d in details)
    assert not any("Bryce" in json.dumps(d) for d in details)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF with cover letter").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    page.get_by_role("button", name="Mark the request answered").click()
    expect(page.get_by_text("Request completed.")).to_be_visible()
    assert DataSubjectRequest.objects.get().status == "completed"


def test_information_governance_sets_a_retention_schedule_and_meets_the_message_for_zero(page, live_server, dpo):
    sign_in(page, live_server)
    page.get_by_role("link", name="Retention").click()
    page.get_by_role("link", name="Add a schedule").click()
    page.get_by_label("Class of record").select_option(label="Door-to-door visits")
    page.get_by_label("Data Protection Act 2018 Part 3 (law enforcement)").check()
    page.get_by_label("Period (months)").fill("0")
    page.get_by_label("Anonymise").check()
    page.get_by_label("Source").fill("Force policy on doorstep notes")
    page.get_by_role("button", name="Save schedule").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The period must be at least one month")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_period_months")
    page.get_by_label("Period (months)").fill("6")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.locator("#schedules")).to_contain_text("Door-to-door visits")
    expect(page.locator("#schedules")).to_contain_text("6 months")
