"""The lists people work with, in Chromium on a phone: an officer opens Contacts, Groups and Advisory groups from the
menu, searches, filters and sorts each; a manager filters their reports; a partner user narrows the files of concerns
their organisation imported to their own. Every list is the same FilterSet pattern (access.filtering)."""
import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.models import AdviceResponse, PoliceSupport
from access.roles import Role
from partners.models import ConcernImportJob, ImportJobStatus
from reports.models import ReportRun, ReportStatus
from tests.browser.conftest import save_artefact
from tests.factories import (
    AdvisoryAdviceFactory, AdvisoryGroupFactory, CommunityGroupFactory, ContactFactory, MembershipFactory, NeighbourhoodFactory,
    OrganisationFactory, PartnerContactFactory, UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str):
    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="What needs you", level=1)).to_be_visible()


def open_from_menu(page, label: str):
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=label, exact=True).click()


def search_and_filter(page):
    page.get_by_text("Search and filter").click()


def rows(page) -> list[str]:
    return [text.strip() for text in page.locator("tbody tr td:first-child a, tbody tr td:nth-child(2) a").all_inner_texts()]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_officer_searches_filters_and_sorts_contacts_groups_and_advisory_groups_on_a_phone(phone_page, live_server, officer, team, force):
    hindpool, walney = NeighbourhoodFactory(name="Hindpool"), NeighbourhoodFactory(name="Walney")
    ContactFactory(organisation=team, first_name="Aisha", last_name="Khan", postcode="LA14 1AB", neighbourhood=hindpool)
    ContactFactory(organisation=team, first_name="Ben", last_name="Adams", postcode="LA14 3XY", neighbourhood=walney,
                   retain_until=timezone.localdate() - datetime.timedelta(days=2))
    CommunityGroupFactory(organisation=team, name="Hindpool lunch club", police_support=PoliceSupport.LIAISON)
    CommunityGroupFactory(organisation=team, name="Walney youth club")
    AdvisoryGroupFactory(organisation=force, name="Youth IAG")
    AdvisoryAdviceFactory(organisation=force, advisory_group=AdvisoryGroupFactory(organisation=force, name="Barrow IAG"),
                          response=AdviceResponse.AWAITING)
    licensing = OrganisationFactory(name="Barrow Licensing Service", slug="barrow-licensing", kind="licensing")
    PartnerContactFactory(organisation=team, partner_organisation=licensing, name="Lena Marsh")
    page = phone_page
    sign_in(page, live_server, "pc-shah")

    open_from_menu(page, "Contacts")
    search_and_filter(page)
    page.get_by_label("Name, email or postcode").fill("la141ab")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Aisha Khan")
    page.get_by_role("link", name="Clear filters").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Keep until").click()  # soonest first
    expect(page.locator("tbody tr").first).to_contain_text("Ben Adams")
    page.get_by_role("link", name="Keep until").click()  # the other way
    expect(page.locator("tbody tr").first).to_contain_text("Aisha Khan")
    assert fits_the_screen(page)
    save_artefact(page, "contacts-sorted-phone")

    open_from_menu(page, "Groups")
    search_and_filter(page)
    page.get_by_label("Police support", exact=True).select_option(label="Regular liaison")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Hindpool lunch club")
    expect(page.get_by_text("Search and filter (filtered)")).to_be_visible()

    open_from_menu(page, "Advisory groups")
    search_and_filter(page)
    page.get_by_label("Only those with advice awaiting a response").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Barrow IAG")
    assert fits_the_screen(page)

    open_from_menu(page, "Contacts")
    page.get_by_role("link", name="partner contacts").click()
    search_and_filter(page)
    page.get_by_label("Agency", exact=True).select_option(label="Barrow Licensing Service")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody")).to_contain_text("Lena Marsh")
    save_artefact(page, "partner-contacts-filtered-phone")


def test_a_manager_filters_their_reports_and_a_partner_user_narrows_imports_to_their_own(phone_page, live_server, force, team, council,
                                                                                          partner_user):
    manager = UserFactory(username="insp-jones", first_name="Alex", last_name="Jones")
    MembershipFactory(user=manager, organisation=team, role=Role.MANAGER, warranted=True)
    for area, status in (("Hindpool and Walney", ReportStatus.DONE), ("Barrow Central", ReportStatus.FAILED)):
        ReportRun.objects.create(requested_by=manager, area_label=area, status=status, period_start=datetime.date(2026, 1, 1),
                                 period_end=datetime.date(2026, 3, 31), parameters_key=area)
    page = phone_page
    sign_in(page, live_server, "insp-jones")
    open_from_menu(page, "Reports")
    search_and_filter(page)
    page.get_by_label("Status", exact=True).select_option(label="Failed")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Barrow Central")
    assert fits_the_screen(page)

    colleague = UserFactory(username="jo-council", first_name="Jo", last_name="Reid")
    MembershipFactory(user=colleague, organisation=council, role=Role.PARTNER_USER)
    for name, user in (("sams-file.csv", partner_user), ("jos-file.csv", colleague)):
        ConcernImportJob.objects.create(organisation=council, created_by=user, original_name=name, file_format="csv", file_size=10,
                                        file_sha256=name.ljust(64, "0")[:64], status=ImportJobStatus.IMPORTED, total_rows=3)
    page.context.clear_cookies()
    sign_in(page, live_server, "sam-council")
    open_from_menu(page, "Concern imports")
    expect(page.locator("tbody tr")).to_have_count(2)
    search_and_filter(page)
    page.get_by_label("Only mine").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("sams-file.csv")
    save_artefact(page, "imports-mine-phone")
