"""The resources themselves: the escaping cannot be left out by a column added later."""
import pytest
from import_export.fields import Field

from crm.transfer.resources import RESOURCES, ContactResource
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


class ContactWithExtras(ContactResource):
    """A resource as a later change might write it: a computed column and a plain one."""

    nickname = Field(column_name="Nickname", readonly=True)
    phone_again = Field(attribute="phone", column_name="Phone (again)", readonly=True)

    class Meta(ContactResource.Meta):
        fields = (*ContactResource.Meta.fields, "nickname", "phone_again")

    def dehydrate_nickname(self, contact):
        return '=HYPERLINK("http://evil.example", "Click")'


def test_a_column_added_to_a_resource_is_escaped_too(officer, team):
    ContactFactory(organisation=team, phone="+44 7700 900123")
    resource = ContactWithExtras(user=officer)
    dataset = resource.export(resource.export_queryset())
    row = dict(zip(dataset.headers, dataset[0]))
    assert row["Nickname"] == '\'=HYPERLINK("http://evil.example", "Click")'
    assert row["Phone (again)"] == "'+44 7700 900123"


@pytest.mark.parametrize("what", RESOURCES)
def test_every_resource_escapes_in_the_hook_all_values_pass_through(what):
    # export_resource is where every field's value (widget, dehydrate method or new field) is turned into a row.
    assert RESOURCES[what].export_resource is ContactResource.export_resource
    assert RESOURCES[what].get_export_headers is ContactResource.get_export_headers
