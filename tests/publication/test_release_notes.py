"""Every open-data release says what changed since the one before it: two versions covering the same period say why the
second was built and what (if anything) differs, on the list of releases and on the release's own page."""
import pytest
from django.urls import reverse

from publication.models import ReleaseTrigger
from publication.releases import build, quarter_label
from tests.publication.conftest import priority_with_action
from tests.publication.test_releases import collated, data, last_quarter, new_release, release_dir  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def page_text(client, url) -> str:
    return " ".join(client.get(url).content.decode().split())


def test_the_first_release_says_it_is_the_first(data, client):
    build(new_release())
    assert "The first release." in page_text(client, reverse("publication:release", args=[1]))


def test_a_second_release_of_the_same_period_with_the_same_figures_says_nothing_changed_and_why_it_was_built(data, client):
    build(new_release())
    second = new_release()
    second.trigger = ReleaseTrigger.ON_DEMAND
    second.save(update_fields=["trigger"])
    build(second)

    page = page_text(client, reverse("publication:release", args=[2]))
    assert "What changed since version 1" in page
    assert "Built on demand, between scheduled releases." in page
    assert "Covers the same period as version 1" in page
    assert "Every figure is the same as in version 1" in page
    listing = page_text(client, reverse("publication:open-data"))
    assert "Covers the same period as version 1" in listing and "The first release." not in listing.split("Version 2", 1)[1].split("Version 1")[0]


def test_a_release_that_counts_priorities_again_names_the_table_and_says_its_figures_differ(data, hindpool, screen, client):
    build(new_release())
    priority_with_action(hindpool, issue_date=last_quarter(3).date())
    screen()
    build(new_release())

    page = page_text(client, reverse("publication:release", args=[2]))
    assert "Neighbourhood priorities agreed, by neighbourhood, category, status and month: counted again" in page
    assert "Every figure is the same" not in page
    assert "so some figures differ from version 1&#x27;s" in page


def test_concerns_held_back_from_one_release_are_named_when_the_next_publishes_them(hindpool, council, client, settings):
    from partners.models import CollationRun
    from tests.factories import ConcernFactory

    for _ in range(6):
        ConcernFactory(organisation=council, neighbourhood=hindpool, reported_at=last_quarter())
    first = build(new_release())  # the collation has not run: the quarter's concerns wait
    assert first.withheld
    assert CollationRun.objects.count() == 0
    collated()
    build(new_release())

    page = page_text(client, reverse("publication:release", args=[2]))
    assert f"Adds the concerns figures for {quarter_label(last_quarter().date())}" in page
