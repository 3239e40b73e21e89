"""The PyPI Open311 client `georeport` reads our server, over HTTP, in both its JSON and its XML modes.

georeport sends no api_key on GET, so it authenticates by HTTP Basic: the key in the address
(http://api:KEY@host/open311/v2), which the requests library it uses turns into a header."""
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
import xmltodict
from django.utils import timezone
from georeport import GeoReport

from crm.models import IssueCategory
from partners.models import ConcernStatus
from partners.open311.serialisers import WITHHELD_DESCRIPTION
from tests.factories import ConcernFactory, issue_category, point

pytestmark = pytest.mark.django_db(transaction=True)
FORMATS = ["json", "xml"]


def as_list(items) -> list:
    """xmltodict gives one repeated element as a dict and several as a list."""
    return items if isinstance(items, list) else [items]


def client_for(live_server, fmt: str, plaintext: str | None = None) -> GeoReport:
    parts = urlsplit(live_server.url)
    credentials = f"api:{plaintext}@" if plaintext else ""
    return GeoReport(f"{parts.scheme}://{credentials}{parts.netloc}/open311/v2", output_format=fmt)


@pytest.fixture
def council_concerns(council_key, council):
    return [
        ConcernFactory(organisation=council, category=issue_category("fly-tipping"), place="Rear of Market Street",
                       location=point(-3.2270, 54.1150), description="Bags of rubbish behind the shops.",
                       occurred_at=timezone.now() - timedelta(days=3), reported_at=timezone.now() - timedelta(days=2)),
        ConcernFactory(organisation=council, category=issue_category("graffiti"), place="Hindpool Road underpass",
                       location=point(-3.2350, 54.1120), description="Tags on the underpass walls.", status=ConcernStatus.CLOSED,
                       occurred_at=timezone.now() - timedelta(days=2), reported_at=timezone.now() - timedelta(days=1)),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_lists_the_active_categories_as_services(live_server, force_area, fmt):
    IssueCategory.objects.filter(slug="begging").update(is_active=False)
    services = as_list(client_for(live_server, fmt).get_service_list())
    codes = [service["service_code"] for service in services]
    assert codes == list(IssueCategory.objects.filter(is_active=True).order_by("name").values_list("slug", flat=True))
    assert "begging" not in codes
    graffiti = next(service for service in services if service["service_code"] == "graffiti")
    assert graffiti["service_name"] == "Graffiti"
    assert str(graffiti["metadata"]).lower() == "true" and graffiti["type"] == "realtime"
    assert "criminal-damage-arson" in graffiti["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_reads_a_service_definition(live_server, force_area, fmt):
    definition = client_for(live_server, fmt).get_service_definition("noise")
    attributes = definition["attributes"] if fmt == "json" else as_list(definition["attributes"]["attribute"])
    assert definition["service_code"] == "noise"
    assert [attribute["code"] for attribute in attributes] == [
        "holds_personal_data", "classification", "occurred_datetime", "partner_reference"]
    classification = attributes[1]
    values = classification["values"] if fmt == "json" else as_list(classification["values"]["value"])
    assert {value["key"]: value["name"] for value in values} == {"official": "OFFICIAL", "official_sensitive": "OFFICIAL-SENSITIVE"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_answers_404_in_the_specs_error_shape(live_server, force_area, fmt):
    with pytest.raises(requests.HTTPError) as refused:
        client_for(live_server, fmt).get_service_definition("potholes")
    response = refused.value.response
    assert response.status_code == 404
    errors = response.json() if fmt == "json" else as_list(xmltodict.parse(response.content)["errors"]["error"])
    assert errors == [{"code": 404 if fmt == "json" else "404",
                       "description": f"service_code: 'potholes' is not a service the hub offers (GET services.{fmt} lists them)."}]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_reads_the_councils_requests_with_the_councils_key(live_server, council_key, council_concerns, housing, fmt):
    ConcernFactory(organisation=housing, description="Housing's own concern.")
    fly_tipping, graffiti = council_concerns
    requests_read = as_list(client_for(live_server, fmt, council_key[1]).get_service_requests())
    assert [(item["service_request_id"], item["service_code"], item["status"]) for item in requests_read] == [
        (str(graffiti.pk), "graffiti", "closed"), (str(fly_tipping.pk), "fly-tipping", "open"),
    ]  # newest report first
    by_id = {item["service_request_id"]: item for item in requests_read}
    assert set(by_id) == {str(fly_tipping.pk), str(graffiti.pk)}
    assert by_id[str(fly_tipping.pk)]["address"] == "Rear of Market Street"
    assert by_id[str(fly_tipping.pk)]["description"] == "Bags of rubbish behind the shops."
    assert float(by_id[str(fly_tipping.pk)]["lat"]) == pytest.approx(54.115)
    assert float(by_id[str(fly_tipping.pk)]["long"]) == pytest.approx(-3.227)
    assert by_id[str(graffiti.pk)]["status"] == "closed"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_filters_requests_by_status_and_service(live_server, council_key, council_concerns, fmt):
    fly_tipping, graffiti = council_concerns
    client = client_for(live_server, fmt, council_key[1])
    assert [item["service_request_id"] for item in as_list(client.get_service_requests(status="open"))] == [str(fly_tipping.pk)]
    assert [item["service_request_id"] for item in as_list(client.get_service_requests(service_code="graffiti"))] == [str(graffiti.pk)]
    both = as_list(client.get_service_requests(service_request_id=f"{graffiti.pk},{fly_tipping.pk}"))
    assert sorted(item["service_request_id"] for item in both) == sorted([str(fly_tipping.pk), str(graffiti.pk)])


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_reads_one_request_by_id(live_server, council_key, council_concerns, fmt):
    fly_tipping = council_concerns[0]
    request = client_for(live_server, fmt, council_key[1]).get_service_request(str(fly_tipping.pk))
    assert request["service_request_id"] == str(fly_tipping.pk)
    assert request["service_name"] == "Fly-tipping" and request["status"] == "open"
    assert request["requested_datetime"].endswith("Z")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_names_its_request(live_server, council_key, council_concerns, fmt):
    fly_tipping = council_concerns[0]
    response = requests.get(f"{live_server.url}/open311/v2/tokens/{fly_tipping.open311_token}.{fmt}",
                            params={"api_key": council_key[1]}, timeout=10)
    assert response.status_code == 200
    answer = response.json()[0] if fmt == "json" else xmltodict.parse(response.content)["service_requests"]["request"]
    assert answer == {"service_request_id": str(fly_tipping.pk), "token": str(fly_tipping.open311_token)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_personal_data_is_read_back(live_server, council_key, council, fmt):
    concern = ConcernFactory(organisation=council, holds_personal_data=True, description="Mr Example at number 12 dumps it.",
                             reporter_name="Ada Resident", reporter_email="ada@example.org", reporter_phone="07700 900123")
    response = requests.get(f"{live_server.url}/open311/v2/requests/{concern.pk}.{fmt}", auth=("api", council_key[1]), timeout=10)
    assert response.status_code == 200
    body = response.content.decode()
    for personal in ("Mr Example", "Ada", "Resident", "ada@example.org", "07700"):
        assert personal not in body
    assert WITHHELD_DESCRIPTION in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_without_a_key_reads_no_requests(live_server, council_concerns, fmt):
    with pytest.raises(requests.HTTPError) as refused:
        client_for(live_server, fmt).get_service_requests()
    assert refused.value.response.status_code == 403
    assert "api_key is missing" in refused.value.response.text
