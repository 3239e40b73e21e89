"""Roles belong in the right kind of organisation; services refuse the rest and audit what they grant."""
import pytest
from django.core.exceptions import ValidationError

from crm import services
from organisations.models import AuditEvent, Membership, OrganisationKind
from access.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_partner_user_cannot_be_placed_in_a_police_force(force):
    with pytest.raises(ValidationError, match="A partner user must belong to a partner agency"):
        services.membership_grant(user=UserFactory(), organisation=force, role=Role.PARTNER_USER)
    assert not Membership.objects.exists()


def test_an_officer_role_cannot_be_given_in_a_council(council):
    with pytest.raises(ValidationError, match="is a police role"):
        services.membership_grant(user=UserFactory(), organisation=council, role=Role.OFFICER)


def test_granting_a_role_is_audited_and_granting_it_again_changes_nothing(force):
    user = UserFactory(username="new-starter")
    services.membership_grant(user=user, organisation=force, role=Role.OFFICER)
    services.membership_grant(user=user, organisation=force, role=Role.OFFICER)
    assert Membership.objects.filter(user=user).count() == 1
    event = AuditEvent.objects.get(action="membership.granted")
    assert event.summary == "new-starter is now Officer or PCSO in Cumbria Constabulary"


def test_a_neighbourhood_team_must_belong_to_a_force(council):
    with pytest.raises(ValidationError, match="must belong to a police force"):
        services.organisation_upsert(slug="stray-team", name="Stray team", kind=OrganisationKind.NEIGHBOURHOOD_TEAM, parent=council)
