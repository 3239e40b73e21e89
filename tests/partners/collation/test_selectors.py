"""Hot spots and rising topics on seeded figures: the last 28 days against the 28 before."""
import pytest

from partners.collation.selectors import HotSpot, RisingTopic, collation_signals, rises
from partners.collation.services import concerns_place
from partners.models import Concern
from tests.factories import issue_category
from tests.partners.collation.conftest import concern, today

pytestmark = pytest.mark.django_db

ORMSGILL_POINT = (-3.280, 54.120)


@pytest.fixture
def seeded(council, fire_service, hindpool, ormsgill):
    """Hindpool: fly-tipping 6 now against 2 before. Ormsgill: graffiti 4 against 5, speeding 3 against none."""
    graffiti, speeding = issue_category("graffiti"), issue_category("speeding")
    for days_ago in (1, 2, 3, 4, 5, 6):
        concern(council, days_ago=days_ago)
    for days_ago in (30, 35):
        concern(council, days_ago=days_ago)
    concern(council, days_ago=60)  # before both periods: not counted
    for days_ago in (2, 4, 8, 10):
        concern(fire_service, at=ORMSGILL_POINT, days_ago=days_ago, category=graffiti)
    for days_ago in (31, 33, 36, 40, 50):
        concern(fire_service, at=ORMSGILL_POINT, days_ago=days_ago, category=graffiti)
    for days_ago in (3, 5, 7):
        concern(council, at=ORMSGILL_POINT, days_ago=days_ago, category=speeding)
    concerns_place()


def test_a_neighbourhood_with_markedly_more_concerns_is_a_hot_spot(seeded, hindpool, ormsgill):
    signals = collation_signals(concerns=Concern.objects.all(), period_end=today())
    # Ormsgill: 7 against 5 is a rise of 40%, short of 50%.
    assert signals.hot_spots == [HotSpot(neighbourhood_id=hindpool.pk, neighbourhood="Hindpool", force_area_id=hindpool.force_area_id,
                                         current=6, previous=2, rise_percent=200)]


def test_rising_topics_are_found_across_the_force_and_in_each_neighbourhood(seeded, hindpool, ormsgill):
    topics = collation_signals(concerns=Concern.objects.all(), period_end=today()).rising_topics
    assert [(t.category, t.neighbourhood, t.current, t.previous, t.rise_percent) for t in topics] == [
        ("Fly-tipping", "", 6, 2, 200),  # across the force first
        ("Speeding", "", 3, 0, None),
        ("Fly-tipping", "Hindpool", 6, 2, 200),
        ("Speeding", "Ormsgill", 3, 0, None),
    ]
    assert all(isinstance(t, RisingTopic) for t in topics)


def test_the_thresholds_are_settings(seeded, settings):
    settings.COLLATION_HOT_SPOT_RISE_PERCENT = 40
    settings.COLLATION_RISING_TOPIC_MIN_COUNT = 4
    signals = collation_signals(concerns=Concern.objects.all(), period_end=today())
    assert {s.neighbourhood for s in signals.hot_spots} == {"Hindpool", "Ormsgill"}
    assert "Speeding" not in {t.category for t in signals.rising_topics}


def test_only_the_concerns_the_reader_may_see_are_counted(seeded, partner_user):
    # The council's user sees the council's concerns, not the fire service's graffiti.
    signals = collation_signals(concerns=Concern.objects.visible_to(partner_user), period_end=today())
    assert {(s.neighbourhood, s.current) for s in signals.hot_spots} == {("Hindpool", 6)}
    assert "Graffiti" not in {t.category for t in signals.rising_topics}


@pytest.mark.parametrize(("current", "previous", "expected"), [(5, 0, True), (4, 0, False), (6, 4, True), (5, 4, False), (9, 9, False)])
def test_what_counts_as_a_rise(current, previous, expected):
    assert rises(current, previous, min_count=5, rise_percent=50) is expected
