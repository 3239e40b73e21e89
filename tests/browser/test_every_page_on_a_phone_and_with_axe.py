"""Every main page, for every role, on a 390 px phone and a desktop: nothing wider than the screen, and axe-core
(from npm, run inside Chromium) finds no serious or critical accessibility violation. Runs on the demo data, so
the pages hold realistic tables, maps and forms. The totals are written to test-artefacts/axe-totals.json."""
import json

import pytest
from django.conf import settings
from django.core.management import call_command

from crm.demo import DEMO_LOGINS
from tests.browser.conftest import ARTEFACTS
from tests.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE_WIDTH = 390
BLOCKING = ("serious", "critical")
# What people must never read: codes instead of labels, Django's empty choice, words said twice.
WORDING_PROBLEMS = r"""() => {
    const problems = [];
    const text = document.querySelector('main') ? document.querySelector('main').innerText : '';
    for (const code of ['limited_a_lot', 'limited_a_little', 'not_disabled']) {
        if (text.includes(code)) { problems.push('shows the code ' + code); }
    }
    // A cell that is nothing but a stored code ("white"), not an ordinary word in a sentence ("the other side").
    if (Array.from(document.querySelectorAll('main th, main td')).some(c => /^(asian|black|mixed|white|other)$/.test(c.innerText.trim()))) {
        problems.push('shows an ethnic-group code in lower case');
    }
    document.querySelectorAll('option').forEach(o => { if (o.textContent.includes('-----')) { problems.push('a dropdown offers ' + o.textContent); } });
    const doubled = text.match(/\b(\w[\w ]{2,40}) (?:\/ )?\1\b/);
    if (doubled && !/^\d/.test(doubled[1])) { problems.push('says twice: ' + doubled[0]); }
    document.querySelectorAll('main ol').forEach(list => {
        if (list.children.length === 1 && /^No .* yet\.?$/.test(list.innerText.trim()) && getComputedStyle(list.children[0]).listStyleType !== 'none') {
            problems.push('numbers an empty list: 1. ' + list.innerText.trim());
        }
    });
    return problems;
}"""


@pytest.fixture
def demo(lsoa_wheel):
    call_command("seed_demo", "--lsoa-source", str(lsoa_wheel), "--allow-without-debug", stdout=open("/dev/null", "w"))


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


# Only the rules that can find a serious or critical violation, the ones this test fails on: axe-core (4.x) gives every
# rule one impact and every violation of a rule that impact, so a moderate or minor rule could never fail this test.
# A rule with no impact of its own is run too; rules axe-core leaves off by default stay off.
BLOCKING_RULES = """() => axe._audit.rules
    .filter(rule => rule.enabled !== false && !['minor', 'moderate'].includes(rule.impact))
    .map(rule => rule.id)"""


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    rules = page.evaluate(BLOCKING_RULES)
    # Should a later axe-core keep impacts elsewhere, this fails rather than quietly running too few rules.
    assert "color-contrast" in rules and "image-alt" in rules and "region" not in rules, rules
    result = page.evaluate("""async (rules) => {
        const answer = await axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'rule', values: rules}});
        return answer.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""", rules)
    return result


def next_frame(page) -> None:
    """Wait until the browser has laid the page out and painted it again (after a change of viewport)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def check(page, url: str, found: dict, widths: dict, wording: dict, role: str = "public") -> None:
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    page.goto(url)
    # Its maps drawn (each sets data-loaded once its boundaries are in), rather than waiting for the network to be
    # idle for half a second on every page, which cost this test about half a minute.
    for _ in range(100):
        if not page.evaluate("document.querySelectorAll('[data-boundaries-url]:not([data-loaded])').length"):
            break
        page.wait_for_timeout(50)
    widths[url] = max(widths.get(url, 0), page.evaluate("document.documentElement.scrollWidth"))
    # Keyed by role too: a page every role opens (their home, a shared list) shows each role something different, and
    # one role's findings must not be overwritten by the next role's clean run of the same address.
    if problems := page.evaluate(WORDING_PROBLEMS):
        wording[f"{url} (as {role})"] = problems
    found[(url, f"phone, as {role}")] = axe_violations(page)
    page.set_viewport_size({"width": 1200, "height": 900})
    next_frame(page)
    found[(url, f"desktop, as {role}")] = axe_violations(page)


def public_pages(base: str) -> list[str]:
    from geo.models import Neighbourhood

    place = Neighbourhood.objects.select_related("force_area").order_by("code").first()
    return [f"{base}/your-area/", f"{base}/your-area/{place.force_area.code}/{place.code}/", f"{base}/open-data/", f"{base}/accounts/login/"]


def test_every_main_page_fits_a_phone_and_has_no_serious_accessibility_violation(browser, live_server, demo):
    base = live_server.url
    found, widths, wording, pages_by_role = {}, {}, {}, {}
    # axe-core is injected as a script of the test's own: the hub's Content-Security-Policy (tested on its own in
    # test_content_security_policy_in_browser.py) would rightly refuse it, so these contexts bypass it.
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB",
                                  bypass_csp=True)
    page = context.new_page()
    for url in public_pages(base):
        check(page, url, found, widths, wording)
    context.close()

    for login in DEMO_LOGINS:
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB", bypass_csp=True)
        page = context.new_page()
        sign_in(page, base, login.username)
        links = page.eval_on_selector_all("#navigation a", "links => links.map(a => a.href)")
        pages = [f"{base}/", *[link for link in links if link.startswith(base)]]
        if login.username == "officer":  # and the record pages behind the officer's lists
            for listing in ("/engagements/", "/priorities/", "/neighbourhoods/", "/advisory-groups/"):
                page.goto(base + listing)
                first = page.locator("main table a").first
                if first.count():
                    pages.append(first.evaluate("a => a.href"))
        pages_by_role[login.username] = pages
        for url in pages:
            check(page, url, found, widths, wording, role=login.username)
        context.close()

    blocking = {key: [v for v in violations if v["impact"] in BLOCKING] for key, violations in found.items()}
    totals = {impact: sum(1 for violations in found.values() for v in violations if v["impact"] == impact)
              for impact in ("critical", "serious", "moderate", "minor")}
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "axe-totals.json").write_text(json.dumps({
        "pages_checked": len(widths), "page_views_checked": len(found), "violations_by_impact": totals,
        "rules_run": "the rules whose violations are serious or critical (the moderate and minor ones are not run)",
        "pages_by_role": pages_by_role, "widest": max(widths.values()),
        "violations": {f"{url} ({view})": v for (url, view), v in found.items() if v},
    }, indent=2))

    too_wide = {url: width for url, width in widths.items() if width > PHONE_WIDTH}
    failures = [f"{url} ({view}): {v['impact']} {v['id']}: {v['help']} at {v['targets']}"
                for (url, view), violations in blocking.items() for v in violations]
    assert not too_wide, f"Pages wider than a {PHONE_WIDTH} px phone: {too_wide}"
    assert not wording, f"Wording people should not read: {wording}"
    assert not failures, "Serious or critical accessibility violations:\n" + "\n".join(failures)
