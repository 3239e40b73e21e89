"""The pages work under the Content-Security-Policy: Chromium reports no violation on the main pages (Leaflet maps,
our scripts, GOV.UK Frontend), and the policy does refuse an inline script, so a page that needed one would show here."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import save_artefact, wait_until_true
from tests.browser.test_map_in_browser import barrow_neighbourhoods, sign_in  # noqa: F401 (fixture)
from tests.browser.test_public_pages_in_browser import public_neighbourhood  # noqa: F401 (fixture)
from tests.publication.conftest import central, force_area, hindpool, opted_in_officer  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation the page meets, as Chromium reports it to the page (the console says the same in words).
COLLECT_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched_page(page):
    """A page that records CSP violations and console errors from the first script on."""
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.console_errors = console_errors
    return page


def assert_no_violation(page):
    violations = page.evaluate("window.cspViolations")
    refusals = [text for text in page.console_errors if "Content Security Policy" in text]
    assert violations == [] and refusals == [], (violations, refusals)


def test_every_page_carries_the_policy(client, db):
    policy = client.get("/accounts/login/").headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_policy_refuses_an_inline_script(watched_page, live_server):
    watched_page.goto(f"{live_server.url}/accounts/login/")
    watched_page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true;";
        document.body.append(script);
    }""")
    wait_until_true(watched_page, "window.cspViolations.length > 0")
    assert watched_page.evaluate("window.inlineRan") is None
    assert any(v.startswith("script-src") for v in watched_page.evaluate("window.cspViolations"))


def test_the_map_page_works_under_the_policy(watched_page, live_server, officer, barrow_neighbourhoods):  # noqa: F811
    sign_in(watched_page, live_server)
    watched_page.wait_for_selector("#map[data-loaded='true']")
    assert watched_page.locator("#map-status").inner_text().startswith("2 neighbourhoods shown.")
    assert watched_page.evaluate("document.body.classList.contains('govuk-frontend-supported')")  # js-enabled.js ran
    assert_no_violation(watched_page)


def test_logging_an_engagement_works_under_the_policy(watched_page, live_server, officer, barrow_neighbourhoods):  # noqa: F811
    sign_in(watched_page, live_server)
    watched_page.wait_for_selector("#map[data-loaded='true']")
    watched_page.goto(f"{live_server.url}/engagements/log/")
    wait_until_true(watched_page, "window.hubLocationMap !== undefined")
    watched_page.evaluate("hubLocationMap.fire('click', {latlng: L.latLng(54.105, -3.245)})")
    expect(watched_page.locator("#location-status")).to_contain_text("Location set")
    save_artefact(watched_page, "csp-log-engagement")
    assert_no_violation(watched_page)


def test_the_public_neighbourhood_page_works_under_the_policy(watched_page, live_server, public_neighbourhood):  # noqa: F811
    watched_page.goto(f"{live_server.url}/your-area/cumbria/HIND/")
    expect(watched_page.get_by_role("heading", name="Hindpool", level=1)).to_be_visible()
    assert watched_page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert_no_violation(watched_page)
