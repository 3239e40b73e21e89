"""The demo's officers are named on the public pages, and seeding again changes nothing."""
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from organisations.models import AuditEvent, Membership, OrganisationKind
from geo.models import Neighbourhood
from publication.models import PublicProfile

pytestmark = pytest.mark.django_db


def seed(lsoa_wheel):
    call_command("seed_demo", "--lsoa-source", str(lsoa_wheel), "--allow-without-debug", stdout=open("/dev/null", "w"))


def test_the_demo_constable_and_inspector_are_on_the_public_pages_and_seeding_again_changes_nothing(lsoa_wheel, client):
    seed(lsoa_wheel)
    seed(lsoa_wheel)
    assert sorted(PublicProfile.objects.filter(published=True).values_list("user__username", "display_name")) == [
        ("manager", "Inspector Alex Morgan"), ("officer", "PC Priya Shah"),
    ]
    assert AuditEvent.objects.filter(action="publication.profile_saved").count() == 2  # once each: the second seed wrote nothing
    team = Membership.objects.get(user__username="officer", organisation__kind=OrganisationKind.NEIGHBOURHOOD_TEAM).organisation
    place = Neighbourhood.objects.select_related("force_area").get(team=team)
    page = client.get(reverse("publication:area", args=[place.force_area.code, place.code])).content.decode()
    assert "PC Priya Shah" in page and "Police Constable" in page
    people = json.loads(client.get(reverse("publication:api-force-people", args=[place.force_area.code])).content)
    assert "Inspector Alex Morgan" in [person["name"] for person in people]
