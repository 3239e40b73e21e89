"""A one-off share in Chromium, with the share tables under row-level security: the officer shares a contact
once with the council from the record's page, the council user reads it (names withheld) and sees why, the
officer ends the share from the same page, and the council user gets 404."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import save_artefact
from tests.browser.test_protocol_life_in_browser import sign_in
from tests.factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_record_is_shared_once_read_by_the_recipient_and_ended_by_the_holder(page, live_server, officer, team, council, partner_user):
    contact = ContactFactory(organisation=team, first_name="Zebedee", last_name="Quartermain")
    detail = reverse("crm:contact-detail", args=[contact.pk])

    sign_in(page, live_server, "pc-shah", detail)
    page.get_by_role("link", name="Share this record once").click()
    page.get_by_label("Share with").select_option(label="Westmorland and Furness Council")
    page.get_by_label("Why it is shared").fill("Joint visit with housing on 2 December")
    page.get_by_label("Share until").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text("Shared with Westmorland and Furness Council until")).to_be_visible()
    shared_now = page.locator("li", has_text="Westmorland and Furness Council, until")
    expect(shared_now).to_contain_text("Joint visit with housing on 2 December")
    save_artefact(page, "one-off-share-holder")
    share_page = page.url

    sign_in(page, live_server, "sam-council", detail)
    expect(page.get_by_text("Shared one-off with Westmorland and Furness Council")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Quartermain")  # no personal details were shared
    save_artefact(page, "one-off-share-recipient")

    sign_in(page, live_server, "pc-shah", share_page.removeprefix(live_server.url))
    page.get_by_role("button", name="End this share").click()
    expect(page.get_by_text("The share with Westmorland and Furness Council has ended.")).to_be_visible()
    expect(page.get_by_role("button", name="End this share")).to_have_count(0)

    sign_in(page, live_server, "sam-council", detail)
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
