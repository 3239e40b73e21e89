"""Factories for the hub's records. Geometry helpers build squares around Barrow-in-Furness."""
import factory
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from crm.models import Membership, Organisation, OrganisationKind, Role, User
from geo.models import DemographicProfile, ForceArea, Neighbourhood, SmallArea, SmallAreaKind

BARROW = (-3.2261, 54.1108)  # longitude, latitude of Barrow town hall


def square(*, west: float, south: float, size: float = 0.01) -> MultiPolygon:
    """A square of `size` degrees whose south-west corner is (west, south), in WGS84."""
    ring = ((west, south), (west + size, south), (west + size, south + size), (west, south + size), (west, south))
    return MultiPolygon(Polygon(ring, srid=4326), srid=4326)


def point(longitude: float, latitude: float) -> Point:
    return Point(longitude, latitude, srid=4326)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = OrganisationKind.COUNCIL


class ForceFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Constabulary {n}")
    slug = factory.Sequence(lambda n: f"constabulary-{n}")
    kind = OrganisationKind.POLICE_FORCE


class TeamFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Neighbourhood team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    kind = OrganisationKind.NEIGHBOURHOOD_TEAM
    parent = factory.SubFactory(ForceFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(ForceFactory)
    role = Role.OFFICER


class ForceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForceArea

    force = factory.SubFactory(ForceFactory)
    code = factory.Sequence(lambda n: f"force-{n}")
    name = factory.LazyAttribute(lambda f: f.force.name)
    boundary = factory.LazyFunction(lambda: square(west=-3.30, south=54.05, size=0.2))


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    force_area = factory.SubFactory(ForceAreaFactory)
    code = factory.Sequence(lambda n: f"N{n}")
    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    boundary = factory.LazyFunction(lambda: square(west=-3.24, south=54.10))


class SmallAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmallArea

    kind = SmallAreaKind.LSOA
    code = factory.Sequence(lambda n: f"E01{900000 + n:06d}")
    name = factory.Sequence(lambda n: f"Demo 001{chr(65 + n % 26)}")
    boundary = factory.LazyFunction(lambda: square(west=-3.24, south=54.10, size=0.005))


class DemographicProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DemographicProfile

    area = factory.SubFactory(SmallAreaFactory)
    source = "Test profile"
    population_by_age_band = factory.LazyFunction(lambda: {"0-15": 200, "16-24": 100, "25-44": 300, "45-64": 250, "65-74": 100, "75+": 50})
    ethnicity = factory.LazyFunction(lambda: {"asian": 20, "black": 10, "mixed": 20, "white": 940, "other": 10})
    disability = factory.LazyFunction(lambda: {"limited_a_lot": 100, "limited_a_little": 150, "not_disabled": 750})
    main_language = factory.LazyFunction(lambda: {"English": 950, "Polish": 20})
    bsl_users = 3
