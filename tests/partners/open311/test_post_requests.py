"""POST requests: a partner's system reports a concern with plain form-encoded HTTP against a running server."""
import pytest
import requests
import xmltodict

from organisations.models import AuditEvent
from partners.api_keys import api_key_revoke
from partners.models import Concern, ConcernChannel
from partners.open311.serialisers import SERVICE_NOTICE
from tests.partners.open311.conftest import days_ago, report

pytestmark = pytest.mark.django_db(transaction=True)


def post(live_server, data: dict, fmt: str = "json") -> requests.Response:
    return requests.post(f"{live_server.url}/open311/v2/requests.{fmt}", data=data, timeout=10)


def test_a_partner_reports_a_concern_with_its_key(live_server, council_key, council):
    key, plaintext = council_key
    response = post(live_server, report(api_key=plaintext, first_name="Ada", last_name="Resident", email="ada@example.org",
                                        phone="07700 900123", **{"attribute[holds_personal_data]": "false",
                                                                 "attribute[classification]": "official_sensitive"}))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    concern = Concern.objects.get()
    # No neighbourhood covers the place in this force area: the reporter is told so, with the hub's reference.
    notice = f"Recorded as {concern.reference}, outside every neighbourhood the hub knows: the force's analysts will place it by hand. "
    assert response.json() == [{"service_request_id": str(concern.pk), "token": str(concern.open311_token),
                                "service_notice": notice + SERVICE_NOTICE, "account_id": None,
                                "extended_attributes": {"hub_reference": concern.reference, "neighbourhood": None, "near_duplicates": []}}]
    assert concern.organisation == council and concern.channel == ConcernChannel.OPEN311
    assert concern.category.slug == "fly-tipping" and concern.place == "Rear of Market Street car park"
    assert (round(concern.location.y, 3), round(concern.location.x, 3)) == (54.115, -3.227)
    assert (concern.reporter_name, concern.reporter_email, concern.reporter_phone) == ("Ada Resident", "ada@example.org", "07700 900123")
    assert concern.classification == "official_sensitive" and concern.holds_personal_data is False
    event = AuditEvent.objects.get(action="concern.reported")
    assert event.organisation == council and event.actor is None and event.details["via"] == f"api key {key.prefix}"


def test_the_answer_tells_the_reporter_the_reference_and_the_neighbourhood_at_once(live_server, council_key, force_area, team):
    from tests.factories import NeighbourhoodFactory, square

    NeighbourhoodFactory(force_area=force_area, name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10, size=0.03))
    body = report(api_key=council_key[1])
    first = post(live_server, body).json()[0]
    concern = Concern.objects.get()
    assert first["service_notice"].startswith(f"Recorded as {concern.reference}, placed in the Hindpool neighbourhood. ")
    # A retry of the same report is told the same.
    assert post(live_server, body).json()[0]["service_notice"] == first["service_notice"]


def test_the_answer_comes_in_the_specs_xml_too(live_server, council_key):
    response = post(live_server, report(api_key=council_key[1]), fmt="xml")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/xml; charset=utf-8"
    concern = Concern.objects.get()
    answer = xmltodict.parse(response.content)["service_requests"]["request"]
    assert answer["service_request_id"] == str(concern.pk) and answer["token"] == str(concern.open311_token)


def test_retrying_the_same_report_returns_the_same_request_and_creates_one_concern(live_server, council_key):
    body = report(api_key=council_key[1])
    first = post(live_server, body)
    second = post(live_server, body)
    assert first.status_code == second.status_code == 200
    assert first.json()[0]["service_request_id"] == second.json()[0]["service_request_id"]
    assert Concern.objects.count() == 1
    assert AuditEvent.objects.filter(action="concern.reported").count() == 1


def test_a_retry_without_a_date_is_recognised_by_the_partners_reference(live_server, council_key):
    body = report(api_key=council_key[1], **{"attribute[partner_reference]": "ENV-2026-0412"})
    del body["requested_datetime"]  # so each attempt is stamped with the time it arrives
    first, second = post(live_server, body), post(live_server, body)
    assert first.json()[0]["service_request_id"] == second.json()[0]["service_request_id"]
    assert Concern.objects.get().external_reference == "ENV-2026-0412"


def test_another_partner_reporting_the_same_thing_is_a_second_concern(live_server, council_key, housing_key):
    body = report()
    post(live_server, {**body, "api_key": council_key[1]})
    post(live_server, {**body, "api_key": housing_key[1]})
    assert Concern.objects.count() == 2


BAD_INPUT = [
    pytest.param({"service_code": "potholes"},
                 ["service_code: 'potholes' is not a service the hub offers (GET services.json lists them)."], id="unknown service"),
    pytest.param({"service_code": ""},
                 ["service_code: is missing: choose one of the services (GET services.json lists them)."], id="missing service"),
    pytest.param({"lat": "", "long": ""},
                 ["lat/long: are missing: the hub places every concern on the map, so send lat and long (WGS84 decimal degrees); "
                  "address_string alone cannot be placed."], id="address only"),
    pytest.param({"long": ""}, ["long: is missing: send both lat and long."], id="missing long"),
    pytest.param({"lat": "-3.227", "long": "54.115"},
                 ["lat/long: The place (-3.227, 54.115) is outside the force area: the latitude and longitude look swapped. "
                  "Latitude comes first in Great Britain (around 50 to 60), longitude second (around -8 to 2)."], id="swapped"),
    pytest.param({"lat": "51.5007", "long": "-0.1246"},
                 ["lat/long: The place (latitude 51.5007, longitude -0.1246) is outside every force area the hub serves."], id="outside"),
    pytest.param({"lat": "fifty-four"},
                 ["lat: 'fifty-four' is not a number: give decimal degrees (WGS84), such as 54.1108."], id="not a number"),
    pytest.param({"long": "nan"}, ["long: nan is not a longitude: it must be between -180 and 180."], id="not finite"),
    pytest.param({"description": "x" * 5001},
                 ["description: must be 5,000 characters or fewer (it has 5,001)."], id="description too long"),
    pytest.param({"description": "  "}, ["description: is missing: say what the concern is."], id="no description"),
    pytest.param({"requested_datetime": days_ago(-2)},
                 ["requested_datetime: The date it was reported is in the future."], id="future"),
    pytest.param({"requested_datetime": "yesterday"},
                 ["requested_datetime: 'yesterday' is not a date and time with a time zone, such as 2026-11-20T21:30:00Z."], id="bad date"),
    pytest.param({"email": "not an address"}, ["email: Enter a valid email address."], id="bad email"),
    pytest.param({"attribute[colour]": "red"},
                 ["attribute[colour]: is not an attribute of this service (they are: classification, holds_personal_data, "
                  "occurred_datetime, partner_reference)."], id="unknown attribute"),
    pytest.param({"attribute[classification]": "secret"},
                 ["attribute[classification]: must be one of: official, official_sensitive."], id="bad classification"),
    pytest.param({"description": "Rubbish\x00"},
                 ["description: contains a NUL character (byte 0), which the hub cannot store."], id="nul"),
    pytest.param({"service_code": "", "lat": ""},
                 ["service_code: is missing: choose one of the services (GET services.json lists them).",
                  "lat: is missing: send both lat and long."], id="two problems at once"),
]


@pytest.mark.parametrize(("change", "errors"), BAD_INPUT)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(live_server, council_key, change, errors):
    response = post(live_server, report(api_key=council_key[1], **change))
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": description} for description in errors]
    assert not Concern.objects.exists()


def test_errors_come_in_the_specs_xml_shape(live_server, council_key):
    response = post(live_server, report(api_key=council_key[1], service_code="potholes"), fmt="xml")
    assert response.status_code == 400
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert xmltodict.parse(response.content) == {"errors": {"error": {
        "code": "400", "description": "service_code: 'potholes' is not a service the hub offers (GET services.xml lists them)."}}}


@pytest.mark.parametrize(("key", "message"), [
    (None, "api_key is missing: send the key your organisation was issued."),
    ("0123abcd.not-the-secret", "api_key is not a key the hub issued."),
])
def test_a_missing_or_wrong_key_is_refused_with_403(live_server, council_key, key, message):
    body = report() if key is None else report(api_key=key)
    response = post(live_server, body)
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": message}]
    assert not Concern.objects.exists()


def test_a_revoked_key_is_refused_with_403(live_server, council_key, partner_user):
    key, plaintext = council_key
    api_key_revoke(key=key, acting_user=partner_user)
    response = post(live_server, report(api_key=plaintext))
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": "api_key has been revoked: ask your organisation for a new key."}]
    assert not Concern.objects.exists()


def test_other_methods_are_refused_in_the_specs_shape(live_server, council_key):
    response = requests.put(f"{live_server.url}/open311/v2/requests.json", data=report(api_key=council_key[1]), timeout=10)
    assert response.status_code == 405 and response.headers["Allow"] == "GET, POST, HEAD, OPTIONS"
    assert response.json()[0]["code"] == 405


def test_a_body_too_large_to_read_is_refused_in_the_specs_shape(live_server, council_key):
    response = post(live_server, report(api_key=council_key[1], description="x" * 3_000_000))
    assert response.status_code == 413
    assert response.json() == [{"code": 413, "description": "request: the request is too large; a description may be 5,000 characters."}]
    assert not Concern.objects.exists()
