"""Adding and changing an advisory group: police users only, neighbourhoods from their own force."""
import pytest
from django.urls import reverse

from crm.models import AdvisoryGroup
from tests.crm.advisory.helpers import text

pytestmark = pytest.mark.django_db


def test_an_officer_adds_a_group_that_advises_on_chosen_neighbourhoods(officer_client, officer, team, hindpool, ormsgill):
    response = officer_client.post(reverse("crm:advisory-create"), {
        "name": "Barrow Gypsy and Traveller Advisory Group", "kind": "gypsy_traveller",
        "description": "Advises on unauthorised encampments.", "neighbourhoods": [hindpool.pk],
    })
    group = AdvisoryGroup.objects.get(name="Barrow Gypsy and Traveller Advisory Group")
    assert response.status_code == 302 and response["Location"] == reverse("crm:advisory-detail", args=[group.pk])
    assert group.organisation == team and group.created_by == officer
    assert list(group.neighbourhoods.all()) == [hindpool]
    assert AdvisoryGroup.pgh_event_model.objects.get(pgh_obj=group, pgh_label="insert").pgh_context.metadata["user"] == officer.pk
    page = text(officer_client.get(response["Location"]).content.decode())
    assert "Barrow Gypsy and Traveller Advisory Group added." in page
    assert "Gypsy and traveller advisory group" in page and "Advises on Hindpool" in page


def test_the_neighbourhoods_offered_are_the_forces_own(officer_client, hindpool, ormsgill, lancashire_neighbourhood):
    page = officer_client.get(reverse("crm:advisory-create")).content.decode()
    assert "Hindpool" in page and "Ormsgill" in page
    assert "Preston Central" not in page


def test_another_forces_neighbourhood_is_refused(officer_client, hindpool, lancashire_neighbourhood):
    response = officer_client.post(reverse("crm:advisory-create"), {
        "name": "Sneaky group", "kind": "iag", "neighbourhoods": [lancashire_neighbourhood.pk],
    })
    assert response.status_code == 200
    assert f"Select a valid choice. {lancashire_neighbourhood.pk} is not one of the available choices." in response.context["form"].errors["neighbourhoods"]
    assert not AdvisoryGroup.objects.filter(name="Sneaky group").exists()


def test_a_group_needs_a_name_and_a_type(officer_client):
    response = officer_client.post(reverse("crm:advisory-create"), {"name": "", "description": "No name"})
    assert response.status_code == 200
    page = text(response.content.decode())
    assert "There is a problem" in page
    assert "Name: This field is required." in page and "Type of group: This field is required." in page
    assert not AdvisoryGroup.objects.exists()


def test_an_officer_changes_a_group(officer_client, officer, iag, force, ormsgill):
    form_page = officer_client.get(reverse("crm:advisory-edit", args=[iag.pk])).content.decode()
    assert 'value="Cumbria Independent Advisory Group"' in form_page
    response = officer_client.post(reverse("crm:advisory-edit", args=[iag.pk]), {
        "name": "Cumbria IAG", "kind": "iag", "description": "Advises on stop and search and hate crime.", "neighbourhoods": [ormsgill.pk],
    })
    assert response.status_code == 302
    iag.refresh_from_db()
    assert iag.name == "Cumbria IAG" and iag.organisation == force  # keeps its owner
    assert list(iag.neighbourhoods.all()) == [ormsgill]
    assert AdvisoryGroup.pgh_event_model.objects.filter(pgh_obj=iag, pgh_label="update").last().pgh_context.metadata["user"] == officer.pk


def test_a_partner_user_may_not_add_an_advisory_group(partner_client):
    assert partner_client.get(reverse("crm:advisory-create")).status_code == 403
    assert partner_client.post(reverse("crm:advisory-create"), {"name": "Council panel", "kind": "iag"}).status_code == 403
    assert not AdvisoryGroup.objects.exists()


def test_a_partner_user_gets_a_404_for_changing_the_forces_group(partner_client, iag):
    assert partner_client.get(reverse("crm:advisory-edit", args=[iag.pk])).status_code == 404


def test_an_outsider_gets_a_404_for_changing_the_forces_group_and_nothing_changes(outsider_client, iag):
    assert outsider_client.get(reverse("crm:advisory-edit", args=[iag.pk])).status_code == 404
    response = outsider_client.post(reverse("crm:advisory-edit", args=[iag.pk]), {"name": "Hijacked", "kind": "iag"})
    assert response.status_code == 404
    iag.refresh_from_db()
    assert iag.name == "Cumbria Independent Advisory Group"


def test_an_outsider_adds_groups_to_their_own_force(outsider_client, other_force):
    outsider_client.post(reverse("crm:advisory-create"), {"name": "Lancashire LGBT+ Advisory Group", "kind": "lgbt"})
    assert AdvisoryGroup.objects.get(name="Lancashire LGBT+ Advisory Group").organisation == other_force


def test_signing_in_is_required_to_add_a_group(client, iag):
    for url in (reverse("crm:advisory-create"), reverse("crm:advisory-edit", args=[iag.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_officers_are_offered_the_change_link(officer_client, iag):
    page = officer_client.get(reverse("crm:advisory-detail", args=[iag.pk])).content.decode()
    assert reverse("crm:advisory-edit", args=[iag.pk]) in page
