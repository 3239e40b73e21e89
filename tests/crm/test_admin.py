"""The admin goes through the same door as the pages for everyone but superusers."""
import pytest
from django.urls import reverse

from crm.models import Role
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


def test_the_user_visibility_door_is_one_query(officer, django_assert_num_queries):
    from crm.models import User

    with django_assert_num_queries(1):
        assert sorted(User.objects.visible_to(officer).values_list("username", flat=True)) == ["pc-shah"]
