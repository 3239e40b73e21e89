"""Seeding the demo its own way, from an empty database: at a scale, over a wider area, and the refusals.
What the seeded demo holds is in test_the_seeded_demo.py (seeded once for its module)."""
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from organisations.models import Membership, Organisation, OrganisationKind, User
from geo.models import Neighbourhood, SmallArea
from tests.demo.seeding import seed

pytestmark = pytest.mark.django_db


def test_scale_adds_that_many_bulk_records_and_replaces_them_on_a_rerun(lsoa_wheel):
    from partners.models import Concern

    seed(lsoa_wheel, "--scale", "2500")
    assert User.objects.filter(username__startswith="demo-bulk-").count() == 2500
    assert Membership.objects.filter(user__username__startswith="demo-bulk-").count() == 2500
    concerns = Concern.objects.count()
    assert concerns >= 250  # the demo's own concerns: a scale adds people, not concerns
    seed(lsoa_wheel, "--scale", "1000")
    assert User.objects.filter(username__startswith="demo-bulk-").count() == 1000
    assert Concern.objects.count() == concerns


def test_a_wider_area_takes_barrow_and_the_nearest_lsoas_and_a_smaller_seed_after_it_leaves_only_the_smaller_force(lsoa_wheel):
    from geo.demo import choose_lsoas, read_lsoas

    lsoas = read_lsoas(lsoa_wheel)
    barrow = {l.code for l in lsoas if l.name.startswith("Barrow-in-Furness ")}
    chosen = choose_lsoas(lsoas, place="Barrow-in-Furness", count=80)
    assert len(chosen) == 80
    assert barrow <= {l.code for l in chosen}
    # Nothing left out is nearer Barrow's centre than the farthest one taken.
    centre = (sum(l.longitude for l in lsoas if l.code in barrow) / 49, sum(l.latitude for l in lsoas if l.code in barrow) / 49)
    import math

    def distance(l):
        return math.hypot((l.longitude - centre[0]) * math.cos(math.radians(centre[1])), l.latitude - centre[1])

    farthest_taken = max(distance(l) for l in chosen)
    chosen_codes = {l.code for l in chosen}
    assert min(distance(l) for l in lsoas if l.code not in chosen_codes) >= farthest_taken

    seed(lsoa_wheel, "--lsoas", "80")
    assert SmallArea.objects.count() == 80
    assert Neighbourhood.objects.count() > 10

    # A smaller seed after the wider one leaves only the smaller force (the same wider seed serves both checks).
    seed(lsoa_wheel)
    assert SmallArea.objects.count() == 49
    assert Neighbourhood.objects.count() == 10
    active_teams = Organisation.objects.filter(kind=OrganisationKind.NEIGHBOURHOOD_TEAM, is_active=True)
    assert active_teams.count() == 10
    assert not SmallArea.objects.filter(neighbourhood__isnull=True).exists()


@override_settings(DEBUG=False)
def test_it_refuses_to_seed_a_live_system(lsoa_wheel):
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", "--lsoa-source", str(lsoa_wheel))
    assert not User.objects.exists()


def test_an_unknown_place_is_refused(lsoa_wheel):
    with pytest.raises(CommandError, match="No LSOA is named after 'Atlantis'"):
        seed(lsoa_wheel, "--place", "Atlantis")
