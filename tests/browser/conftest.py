"""Playwright driving Debian's Chromium (/usr/bin/chromium): no browser download."""
import os
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

CHROMIUM = os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium")
ARTEFACTS = PROJECT_ROOT / "test-artefacts"
# Flags that keep Chromium from calling out to Google's services on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/hub test installs Debian's chromium package.")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the
    # test body are still synchronous and safe.
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


def save_artefact(page, name: str) -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_until_true(page, expression: str, timeout_ms: int = 10_000) -> None:
    """Wait until a script expression is true on the page.

    Playwright's wait_for_function turns a string into a function with eval inside the page, which the
    hub's Content-Security-Policy refuses (no 'unsafe-eval'); page.evaluate goes through the
    DevTools protocol, which the policy does not govern.
    """
    waited = 0
    while not page.evaluate(expression):
        if waited >= timeout_ms:
            raise AssertionError(f"Still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(50)
        waited += 50
