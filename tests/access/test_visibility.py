"""visible_to is the one door: own organisation's rows, nothing else, for every persona."""
import pytest
from django.contrib.auth.models import AnonymousUser

from access.grants import grant_scope
from organisations.models import Membership
from access.roles import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def usernames(queryset):
    return sorted(set(queryset.values_list("user__username", flat=True)))


def test_an_officer_sees_the_people_of_their_own_organisations(officer, partner_user, outsider, team):
    colleague = UserFactory(username="pcso-jones")
    MembershipFactory(user=colleague, organisation=team, role=Role.OFFICER)

    assert usernames(Membership.objects.visible_to(officer)) == ["pc-shah", "pcso-jones"]


def test_a_partner_user_sees_only_their_agency(officer, partner_user):
    assert usernames(Membership.objects.visible_to(partner_user)) == ["sam-council"]


def test_an_outsider_sees_nothing_of_ours(officer, partner_user, outsider):
    assert usernames(Membership.objects.visible_to(outsider)) == ["pc-outsider"]


def test_an_anonymous_visitor_sees_nothing(officer):
    assert not Membership.objects.visible_to(AnonymousUser()).exists()


def test_a_deactivated_user_sees_nothing(officer):
    officer.is_active = False
    officer.save()
    assert not Membership.objects.visible_to(officer).exists()


def test_membership_of_a_deactivated_organisation_gives_no_access(officer, force, team):
    force.is_active = False
    force.save()
    team.is_active = False
    team.save()
    assert not Membership.objects.visible_to(officer).exists()


def test_a_superuser_sees_every_organisation(officer, partner_user, outsider):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert usernames(Membership.objects.visible_to(root)) == ["pc-outsider", "pc-shah", "sam-council"]


def test_visible_to_resolves_the_grants_once_per_scope_then_reads_in_one_query(officer, django_assert_num_queries):
    with grant_scope():
        with django_assert_num_queries(2):  # the officer's grant set (access/grants.py), then the memberships
            list(Membership.objects.visible_to(officer))
        with django_assert_num_queries(1):  # the grant set is resolved once per request or scope
            list(Membership.objects.visible_to(officer))


def test_a_force_manager_sees_the_people_of_the_forces_neighbourhood_teams(force, team, officer):
    manager = UserFactory(username="insp-morgan")
    MembershipFactory(user=manager, organisation=force, role=Role.MANAGER)
    pcso = UserFactory(username="pcso-team-only")
    MembershipFactory(user=pcso, organisation=team, role=Role.OFFICER)
    assert "pcso-team-only" in usernames(Membership.objects.visible_to(manager))


def test_a_team_member_does_not_see_a_sibling_team(force, team):
    sibling = TeamFactory(name="Walney team", slug="team-walney", parent=force)
    walney_pcso = UserFactory(username="walney-pcso")
    MembershipFactory(user=walney_pcso, organisation=sibling, role=Role.OFFICER)
    hindpool_pcso = UserFactory(username="hindpool-pcso")
    MembershipFactory(user=hindpool_pcso, organisation=team, role=Role.OFFICER)
    assert usernames(Membership.objects.visible_to(hindpool_pcso)) == ["hindpool-pcso"]


# -- the door, built once per grant set (access/visibility.py) ----------------------------------------------------

@pytest.fixture
def shared_with_council(team, council, force):
    """One concern of the team's flows to the council under a live protocol; one of the team's does not exist
    for the council (another category); one is the council's own."""
    from partners.models import Concern
    from sharing_protocols.models import DataCategory
    from tests.factories import ConcernFactory
    from tests.sharing_protocols.conftest import publish_protocol

    publish_protocol(provider=team, recipient=council, lead=force, categories=[DataCategory.CONCERNS])
    return {"team's": ConcernFactory(organisation=team, place="Team's"), "council's": ConcernFactory(organisation=council, place="Council's"),
            "other force's": ConcernFactory(place="Elsewhere")} | {"model": Concern}


def places(queryset):
    return sorted(queryset.values_list("place", flat=True))


def test_each_call_gets_its_own_copy_of_the_door_so_a_filter_added_to_one_never_reaches_the_next(partner_user, shared_with_council):
    Concern = shared_with_council["model"]
    with grant_scope():
        from django.db.models import Q

        narrowed = Concern.objects.visible_to(partner_user)
        narrowed.query.add_q(Q(place="Team's"))  # in place, as a careless caller might
        assert places(narrowed) == ["Team's"]
        assert places(Concern.objects.visible_to(partner_user)) == ["Council's", "Team's"]


def test_the_door_is_built_once_per_grant_set_and_model(partner_user, shared_with_council):
    from access.grants import grants_for
    from crm.models import Contact

    Concern = shared_with_council["model"]
    with grant_scope():
        first, second = Concern.objects.visible_to(partner_user), Concern.objects.visible_to(partner_user)
        Contact.objects.visible_to(partner_user)
        assert first.query is not second.query and str(first.query) == str(second.query)
        assert sorted(model.__name__ for _, model, _ in grants_for(partner_user).doors) == ["Concern", "Contact"]


def test_a_queryset_already_narrowed_gets_the_door_built_onto_it(partner_user, shared_with_council):
    Concern = shared_with_council["model"]
    with grant_scope():
        assert places(Concern.objects.filter(place__in=["Team's", "Elsewhere"]).visible_to(partner_user)) == ["Team's"]
        assert places(Concern.objects.order_by("place").visible_to(partner_user)) == ["Council's", "Team's"]


def test_a_changed_grant_set_gets_a_door_of_its_own_at_the_next_request(partner_user, shared_with_council):
    from sharing_protocols.models import SharingProtocol
    from sharing_protocols.services import protocol_change_status
    from sharing_protocols.models import ProtocolStatus

    Concern = shared_with_council["model"]
    with grant_scope():
        assert places(Concern.objects.visible_to(partner_user)) == ["Council's", "Team's"]
    protocol_change_status(acting_user=None, protocol=SharingProtocol.objects.get(), status=ProtocolStatus.SUSPENDED, reason="Breach under review")
    with grant_scope():  # the next request: the kept grant set no longer holds, and neither does its door
        assert places(Concern.objects.visible_to(partner_user)) == ["Council's"]


def test_the_door_holds_inside_a_subquery_and_an_exists(partner_user, shared_with_council):
    from django.db.models import Exists, OuterRef

    Concern = shared_with_council["model"]
    with grant_scope():
        visible = Concern.objects.visible_to(partner_user)
        assert places(Concern.objects.filter(pk__in=visible.values("pk"))) == ["Council's", "Team's"]
        assert places(Concern.objects.filter(Exists(visible.filter(pk=OuterRef("pk"))))) == ["Council's", "Team's"]


def test_a_viewer_with_no_organisation_reads_nothing_without_asking_the_database_for_rows(shared_with_council, django_assert_num_queries):
    Concern = shared_with_council["model"]
    loner = UserFactory(username="no-organisation")
    with grant_scope():
        with django_assert_num_queries(1):  # the grant set, which is empty: the door matches nothing
            assert list(Concern.objects.visible_to(loner)) == []
