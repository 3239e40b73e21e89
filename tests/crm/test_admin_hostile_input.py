"""The admin's autocomplete fields, posted a value that is not an id, redisplay the form with an error, not a 500."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bad_id", ["10000-01-01", "abc", "99999999999999999999999"])
def test_a_membership_with_a_user_that_is_not_an_id_is_refused_on_the_field(admin_client_hub, force, bad_id):
    response = admin_client_hub.post("/admin/crm/membership/add/", {"user": bad_id, "organisation": force.pk, "role": "officer"})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors


def test_an_organisation_with_a_parent_that_is_not_an_id_is_refused_on_the_field(admin_client_hub, force):
    response = admin_client_hub.post(f"/admin/crm/organisation/{force.pk}/change/",
                                     {"name": force.name, "slug": force.slug, "kind": force.kind, "parent": "0000-00-00"})
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors


@pytest.mark.parametrize("selected", ["true", "1e10", "99999999999999999999999"])
def test_an_action_on_rows_that_are_not_ids_is_answered_with_a_message(admin_client_hub, force, selected):
    from tests.factories import ContactFactory

    ContactFactory(organisation=force)
    response = admin_client_hub.post("/admin/crm/contact/", {"action": "delete_selected", "_selected_action": selected}, follow=True)
    assert response.status_code == 200
    from crm.models import Contact

    assert Contact.objects.count() == 1
