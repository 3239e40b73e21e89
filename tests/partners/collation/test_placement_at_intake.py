"""A concern is placed in its neighbourhood and small area, and checked for near-duplicates, in the
transaction that saves it: from the web form, from an import's commit and from Open311 alike."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from partners.collation.services import collation_run, concerns_place_at_intake
from partners.imports.services import concern_import_check, concern_import_commit, concern_import_confirm, concern_import_start
from partners.models import Concern, ConcernLink, ConcernStatus
from partners.services import concern_report
from tests.factories import MembershipFactory, UserFactory, issue_category, point
from tests.partners.collation.conftest import HINDPOOL_POINT, concern, metres_north
from tests.partners.imports.conftest import csv_bytes, rows

pytestmark = pytest.mark.django_db


def reported(organisation, user=None, *, at=HINDPOOL_POINT, **fields):
    when = timezone.now() - timezone.timedelta(hours=2)
    new = Concern(category=issue_category("fly-tipping"), location=point(*at) if isinstance(at, tuple) else at, place="Abbey Road",
                  occurred_at=when, channel="phone", description=fields.pop("description", "Mattresses dumped by the garages."), **fields)
    return concern_report(concern=new, acting_user=user, organisation=organisation)[0]


def test_a_concern_reported_is_placed_in_its_neighbourhood_and_lsoa_at_once(council, hindpool, hindpool_lsoa):
    saved = reported(council, at=(-3.230, 54.115))
    assert (saved.neighbourhood, saved.lsoa) == (hindpool, hindpool_lsoa)
    stored = Concern.objects.get()
    assert (stored.neighbourhood_id, stored.lsoa_id, stored.status) == (hindpool.pk, hindpool_lsoa.pk, ConcernStatus.NEW)


def test_a_concern_outside_any_lsoa_is_placed_in_its_neighbourhood_alone(council, hindpool, hindpool_lsoa):
    saved = reported(council, at=(-3.245, 54.145))
    assert (saved.neighbourhood, saved.lsoa) == (hindpool, None)


def test_a_near_duplicate_from_another_partner_is_linked_at_once(council, fire_service, hindpool):
    first = concern(fire_service, category=issue_category("fly-tipping"), days_ago=0.5)
    concerns_place_at_intake(concern_ids=[first.pk])
    second = reported(council, at=metres_north(HINDPOOL_POINT, 40))
    link = ConcernLink.objects.get()
    assert {link.first_id, link.second_id} == {first.pk, second.pk} and link.found_by is None
    assert 35 < link.distance_metres < 45


def test_the_reporter_sees_the_reference_the_neighbourhood_and_near_duplicates_straight_away(
        client, council, fire_service, hindpool, concerns_shared, officer):
    first = concern(fire_service, category=issue_category("fly-tipping"), days_ago=0.5, place="Behind the garages")
    concerns_place_at_intake(concern_ids=[first.pk])
    client.force_login(officer)
    # The officer reads both (shared under the protocol): the partner's new concern shows its twin.
    second = reported(council, at=metres_north(HINDPOOL_POINT, 40))
    page = client.get(reverse("partners:concern-detail", args=[second.pk])).content.decode()
    assert second.reference in page and "Hindpool" in page and "Behind the garages" in page


def test_the_report_form_says_the_reference_and_where_it_was_placed(client, council, hindpool):
    user = UserFactory(username="council-reporter")
    MembershipFactory(user=user, organisation=council, role=Role.PARTNER_USER)
    client.force_login(user)
    when = (timezone.localtime() - timezone.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("partners:concern-report"), {
        "organisation": council.pk, "category": issue_category("fly-tipping").pk, "latitude": "54.1150", "longitude": "-3.2270",
        "place": "Abbey Road", "occurred_at": when, "channel": "phone", "description": "Sofa dumped by the garages.",
        "classification": "official",
    }, follow=True)
    page = response.content.decode()
    saved = Concern.objects.get()
    assert f"Concern recorded, reference {saved.reference}" in page and "placed in Hindpool" in page
    # Closing is a secondary link to its own page, not a button under the concern just reported.
    assert "govuk-button--warning" not in page and reverse("partners:concern-close", args=[saved.pk]) in page


def test_moving_a_concern_places_it_again_at_once(council, hindpool, ormsgill, partner_user):
    from partners.services_concerns import concern_update

    saved = reported(council, partner_user)
    assert saved.neighbourhood == hindpool
    saved.location = point(-3.27, 54.12)
    moved = concern_update(concern=saved, acting_user=partner_user)
    assert moved.neighbourhood == ormsgill


def test_an_imports_commit_places_its_rows_and_links_them(partner_user, council, fire_service, hindpool, hindpool_lsoa, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    twin = concern(fire_service, category=issue_category("fly-tipping"), days_ago=1)
    job = concern_import_start(upload=SimpleUploadedFile("concerns.csv", csv_bytes(rows(3, latitude="54.1150", longitude="-3.2270"))),
                               acting_user=partner_user)
    concern_import_check(job_id=job.pk)
    job.refresh_from_db()
    concern_import_confirm(job=job, acting_user=partner_user)
    concern_import_commit(job_id=job.pk)
    imported = Concern.objects.filter(import_job=job)
    assert imported.count() == 3 and not imported.filter(neighbourhood__isnull=True).exists()
    assert set(imported.values_list("neighbourhood_id", flat=True)) == {hindpool.pk}
    assert ConcernLink.objects.filter(first=twin).count() == 3  # each imported row is near the fire service's


def test_the_daily_collation_still_writes_digests_with_the_links_found_at_intake(council, fire_service, hindpool, concerns_shared):
    # The digest counts what the team may see: both partners' concerns flow to it (concerns_shared).
    first = concern(fire_service, category=issue_category("fly-tipping"), days_ago=0.5)
    concerns_place_at_intake(concern_ids=[first.pk])
    reported(council, at=metres_north(HINDPOOL_POINT, 40))
    run = collation_run(period_end=timezone.localdate())
    digest = run.digests.get(neighbourhood=hindpool)
    assert digest.content["new_total"] == 2 and digest.content["links"] == 1
