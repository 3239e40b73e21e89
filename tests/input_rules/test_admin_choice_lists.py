"""A list of choices in the admin (a contact's accessibility needs, an engagement's adjustments) is a set
of checkboxes: a wrong item is refused with "Select a valid choice", whatever it holds, and a right one is saved."""
import pytest
from django.test import Client

from crm.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def contact_form(client, contact, **changes):
    page = client.get(f"/admin/crm/contact/{contact.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(organisation=contact.organisation_id, consent_recorded_at_0="", consent_recorded_at_1="", _save="Save")
    for name in ("communities", "groups", "accessibility_needs"):
        data[name] = [str(getattr(item, "pk", item)) for item in data.get(name, [])]
    data.update(changes)
    return data


@pytest.fixture
def admin_client(administrator):
    client = Client(raise_request_exception=True)
    client.force_login(administrator)
    return client


def test_accessibility_needs_are_checkboxes_in_the_admin(admin_client, team):
    contact = ContactFactory(organisation=team)
    page = admin_client.get(f"/admin/crm/contact/{contact.pk}/change/").content.decode()
    assert 'type="checkbox" name="accessibility_needs" value="large_print"' in page
    assert "Large print" in page


@pytest.mark.parametrize("item", ["%", "%00", "100% in", "large_print,%d"])
def test_an_item_that_is_not_a_choice_is_refused_by_name_not_a_500(admin_client, team, item):
    contact = ContactFactory(organisation=team)
    response = admin_client.post(f"/admin/crm/contact/{contact.pk}/change/", contact_form(admin_client, contact, accessibility_needs=[item]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    contact.refresh_from_db()
    assert contact.accessibility_needs == []


def test_chosen_needs_are_saved(admin_client, team):
    contact = ContactFactory(organisation=team)
    response = admin_client.post(f"/admin/crm/contact/{contact.pk}/change/",
                                 contact_form(admin_client, contact, accessibility_needs=["large_print", "step_free"]))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert Contact.objects.get(pk=contact.pk).accessibility_needs == ["large_print", "step_free"]
