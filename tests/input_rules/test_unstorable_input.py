"""Text the database cannot store (a NUL byte), anywhere in a request, is refused before any query
meets it: a 404 for an address, a 400 naming the field for the rest, in the shape of the surface."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import ForceAreaFactory, NeighbourhoodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hindpool(force):
    return NeighbourhoodFactory(force_area=ForceAreaFactory(force=force, code="cumbria"), code="HIND", name="Hindpool")


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


def test_a_nul_in_an_api_address_is_a_json_404(anonymous, hindpool):
    response = anonymous.get("/api/cumbria/%00")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "no page at this address" in response.json()["error"]


def test_a_nul_in_a_public_page_address_is_the_govuk_404_page(anonymous, hindpool):
    response = anonymous.get("/your-area/cumbria/%00/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-heading-l" in response.content.decode()


def test_a_nul_in_an_open311_address_is_the_spec_error_list(anonymous):
    response = anonymous.get("/open311/v2/services/%00.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


@pytest.mark.parametrize("url,parameter", [
    ("/api/locate-neighbourhood?q=54.1%00,-3.2", "q"),
    ("/api/forces?page=%00", "page"),
])
def test_a_nul_in_an_api_parameter_is_a_json_400_naming_it(anonymous, url, parameter):
    response = anonymous.get(url)
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {"error": f"{parameter}: contains a NUL character (byte 0), which the hub cannot store."}


def test_a_nul_in_an_open311_api_key_is_the_spec_error_list_naming_it(anonymous):
    response = anonymous.get("/open311/v2/requests.xml?api_key=abcd1234%00.secret")
    assert response.status_code == 400
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>400</code>')
    assert "<description>api_key: contains a NUL character (byte 0), which the hub cannot store.</description>" in body


def test_a_nul_in_a_search_box_is_a_page_naming_the_field(officer_client):
    officer_client.raise_request_exception = False
    response = officer_client.get("/contacts/", {"q": "Smith\x00"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The parameter &#x27;q&#x27; holds a NUL character (byte 0), which the hub cannot store." in page


def test_a_nul_in_a_form_field_is_refused_naming_the_field_and_nothing_is_saved(officer_client):
    from crm.models import Contact

    officer_client.raise_request_exception = False
    response = officer_client.post("/contacts/new/", {"first_name": "Ann\x00", "last_name": "Smith"})
    assert response.status_code == 400
    assert "The form field &#x27;first_name&#x27; holds a NUL character" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_nul_in_an_uploaded_file_name_is_dropped_and_the_file_kept(partner_client):
    from partners.models import ConcernImportJob

    response = partner_client.post("/partners/imports/new/", {"upload": SimpleUploadedFile("concerns\x00.csv", b"category\n")})
    assert response.status_code == 302
    assert ConcernImportJob.objects.get().original_name == "concerns.csv"


def test_a_nul_in_a_header_is_refused_naming_the_header(anonymous):
    response = anonymous.get("/your-area/", HTTP_USER_AGENT="curl\x00")
    assert response.status_code == 400
    assert "The User-Agent header holds a NUL character" in response.content.decode()


def test_a_session_cookie_holding_a_nul_is_refused_before_any_session_is_looked_up(anonymous, django_assert_num_queries):
    anonymous.cookies["sessionid"] = "abcdefghijklmnop\x00qrstuvwxyz"
    with django_assert_num_queries(0):
        response = anonymous.get("/")
    assert response.status_code == 400
    assert "The cookie &#x27;sessionid&#x27; holds a NUL character" in response.content.decode()


def test_an_ordinary_request_passes_untouched(officer_client):
    assert officer_client.get("/contacts/", {"q": "Smith"}).status_code == 200


def test_a_form_declaring_an_unknown_charset_is_refused_in_the_surface_shape(anonymous):
    response = anonymous.generic("POST", "/open311/v2/requests.json", b"service_code=x",
                                 content_type="application/x-www-form-urlencoded; charset=klingon")
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "Content-Type: The form declares the charset 'klingon', "
                                                            "which the hub cannot read. Send it as UTF-8."}]


def test_a_form_too_big_to_read_is_left_to_the_view_which_answers_413_in_the_surface_shape(anonymous, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = anonymous.post("/open311/v2/requests.json", "description=" + "x" * 2000,
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert json.loads(response.content)[0]["code"] == 413


def test_a_form_too_big_to_read_on_a_page_is_the_govuk_400_page(officer_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    officer_client.raise_request_exception = False
    response = officer_client.post("/contacts/new/", "first_name=" + "x" * 2000, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "The hub could not read what was sent." in response.content.decode()
