"""GET requests, a request and tokens: a key reads only what its organisation may see, within the spec's limits."""
from datetime import timedelta

import pytest
from django.utils import timezone

from partners.open311 import serialisers
from tests.factories import ConcernFactory, issue_category
from tests.partners.open311.conftest import days_ago, w3


def get(client, path: str, key: str | None, **params):
    if key is not None:
        params["api_key"] = key
    return client.get(f"/open311/v2/{path}", params)


@pytest.fixture
def councils_concern(council_key, council):
    return ConcernFactory(organisation=council, description="Bags of rubbish behind the shops.")


def test_another_partners_key_cannot_read_the_councils_concern(client, councils_concern, housing_key, housing):
    own = ConcernFactory(organisation=housing, description="Broken door at the flats.")
    key = housing_key[1]
    for fmt in ("json", "xml"):
        response = get(client, f"requests/{councils_concern.pk}.{fmt}", key)
        assert response.status_code == 404
        assert f"service_request_id: there is no request {councils_concern.pk}." in response.content.decode()
        assert get(client, f"tokens/{councils_concern.open311_token}.{fmt}", key).status_code == 404
    listed = get(client, "requests.json", key).json()
    assert [item["service_request_id"] for item in listed] == [str(own.pk)]
    asked_for = get(client, "requests.json", key, service_request_id=f"{councils_concern.pk},{own.pk}").json()
    assert [item["service_request_id"] for item in asked_for] == [str(own.pk)]
    assert "Bags of rubbish" not in get(client, "requests.xml", key).content.decode()


def test_an_unknown_id_and_an_invisible_one_get_the_same_answer(client, councils_concern, housing_key):
    missing = councils_concern.pk + 1000
    invisible = get(client, f"requests/{councils_concern.pk}.json", housing_key[1]).json()
    unknown = get(client, f"requests/{missing}.json", housing_key[1]).json()
    assert invisible[0]["description"].replace(str(councils_concern.pk), "N") == unknown[0]["description"].replace(str(missing), "N")


def test_the_council_reads_its_own_concern(client, councils_concern, council_key):
    item = get(client, f"requests/{councils_concern.pk}.json", council_key[1]).json()[0]
    assert item["service_request_id"] == str(councils_concern.pk)
    assert item["description"] == "Bags of rubbish behind the shops."
    assert item["service_code"] == "fly-tipping" and item["status"] == "open" and item["status_notes"] == "New"


def test_a_concern_the_police_took_into_a_priority_reads_as_its_pages_show_it(client, councils_concern, council_key, team):
    from tests.factories import ConcernResponseFactory, PriorityFactory

    # Stored as "new" on the council's row; the police team's answer (which the council may read) takes it into a priority.
    ConcernResponseFactory(concern=councils_concern, priority=PriorityFactory(organisation=team))
    single = get(client, f"requests/{councils_concern.pk}.json", council_key[1]).json()[0]
    [listed] = get(client, "requests.json", council_key[1]).json()
    for item in (single, listed):
        assert item["status"] == "open" and item["status_notes"] == "Taken into a priority"


@pytest.mark.parametrize("path", ["requests.json", "requests/1.json", "tokens/00000000-0000-0000-0000-000000000000.json"])
def test_reading_requests_needs_a_key(client, councils_concern, path):
    response = client.get(f"/open311/v2/{path}")
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": "api_key is missing: send the key your organisation was issued."}]


def test_the_last_90_days_are_read_unless_asked_otherwise(client, council_key, council):
    recent = ConcernFactory(organisation=council)
    old = ConcernFactory(organisation=council, occurred_at=timezone.now() - timedelta(days=101),
                         reported_at=timezone.now() - timedelta(days=100))
    ids = lambda **params: [item["service_request_id"] for item in get(client, "requests.json", council_key[1], **params).json()]  # noqa: E731
    assert ids() == [str(recent.pk)]
    assert ids(start_date=days_ago(120), end_date=days_ago(60)) == [str(old.pk)]
    assert ids(end_date=days_ago(50)) == [str(old.pk)]  # 90 days up to end_date


def test_at_most_the_limit_is_returned_newest_first(client, council_key, council, monkeypatch):
    monkeypatch.setattr("partners.open311.views.MAX_RESULTS", 2)
    concerns = [ConcernFactory(organisation=council, reported_at=timezone.now() - timedelta(hours=hours)) for hours in (3, 2, 1)]
    listed = get(client, "requests.json", council_key[1]).json()
    assert [item["service_request_id"] for item in listed] == [str(concerns[2].pk), str(concerns[1].pk)]


@pytest.mark.parametrize(("params", "description"), [
    ({"start_date": "last week"}, "start_date: 'last week' is not a date and time with a time zone, such as 2026-11-01T00:00:00Z."),
    ({"start_date": "2026-11-01T00:00:00"}, "start_date: '2026-11-01T00:00:00' is not a date and time with a time zone, such as 2026-11-01T00:00:00Z."),
    ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"},
     "end_date: is more than 90 days after start_date: ask for 90 days at a time."),
    ({"start_date": "2026-11-02T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}, "start_date: is after end_date."),
    ({"status": "pending"}, "status: 'pending' is not a status: use open or closed."),
    ({"service_code": "noise,potholes"}, "service_code: 'potholes' is not a service the hub offers."),
    ({"service_request_id": "12,abc"}, "service_request_id: 'abc' is not a request id (ids are whole numbers, comma separated)."),
])
def test_bad_filters_are_refused_naming_the_parameter(client, council_key, params, description):
    response = get(client, "requests.json", council_key[1], **params)
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": description}]


def test_a_description_naming_someone_is_never_read_back(client, council_key, council):
    concern = ConcernFactory(organisation=council, holds_personal_data=True, description="The man at number 12 dumps it.")
    item = get(client, f"requests/{concern.pk}.json", council_key[1]).json()[0]
    assert item["description"] == serialisers.WITHHELD_DESCRIPTION


def test_a_description_withheld_by_the_readers_protocol_is_not_read_back(council, vocabularies):
    concern = ConcernFactory(organisation=council, description="Fine to share.")
    concern.withheld_fields = frozenset({"description"})
    concern.agency_responsible = None
    assert serialisers.service_request(concern)["description"] == serialisers.WITHHELD_DESCRIPTION


def test_reading_requests_takes_the_same_queries_however_many_there_are(client, council_key, council, django_assert_num_queries):
    key = council_key[1]
    ConcernFactory(organisation=council)
    get(client, "requests.json", key)  # warms the SRID cache and notes the key's first use
    # 1 the key with its organisation, 2 the concerns with their category and team.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(3):
        assert len(get(client, "requests.json", key).json()) == 1
    for slug in ("noise", "graffiti", "drugs", "parking"):
        ConcernFactory.create_batch(3, organisation=council, category=issue_category(slug))
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(3):
        assert get(client, "requests.xml", key, status="open").content.decode().count("<request>") == 13
    # Filtering by service adds 3, checking the service codes exist.
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(4):
        assert len(get(client, "requests.json", key, service_code="noise,drugs").json()) == 6


def test_a_request_and_a_token_take_three_queries(client, councils_concern, council_key, django_assert_num_queries):
    key = council_key[1]
    get(client, f"requests/{councils_concern.pk}.json", key)
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(3):
        assert get(client, f"requests/{councils_concern.pk}.xml", key).status_code == 200
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(3):
        assert get(client, f"tokens/{councils_concern.open311_token}.json", key).status_code == 200


def test_times_are_w3c_in_utc(client, council_key, council):
    moment = timezone.now().replace(microsecond=0) - timedelta(days=1)
    concern = ConcernFactory(organisation=council, occurred_at=moment, reported_at=moment)
    item = get(client, f"requests/{concern.pk}.json", council_key[1]).json()[0]
    assert item["requested_datetime"] == w3(moment)


def test_no_requests_is_an_empty_list_in_both_formats(client, housing_key, councils_concern):
    assert get(client, "requests.json", housing_key[1]).json() == []
    assert get(client, "requests.xml", housing_key[1]).content == b'<?xml version="1.0" encoding="utf-8"?>\n<service_requests />'


def test_discovery_names_the_endpoint_and_where_keys_come_from(client, vocabularies):
    discovery = client.get("/open311/v2/discovery.json").json()
    endpoint = discovery["endpoints"][0]
    assert endpoint["specification"] == "https://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert "http://testserver/partners/api-keys/" in discovery["key_service"]


def test_an_unknown_resource_answers_404_in_the_specs_shape(client, vocabularies):
    response = client.get("/open311/v2/requests.csv")
    assert response.status_code == 404 and response["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<errors><error><code>404</code>" in response.content


def test_a_key_reads_what_its_organisation_may_see_logged_with_the_keys_name_and_organisation_and_no_finer_than_the_protocol(
    client, councils_concern, housing_key, housing, council,
):
    """The README's one rule: own concerns plus those shared under a live protocol; shared reads in the disclosure log;
    a protocol without personal data gives the point to 3 decimal places and no reporter details."""
    from sharing_protocols.models import DisclosureEntry
    from tests.sharing_protocols.conftest import publish_protocol

    councils_concern.reporter_name, councils_concern.reporter_phone = "Maureen Whitlock", "07700 900123"
    councils_concern.save()
    assert get(client, "requests.json", housing_key[1]).json() == []  # no protocol yet: nothing of the council's
    publish_protocol(provider=council, recipient=housing, categories=("concerns",), personal=False)
    listed = get(client, "requests.json", housing_key[1]).json()
    assert [item["service_request_id"] for item in listed] == [str(councils_concern.pk)]
    item = listed[0]
    assert item["lat"] == round(councils_concern.location.y, 3) and item["long"] == round(councils_concern.location.x, 3)
    body = get(client, f"requests/{councils_concern.pk}.xml", housing_key[1]).content.decode()
    assert "Whitlock" not in body and "07700" not in body
    entries = list(DisclosureEntry.objects.filter(record_id=str(councils_concern.pk)).order_by("pk"))
    assert len(entries) == 2 and all(entry.organisation == housing for entry in entries)
    assert all("by API key 'Housing repairs line'" in entry.purpose and "of Furness Housing Trust" in entry.purpose for entry in entries)
    own = get(client, f"requests/{councils_concern.pk}.json", None)
    assert own.status_code in (401, 403)


def test_a_key_reads_its_own_concerns_at_the_exact_point(client, councils_concern, council_key):
    item = get(client, f"requests/{councils_concern.pk}.json", council_key[1]).json()[0]
    assert item["lat"] == round(councils_concern.location.y, 6) and item["long"] == round(councils_concern.location.x, 6)
