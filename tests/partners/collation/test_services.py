"""The collation's steps: placing concerns, linking near-duplicates, the run and its digests."""
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from organisations.models import AuditEvent
from access.roles import Role
from partners.collation.services import Window, collation_run, concerns_link_near_duplicates, concerns_place, concerns_place_at_intake
from partners.models import Concern, ConcernLink, ConcernStatus, NeighbourhoodDigest
from tests.factories import MembershipFactory, UserFactory, issue_category
from tests.partners.collation.conftest import HINDPOOL_POINT, concern, metres_north, today

pytestmark = pytest.mark.django_db


def whole_month() -> Window:
    now = timezone.now()
    return Window(start=now - timedelta(days=28), end=now + timedelta(days=1))


def test_each_concern_is_placed_in_its_neighbourhood_and_lsoa(council, hindpool, ormsgill, hindpool_lsoa):
    in_lsoa = concern(council, at=(-3.230, 54.115))
    in_hindpool_only = concern(council, at=(-3.210, 54.140))
    in_ormsgill = concern(council, at=(-3.280, 54.120))
    outside = concern(council, at=(-3.100, 54.300))

    placement = concerns_place()

    assert (placement.placed, placement.unplaced) == (3, 1)
    placed = {c.pk: (c.neighbourhood_id, c.lsoa_id) for c in Concern.objects.all()}
    assert placed == {
        in_lsoa.pk: (hindpool.pk, hindpool_lsoa.pk), in_hindpool_only.pk: (hindpool.pk, None),
        in_ormsgill.pk: (ormsgill.pk, None), outside.pk: (None, None),
    }


def test_placing_again_leaves_placed_concerns_alone_and_counts_the_unplaced_again(council, hindpool):
    concern(council)
    concern(council, at=(-3.100, 54.300))
    concerns_place()
    again = concerns_place()
    assert (again.placed, again.unplaced) == (0, 1)


def test_placing_since_a_date_places_only_the_newer_concerns(council, hindpool):
    old = concern(council, days_ago=10)
    new = concern(council, days_ago=1)
    placement = concerns_place(since=timezone.now() - timedelta(days=2))
    assert placement.placed == 1
    assert Concern.objects.get(pk=new.pk).neighbourhood == hindpool
    assert Concern.objects.get(pk=old.pk).neighbourhood is None


def test_near_duplicates_from_different_partners_are_linked_once(council, fire_service, hindpool):
    first = concern(council, days_ago=3)
    second = concern(fire_service, at=metres_north(HINDPOOL_POINT, 100), days_ago=1)

    assert concerns_link_near_duplicates(run=None, window=whole_month()) == 1
    link = ConcernLink.objects.get()
    assert (link.first_id, link.second_id) == (first.pk, second.pk)
    assert link.distance_metres == pytest.approx(100, abs=2)
    assert link.days_apart == pytest.approx(2, abs=0.01)
    # Idempotent: the pair is already held.
    assert concerns_link_near_duplicates(run=None, window=whole_month()) == 0
    assert ConcernLink.objects.count() == 1


@pytest.mark.parametrize("second_differs", ["same partner", "another category", "200 metres away", "10 days apart"])
def test_concerns_that_are_not_near_duplicates_are_not_linked(council, fire_service, hindpool, second_differs):
    concern(council, days_ago=12 if second_differs == "10 days apart" else 2)
    reporter = council if second_differs == "same partner" else fire_service
    category = issue_category("graffiti") if second_differs == "another category" else None
    at = metres_north(HINDPOOL_POINT, 200) if second_differs == "200 metres away" else metres_north(HINDPOOL_POINT, 50)
    concern(reporter, at=at, days_ago=1, category=category)

    assert concerns_link_near_duplicates(run=None, window=whole_month()) == 0
    assert not ConcernLink.objects.exists()


def test_the_distance_and_days_are_settings(council, fire_service, hindpool, settings):
    concern(council, days_ago=1)
    concern(fire_service, at=metres_north(HINDPOOL_POINT, 200), days_ago=1)
    settings.COLLATION_DUPLICATE_METRES = 250
    assert concerns_link_near_duplicates(run=None, window=whole_month()) == 1


def test_a_run_collates_new_concerns_and_writes_a_digest_per_team(council, fire_service, hindpool, ormsgill, manager, officer, partner_user,
                                                                  concerns_shared):
    first = concern(council, days_ago=2)
    concern(fire_service, at=metres_north(HINDPOOL_POINT, 80), days_ago=1)
    concern(council, at=(-3.210, 54.140), days_ago=1, category=issue_category("graffiti"))
    outside = concern(council, at=(-3.100, 54.300), days_ago=1)
    taken_before = concern(council, days_ago=40, status=ConcernStatus.CLOSED)

    run = collation_run(period_end=today(), requested_by=manager)

    assert run.finished_at is not None
    assert run.summary["placed"] == 4 and run.summary["unplaced"] == 1
    assert run.summary["linked"] == 1 and run.summary["collated"] == 3
    assert run.summary["by_force"][str(hindpool.force_area.force_id)]["collated"] == 3
    first.refresh_from_db()
    assert (first.status, first.collated_at is not None) == (ConcernStatus.COLLATED, True)
    assert Concern.objects.get(pk=outside.pk).status == ConcernStatus.NEW
    assert Concern.objects.get(pk=taken_before.pk).status == ConcernStatus.CLOSED
    assert ConcernLink.objects.get().found_by == run

    digests = {d.neighbourhood.name: d for d in NeighbourhoodDigest.objects.filter(run=run)}
    assert set(digests) == {"Hindpool", "Ormsgill"}
    assert digests["Hindpool"].organisation == hindpool.team
    assert digests["Hindpool"].content["new_concerns"] == [{"category": "Fly-tipping", "count": 2}, {"category": "Graffiti", "count": 1}]
    assert digests["Hindpool"].content["new_total"] == 3 and digests["Hindpool"].content["links"] == 1
    assert digests["Ormsgill"].content["new_total"] == 0
    assert AuditEvent.objects.filter(action="partners.collation_run", actor=manager, organisation=hindpool.force_area.force).exists()


def test_the_digest_is_emailed_to_the_teams_officers_and_managers_on_commit(council, hindpool, ormsgill, manager, officer, partner_user, concerns_shared,
                                                                             django_capture_on_commit_callbacks):
    concern(council, days_ago=1)
    outsider_to_team = UserFactory(username="clerk", email="clerk@police.example")
    MembershipFactory(user=outsider_to_team, organisation=hindpool.team, role=Role.INFORMATION_GOVERNANCE)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = collation_run(period_end=today())
        assert mail.outbox == []
    assert len(callbacks) == 1

    assert len(mail.outbox) == 1  # Ormsgill's team has no members
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([officer.email, manager.email])
    assert message.subject == f"Partner concerns in Hindpool: digest to {today():%d %B %Y}"
    assert "New concerns: 1" in message.body and "- Fly-tipping: 1" in message.body
    assert "New concerns: 1" in message.alternatives[0][0]
    hindpool_digest = NeighbourhoodDigest.objects.get(run=run, neighbourhood=hindpool)
    assert hindpool_digest.sent_at is not None
    assert NeighbourhoodDigest.objects.get(run=run, neighbourhood=ormsgill).sent_at is None


def test_a_run_that_fails_leaves_nothing_half_written(council, hindpool, monkeypatch):
    concern(council, days_ago=1)

    def broken(*args, **kwargs):
        raise RuntimeError("the digest could not be written")

    monkeypatch.setattr("partners.collation.services._digest_content", broken)
    with pytest.raises(RuntimeError):
        collation_run(period_end=today())
    only = Concern.objects.get()
    assert (only.neighbourhood_id, only.status) == (None, ConcernStatus.NEW)


def test_a_digest_counts_only_the_concerns_its_team_may_see(council, fire_service, hindpool, ormsgill, concerns_shared):
    """Counts tell no more than the lists: not an organisation's with no protocol, not OFFICIAL-SENSITIVE beyond the protocol."""
    from organisations.models import OrganisationKind
    from sharing_protocols.models import Classification
    from tests.factories import OrganisationFactory

    housing = OrganisationFactory(name="Furness Housing Trust", slug="furness-housing", kind=OrganisationKind.HOUSING)
    concern(council, days_ago=1)
    concern(council, at=metres_north(HINDPOOL_POINT, 60), days_ago=1, classification=Classification.OFFICIAL_SENSITIVE)
    for days in (1, 2, 3, 4, 5, 6):  # enough for a hot spot and a rising topic, were they counted
        concern(housing, at=metres_north(HINDPOOL_POINT, 20 * days), days_ago=days, category=issue_category("graffiti"))
    run = collation_run(period_end=today())
    content = NeighbourhoodDigest.objects.get(run=run, neighbourhood=hindpool).content
    assert content["new_concerns"] == [{"category": "Fly-tipping", "count": 1}] and content["new_total"] == 1
    assert content["hot_spot"] is None and content["rising_topics"] == [] and content["links"] == 0
    assert run.summary["collated"] == 8  # the hub's own work still covers every concern


def planner_knows_place(place: str) -> bool:
    """Whether PostgreSQL's statistics on the concerns (what the planner plans from) have seen `place`."""
    with connection.cursor() as cursor:
        # pg_stats hides a table's statistics from a reader its row-level security binds (they would show rows);
        # the table's owner, freed from FORCE inside this test's transaction (rolled back after), reads them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while foreign-key checks wait
        cursor.execute("ALTER TABLE partners_concern NO FORCE ROW LEVEL SECURITY")
        cursor.execute("SELECT coalesce(most_common_vals::text, '') || coalesce(histogram_bounds::text, '') FROM pg_stats "
                       "WHERE tablename = 'partners_concern' AND attname = 'place'")
        found = cursor.fetchone()
        cursor.execute("ALTER TABLE partners_concern FORCE ROW LEVEL SECURITY")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return bool(found) and place in found[0]


def test_the_daily_collation_analyses_the_new_concerns_before_placing_them(council, hindpool):
    # One concern placed at intake is not worth analysing the table for (it must stay quick).
    one = concern(council, place="Fresh Street 1")
    concerns_place_at_intake(concern_ids=[one.pk])
    assert not planner_knows_place("Fresh Street 1")
    for n in range(2, 8):
        concern(council, place=f"Fresh Street {n}")
    # Rows written since the last analysis: the collation plans its placement for them, not for an empty table.
    run = collation_run(period_end=today())
    assert run.summary["placed"] == 6
    assert all(planner_knows_place(f"Fresh Street {n}") for n in range(1, 8))
