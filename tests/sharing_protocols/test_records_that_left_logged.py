"""Records that leave in a file or an email are logged one by one (DPA 2018 s.62: which records went to whom): a
report's PDF, CSV and XLSX and a team's digest write one disclosure entry per other organisation's record they
carry or count, in one insert, and none for the reader's own records; the holder's IG reads them on the log page."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.collation.services import collation_run
from reports.services import report_build, report_request
from sharing_protocols.disclosures import verify_chain
from sharing_protocols.models import DisclosureAction, DisclosureEntry
from tests.factories import ConcernFactory, EngagementFactory, ForceAreaFactory, NeighbourhoodFactory, point, square
from tests.sharing_protocols.conftest import publish_protocol
from tests.sharing_protocols.test_protocol_sign_off import governance

pytestmark = pytest.mark.django_db

INSIDE_HINDPOOL = (-3.2270, 54.1150)


@pytest.fixture
def hindpool(force, team, council):
    """The council sends its concerns and engagements to the force and to the Hindpool team."""
    for recipient in (force, team):
        publish_protocol(provider=council, recipient=recipient, categories=("concerns", "engagements"), reference=f"isp-council-{recipient.slug}")
    area = ForceAreaFactory(force=force, boundary=square(west=-3.30, south=54.05, size=0.2))
    return NeighbourhoodFactory(force_area=area, team=team, name="Hindpool", boundary=square(west=-3.25, south=54.10, size=0.05))


def concern(organisation, neighbourhood=None, *, days_ago=1):
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return ConcernFactory(organisation=organisation, neighbourhood=neighbourhood, location=point(*INSIDE_HINDPOOL),
                          occurred_at=when, reported_at=when)


def new_entries(before: int) -> list[DisclosureEntry]:
    return list(DisclosureEntry.objects.filter(pk__gt=before).order_by("pk"))


def last_pk() -> int:
    return DisclosureEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def build_report(user, neighbourhood):
    today = timezone.localdate()
    run, _ = report_request(acting_user=user, period_start=today - datetime.timedelta(days=30), period_end=today, neighbourhoods=[neighbourhood])
    report_build(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_a_report_logs_each_shared_record_it_carries_and_none_of_the_readers_own(client, officer, team, council, hindpool):
    theirs = [concern(council, hindpool) for _ in range(3)]
    engagement = EngagementFactory(organisation=council, neighbourhood=hindpool, status="held",
                                   starts_at=timezone.now() - datetime.timedelta(days=3))
    concern(team, hindpool)
    EngagementFactory(organisation=team, neighbourhood=hindpool, status="held", starts_at=timezone.now() - datetime.timedelta(days=3))
    before = last_pk()
    run = build_report(officer, hindpool)
    assert run.status == "done"
    entries = new_entries(before)
    assert {(e.record_type, e.record_id) for e in entries} == (
        {("partners.concern", str(c.pk)) for c in theirs} | {("crm.engagement", str(engagement.pk))})
    assert {e.holder_label for e in entries} == {council.name} and {e.user_label for e in entries} == {officer.username}
    assert all(e.action == DisclosureAction.EXPORT and e.details == {"report": run.pk} for e in entries)
    assert all(e.protocol_reference.startswith("isp-council-") for e in entries)
    assert verify_chain().intact

    client.force_login(governance("council-ig", council))
    shown = [e for e in client.get(reverse("sharing:disclosure-log")).context["entries"] if e.details.get("report") == run.pk]
    assert len(shown) == 4 and "Included in engagement-coverage report" in shown[0].purpose


def test_a_report_of_only_own_records_logs_nothing_per_record(officer, team, hindpool):
    concern(team, hindpool)
    before = last_pk()
    build_report(officer, hindpool)
    assert new_entries(before) == []


def test_a_digest_logs_each_partner_concern_it_counts_for_the_team(client, team, council, hindpool):
    theirs = [concern(council) for _ in range(2)]
    concern(team)
    before = last_pk()
    run = collation_run(period_end=timezone.localdate())
    digest = run.digests.get(neighbourhood=hindpool)
    assert digest.content["new_total"] == 3
    entries = new_entries(before)
    assert sorted(e.record_id for e in entries) == sorted(str(c.pk) for c in theirs)
    assert {(e.organisation_label, e.holder_label, e.user_label) for e in entries} == {(team.name, council.name, "")}
    assert all(e.details == {"digest": digest.pk} and "digest of partner concerns in Hindpool" in e.purpose for e in entries)
    assert all(e.protocol_reference == "isp-council-team-hindpool v1, clause 4.1" or e.protocol_reference.startswith("isp-council-")
               for e in entries)
    client.force_login(governance("council-ig", council))
    shown = [e for e in client.get(reverse("sharing:disclosure-log")).context["entries"] if e.details.get("digest") == digest.pk]
    assert len(shown) == 2


def test_the_entries_are_written_in_one_insert_however_many_records_left(officer, council, hindpool):
    for _ in range(25):
        concern(council, hindpool)
    before = last_pk()
    with CaptureQueriesContext(connection) as queries:
        build_report(officer, hindpool)
    inserts = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "sharing_protocols_disclosureentry"' in q["sql"]]  # after row-level security's prefix
    assert len(new_entries(before)) == 25 and len(inserts) == 1
    assert verify_chain().intact
