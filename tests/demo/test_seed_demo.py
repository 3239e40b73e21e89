"""Seeding the demo refused, from an empty database: on a live system, and for a place with no LSOAs. What the seeded
demo holds, and seeding it again at a scale or over a wider area, is in test_the_seeded_demo.py (seeded once for its
module, each seed taking seconds)."""
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from organisations.models import Organisation, User
from tests.demo.seeding import seed

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_it_refuses_to_seed_a_live_system(lsoa_wheel):
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", "--lsoa-source", str(lsoa_wheel))
    assert not User.objects.exists()


def test_an_unknown_place_is_refused(lsoa_wheel):
    with pytest.raises(CommandError, match="No LSOA is named after 'Atlantis'"):
        seed(lsoa_wheel, "--place", "Atlantis")
    assert not Organisation.objects.exists()
