"""The police.uk-compatible API, read by the PyPI `police-api-client` from a live server,
and checked against data.police.uk's exact shapes."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from police_api import PoliceAPI
from police_api.forces import Force
from police_api.neighbourhoods import Neighbourhood as ClientNeighbourhood

from tests.publication.conftest import priority_with_action, upcoming_meeting

POLICE_UK_DATETIME = "%Y-%m-%dT%H:%M:%S"


@pytest.fixture
def police_api(live_server):
    # The client caches people, events and priorities on the class: start each test clean.
    ClientNeighbourhood._resource_cache.clear()
    Force._resource_cache.clear()
    return PoliceAPI(base_url=f"{live_server.url}/api/", timeout=10)


@pytest.fixture
def published(hindpool, central, opted_in_officer, screen, force, manager):
    meeting = upcoming_meeting(hindpool)
    priority, action = priority_with_action(hindpool)
    from access.roles import Role
    from publication.models import PublicProfile
    from tests.factories import MembershipFactory, UserFactory

    chief = UserFactory(username="ch-supt", first_name="Helen", last_name="Reid")
    MembershipFactory(user=chief, organisation=force, role=Role.MANAGER, warranted=True)
    PublicProfile.objects.create(user=chief, display_name="Ch Supt Helen Reid", rank="Chief Superintendent", published=True)
    screen()
    return meeting, priority, action


@pytest.mark.django_db(transaction=True)
def test_the_client_reads_every_endpoint_from_our_server(police_api, published, hindpool):
    meeting, priority, action = published

    forces = police_api.get_forces()
    assert [(f.id, f.name) for f in forces] == [("cumbria", "Cumbria Constabulary")]
    force = police_api.get_force("cumbria")
    assert force.name == "Cumbria Constabulary" and force.telephone == "101" and force.engagement_methods == []
    assert [(o.name, o.rank) for o in force.senior_officers] == [("Ch Supt Helen Reid", "Chief Superintendent")]

    neighbourhoods = police_api.get_neighbourhoods("cumbria")
    assert [(n.id, n.name) for n in neighbourhoods] == [("CENT", "Central"), ("HIND", "Hindpool")]

    place = police_api.get_neighbourhood("cumbria", "HIND")
    assert place.name == "Hindpool" and place.description == "Hindpool and the docks."
    assert place.population == 0
    centre = place.centre
    assert 54.10 < float(centre["latitude"]) < 54.11 and -3.25 < float(centre["longitude"]) < -3.24
    assert place.links[0]["url"].endswith("/your-area/cumbria/HIND/")

    boundary = place.boundary
    assert boundary[0] == (54.10, -3.25) and len(boundary) == 5

    assert [(o.name, o.rank, o.bio) for o in place.officers] == [("PC Gareth Jones", "Police Constable", "Your beat officer.")]

    [event] = place.events
    assert event.title == "Hindpool beat meeting" and event.type == "meeting"
    assert event.start_date == timezone.localtime(meeting.starts_at).replace(tzinfo=None)
    assert event.address == "Hindpool Community Centre"
    assert "BSL interpreter" in event.description and "Step-free venue" in event.description
    assert "Hearing loop" in event.description and "https://meet.example.org/hindpool" in event.description

    [client_priority] = place.priorities
    assert client_priority.issue == priority.issue and client_priority.action == action.action
    assert client_priority.issue_date == dt.datetime.combine(priority.issue_date, dt.time())
    assert client_priority.action_date == dt.datetime.combine(action.action_date, dt.time())

    located = police_api.locate_neighbourhood(54.105, -3.245)
    assert located.id == "HIND" and located.force.id == "cumbria"
    assert police_api.locate_neighbourhood(51.5, -0.12) is None  # London: not ours


def test_shapes_match_data_police_uk(client, published, hindpool):
    detail = client.get("/api/cumbria/HIND").json()
    assert set(detail) == {"url_force", "contact_details", "name", "links", "centre", "locations", "description",
                           "url_boundary", "population", "id"}
    assert isinstance(detail["centre"]["latitude"], str) and isinstance(detail["centre"]["longitude"], str)
    assert detail["population"] == "0"
    point = client.get("/api/cumbria/HIND/boundary").json()[0]
    assert point == {"latitude": "54.1", "longitude": "-3.25"}
    [priority] = client.get("/api/cumbria/HIND/priorities").json()
    assert set(priority) == {"action", "issue-date", "action-date", "issue"}
    dt.datetime.strptime(priority["issue-date"], POLICE_UK_DATETIME)
    dt.datetime.strptime(priority["action-date"], POLICE_UK_DATETIME)
    [event] = client.get("/api/cumbria/HIND/events").json()
    assert set(event) == {"contact_details", "description", "title", "address", "type", "start_date", "end_date"}
    assert dt.datetime.strptime(event["end_date"], POLICE_UK_DATETIME).strftime("%H:%M") == "20:00"
    [person] = client.get("/api/cumbria/HIND/people").json()
    assert set(person) == {"name", "rank", "bio", "contact_details"}
    assert client.get("/api/forces/cumbria").json()["id"] == "cumbria"
    assert client.get("/api/locate-neighbourhood", {"q": "54.105,-3.245"}).json() == {"force": "cumbria", "neighbourhood": "HIND"}


def test_a_priority_without_an_action_has_null_action_keys(client, hindpool, screen):
    from tests.factories import PriorityFactory

    PriorityFactory(organisation=hindpool.team, neighbourhood=hindpool, issue="Parking on pavements near the school.")
    screen()
    assert client.get("/api/cumbria/HIND/priorities").json() == [
        {"action": None, "issue-date": dt.datetime.combine(timezone.localdate() - dt.timedelta(days=20), dt.time()).strftime(POLICE_UK_DATETIME),
         "action-date": None, "issue": "Parking on pavements near the school."},
    ]


def test_unknown_forces_and_neighbourhoods_answer_404(client, hindpool):
    assert client.get("/api/forces/nowhere").status_code == 404
    assert client.get("/api/nowhere/neighbourhoods").status_code == 404
    assert client.get("/api/cumbria/NOPE").status_code == 404
    assert client.get("/api/cumbria/NOPE/events").status_code == 404


def test_locate_needs_latitude_and_longitude(client, hindpool):
    response = client.get("/api/locate-neighbourhood", {"q": "Barrow"})
    assert response.status_code == 400
    assert response.json() == {"error": "Give q as latitude,longitude, such as q=54.1108,-3.2261."}
    assert client.get("/api/locate-neighbourhood", {"q": "51.5,-0.12"}).status_code == 404


def test_officers_who_have_not_opted_in_are_not_named(client, hindpool, officer, screen):
    from publication.models import PublicProfile

    PublicProfile.objects.create(user=officer, display_name="PC Priya Shah", rank="Police Constable", published=False)
    assert client.get("/api/cumbria/HIND/people").json() == []


def test_past_cancelled_and_private_kinds_of_meeting_are_not_events(client, hindpool, screen):
    from crm.models import EngagementKind, EngagementStatus

    upcoming_meeting(hindpool, title="Last month's meeting", days=-30, status=EngagementStatus.HELD)
    upcoming_meeting(hindpool, title="Cancelled meeting", status=EngagementStatus.CANCELLED)
    upcoming_meeting(hindpool, title="Door knocking", kind=EngagementKind.DOOR_TO_DOOR)
    upcoming_meeting(hindpool, title="Street surgery", kind=EngagementKind.SURGERY)
    screen()
    assert [e["title"] for e in client.get("/api/cumbria/HIND/events").json()] == ["Street surgery"]


def test_api_pages_take_constant_queries(client, published, hindpool, django_assert_num_queries):
    for n in range(3):
        priority_with_action(hindpool, issue=f"Issue {n} about the park.", action=f"Action {n}: more patrols.")
    from publication.services import screening_pending

    screening_pending()
    client.get(reverse("publication:api-priorities", args=["cumbria", "HIND"]))  # warm the SRID cache
    # 1 the neighbourhood with force area and team, 2 the screened priorities, 3 their screened actions.
    with django_assert_num_queries(3):
        assert len(client.get(reverse("publication:api-priorities", args=["cumbria", "HIND"])).json()) == 4
    # 1 the neighbourhood, 2 the screened meetings.
    with django_assert_num_queries(2):
        client.get(reverse("publication:api-events", args=["cumbria", "HIND"]))
