"""An officer's work on priorities through the pages on a phone: agree a priority from an issue a meeting raised (the
form comes prefilled), record what was done, correct its wording, withdraw it with a reason; the history keeps each."""
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.models import Priority, PriorityAction, PriorityStatus
from tests.browser.test_home_on_a_phone import fits_the_screen, hindpool, sign_in  # noqa: F401 (hindpool: a fixture)
from tests.factories import EngagementFactory, EngagementIssueFactory, issue_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_agrees_a_priority_from_an_issue_then_records_edits_and_withdraws_an_action(phone_page, live_server, officer, team,
                                                                                             hindpool):  # noqa: F811
    meeting = EngagementFactory(organisation=team, neighbourhood=hindpool, kind="pact_meeting", title="Hindpool PACT meeting")
    EngagementIssueFactory(engagement=meeting, description="Cars racing on the Strand at night", category=issue_category("speeding"))
    page = phone_page
    sign_in(page, live_server, "pc-shah")

    page.goto(f"{live_server.url}/engagements/{meeting.pk}/")
    page.get_by_role("link", name=re.compile(r"Agree a priority from this issue\s*: Speeding")).click()
    wording = page.get_by_label("The priority, in words fit to publish")
    expect(wording).to_have_value("Cars racing on the Strand at night")  # prefilled from the issue
    assert fits_the_screen(page)
    wording.fill("Cars racing on the Strand at night: speed checks and a road safety day.")
    page.get_by_role("button", name="Agree priority").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Speeding")
    expect(page.get_by_text("Cars racing on the Strand at night: speed checks and a road safety day.")).to_be_visible()
    priority = Priority.objects.get()
    assert priority.neighbourhood == hindpool and priority.agreed_at == meeting and priority.status == PriorityStatus.AGREED

    page.get_by_role("link", name="Record an action").click()
    page.get_by_label("What was done, in words fit to publish").fill("Speed checks on six evenings.")
    page.get_by_label("Action date").fill(timezone.localdate().isoformat())
    page.get_by_role("combobox", name="Status").select_option("done")
    page.get_by_role("button", name="Record action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Speeding")  # back on the priority's page
    expect(page.get_by_text("Speed checks on six evenings.")).to_be_visible()
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.IN_PROGRESS  # the first action moved it on
    action = PriorityAction.objects.get()

    when = f"{action.action_date:%-d %B %Y}"
    page.get_by_role("link", name=re.compile(rf"Edit\s*the action of {when}")).click()
    page.get_by_label("What was done, in words fit to publish").fill("Speed checks on eight evenings, with the council.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Speeding")
    expect(page.get_by_text("Speed checks on eight evenings, with the council.")).to_be_visible()

    page.get_by_role("link", name=re.compile(rf"Withdraw\s*the action of {when}")).click()
    page.get_by_label("Why is this action withdrawn?").fill("Recorded against the wrong priority.")
    page.get_by_role("button", name="Withdraw action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Speeding")
    expect(page.get_by_text("Recorded against the wrong priority.")).to_be_visible()
    assert fits_the_screen(page)
    action.refresh_from_db()
    assert action.withdrawn_at is not None and action.action == "Speed checks on eight evenings, with the council."
    assert action.withdrawn_at.date() == timezone.localdate()
