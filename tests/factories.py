"""Factories for the hub's records. Geometry helpers build squares around Barrow-in-Furness."""
import factory
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from organisations.models import Membership, Organisation, OrganisationKind, User
from access.roles import Role
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


# The CRM's records. Each belongs to an organisation; pass organisation= to choose whose.
import datetime as _dt  # noqa: E402

from django.utils import timezone as _tz  # noqa: E402

from crm.models import (  # noqa: E402
    AdvisoryAdvice, AdvisoryGroup, AdvisoryGroupKind, AdvisoryMembership, CommunityGroup, CommunityGroupKind, Contact,
    DoorstepVisit, Engagement, EngagementIssue, EngagementKind, EngagementStatus, IssueCategory, LawfulBasis, PartnerContact,
    Priority, PriorityAction, Questionnaire, QuestionnaireQuestion, QuestionKind, UnderRepresentedGroup, VenueKind, VisitOutcome,
)


def under_represented(slug: str) -> UnderRepresentedGroup:
    """A seeded under-represented group (the data migration seeds them), e.g. 'deaf-bsl'."""
    return UnderRepresentedGroup.objects.get(slug=slug)


def issue_category(slug: str) -> IssueCategory:
    """A seeded issue category, e.g. 'anti-social-behaviour'."""
    return IssueCategory.objects.get(slug=slug)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(ForceFactory)
    first_name = factory.Sequence(lambda n: f"Resident{n}")
    last_name = "Smith"
    email = factory.LazyAttribute(lambda c: f"{c.first_name.lower()}@example.org")
    lawful_basis = LawfulBasis.PUBLIC_TASK
    retain_until = factory.LazyFunction(lambda: _tz.localdate() + _dt.timedelta(days=365))


class PartnerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerContact

    organisation = factory.SubFactory(ForceFactory)
    partner_organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.LICENSING)
    name = factory.Sequence(lambda n: f"Partner Person {n}")
    role = "Licensing officer"
    topics = factory.LazyFunction(lambda: ["licensing"])
    email = factory.Sequence(lambda n: f"partner{n}@council.example.org")


class CommunityGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityGroup

    organisation = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Community group {n}")
    kind = CommunityGroupKind.RESIDENTS


class AdvisoryGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisoryGroup

    organisation = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Advisory group {n}")
    kind = AdvisoryGroupKind.IAG


class AdvisoryMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisoryMembership

    advisory_group = factory.SubFactory(AdvisoryGroupFactory)
    contact = factory.SubFactory(ContactFactory, organisation=factory.SelfAttribute("..advisory_group.organisation"))
    joined_on = factory.LazyFunction(lambda: _tz.localdate() - _dt.timedelta(days=100))


class EngagementFactory(factory.django.DjangoModelFactory):
    """A beat meeting held last week at Barrow town hall."""

    class Meta:
        model = Engagement

    organisation = factory.SubFactory(ForceFactory)
    kind = EngagementKind.BEAT_MEETING
    title = factory.Sequence(lambda n: f"Beat meeting {n}")
    status = EngagementStatus.HELD
    starts_at = factory.LazyFunction(lambda: _tz.now() - _dt.timedelta(days=7))
    location = factory.LazyFunction(lambda: point(*BARROW))
    venue_kind = VenueKind.COMMUNITY_CENTRE
    turnout = 12


class EngagementIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementIssue

    engagement = factory.SubFactory(EngagementFactory)
    category = factory.LazyFunction(lambda: issue_category("anti-social-behaviour"))
    description = "Youths gathering by the shops"


class AdvisoryAdviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisoryAdvice

    organisation = factory.SelfAttribute("advisory_group.organisation")
    advisory_group = factory.SubFactory(AdvisoryGroupFactory)
    policy = "Stop and search"
    advice = "Publish monthly figures by ethnicity."
    given_on = factory.LazyFunction(lambda: _tz.localdate() - _dt.timedelta(days=30))


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    organisation = factory.SubFactory(ForceFactory)
    name = "StreetSafe questionnaire"


class QuestionnaireQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionnaireQuestion

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    text = "Do you feel safe in your street after dark?"
    kind = QuestionKind.YES_NO


class DoorstepVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoorstepVisit

    engagement = factory.SubFactory(EngagementFactory, kind=EngagementKind.DOOR_TO_DOOR)
    address = factory.Sequence(lambda n: f"{n + 1} Abbey Road")
    outcome = VisitOutcome.SPOKEN_TO


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    organisation = factory.SubFactory(ForceFactory)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    category = factory.LazyFunction(lambda: issue_category("anti-social-behaviour"))
    issue = "Anti-social behaviour around the precinct in the evenings."
    issue_date = factory.LazyFunction(lambda: _tz.localdate() - _dt.timedelta(days=20))


class PriorityActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityAction

    priority = factory.SubFactory(PriorityFactory)
    action = "Extra evening patrols and a dispersal order."
    action_date = factory.LazyFunction(lambda: _tz.localdate() - _dt.timedelta(days=5))


# --- Partner concerns -----------------------------------------------------------------------------------------------

from partners.models import Concern, ConcernChannel  # noqa: E402


class ConcernFactory(factory.django.DjangoModelFactory):
    """A concern reported by a partner agency, in Barrow-in-Furness unless told otherwise."""

    class Meta:
        model = Concern

    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.COUNCIL)
    category = factory.LazyFunction(lambda: issue_category("fly-tipping"))
    location = factory.LazyFunction(lambda: point(-3.2270, 54.1150))
    place = "Rear of Market Street"
    occurred_at = factory.LazyFunction(lambda: _tz.now() - _dt.timedelta(days=1))
    reported_at = factory.LazyFunction(_tz.now)
    channel = ConcernChannel.PHONE
    description = factory.Sequence(lambda n: f"Bags of rubbish dumped behind the shops, report {n}.")
    fingerprint = factory.Sequence(lambda n: f"{n:064x}")


from partners.responses.models import ConcernResponse  # noqa: E402


class ConcernResponseFactory(factory.django.DjangoModelFactory):
    """The police's answer to a partner's concern: taken into a priority, owned by the priority's team."""

    class Meta:
        model = ConcernResponse

    concern = factory.SubFactory(ConcernFactory)
    priority = factory.SubFactory(PriorityFactory)
    concern_organisation = factory.SelfAttribute("concern.organisation")
    organisation = factory.SelfAttribute("priority.organisation")
