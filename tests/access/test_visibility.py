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
