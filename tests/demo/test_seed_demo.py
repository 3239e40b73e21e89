"""The demo data: a force from Barrow-in-Furness's real LSOAs, reproducible, one login per role."""
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from crm.demo import DEMO_LOGINS
from organisations.models import Membership, Organisation, OrganisationKind, User
from access.roles import Role
from geo.models import DemographicProfile, ForceArea, Neighbourhood, SmallArea
from geo.selectors import neighbourhood_for_point

pytestmark = pytest.mark.django_db


def seed(lsoa_wheel, *extra):
    call_command("seed_demo", "--lsoa-source", str(lsoa_wheel), "--allow-without-debug", *extra, stdout=open("/dev/null", "w"))


def snapshot():
    return {
        "organisations": sorted(Organisation.objects.values_list("slug", flat=True)),
        "users": sorted(User.objects.values_list("username", flat=True)),
        "memberships": Membership.objects.count(),
        "lsoas": sorted(SmallArea.objects.values_list("code", "neighbourhood__code")),
        "neighbourhoods": sorted(Neighbourhood.objects.values_list("code", "name")),
        "profiles": sorted(DemographicProfile.objects.values_list("area__code", "bsl_users")),
    }


def test_barrow_in_furness_becomes_a_force_of_49_lsoas_in_10_neighbourhoods(lsoa_wheel):
    seed(lsoa_wheel)
    assert SmallArea.objects.count() == 49
    assert SmallArea.objects.filter(code="E01019138", name="Barrow-in-Furness 010A").exists()
    assert Neighbourhood.objects.count() == 10
    assert not SmallArea.objects.filter(neighbourhood__isnull=True).exists()
    force_area = ForceArea.objects.get(code="cumbria")
    assert force_area.boundary is not None
    # Barrow town hall lies in one of the seeded neighbourhoods.
    assert neighbourhood_for_point(longitude=-3.2261, latitude=54.1108) is not None
    assert DemographicProfile.objects.count() == 49
    for profile in DemographicProfile.objects.all():
        profile.full_clean()  # every synthetic profile adds up


def test_there_is_one_login_per_role_and_partners_of_every_type(lsoa_wheel):
    seed(lsoa_wheel)
    roles = {login.role for login in DEMO_LOGINS}
    assert roles == set(Role.values)
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.check_password("engagement-hub-demo")
        assert login.role in user.roles
    partner_kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert partner_kinds == set(OrganisationKind.values)
    assert not User.objects.filter(is_superuser=True).exists()


def test_seeding_twice_gives_the_same_data_and_no_new_audit_records(lsoa_wheel):
    # One pair of seeds for both checks: each seed takes seconds, and CI counts them.
    from organisations.models import AuditEvent

    seed(lsoa_wheel)
    first = snapshot()
    organisation_events = AuditEvent.objects.filter(action__startswith="organisation.").count()
    seed(lsoa_wheel)
    assert snapshot() == first
    assert AuditEvent.objects.filter(action__startswith="organisation.").count() == organisation_events


def test_scale_adds_that_many_bulk_records_and_replaces_them_on_a_rerun(lsoa_wheel):
    seed(lsoa_wheel, "--scale", "2500")
    assert User.objects.filter(username__startswith="demo-bulk-").count() == 2500
    assert Membership.objects.filter(user__username__startswith="demo-bulk-").count() == 2500
    seed(lsoa_wheel, "--scale", "1000")
    assert User.objects.filter(username__startswith="demo-bulk-").count() == 1000


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


def test_the_demo_officer_sees_a_working_crm(lsoa_wheel, client):
    from django.urls import reverse

    from crm.models import Engagement

    seed(lsoa_wheel)
    client.force_login(User.objects.get(username="officer"))
    engagements = client.get(reverse("crm:engagement-list")).content.decode()
    assert "Beat meeting" in engagements and "StreetSafe" in engagements
    door_to_door = Engagement.objects.get(title__startswith="StreetSafe")
    assert "Door-to-door visits" in client.get(reverse("crm:engagement-detail", args=[door_to_door.pk])).content.decode()
    neighbourhood = door_to_door.neighbourhood
    assert "Extra evening patrols" in client.get(reverse("crm:you-said-we-did", args=[neighbourhood.pk])).content.decode()
    assert "Furness Independent Advisory Group" in client.get(reverse("crm:advisory-list")).content.decode()
    assert "Recent engagements" in client.get(reverse("geo:neighbourhood", args=[neighbourhood.pk])).content.decode()
