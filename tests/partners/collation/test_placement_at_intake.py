"""A concern is placed in its neighbourhood and small area, and checked for near-duplicates, in the
transaction that saves it: from the web form, from an import's commit and from Open311 alike."""
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from organisations.models import AuditEvent
from access.roles import Role
from partners.collation.services import collation_run, concerns_place_at_intake
from partners.imports.services import concern_import_check, concern_import_commit, concern_import_confirm, concern_import_start
from partners.models import Concern, ConcernLink, ConcernStatus
from partners.services import concern_report
from tests.factories import MembershipFactory, UserFactory, issue_category, point
from tests.partners.collation.conftest import HINDPOOL_POINT, concern, metres_north
from tests.partners.imports.conftest import csv_bytes, row, rows

ConcernEvent = apps.get_model("partners", "ConcernEvent")

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


def imported(partner_user, data: list[dict]):
    """Upload, check, confirm and commit a file of rows as `partner_user`; the job."""
    job = concern_import_start(upload=SimpleUploadedFile("concerns.csv", csv_bytes(data)), acting_user=partner_user)
    concern_import_check(job_id=job.pk)
    job.refresh_from_db()
    concern_import_confirm(job=job, acting_user=partner_user)
    concern_import_commit(job_id=job.pk)
    job.refresh_from_db()
    return job


# In Hindpool's LSOA, on the LSOA's edge, in Hindpool outside it, in Ormsgill, on the edge Hindpool and Ormsgill
# share, and inside the force area but outside every neighbourhood.
PLACES = [(-3.230, 54.115), (-3.235, 54.115), (-3.210, 54.140), (-3.280, 54.120), (-3.250, 54.120), (-3.100, 54.300)]


def test_an_imports_rows_are_placed_by_the_same_rules_as_the_collations(
        partner_user, council, fire_service, hindpool, ormsgill, hindpool_lsoa, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = imported(partner_user, [row(description=f"Report {n}", longitude=str(x), latitude=str(y)) for n, (x, y) in enumerate(PLACES)])
    assert job.created_count == len(PLACES)
    for x, y in PLACES:
        concern(fire_service, at=(x, y))
    collation_run(period_end=timezone.localdate())

    def placed(organisation):
        return {(round(c.location.x, 3), round(c.location.y, 3)): (c.neighbourhood_id, c.lsoa_id)
                for c in Concern.objects.filter(organisation=organisation)}

    by_import, by_collation = placed(council), placed(fire_service)
    assert by_import[(-3.230, 54.115)] == (hindpool.pk, hindpool_lsoa.pk)
    assert by_import[(-3.210, 54.140)] == (hindpool.pk, None)
    assert by_import[(-3.100, 54.300)] == (None, None)  # no neighbourhood holds it: left for the collation to try again
    # A point on an edge is in both areas: each takes one of them, as the collation does.
    assert by_import[(-3.235, 54.115)] in {(hindpool.pk, hindpool_lsoa.pk), (hindpool.pk, None)}
    assert by_import[(-3.250, 54.120)][0] in {hindpool.pk, ormsgill.pk}
    edges = {(-3.235, 54.115), (-3.250, 54.120)}
    assert {p: v for p, v in by_import.items() if p not in edges} == {p: v for p, v in by_collation.items() if p not in edges}


def test_an_imported_concern_is_written_once_already_placed(partner_user, council, hindpool, hindpool_lsoa, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = imported(partner_user, rows(2, latitude="54.1150", longitude="-3.2300"))
    events = ConcernEvent.objects.filter(pgh_obj__import_job=job)
    # One history event per row, the insert, already holding the place: no second event for placing it.
    assert sorted(events.values_list("pgh_label", "neighbourhood_id", "lsoa_id")) == [("insert", hindpool.pk, hindpool_lsoa.pk)] * 2
    audit = AuditEvent.objects.get(action="concerns.imported")
    assert (audit.details["placed"], audit.details["unplaced"]) == (2, 0)


def test_rows_already_held_are_not_linked_again(partner_user, council, fire_service, hindpool, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    twin = concern(fire_service, category=issue_category("fly-tipping"), days_ago=1)
    first = imported(partner_user, rows(2, latitude="54.1150", longitude="-3.2270"))
    assert ConcernLink.objects.filter(first=twin).count() == 2
    # The same rows again and one new one: only the new one is written, and linked.
    second = imported(partner_user, rows(3, latitude="54.1150", longitude="-3.2270"))
    assert (second.created_count, second.already_held_count) == (1, 2)
    new = Concern.objects.get(import_job=second)
    assert set(ConcernLink.objects.values_list("second_id", flat=True)) == set(
        Concern.objects.filter(import_job__in=[first, second]).values_list("pk", flat=True))
    assert ConcernLink.objects.filter(second=new, first=twin).exists()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # every link's concerns were written: nothing waits to fail at the commit
