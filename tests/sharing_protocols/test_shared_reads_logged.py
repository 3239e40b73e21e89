"""Every surface that shows another organisation's records writes one disclosure entry per page view, naming them:
the concern page's near-duplicates, "you said, we did", the neighbourhood page, the collation pages and exports."""
import pytest
from django.urls import reverse

from partners.models import ConcernLink
from sharing_protocols.models import DisclosureEntry
from tests.factories import (
    ConcernFactory, EngagementFactory, ForceAreaFactory, NeighbourhoodFactory, PriorityFactory, square,
)
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(force, team, council, officer):
    """The council shares concerns, engagements and priorities with the force and its Hindpool team."""
    for recipient in (force, team):
        publish_protocol(provider=council, recipient=recipient, categories=("concerns", "engagements", "priorities"),
                         reference=f"isp-council-{recipient.slug}", personal=True)
    area = ForceAreaFactory(force=force, boundary=square(west=-3.30, south=54.05, size=0.2))
    return NeighbourhoodFactory(force_area=area, team=team, name="Hindpool", boundary=square(west=-3.25, south=54.10))


def entries_since(before: int) -> list[DisclosureEntry]:
    return list(DisclosureEntry.objects.filter(pk__gt=before).order_by("pk"))


def last_pk() -> int:
    return DisclosureEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def named(entry: DisclosureEntry) -> set[str]:
    return {entry.record_id} if entry.record_id.isdigit() else {str(pk) for pk in entry.details.get("ids", [])}


def test_the_concern_page_logs_its_near_duplicates_once(client, officer, force, council, shared):
    own = ConcernFactory(organisation=force, neighbourhood=shared)
    theirs = [ConcernFactory(organisation=council, neighbourhood=shared) for _ in range(2)]
    for other in theirs:
        ConcernLink.objects.create(first=own, second=other, distance_metres=20, days_apart=0.5)
    client.force_login(officer)
    before = last_pk()
    assert client.get(reverse("partners:concern-detail", args=[own.pk])).status_code == 200
    [entry] = entries_since(before)
    assert named(entry) == {str(c.pk) for c in theirs} and entry.action == "read"


def test_you_said_we_did_the_neighbourhood_page_and_the_collation_page_each_log_once(client, officer, council, shared):
    priority = PriorityFactory(organisation=council, neighbourhood=shared)
    engagement = EngagementFactory(organisation=council, neighbourhood=shared, title="Council street meeting")
    concern = ConcernFactory(organisation=council, neighbourhood=shared)
    client.force_login(officer)
    for url, record in ((reverse("crm:you-said-we-did", args=[shared.pk]), priority),
                        (reverse("geo:neighbourhood", args=[shared.pk]), engagement),
                        (reverse("partners:collation-neighbourhood", args=[shared.pk]), concern)):
        before = last_pk()
        response = client.get(url)
        assert response.status_code == 200, url
        [entry] = entries_since(before)
        assert named(entry) == {str(record.pk)}, url


def test_an_export_names_each_shared_record_that_left(client, officer, council, shared, force):
    theirs = [EngagementFactory(organisation=council, neighbourhood=shared) for _ in range(3)]
    EngagementFactory(organisation=force, neighbourhood=shared)
    from crm.transfer.services import export_records

    before = last_pk()
    export_records(what="engagements", file_format="csv", user=officer)
    [entry] = entries_since(before)
    assert entry.action == "export" and entry.details["shared_ids"] == sorted(e.pk for e in theirs)
