"""The address that records a priority's action answers with its own form (it once answered 500)."""
import pytest
from django.urls import reverse

from tests.factories import PriorityFactory

pytestmark = pytest.mark.django_db


def test_opening_the_add_action_address_shows_the_action_form(officer_client, team, hindpool):
    priority = PriorityFactory(organisation=team, neighbourhood=hindpool)
    response = officer_client.get(reverse("crm:priority-action-add", args=[priority.pk]))
    assert response.status_code == 200
    assert response.context["priority"] == priority


def test_the_add_action_address_of_a_priority_not_yours_is_404(outsider_client, force, hindpool):
    priority = PriorityFactory(organisation=force, neighbourhood=hindpool)
    assert outsider_client.get(reverse("crm:priority-action-add", args=[priority.pk])).status_code == 404
