"""The question form's per-address count is taken in one atomic step before a question is kept: two questions sent at
the same moment from one address cannot both slip under the limit, and the count lasts an hour from the first.

Two real requests, each on its own thread and database connection, against the real Redis cache (or, while it does
not answer, the database's count per meeting)."""
import threading

import pytest
from django.core.cache import cache
from django.db.models.signals import pre_save
from django.test import Client

from cluster.redis_cache import cache_forget_all
from digital import services
from digital.models import MeetingQuestion
from publication import screening
from tests.digital.test_meeting_questions import meeting, send  # noqa: F401 (fixtures)
from tests.digital.test_question_form_without_redis import own_redis  # noqa: F401 (fixtures)
from tests.publication.conftest import force_area, hindpool, screen  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_limits():
    cache_forget_all()
    yield
    cache_forget_all()


def waits_for_the_other(together: threading.Barrier) -> None:
    """Wait (up to two seconds) for the other request to get to the same place."""
    try:
        together.wait(timeout=2)
    except threading.BrokenBarrierError:  # the other was refused, or is held, before it got here
        pass


def both_at_once(meeting, monkeypatch) -> list[str]:  # noqa: F811
    """Two questions from one address, sent together: each request, once past the per-address check, waits for the
    other to get there too, so a check-then-count would let both through."""
    together = threading.Barrier(2)
    screen_fields = screening.screen_fields
    monkeypatch.setattr(screening, "screen_fields", lambda fields: (waits_for_the_other(together), screen_fields(fields))[1])
    return sent_together(meeting)


def sent_together(meeting) -> list[str]:  # noqa: F811
    pages = []

    def sender():
        from django.db import connection

        try:
            pages.append(send(Client(), meeting).content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    return pages


@pytest.mark.timeout(120, func_only=True)
def test_two_questions_sent_at_once_at_the_limit_let_only_one_through(client, meeting, monkeypatch):  # noqa: F811
    for _ in range(services.QUESTIONS_PER_ADDRESS_PER_HOUR - 1):
        assert "Question sent" in send(client, meeting).content.decode()
    pages = both_at_once(meeting, monkeypatch)
    assert sorted("Question sent" in page for page in pages) == [False, True]
    assert any("several questions in the last hour" in page for page in pages)
    assert MeetingQuestion.objects.count() == services.QUESTIONS_PER_ADDRESS_PER_HOUR


@pytest.mark.timeout(120, func_only=True)
def test_two_questions_sent_at_once_below_the_limit_are_both_kept_and_both_counted(client, meeting, monkeypatch):  # noqa: F811
    pages = both_at_once(meeting, monkeypatch)
    assert all("Question sent" in page for page in pages) and MeetingQuestion.objects.count() == 2
    assert cache.get("digital:questions:127.0.0.1") == 2


def test_an_addresss_count_lasts_an_hour_from_its_first_question(client, meeting):  # noqa: F811
    send(client, meeting)
    name = cache.make_and_validate_key("digital:questions:127.0.0.1")
    first = cache._cache.get_client(name).ttl(name)
    send(client, meeting)
    assert cache.get("digital:questions:127.0.0.1") == 2
    assert 3590 <= cache._cache.get_client(name).ttl(name) <= first <= services.COUNTER_SECONDS  # not started again


@pytest.mark.timeout(120, func_only=True)
def test_with_redis_down_two_questions_sent_at_once_at_the_meetings_limit_let_only_one_through(client, meeting, own_redis, monkeypatch):  # noqa: F811
    """Counted in the database meanwhile: each request, about to keep its question, waits for the other, so a
    count-then-insert would keep both."""
    monkeypatch.setattr(services, "QUESTIONS_PER_MEETING_PER_HOUR_WITHOUT_COUNTER", 3)
    own_redis.stop()
    for _ in range(2):
        assert "Question sent" in send(client, meeting).content.decode()
    together = threading.Barrier(2)
    waits = lambda sender, **kwargs: waits_for_the_other(together)  # noqa: E731
    pre_save.connect(waits, sender=MeetingQuestion, weak=False)
    try:
        pages = sent_together(meeting)
    finally:
        pre_save.disconnect(waits, sender=MeetingQuestion)
    assert sorted("Question sent" in page for page in pages) == [False, True]
    assert any("Many questions have been sent for this meeting" in page for page in pages)
    assert MeetingQuestion.objects.count() == 3
