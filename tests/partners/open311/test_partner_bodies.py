"""What partners' systems really send: ISO-8859-1 forms, a byte-order mark, the key in the query string of
a POST, .NET's DateTime.MinValue, a NUL in a key. Each is read as meant, or answered in the spec's error list."""
import base64
from urllib.parse import urlencode

import pytest
from django.test import Client

from partners.models import Concern
from tests.partners.open311.conftest import report

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.json"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def api():
    return Client(raise_request_exception=False)


def test_an_iso_8859_1_form_is_read_in_its_charset(api, council_key):
    body = urlencode(report(api_key=council_key[1], description="Fridge dumped by the café, £50 fine?"), encoding="iso-8859-1")
    response = api.generic("POST", URL, body.encode("ascii"), content_type=f"{FORM}; charset=ISO-8859-1")
    assert response.status_code == 200, response.content
    assert Concern.objects.get().description == "Fridge dumped by the café, £50 fine?"


def test_a_windows_1252_form_is_read_in_its_charset(api, council_key):
    body = urlencode(report(api_key=council_key[1], description="“Smart quotes” from Word"), encoding="cp1252")
    response = api.generic("POST", URL, body.encode("ascii"), content_type=f"{FORM}; charset=windows-1252")
    assert response.status_code == 200, response.content
    assert Concern.objects.get().description == "“Smart quotes” from Word"


def test_a_form_starting_with_a_byte_order_mark_is_read(api, council_key):
    body = b"\xef\xbb\xbf" + urlencode(report(api_key=council_key[1])).encode()
    response = api.generic("POST", URL, body, content_type=FORM)
    assert response.status_code == 200, response.content
    assert Concern.objects.count() == 1


def test_the_api_key_in_the_query_string_of_a_post_is_accepted(api, council_key):
    response = api.generic("POST", f"{URL}?{urlencode({'api_key': council_key[1]})}", urlencode(report()), content_type=FORM)
    assert response.status_code == 200, response.content
    assert Concern.objects.count() == 1


def test_a_json_body_is_answered_in_the_specs_error_list(api, council_key):
    response = api.post(URL, {"api_key": council_key[1]}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "request: send the fields form-encoded (Content-Type: "
                                                            "application/x-www-form-urlencoded), as GeoReport v2 asks, "
                                                            "not as 'application/json'."}]


@pytest.mark.parametrize("field,value,message", [
    ("requested_datetime", "0001-01-01T00:00:00Z",
     "requested_datetime: '0001-01-01T00:00:00Z' is before 1 January 1900, the earliest date the hub accepts."),
    ("attribute[occurred_datetime]", "0001-01-01T00:00:00+01:00",
     "attribute[occurred_datetime]: '0001-01-01T00:00:00+01:00' is before 1 January 1900, the earliest date the hub accepts."),
    ("requested_datetime", "9999-12-31T23:59:59Z",
     "requested_datetime: '9999-12-31T23:59:59Z' is after 31 December 2999, the latest date the hub accepts."),
])
def test_a_date_out_of_range_is_refused_naming_the_parameter(api, council_key, field, value, message):
    response = api.post(URL.replace(".json", ".xml"), report(api_key=council_key[1], **{field: value}))
    assert response.status_code == 400
    assert f"<description>{message}</description>" in response.content.decode()
    assert not Concern.objects.exists()


@pytest.mark.parametrize("field,value", [("start_date", "0001-01-01T00:00:00Z"), ("end_date", "9999-12-31T23:59:59Z")])
def test_a_search_date_out_of_range_is_refused_naming_the_parameter(api, council_key, field, value):
    response = api.get(URL, {"api_key": council_key[1], field: value})
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith(f"{field}: '{value}' is ")


def test_the_earliest_date_is_a_setting(api, council_key, settings):
    import datetime

    settings.EARLIEST_DATE = datetime.date(2020, 1, 1)
    response = api.post(URL, report(api_key=council_key[1], requested_datetime="2019-12-31T12:00:00Z"))
    assert response.json()[0]["description"] == ("requested_datetime: '2019-12-31T12:00:00Z' is before 1 January 2020, "
                                                 "the earliest date the hub accepts.")


def test_a_nul_in_a_basic_auth_key_is_refused_like_any_wrong_key(api, council_key):
    credentials = base64.b64encode(b"abcd1234\x00.secret:").decode()
    response = api.get(URL, HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": "api_key is not a key the hub issued."}]
