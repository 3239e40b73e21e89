"""A report names the sharing protocols its shared data came through."""
import datetime

import pytest
from django.utils import timezone

from reports.protocols import protocols_behind
from reports.services import report_build, report_request
from sharing_protocols.models import DataCategory, ProtocolDataFlow, ProtocolStatus, ProtocolVersion, SharingProtocol
from tests.factories import ForceAreaFactory, NeighbourhoodFactory
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db


def protocol(*, reference, title, provider, recipient, lead, number=1, starts=-30, ends=None, status=ProtocolStatus.ACTIVE,
             existing=None):
    today = timezone.localdate()
    shared = existing or SharingProtocol.objects.create(reference=reference, title=title, lead_organisation=lead)
    version = ProtocolVersion.objects.create(
        protocol=shared, number=number, status=status, purpose="Tackling anti-social behaviour together.",
        retention_and_deletion="Deleted after two years.", security="Hub accounts only.",
        starts_on=today + datetime.timedelta(days=starts), review_on=today + datetime.timedelta(days=300),
        ends_on=None if ends is None else today + datetime.timedelta(days=ends), signatories="Both chief officers.",
        signed_off_on=today + datetime.timedelta(days=starts),
    )
    ProtocolDataFlow.objects.create(version=version, category=DataCategory.CONCERNS, provider=provider, recipient=recipient, clause="4.2")
    # As protocol_publish_version does: the newest version is the one in force.
    shared.current_version = version
    shared.save(update_fields=["current_version"])
    return shared


def test_only_protocols_in_force_that_send_data_to_the_users_organisation_are_named(partner_user, council, team, force, other_force):
    live = protocol(reference="asb-pact", title="Barrow ASB partnership", provider=team, recipient=council, lead=force)
    protocol(reference="old", title="An ended agreement", provider=team, recipient=council, lead=force, ends=-1)
    protocol(reference="draft", title="A draft agreement", provider=team, recipient=council, lead=force, status=ProtocolStatus.DRAFT)
    protocol(reference="elsewhere", title="Lancashire agreement", provider=team, recipient=other_force, lead=force)
    superseded = protocol(reference="superseded", title="Replaced agreement", provider=team, recipient=council, lead=force)
    protocol(reference="superseded", title="Replaced agreement", provider=team, recipient=council, lead=force, number=2,
             status=ProtocolStatus.SUSPENDED, existing=superseded)
    named = protocols_behind(partner_user)
    assert [(p["reference"], p["version"]) for p in named] == [(live.reference, 1)]
    assert named[0]["flows"] == [f"Partner-reported concerns from {team.name} (clause 4.2)"]


def test_the_report_lists_them(partner_user, council, team, force):
    protocol(reference="asb-pact", title="Barrow ASB partnership", provider=team, recipient=council, lead=force)
    neighbourhood = NeighbourhoodFactory(force_area=ForceAreaFactory(force=force), name="Hindpool")
    today = timezone.localdate()
    run, _ = report_request(acting_user=partner_user, period_start=today - datetime.timedelta(days=30), period_end=today,
                            neighbourhoods=[neighbourhood])
    report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.protocols[0]["title"] == "Barrow ASB partnership"
    assert "Barrow ASB partnership (asb-pact, version 1): Partner-reported concerns from" in pdf_text(run.pdf.path)


def test_a_reports_files_are_refused_once_a_protocol_it_drew_on_is_suspended_or_ends(client, partner_user, council, team, force, officer):
    """Files outlive nothing: built under a protocol, downloadable only while it still lets the data reach the reader."""
    from django.urls import reverse

    from reports.protocols import lapsed_protocols
    from sharing_protocols.models import DisclosureEntry
    from sharing_protocols.services import protocol_change_status
    from tests.sharing_protocols.conftest import publish_protocol

    version = publish_protocol(provider=team, recipient=council, categories=("concerns",), reference="asb-pact", ends_in_days=10)
    neighbourhood = NeighbourhoodFactory(force_area=ForceAreaFactory(force=force), name="Hindpool")
    today = timezone.localdate()
    run, _ = report_request(acting_user=partner_user, period_start=today - datetime.timedelta(days=30), period_end=today,
                            neighbourhoods=[neighbourhood])
    report_build(run_id=run.pk)
    run.refresh_from_db()
    assert [p["reference"] for p in run.protocols] == ["asb-pact"]  # what it drew on, on its row
    client.force_login(partner_user)
    for kind in ("pdf", "csv", "xlsx"):
        assert client.get(reverse("reports:download", args=[run.pk, kind])).status_code == 200
    assert lapsed_protocols(run, partner_user, today=today + datetime.timedelta(days=11))  # once it has ended
    protocol_change_status(protocol=version.protocol, status=ProtocolStatus.SUSPENDED, acting_user=officer, reason="Breach under review")
    exports = DisclosureEntry.objects.count()
    for kind in ("pdf", "csv", "xlsx"):
        refused = client.get(reverse("reports:download", args=[run.pk, kind]))
        assert refused.status_code == 410
        assert "This report's files can no longer be downloaded" in refused.content.decode()
        assert "asb-pact, version 1" in refused.content.decode()
    assert DisclosureEntry.objects.count() == exports  # nothing left, so nothing logged
    assert "Ask for the report again" in client.get(reverse("reports:detail", args=[run.pk])).content.decode()


def test_a_reports_files_are_refused_once_a_one_off_share_it_carried_is_revoked(client, officer, team, council, partner_user, force):
    """Files outlive nothing, shares too: a council concern shared one-off with the team goes into the officer's report;
    once the council revokes the share, the files are refused, naming why, and nothing more is logged."""
    from django.urls import reverse

    from sharing_protocols.models import DisclosureEntry
    from sharing_protocols.shares import record_share, record_share_revoke
    from tests.factories import ConcernFactory

    neighbourhood = NeighbourhoodFactory(force_area=ForceAreaFactory(force=force), name="Hindpool", team=team)
    concern = ConcernFactory(organisation=council, neighbourhood=neighbourhood, reported_at=timezone.now() - datetime.timedelta(days=2))
    share = record_share(record=concern, organisation=team, reason="Joint visit with housing", includes_personal_data=False,
                         expires_at=timezone.now() + datetime.timedelta(days=5), acting_user=partner_user)
    today = timezone.localdate()
    run, _ = report_request(acting_user=officer, period_start=today - datetime.timedelta(days=30), period_end=today, neighbourhoods=[neighbourhood])
    report_build(run_id=run.pk)
    run.refresh_from_db()
    assert DisclosureEntry.objects.filter(record_type="partners.concern", record_id=str(concern.pk), details__report=run.pk).exists()
    client.force_login(officer)
    assert client.get(reverse("reports:download", args=[run.pk, "csv"])).status_code == 200
    record_share_revoke(share=share, acting_user=partner_user, reason="Visit done")
    entries = DisclosureEntry.objects.count()
    refused = client.get(reverse("reports:download", args=[run.pk, "csv"]))
    assert refused.status_code == 410 and "They hold 1 record another organisation shared with you" in refused.content.decode()
    assert DisclosureEntry.objects.count() == entries
    assert "Ask for the report again" in client.get(reverse("reports:detail", args=[run.pk])).content.decode()
