"""A protocol's whole life in Chromium: the force's IG drafts it, both parties sign, it comes into force, a
council user reads the force's record, the force suspends it, the council user gets 404, and the log shows
each step."""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from access.roles import Role
from tests.browser.conftest import save_artefact
from tests.factories import ContactFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def sign_in(page, live_server, username: str, next_url: str = "/"):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def governance(username, organisation):
    user = UserFactory(username=username, first_name=username.split("-")[0].capitalize(), last_name="Lead")
    MembershipFactory(user=user, organisation=organisation, role=Role.INFORMATION_GOVERNANCE)
    return user


def sign_version(page, role: str):
    page.get_by_role("link", name="Sign or decline version 1").click()
    page.get_by_label("Signed", exact=True).check()
    page.get_by_label("Role").fill(role)
    page.get_by_role("button", name="Record my decision").click()


def test_a_protocol_is_drafted_signed_in_force_used_and_suspended(page, live_server, force, team, council, partner_user):
    governance("force-ig", force)
    governance("council-ig", council)
    contact = ContactFactory(organisation=team, first_name="Zebedee", last_name="Quartermain")
    today = timezone.localdate()

    # The force's IG drafts the protocol from the menu; a flow to a non-party is refused, naming the field.
    sign_in(page, live_server, "force-ig")
    page.get_by_role("link", name="Sharing protocols").click()
    page.get_by_role("link", name="Draft a new protocol").click()
    page.get_by_label("Title").fill("Furness contacts protocol")
    page.get_by_label("Reference").fill("furness-contacts")
    for number, (organisation, name, email) in enumerate([("Cumbria Constabulary", "Jo Whitfield", "dpo@police.example"),
                                                          ("Westmorland and Furness Council", "Sam Okafor", "ig@council.example")], 1):
        party = page.get_by_test_id(f"party-{number}")
        party.get_by_label("Organisation").select_option(label=organisation)
        party.get_by_label("Contact name").fill(name)
        party.get_by_label("Contact email").fill(email)
    page.get_by_label("Purpose of the sharing").fill("Tackle anti-social behaviour together.")
    page.get_by_label("UK GDPR article 6 lawful basis").select_option(label="Public task (article 6(1)(e))")
    page.get_by_label("Legal power to share").fill("Section 115 of the Crime and Disorder Act 1998")
    flow = page.get_by_test_id("flow-1")
    flow.get_by_label("Data category").select_option(label="Community contacts")
    flow.get_by_label("From (provider)").select_option(label="Cumbria Constabulary")
    flow.get_by_label("To (recipient)").select_option(label="Hindpool neighbourhood team")
    flow.get_by_label("Clause").fill("4.1")
    page.get_by_label("Retention and deletion").fill("Deleted after 12 months.")
    page.get_by_label("Security").fill("Through the hub only.")
    page.get_by_label("Start date").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Review date").fill((today + timedelta(days=200)).isoformat())
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Data flow 1: the recipient, Hindpool neighbourhood team, is not a party to the protocol")
    save_artefact(page, "protocol-draft-error")
    page.get_by_test_id("flow-1").get_by_label("To (recipient)").select_option(label="Westmorland and Furness Council")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft version 1 saved.")).to_be_visible()

    page.get_by_role("button", name="Send for signature").click()
    expect(page.get_by_text("Version 1 is sent to every party for signature.")).to_be_visible()
    page.get_by_role("link", name="Furness contacts protocol").click()
    expect(page.locator("#protocol-state")).to_contain_text("Awaiting signatures")
    sign_version(page, "Data protection officer")
    expect(page.locator("#protocol-state")).to_contain_text("Awaiting signatures")

    # The council user cannot read the force's record yet.
    sign_in(page, live_server, "sam-council", f"/contacts/{contact.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("not found", ignore_case=True)

    # The council's IG signs: every party has, and the start date has come, so it is in force.
    sign_in(page, live_server, "council-ig")
    page.get_by_role("link", name="Sharing protocols").click()
    page.get_by_role("link", name="Furness contacts protocol").click()
    sign_version(page, "Head of information governance")
    expect(page.locator("#protocol-state")).to_contain_text("Active")
    save_artefact(page, "protocol-in-force")

    # A council user now reads the force's record, and is told why.
    sign_in(page, live_server, "sam-council", f"/contacts/{contact.pk}/")
    expect(page.get_by_test_id("why-visible")).to_contain_text("Furness contacts protocol (version 1), clause 4.1")

    # The force suspends it: access ends at once.
    sign_in(page, live_server, "force-ig")
    page.get_by_role("link", name="Sharing protocols").click()
    page.get_by_role("link", name="Furness contacts protocol").click()
    page.get_by_role("link", name="Suspend or terminate").click()
    page.get_by_label("Suspend it").check()
    page.get_by_label("Reason").fill("Breach under investigation")
    page.get_by_role("button", name="Stop sharing").click()
    expect(page.locator("#protocol-state")).to_contain_text("Suspended")

    sign_in(page, live_server, "sam-council", f"/contacts/{contact.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("not found", ignore_case=True)

    # The log shows each step, and the chain verifies.
    sign_in(page, live_server, "force-ig")
    page.get_by_role("link", name="Disclosure log").click()
    log = page.locator("#disclosure-table")
    for step in ("Draft version 1 started", "Version 1 sent for signature", "Version 1 signed for Cumbria Constabulary",
                 "Version 1 signed for Westmorland and Furness Council", "Version 1 in force", "Viewed on /contacts/",
                 "Suspended: Breach under investigation"):
        expect(log).to_contain_text(step)
    page.get_by_role("button", name="Verify the chain now").click()
    expect(page.locator("#chain-check")).to_contain_text("intact")
    save_artefact(page, "protocol-disclosure-log")
