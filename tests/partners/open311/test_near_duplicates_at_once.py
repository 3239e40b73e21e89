"""The answer to a posted request names the near-duplicates found as it was placed, in the Open311 way (the
`extended_attributes` extension and the `service_notice`), and only those the key's organisation may read."""
import xmltodict

from partners.models import Concern
from sharing_protocols.models import DisclosureAction, DisclosureEntry
from tests.partners.concerns.conftest import share_concerns
from tests.partners.open311.conftest import report


def post(client, data: dict, fmt: str = "json"):
    return client.post(f"/open311/v2/requests.{fmt}", data)


def test_a_near_duplicate_the_organisation_may_read_is_named_with_its_reference_distance_and_days(
        client, council_key, housing_key, housing, council, partner_user):
    share_concerns(provider=housing, recipient=council, acting_user=partner_user)
    assert post(client, report(api_key=housing_key[1])).status_code == 200
    housings = Concern.objects.get(organisation=housing)
    answer = post(client, report(api_key=council_key[1], description="Fly-tipped sofa behind the shops.")).json()[0]
    councils = Concern.objects.get(organisation=council)
    extension = answer["extended_attributes"]
    assert extension["hub_reference"] == councils.reference
    [found] = extension["near_duplicates"]
    assert found["service_request_id"] == str(housings.pk) and found["hub_reference"] == housings.reference
    assert found["service_code"] == "fly-tipping" and found["distance_metres"] == 0 and found["days_apart"] < 0.1
    assert f"It may be a near-duplicate of {housings.reference}" in answer["service_notice"]
    # Another organisation's concern read by API key: written in the disclosure log, naming the key.
    entry = DisclosureEntry.objects.filter(action=DisclosureAction.READ, purpose__contains="near-duplicates").get()
    assert council_key[0].prefix in entry.purpose


def test_a_near_duplicate_the_organisation_may_not_read_is_neither_listed_nor_counted(client, council_key, housing_key, housing, council):
    post(client, report(api_key=housing_key[1]))
    answer = post(client, report(api_key=council_key[1], description="Fly-tipped sofa behind the shops.")).json()[0]
    # The police see the link; the council is told nothing of the housing trust's report, not even that it exists.
    councils, housings = Concern.objects.get(organisation=council), Concern.objects.get(organisation=housing)
    assert [{link.first_id, link.second_id} for link in councils_links(councils)] == [{councils.pk, housings.pk}]
    assert answer["extended_attributes"]["near_duplicates"] == []
    assert housings.reference not in str(answer) and "near-duplicate" not in answer["service_notice"]


def councils_links(concern):
    from django.db.models import Q

    from partners.models import ConcernLink

    return list(ConcernLink.objects.filter(Q(first=concern) | Q(second=concern)))


def test_near_duplicates_come_in_the_specs_xml_shape(client, council_key, housing_key, housing, council, partner_user):
    share_concerns(provider=housing, recipient=council, acting_user=partner_user)
    post(client, report(api_key=housing_key[1]))
    response = post(client, report(api_key=council_key[1], description="Fly-tipped sofa behind the shops."), fmt="xml")
    answer = xmltodict.parse(response.content)["service_requests"]["request"]
    found = answer["extended_attributes"]["near_duplicates"]["near_duplicate"]
    assert found["hub_reference"] == Concern.objects.get(organisation=housing).reference


def test_the_api_page_documents_the_extension(partner_client, council_key):
    page = partner_client.get("/partners/api-keys/").content.decode()
    assert "extended_attributes" in page and "near_duplicates" in page and "neither listed nor counted" in page
