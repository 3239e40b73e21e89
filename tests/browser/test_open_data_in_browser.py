"""A member of the public reads the open data in a real browser: the latest release, what the tables hold, how the
figures protect people and what that means for them, and a file that downloads."""
import pytest
from playwright.sync_api import expect

from crm.models import IssueCategory
from publication.models import Release, ReleaseTrigger
from publication.releases import build
from tests.factories import ConcernFactory
from tests.publication.conftest import central, force_area, hindpool  # noqa: F401 (fixtures)
from tests.publication.test_releases import collated, last_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def released(settings, tmp_path, hindpool, council):
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    settings.OPEN_DATA_ROUNDING_BASE, settings.OPEN_DATA_QUARTERS = 5, 2
    category, _ = IssueCategory.objects.get_or_create(slug="fly-tipping", defaults={"name": "Fly-tipping"})
    for _ in range(12):
        ConcernFactory(organisation=council, category=category, neighbourhood=hindpool, reported_at=last_quarter())
    collated()
    return build(Release.objects.create(version=1, trigger=ReleaseTrigger.SCHEDULE))


def test_the_public_read_how_the_open_data_protects_people_and_download_a_table(page, live_server, released):
    page.goto(f"{live_server.url}/open-data/")
    expect(page.get_by_role("heading", name="How the figures protect people, and what that means for you")).to_be_visible()
    page.get_by_role("link", name="Latest release (version 1)").click()
    page.wait_for_url("**/open-data/releases/1/")
    expect(page.get_by_text("a 0 means fewer than 5, possibly none")).to_be_visible()
    expect(page.get_by_text("a quarter's figures never change")).to_be_visible()
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    expect(page.locator("#release-changes")).to_contain_text("The first release.")
    link = page.get_by_role("link", name="Concerns reported by partners, by category, neighbourhood and quarter").first
    response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.ok and response.headers["content-type"] == "text/csv"
    rows = response.text().splitlines()
    assert rows[0].startswith("quarter,category,category_name,force,neighbourhood") and any(",HIND," in row for row in rows[1:])
