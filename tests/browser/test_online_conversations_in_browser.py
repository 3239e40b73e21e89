"""An officer imports a monitoring tool's export on a phone, confirms it, and reads the hot topics."""
import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from digital.demo import labelled_posts
from engagement_hub.celery import app
from tests.browser.conftest import save_artefact
from tests.digital.conftest import boxes, force_area, places  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def monitoring_export(posts) -> str:
    lines = ["Mentions export", "Date range: last ten weeks", "", "Mention,Date,Author,URL,Site,Location"]
    for post in posts:
        text = post["text"].replace('"', "'")
        lines.append(f'"{text}",{post["time"][:19].replace("T", " ")},{post["author"]},{post["url"]},{post["site"].split(":")[0]},{post["place"]}')
    return "\n".join(lines) + "\n"


def test_an_officer_imports_conversations_and_reads_the_hot_topics_on_a_phone(phone_page, live_server, officer, places, tmp_path):
    export = tmp_path / "mentions.csv"
    export.write_text(monitoring_export(labelled_posts(150, boxes(places), seed=21)), encoding="utf-8")
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next=/online/")
    page.get_by_label("Username").fill("pc-shah")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hot topics online")
    page.get_by_role("link", name="Import online conversations").first.click()

    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        page.get_by_label("Export of posts").set_input_files(str(export))
        page.get_by_label("Media-monitoring CSV").check()
        page.get_by_label("Law enforcement purposes").check()
        page.get_by_role("textbox", name="Purpose").fill("Understanding local concerns before PACT meetings")
        page.get_by_role("button", name="Upload and check the file").click()
        for _ in range(60):
            if page.locator("#import-status").inner_text() == "Checked: ready to import":
                break
            page.wait_for_timeout(500)
            page.reload()
        page.get_by_role("button", name="Confirm import").click()
        for _ in range(60):
            if "Placed in a neighbourhood" in page.locator("#import-kept").inner_text():
                break
            page.wait_for_timeout(500)
            page.reload()
        expect(page.locator("#import-kept")).to_contain_text("Added: 150.")
        page.wait_for_timeout(3000)  # the analysis follows the import on the same worker
        page.get_by_role("link", name="Hot topics").click()
        for _ in range(40):
            if page.locator("#topics").count():
                break
            page.wait_for_timeout(500)
            page.reload()
    expect(page.locator("#topics")).to_be_visible()
    expect(page.get_by_role("img", name="Posts each week and their average tone")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_artefact(page, "online-conversations-phone")
    page.locator("#topics a").first.click()
    expect(page.get_by_role("heading", name="Why these posts go together")).to_be_visible()


def test_a_resident_sends_a_question_before_a_meeting_on_a_phone(phone_page, live_server, team, officer):
    from tests.factories import ForceAreaFactory, NeighbourhoodFactory, square
    from tests.publication.conftest import upcoming_meeting
    from publication.services import screening_pending
    from digital.models import MeetingQuestion

    area = ForceAreaFactory(force=team.parent, code="cumbria", name="Cumbria", boundary=square(west=-3.30, south=54.05, size=0.2))
    hindpool = NeighbourhoodFactory(force_area=area, code="HIND", name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10))
    meeting = upcoming_meeting(hindpool)
    screening_pending()
    page = phone_page
    page.goto(f"{live_server.url}/your-area/cumbria/HIND/")
    page.get_by_role("link", name="Send a question or concern before the meeting").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a question before the meeting")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.wait_for_timeout(3200)  # a person takes a few seconds; a script sending at once is refused
    page.get_by_label("Your question or concern").fill("Can the team look at the off-road bikes on the field behind the school?")
    page.get_by_label("Your email address (optional, for a reply)").fill("resident@example.org")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Send question").click()
    expect(page.get_by_role("heading", name="Question sent")).to_be_visible()
    save_artefact(page, "question-before-meeting-phone")
    assert MeetingQuestion.objects.get().engagement_id == meeting.pk
