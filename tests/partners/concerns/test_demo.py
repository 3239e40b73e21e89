"""Demo concerns for Barrow-in-Furness, and the bulk seeder the benchmarks use."""
import pytest
from django.db import connection

from crm.demo import PARTNERS
from organisations.models import AuditEvent, OrganisationKind
from crm.models import IssueCategory
from partners.demo import HEARD, seed_bulk_concerns, seed_demo_concerns
from partners.models import Concern
from tests.factories import ForceAreaFactory, OrganisationFactory, square

pytestmark = pytest.mark.django_db


def history_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM partners_concernevent")
        return cursor.fetchone()[0]


@pytest.fixture
def barrow():
    return ForceAreaFactory(boundary=square(west=-3.30, south=54.05, size=0.2))


@pytest.fixture
def demo_partners():
    kinds = {slug: kind for slug, _, kind in PARTNERS}
    return [OrganisationFactory(slug=slug, name=slug.replace("-", " ").title(), kind=kinds[slug]) for slug in HEARD]


def test_demo_concerns_come_from_five_partners_with_clusters_and_audit_records(barrow, demo_partners):
    created = seed_demo_concerns(within=barrow.boundary)
    assert 250 <= created <= 320
    assert set(Concern.objects.values_list("organisation__slug", flat=True)) == set(HEARD)
    assert AuditEvent.objects.filter(action="concern.reported").count() == created
    # Some concerns are deliberately the same thing heard by different partners, metres apart.
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FROM partners_concern a JOIN partners_concern b
              ON a.id < b.id AND a.category_id = b.category_id AND a.organisation_id <> b.organisation_id
             AND ST_DWithin(a.location_bng, b.location_bng, 50) AND abs(extract(epoch FROM a.occurred_at - b.occurred_at)) < 3 * 86400
        """)
        assert cursor.fetchone()[0] >= 5


def test_seeding_demo_concerns_twice_gives_the_same_number(barrow, demo_partners):
    first = seed_demo_concerns(within=barrow.boundary)
    second = seed_demo_concerns(within=barrow.boundary)
    assert first == second == Concern.objects.count()


def test_bulk_concerns_are_written_inside_the_area_across_the_organisations_and_replace_earlier_ones(barrow):
    organisations = [OrganisationFactory(kind=OrganisationKind.COUNCIL) for _ in range(40)]
    categories = list(IssueCategory.objects.filter(is_active=True))
    assert seed_bulk_concerns(count=2000, organisations=organisations, categories=categories, within=barrow.boundary) == 2000
    assert seed_bulk_concerns(count=1500, organisations=organisations, categories=categories, within=barrow.boundary) == 1500
    assert Concern.objects.count() == 1500
    assert Concern.objects.filter(location__within=barrow.boundary).count() == 1500
    assert Concern.objects.values("organisation").distinct().count() == 40
    assert Concern.objects.filter(location_bng__isnull=True).count() == 0
    # Not real reports: no history row each (that would double the time).
    assert history_rows() == 0


def test_bulk_seeding_keeps_concerns_that_were_really_reported(barrow, demo_partners):
    seed_demo_concerns(within=barrow.boundary)
    real = Concern.objects.count()
    seed_bulk_concerns(count=100, organisations=demo_partners, categories=IssueCategory.objects.all(), within=barrow.boundary)
    seed_bulk_concerns(count=0, organisations=demo_partners, categories=IssueCategory.objects.all(), within=barrow.boundary)
    assert Concern.objects.count() == real
