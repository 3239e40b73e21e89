"""Every date a person types, in every form and filter, is refused outside HUB_EARLIEST_DATE..HUB_LATEST_DATE,
with a message on the field (so the error summary names it)."""
import datetime

import pytest

from crm.models import Contact
from partners.filtersets import ConcernFilterSet
from partners.models import Concern

pytestmark = pytest.mark.django_db


def test_a_year_one_date_in_a_form_is_refused_on_its_field(officer_client):
    response = officer_client.post("/contacts/new/", {"first_name": "Ann", "last_name": "Smith", "retain_until": "0001-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["retain_until"] == ["The date is before 1 January 1900, the earliest date the hub accepts."]
    assert not Contact.objects.exists()


def concern_filter_form(data, user):
    """The concerns list's filter form, as the list builds it for `user`."""
    from django.test import RequestFactory

    request = RequestFactory().get("/partners/concerns/", data)
    request.user = user
    return ConcernFilterSet(data, queryset=Concern.objects.none(), request=request).form


@pytest.mark.parametrize("value,message", [
    ("0001-01-01", "The date is before 1 January 1900, the earliest date the hub accepts."),
    ("9999-12-31", "The date is after 31 December 2999, the latest date the hub accepts."),
])
def test_a_filters_dates_are_held_to_the_range(value, message, officer):
    form = concern_filter_form({"reported_from": value}, officer)
    assert not form.is_valid()
    assert form.errors["reported_from"] == [message]


def test_the_range_follows_the_settings(settings, officer):
    settings.EARLIEST_DATE = datetime.date(2000, 1, 1)
    assert not concern_filter_form({"reported_from": "1999-12-31"}, officer).is_valid()
    assert concern_filter_form({"reported_from": "2000-01-01"}, officer).is_valid()
