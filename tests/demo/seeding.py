"""Seeding the demo in a test, and what must not change when it is seeded again."""
from django.core.management import call_command
from django.db.models import Count

from geo.models import DemographicProfile, Neighbourhood, SmallArea
from crm.models import Engagement, Priority
from organisations.models import Membership, Organisation, User
from publication.models import Screening


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
        "priorities": sorted(Priority.objects.annotate(actions_count=Count("actions")).values_list(
            "neighbourhood__code", "category__slug", "status", "outcome", "actions_count")),
        "screenings": sorted(Screening.objects.values_list("subject", "status")),
        "engagement_titles": sorted(Engagement.objects.values_list("title", flat=True)),
    }
