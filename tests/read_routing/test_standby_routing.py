"""Read routing against a real primary and streaming hot standby (tests/read_routing/conftest.py): named
read-only work reads from the standby only once it has replayed the latest grant change. With replay paused and
a protocol suspended on the primary, no routed path shows the suspended protocol or its data, and none reads
from the (stale) standby; once replay resumes and catches up, the standby answers again."""
import datetime as dt

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from access.roles import Role
from partners.models import Concern
from publication.models import Release, ReleaseStatus
from publication.releases import build
from read_routing import standby as routing
from read_routing.config import STANDBY
from read_routing.standby import reads_from_standby
from reports.models import ReportStatus
from reports.protocols import protocols_behind
from reports.services import report_build, report_request
from sharing_protocols.models import ProtocolStatus, SharingProtocol
from sharing_protocols.services import protocol_suspend_or_terminate
from tests.factories import (
    ConcernFactory, ForceAreaFactory, ForceFactory, MembershipFactory, NeighbourhoodFactory, OrganisationFactory, TeamFactory,
    UserFactory, square,
)
from tests.publication.test_releases import new_release
from tests.sharing_protocols.conftest import publish_protocol

CONCERN_TEXT = "Needles left in the play area behind Hindpool Road."
CONCERN_PLACE = "Play area behind Hindpool Road"
ROUTED_PAGES = ["/partners/concerns/", "/api/forces", "/api/forces/cumbria", "/api/cumbria/neighbourhoods", "/your-area/",
                "/open-data/"]


@pytest.fixture(scope="module")
def world(pair, django_db_blocker):
    """A force receiving a council's concerns under a live protocol; a force manager who reads them."""
    primary, standby = pair
    with django_db_blocker.unblock():
        from organisations.models import OrganisationKind

        force = ForceFactory(name="Cumbria Constabulary", slug="cumbria-constabulary")
        team = TeamFactory(name="Hindpool neighbourhood team", slug="team-hindpool", parent=force)
        council = OrganisationFactory(name="Westmorland and Furness Council", slug="wf-council", kind=OrganisationKind.COUNCIL)
        area = ForceAreaFactory(force=force, code="cumbria", name="Cumbria Constabulary", boundary=square(west=-3.30, south=54.05, size=0.2))
        hindpool = NeighbourhoodFactory(force_area=area, code="HIND", name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10))
        manager = UserFactory(username="insp-malik", first_name="Amira", last_name="Malik")
        MembershipFactory(user=manager, organisation=force, role=Role.MANAGER, warranted=True)
        version = publish_protocol(provider=council, recipient=force, categories=("concerns",))
        concern = ConcernFactory(organisation=council, neighbourhood=hindpool, description=CONCERN_TEXT, place=CONCERN_PLACE)
        governance = UserFactory(username="council-ig", first_name="Sam", last_name="Okafor")
        MembershipFactory(user=governance, organisation=council, role=Role.INFORMATION_GOVERNANCE)
    standby.wait_for_replay(primary.current_wal_lsn())
    return {"manager": manager, "protocol": version.protocol, "council": council, "governance": governance, "concern": concern,
            "hindpool": hindpool}


@pytest.fixture
def manager_client(world, database):
    client = Client()
    client.force_login(world["manager"])
    return client


@pytest.fixture(autouse=True)
def files(settings, tmp_path, monkeypatch):
    """Release and report files in the test's own folder; a report asked for is built here, not queued for a worker."""
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("reports.services.job_dispatch_on_commit", lambda run: None)


def counted(callable_):
    """Run `callable_`; its result, and how many queries the primary and the standby answered."""
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections[STANDBY]) as standby:
        result = callable_()
    return result, len(primary), len(standby)


def test_a_caught_up_standby_answers_every_routed_page(world, manager_client):
    for path in ROUTED_PAGES:
        response, _, on_standby = counted(lambda: manager_client.get(path))  # noqa: B023
        assert response.status_code == 200, path
        assert on_standby > 1, f"{path} did not read from the standby"  # more than the replay position
    response = manager_client.get("/partners/concerns/")
    assert CONCERN_PLACE in response.content.decode()
    with reads_from_standby("report aggregation"):  # what a report would name, read from the standby
        assert [p["reference"] for p in protocols_behind(world["manager"])] == [world["protocol"].reference]
        assert routing.current_work().alias == STANDBY


def test_a_page_not_named_reads_from_the_primary_only(world, manager_client):
    response, on_primary, on_standby = counted(lambda: manager_client.get(f"/partners/concerns/{world['concern'].pk}/"))
    assert response.status_code == 200 and on_primary > 0 and on_standby == 0


def test_with_replay_paused_a_suspended_protocol_never_shows_through_any_routed_path(pair, world, manager_client, monkeypatch):
    primary, standby = pair
    monkeypatch.setattr(routing, "UP_TO_NOW_WAIT", 0.3)  # background work would wait 5 s for a standby that cannot catch up
    standby.pause_replay()
    try:
        protocol_suspend_or_terminate(protocol=world["protocol"], status=ProtocolStatus.SUSPENDED, acting_user=world["governance"],
                                      acted_for=world["council"], reason="Breach under investigation")
        # The trap is real: the paused standby still holds the protocol in force and the concern it carries.
        stale = SharingProtocol.objects.using(STANDBY).select_related("current_version").get(pk=world["protocol"].pk)
        assert stale.current_version.status == ProtocolStatus.ACTIVE
        assert Concern.objects.using(STANDBY).filter(description=CONCERN_TEXT, place=CONCERN_PLACE).exists()

        for path in ROUTED_PAGES:
            responses = []
            asked = _standby_queries(lambda: responses.append(manager_client.get(path)))  # noqa: B023
            assert responses[0].status_code == 200, path
            # Only its replay position (asked again if the page was read again under a fresh grant set: the manager's
            # kept one went stale with the suspension; access/grants.py GrantScopeMiddleware).
            assert asked and all("pg_last_wal_replay_lsn" in q["sql"] for q in asked), f"{path} read from a standby behind the suspension"
            assert CONCERN_PLACE not in responses[0].content.decode(), path

        # Report aggregation, as the reports worker runs it: the report names no suspended protocol.
        run, _ = report_request(acting_user=world["manager"], period_start=timezone.localdate() - dt.timedelta(days=30),
                                period_end=timezone.localdate(), neighbourhoods=[world["hindpool"]])
        asked = _standby_queries(lambda: report_build(run_id=run.pk))
        run.refresh_from_db()
        assert run.status == ReportStatus.DONE and run.protocols == []
        assert asked and all("pg_last_wal_replay_lsn" in q["sql"] for q in asked)  # only asked how far it had replayed

        asked = _standby_queries(lambda: build(new_release()))  # the open-data build
        assert asked and all("pg_last_wal_replay_lsn" in q["sql"] for q in asked)
        assert Release.objects.latest("version").status == ReleaseStatus.PUBLISHED
    finally:
        standby.resume_replay()


def _standby_queries(callable_):
    with CaptureQueriesContext(connections[STANDBY]) as standby:
        callable_()
    return list(standby)


def test_after_replay_resumes_and_catches_up_the_standby_is_used_again(pair, world, manager_client):
    primary, standby = pair
    standby.wait_for_replay(primary.current_wal_lsn())
    response, _, on_standby = counted(lambda: manager_client.get("/partners/concerns/"))
    assert response.status_code == 200 and on_standby > 1
    assert CONCERN_PLACE not in response.content.decode()  # suspended on the standby too, now
    with reads_from_standby("report aggregation", up_to_now=True):
        assert protocols_behind(world["manager"]) == []
        assert routing.current_work().alias == STANDBY


def test_an_object_read_from_the_standby_is_saved_to_the_primary_and_its_relations_read_there_after(pair, world, database):
    primary, standby = pair
    standby.wait_for_replay(primary.current_wal_lsn())
    with reads_from_standby("public pages"):
        concern = Concern.objects.get(pk=world["concern"].pk)
    assert concern._state.db == STANDBY
    assert Concern.objects.filter(pk=concern.pk).db == "default"
    with CaptureQueriesContext(connections[STANDBY]) as on_standby:
        assert concern.organisation == world["council"]  # outside named work: read from the primary
        concern.save(update_fields=["place"])  # a write to the copy would fail: it goes to the primary
    assert len(on_standby) == 0


def test_a_write_inside_named_work_sends_the_rest_of_it_to_the_primary(pair, world, database):
    primary, standby = pair
    standby.wait_for_replay(primary.current_wal_lsn())
    with reads_from_standby("public pages"):
        assert Concern.objects.all().db == STANDBY
        UserFactory(username="written-inside")
        assert Concern.objects.all().db == "default"


def test_a_standby_that_does_not_answer_leaves_the_primary_answering(pair, world, manager_client, monkeypatch):
    primary, standby = pair
    monkeypatch.setattr(routing, "_standby_unreachable_until", 0.0)
    standby.stop()
    try:
        response, on_primary, _ = counted(lambda: manager_client.get("/api/forces"))
        assert response.status_code == 200 and on_primary > 0
        assert routing._standby_unreachable_until > 0  # and it is not asked again for a while
    finally:
        standby.start()
        monkeypatch.setattr(routing, "_standby_unreachable_until", 0.0)


def test_a_promoted_standby_is_no_longer_read_as_a_standby(pair, world, manager_client):
    """Last: after promotion it is a primary of its own (cluster/postgres.py's promote), not a copy of ours."""
    primary, standby = pair
    standby.wait_for_replay(primary.current_wal_lsn())
    standby.promote()
    assert not standby.in_recovery()
    with reads_from_standby("public pages"):
        assert Concern.objects.all().db == "default"
