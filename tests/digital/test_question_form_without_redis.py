"""The public question form when the hub's Redis (its shared counter per address) does not answer: the resident's
question is still taken, never a server error, and questions are then limited per meeting in the database.

Each test runs its own redis-server on a free port and stops or freezes it; the shared one is never touched."""
import time

import pytest

from cluster.redis_cache import redis_cache
from digital import services
from digital.models import MeetingQuestion
from organisations.models import AuditEvent
from tests.digital.test_meeting_questions import meeting, send  # noqa: F401 (fixtures)
from tests.jobs.conftest import RedisServer, free_port
from tests.publication.conftest import force_area, hindpool, screen  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_redis(settings, tmp_path):
    """Django's cache on a redis-server of this test's own (the broker stays on the shared one: nothing is queued)."""
    server = RedisServer(port=free_port(), folder=tmp_path)
    server.start()
    settings.CACHES = {"default": redis_cache(server.url, key_prefix="question-form-test")}
    yield server
    server.stop()


def sent_page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_with_redis_stopped_a_residents_question_is_still_taken(client, meeting, own_redis):  # noqa: F811
    assert "Question sent" in sent_page(send(client, meeting))
    own_redis.stop()
    assert "Question sent" in sent_page(send(client, meeting, question="Is the underpass lit at night?"))
    assert MeetingQuestion.objects.count() == 2 and MeetingQuestion.objects.last().question == "Is the underpass lit at night?"
    assert AuditEvent.objects.filter(action="digital.question_received").count() == 2


def test_with_redis_frozen_the_question_is_taken_within_seconds(client, meeting, own_redis):  # noqa: F811
    own_redis.freeze()  # accepts connections, never answers: each read waits for HUB_CACHE_SOCKET_SECONDS
    started = time.monotonic()
    page = sent_page(send(client, meeting))
    assert "Question sent" in page and MeetingQuestion.objects.count() == 1
    assert time.monotonic() - started < 5


def test_while_redis_is_down_questions_are_limited_per_meeting_with_a_clear_message(client, meeting, own_redis, monkeypatch):  # noqa: F811
    monkeypatch.setattr(services, "QUESTIONS_PER_MEETING_PER_HOUR_WITHOUT_COUNTER", 3)
    own_redis.stop()
    for _ in range(3):
        assert "Question sent" in sent_page(send(client, meeting))
    refused = sent_page(send(client, meeting))
    assert "Many questions have been sent for this meeting in the last hour" in refused and "call 101" in refused
    assert MeetingQuestion.objects.count() == 3


def test_when_redis_answers_again_the_limit_is_per_address_again(client, meeting, own_redis):  # noqa: F811
    for _ in range(services.QUESTIONS_PER_ADDRESS_PER_HOUR):
        send(client, meeting)
    own_redis.stop()
    assert "Question sent" in sent_page(send(client, meeting))  # not counted while down, and the per-meeting cap is far off
    own_redis.start()  # empty again (no saved data): the address starts a new hour
    for _ in range(services.QUESTIONS_PER_ADDRESS_PER_HOUR):
        assert "Question sent" in sent_page(send(client, meeting))
    assert "several questions in the last hour" in sent_page(send(client, meeting))
