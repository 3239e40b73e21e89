"""The admin goes through the same door as the pages for everyone but superusers."""
import pytest
from django.urls import reverse

from organisations.models import AuditEvent
from access.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_lists_only_the_accounts_of_their_own_organisation(admin_client_hub, officer, partner_user, outsider):
    page = admin_client_hub.get(reverse("admin:crm_user_changelist")).content.decode()
    assert "pc-shah" in page
    assert "sam-council" not in page
    assert "pc-outsider" not in page


def test_an_account_from_another_organisation_is_answered_like_a_missing_one(admin_client_hub, outsider):
    hidden = admin_client_hub.get(reverse("admin:crm_user_change", args=[outsider.pk]), follow=True)
    missing = admin_client_hub.get(reverse("admin:crm_user_change", args=[987654]), follow=True)
    assert hidden.redirect_chain == [(reverse("admin:index"), 302)]
    assert [str(m) for m in hidden.context["messages"]] == [f"user with ID “{outsider.pk}” doesn’t exist. Perhaps it was deleted?"]
    assert [str(m) for m in missing.context["messages"]] == ["user with ID “987654” doesn’t exist. Perhaps it was deleted?"]
    assert "pc-outsider" not in hidden.content.decode()


def test_an_administrator_lists_only_their_organisation_memberships(admin_client_hub, officer, outsider):
    page = admin_client_hub.get(reverse("admin:crm_membership_changelist")).content.decode()
    assert "Priya" in page or "pc-shah" in page
    assert "pc-outsider" not in page and "Olly" not in page


def test_the_audit_trail_is_for_information_governance_only(admin_client_hub, force, client):
    assert admin_client_hub.get(reverse("admin:crm_auditevent_changelist")).status_code == 403
    governance = UserFactory(username="dpo", is_staff=True)
    MembershipFactory(user=governance, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    client.force_login(governance)
    assert client.get(reverse("admin:crm_auditevent_changelist")).status_code == 200


def test_the_user_visibility_door_is_the_grant_set_and_one_query(officer, django_assert_num_queries):
    from organisations.models import User

    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(2):
        assert sorted(User.objects.visible_to(officer).values_list("username", flat=True)) == ["pc-shah"]


def change_form_data(user, **overrides):
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name, "email": user.email,
        "is_active": "on", "is_staff": "on" if user.is_staff else "", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }
    return {**data, **overrides}


def test_an_administrator_cannot_make_anyone_a_superuser(admin_client_hub, administrator):
    page = admin_client_hub.get(reverse("admin:crm_user_change", args=[administrator.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page and 'name="user_permissions"' not in page
    admin_client_hub.post(reverse("admin:crm_user_change", args=[administrator.pk]), change_form_data(administrator, is_superuser="on"))
    administrator.refresh_from_db()
    assert not administrator.is_superuser


def test_the_membership_inline_hides_memberships_in_other_organisations(admin_client_hub, officer, council):
    MembershipFactory(user=officer, organisation=council, role=Role.INFORMATION_GOVERNANCE, job_title="Secret council secondment")
    page = admin_client_hub.get(reverse("admin:crm_user_change", args=[officer.pk])).content.decode()
    assert "Secret council secondment" not in page


def test_an_administrator_can_only_place_people_in_their_own_organisations(admin_client_hub, officer, other_force):
    page = admin_client_hub.get(reverse("admin:crm_membership_add")).content.decode()
    assert "Cumbria Constabulary" in page
    assert "Lancashire Constabulary" not in page
    response = admin_client_hub.post(reverse("admin:crm_membership_add"), {"user": officer.pk, "organisation": other_force.pk, "role": Role.OFFICER})
    assert "Select a valid choice" in response.content.decode()
    assert not officer.memberships.filter(organisation=other_force).exists()


def test_a_membership_added_in_the_admin_is_audited(admin_client_hub, force, team):
    recruit = UserFactory(username="recruit")
    admin_client_hub.post(reverse("admin:crm_membership_add"), {"user": recruit.pk, "organisation": team.pk, "role": Role.OFFICER})
    event = AuditEvent.objects.get(action="membership.granted", details__user_id=recruit.pk)
    assert event.actor.username == "hub-admin"
    assert event.organisation == team


def test_an_administrator_cannot_rename_another_force(admin_client_hub, other_force):
    response = admin_client_hub.get(reverse("admin:crm_organisation_change", args=[other_force.pk]))
    assert 'name="name"' not in response.content.decode()


def test_information_governance_reads_only_their_own_organisations_audit_trail(client, force, council):
    from crm import services

    services.membership_grant(user=UserFactory(username="police-recruit"), organisation=force, role=Role.OFFICER)
    services.membership_grant(user=UserFactory(username="council-recruit"), organisation=council, role=Role.PARTNER_USER)
    council_dpo = UserFactory(username="council-dpo", is_staff=True)
    MembershipFactory(user=council_dpo, organisation=council, role=Role.INFORMATION_GOVERNANCE)
    client.force_login(council_dpo)
    page = client.get(reverse("admin:crm_auditevent_changelist")).content.decode()
    assert "council-recruit is now Partner user" in page
    assert "police-recruit" not in page
