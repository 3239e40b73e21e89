"""The seeded demo, seeded once for the module (each seed takes seconds, and CI counts them): what it holds, one login
per role, a working CRM for the demo officer, seeding it again changes nothing, and seeding it again another way (a
wider area, bulk people and concerns) over it. Every test starts from the module's seed in a savepoint of its own.
The refusals, which need an empty database, are in test_seed_demo.py."""
import pytest

from crm.demo import DEMO_LOGINS
from organisations.models import Organisation, OrganisationKind, User
from access.roles import Role
from geo.models import DemographicProfile, ForceArea, Neighbourhood, SmallArea
from geo.selectors import neighbourhood_for_point
from tests.built_once import built_once_per_module
from tests.demo.seeding import seed, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]

seeded_demo = built_once_per_module(seed, name="seeded_demo", uses=("lsoa_wheel",))


def test_barrow_in_furness_becomes_a_force_of_49_lsoas_in_10_neighbourhoods():
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


def test_there_is_one_login_per_role_and_partners_of_every_type():
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
    # The module's seed is the first; one more for both checks (each seed takes seconds, and CI counts them).
    from organisations.models import AuditEvent

    first = snapshot()
    organisation_events = AuditEvent.objects.filter(action__startswith="organisation.").count()
    profiles_saved = AuditEvent.objects.filter(action="publication.profile_saved").count()
    seed(lsoa_wheel)
    assert snapshot() == first
    assert AuditEvent.objects.filter(action__startswith="organisation.").count() == organisation_events
    assert AuditEvent.objects.filter(action="publication.profile_saved").count() == profiles_saved  # no profile saved again


def test_the_demo_constable_and_inspector_are_named_on_the_public_pages(client):
    import json

    from django.urls import reverse

    from organisations.models import AuditEvent, Membership
    from publication.models import PublicProfile

    assert sorted(PublicProfile.objects.filter(published=True).values_list("user__username", "display_name")) == [
        ("manager", "Inspector Alex Morgan"), ("officer", "PC Priya Shah"),
    ]
    assert AuditEvent.objects.filter(action="publication.profile_saved").count() == 2
    team = Membership.objects.get(user__username="officer", organisation__kind=OrganisationKind.NEIGHBOURHOOD_TEAM).organisation
    place = Neighbourhood.objects.select_related("force_area").get(team=team)
    page = client.get(reverse("publication:area", args=[place.force_area.code, place.code])).content.decode()
    assert "PC Priya Shah" in page and "Police Constable" in page
    people = json.loads(client.get(reverse("publication:api-force-people", args=[place.force_area.code])).content)
    assert "Inspector Alex Morgan" in [person["name"] for person in people]


def test_the_demo_officer_sees_a_working_crm(client):
    from django.urls import reverse

    from crm.models import Engagement

    client.force_login(User.objects.get(username="officer"))
    engagements = client.get(reverse("crm:engagement-list")).content.decode()
    assert "Beat meeting" in engagements and "StreetSafe" in engagements
    door_to_door = Engagement.objects.get(title__startswith="StreetSafe")
    assert "Door-to-door visits" in client.get(reverse("crm:engagement-detail", args=[door_to_door.pk])).content.decode()
    neighbourhood = door_to_door.neighbourhood
    assert "Extra evening patrols" in client.get(reverse("crm:you-said-we-did", args=[neighbourhood.pk])).content.decode()
    assert "Furness Independent Advisory Group" in client.get(reverse("crm:advisory-list")).content.decode()
    assert "Recent engagements" in client.get(reverse("geo:neighbourhood", args=[neighbourhood.pk])).content.decode()


def test_the_demo_reports_its_concerns_placed_and_linked():
    from partners.models import Concern, ConcernLink

    assert Concern.objects.count() >= 250
    # Each was linked to its near-duplicates as it was reported (found by no collation run: none ran).
    assert not ConcernLink.objects.filter(found_by__isnull=False).exists()
    assert not Concern.objects.filter(neighbourhood__isnull=True).exclude(lsoa__isnull=True).exists()


def test_the_demo_priorities_live_their_whole_life_through_the_priority_services():
    from crm.models import Priority, PriorityStatus
    from organisations.models import AuditEvent

    priorities = Priority.objects.all()
    statuses = set(priorities.values_list("status", flat=True))
    assert statuses == set(PriorityStatus.values)
    agreed = priorities.filter(status=PriorityStatus.AGREED)
    assert agreed.exists() and not agreed.filter(actions__isnull=False).exists()  # agreed, nothing done yet
    assert not priorities.filter(status=PriorityStatus.IN_PROGRESS, actions__isnull=True).exists()
    finished = priorities.filter(status__in=[PriorityStatus.RESOLVED, PriorityStatus.CLOSED])
    assert finished.exists() and not finished.filter(outcome="").exists()
    # Each move went through priority_move: audited, dated.
    moved = priorities.exclude(status=PriorityStatus.AGREED)
    assert not moved.filter(status_changed_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="priority.status_changed").count() >= moved.count()


def test_a_few_demo_priorities_are_on_the_public_page_after_screening_with_their_outcome(client):
    from django.urls import reverse

    from crm.models import Priority, PriorityStatus
    from publication.models import Screening, ScreeningStatus, Subject

    screened = Screening.objects.filter(subject=Subject.PRIORITY, status=ScreeningStatus.CLEARED).values_list("object_id", flat=True)
    assert 0 < len(screened) < Priority.objects.count()  # a few screened now; the others wait for the screening job
    resolved = Priority.objects.get(pk__in=screened, status=PriorityStatus.RESOLVED)
    page = client.get(reverse("publication:area", args=[resolved.neighbourhood.force_area.code, resolved.neighbourhood.code]))
    assert resolved.outcome in page.content.decode()
    waiting = Priority.objects.exclude(pk__in=screened).first()
    page = client.get(reverse("publication:area", args=[waiting.neighbourhood.force_area.code, waiting.neighbourhood.code]))
    assert waiting.issue not in page.content.decode()


def test_demo_engagements_without_a_venue_are_told_apart_by_type_neighbourhood_and_date():
    from crm.models import Engagement

    without_venue = Engagement.objects.filter(venue_name="")
    titles = list(without_venue.values_list("title", flat=True))
    assert len(titles) == len(set(titles))
    for engagement in without_venue.exclude(title__startswith="StreetSafe").exclude(kind="iag_consultation").select_related("neighbourhood"):
        assert engagement.title == Engagement.default_title(kind=engagement.kind, neighbourhood=engagement.neighbourhood,
                                                            starts_at=engagement.starts_at)


def test_the_demo_officers_home_shows_new_concerns_in_their_neighbourhood_and_a_priority_with_no_action(client):
    from django.urls import reverse

    from partners.models import Concern

    officer = User.objects.get(username="officer")
    client.force_login(officer)
    waiting = {item["kind"]: item["count"] for item in client.get(reverse("home")).context["waiting"]}
    assert waiting.get("new-concerns", 0) >= 3  # of the four, those the demo protocol shares with the police
    assert waiting.get("priorities-without-action", 0) >= 1
    # Placed by the normal placing path: in the officer's neighbourhood and its small area, from where they were reported.
    home = Neighbourhood.objects.get(team__memberships__user=officer)
    placed = Concern.objects.filter(neighbourhood=home)
    assert placed.count() >= 4 and not placed.filter(lsoa__isnull=True).exists()


def test_a_wider_seed_with_bulk_people_and_concerns_adds_them_and_a_smaller_seed_after_it_leaves_only_the_smaller_force(lsoa_wheel):
    """Seeding again another way over the module's seed, then the default way again: each seed takes seconds, so the two
    seeds serve every check of the options (a wider area, --scale, --concerns) and of a smaller seed after them."""
    import math

    from geo.demo import choose_lsoas, read_lsoas
    from organisations.models import Membership
    from partners.demo import BULK_FINGERPRINT_PREFIX, DEMO_REFERENCE_PREFIX
    from partners.models import Concern

    lsoas = read_lsoas(lsoa_wheel)
    barrow = {l.code for l in lsoas if l.name.startswith("Barrow-in-Furness ")}
    chosen = choose_lsoas(lsoas, place="Barrow-in-Furness", count=80)
    assert len(chosen) == 80
    assert barrow <= {l.code for l in chosen}
    # Nothing left out is nearer Barrow's centre than the farthest one taken.
    centre = (sum(l.longitude for l in lsoas if l.code in barrow) / 49, sum(l.latitude for l in lsoas if l.code in barrow) / 49)

    def distance(l):
        return math.hypot((l.longitude - centre[0]) * math.cos(math.radians(centre[1])), l.latitude - centre[1])

    farthest_taken = max(distance(l) for l in chosen)
    chosen_codes = {l.code for l in chosen}
    assert min(distance(l) for l in lsoas if l.code not in chosen_codes) >= farthest_taken

    demo_concerns = Concern.objects.count()
    assert not User.objects.filter(username__startswith="demo-bulk-").exists()
    seed(lsoa_wheel, "--lsoas", "80", "--scale", "2500", "--concerns", "300")
    assert SmallArea.objects.count() == 80
    assert set(SmallArea.objects.values_list("code", flat=True)) == chosen_codes
    assert Neighbourhood.objects.count() > 10
    assert User.objects.filter(username__startswith="demo-bulk-").count() == 2500
    assert Membership.objects.filter(user__username__startswith="demo-bulk-").count() == 2500
    assert Concern.objects.filter(fingerprint__startswith=BULK_FINGERPRINT_PREFIX).count() == 300
    assert Concern.objects.filter(external_reference__startswith=DEMO_REFERENCE_PREFIX).count() + 300 == Concern.objects.count()

    # A smaller seed after it leaves only the smaller force; another scale replaces the bulk people, and a scale adds
    # people, not concerns: the bulk concerns go.
    seed(lsoa_wheel, "--scale", "1000")
    assert SmallArea.objects.count() == 49
    assert Neighbourhood.objects.count() == 10
    active_teams = Organisation.objects.filter(kind=OrganisationKind.NEIGHBOURHOOD_TEAM, is_active=True)
    assert active_teams.count() == 10
    assert not SmallArea.objects.filter(neighbourhood__isnull=True).exists()
    assert User.objects.filter(username__startswith="demo-bulk-").count() == 1000
    assert Membership.objects.filter(user__username__startswith="demo-bulk-").count() == 1000
    assert Concern.objects.count() == demo_concerns
