"""Demo concerns for Barrow-in-Furness, and the bulk seeder the benchmarks use.

The demo concerns are seeded once for the module (each seeding reports about 300 concerns through the intake
service, which takes seconds, and CI counts them); every test starts from that seed in a savepoint of its own."""
import pytest
from django.db import connection

from crm.demo import PARTNERS
from organisations.models import AuditEvent, OrganisationKind
from crm.models import IssueCategory
from partners.demo import BULK_FINGERPRINT_PREFIX, DEMO_REFERENCE_PREFIX, HEARD, seed_bulk_concerns, seed_demo_concerns
from partners.models import Concern
from tests.built_once import built_once_per_module
from tests.factories import ForceAreaFactory, OrganisationFactory, square

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def history_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM partners_concernevent")
        return cursor.fetchone()[0]


def seed_barrow_with_its_partners_concerns():
    """Barrow's force area, the five partners who hear concerns, and their demo concerns, seeded once."""
    barrow = ForceAreaFactory(boundary=square(west=-3.30, south=54.05, size=0.2))
    kinds = {slug: kind for slug, _, kind in PARTNERS}
    partners = [OrganisationFactory(slug=slug, name=slug.replace("-", " ").title(), kind=kinds[slug]) for slug in HEARD]
    return {"barrow": barrow, "partners": partners, "created": seed_demo_concerns(within=barrow.boundary)}


seeded = built_once_per_module(seed_barrow_with_its_partners_concerns, name="seeded")


@pytest.fixture
def barrow(seeded):
    return seeded["barrow"]


@pytest.fixture
def demo_partners(seeded):
    return seeded["partners"]


def test_demo_concerns_come_from_five_partners_with_clusters_and_audit_records(seeded):
    created = seeded["created"]
    assert 250 <= created <= 320
    assert Concern.objects.count() == created
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


def test_seeding_demo_concerns_again_replaces_them_and_twice_gives_the_same_number(seeded, barrow):
    # Seeded again over the module's full seed, at a smaller count (the same code, a tenth of the time): the earlier
    # demo concerns are replaced, not added to, and a second run gives the same number again.
    first = seed_demo_concerns(within=barrow.boundary, count=30)
    assert 0 < first < seeded["created"]
    second = seed_demo_concerns(within=barrow.boundary, count=30)
    assert first == second == Concern.objects.count()
    assert Concern.objects.exclude(external_reference__startswith=DEMO_REFERENCE_PREFIX).count() == 0


def test_bulk_concerns_are_written_inside_the_area_across_the_organisations_and_replace_earlier_ones(seeded, barrow):
    organisations = [OrganisationFactory(kind=OrganisationKind.COUNCIL) for _ in range(40)]
    categories = list(IssueCategory.objects.filter(is_active=True))
    history_before = history_rows()
    assert seed_bulk_concerns(count=2000, organisations=organisations, categories=categories, within=barrow.boundary) == 2000
    assert seed_bulk_concerns(count=1500, organisations=organisations, categories=categories, within=barrow.boundary) == 1500
    bulk = Concern.objects.filter(fingerprint__startswith=BULK_FINGERPRINT_PREFIX)
    assert bulk.count() == 1500
    assert Concern.objects.count() == 1500 + seeded["created"]  # the earlier 2,000 replaced; the demo's own kept
    assert bulk.filter(location__within=barrow.boundary).count() == 1500
    assert bulk.values("organisation").distinct().count() == 40
    assert bulk.filter(location_bng__isnull=True).count() == 0
    # Not real reports: no history row each (that would double the time).
    assert history_rows() == history_before


def test_bulk_seeding_keeps_concerns_that_were_really_reported(seeded, demo_partners):
    real = Concern.objects.count()
    assert real == seeded["created"]
    seed_bulk_concerns(count=100, organisations=demo_partners, categories=IssueCategory.objects.all(), within=seeded["barrow"].boundary)
    assert Concern.objects.count() == real + 100
    seed_bulk_concerns(count=0, organisations=demo_partners, categories=IssueCategory.objects.all(), within=seeded["barrow"].boundary)
    assert Concern.objects.count() == real
