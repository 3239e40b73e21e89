"""The public send a question before a published meeting, without an account; the team sees it with the meeting."""
import time

import pytest
from django.urls import reverse

from organisations.models import AuditEvent
from cluster.redis_cache import cache_forget_all
from digital.forms import MeetingQuestionForm
from digital.models import MeetingQuestion
from tests.publication.conftest import force_area, hindpool, screen, upcoming_meeting  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    cache_forget_all()
    yield
    cache_forget_all()


@pytest.fixture
def meeting(hindpool, screen):
    found = upcoming_meeting(hindpool)
    screen()
    return found


def url(meeting):
    return reverse("digital-public:meeting-question", args=["cumbria", "HIND", meeting.pk])


def stamp(seconds_ago=10) -> str:
    """The form's signed start time, as if the form had been open `seconds_ago` (a person types for a while)."""
    from django.core import signing

    class Earlier(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time() - seconds_ago))

    return Earlier(salt="digital.question").sign("shown")


def send(client, meeting, **fields):
    data = {"question": "Can we talk about the bikes on the field?", "name": "", "email": "", "website": "", "started": stamp(), **fields}
    return client.post(url(meeting), data)


def test_a_resident_sends_a_question_and_the_team_sees_it_with_the_meeting(client, officer_client, meeting):
    page = client.get(reverse("publication:area", args=["cumbria", "HIND"])).content.decode()
    assert url(meeting) in page
    response = send(client, meeting, name="Jo", email="jo@example.org")
    assert response.status_code == 200 and "Question sent" in response.content.decode()
    question = MeetingQuestion.objects.get()
    assert (question.engagement, question.organisation, question.name) == (meeting, meeting.organisation, "Jo")
    assert AuditEvent.objects.filter(action="digital.question_received").count() == 1
    officer_page = officer_client.get(reverse("crm:engagement-detail", args=[meeting.pk])).content.decode()
    assert "Questions sent before the meeting (1)" in officer_page and "bikes on the field" in officer_page


def test_a_question_holding_contact_details_is_flagged_for_the_team(client, officer_client, meeting):
    send(client, meeting, question="The man at 12 Duke Street, call him on 07700 900123")
    assert "A phone number" in MeetingQuestion.objects.get().screening_findings
    page = officer_client.get(reverse("crm:engagement-detail", args=[meeting.pk])).content.decode()
    assert "do not read out as written" in page


def test_questions_are_never_published(client, meeting):
    send(client, meeting, question="A private worry about my neighbour")
    assert "private worry" not in client.get(reverse("publication:area", args=["cumbria", "HIND"])).content.decode()


@pytest.mark.parametrize(("fields", "message"), [
    ({"question": ""}, "Enter your question or concern."),
    ({"question": "x" * 1001}, "1,000 characters or fewer"),
    ({"email": "not an email"}, "Enter an email address in the correct format"),
    ({"website": "http://spam.example"}, "could not be sent"),
    ({"started": "forged"}, "has expired"),
])
def test_bad_or_scripted_input_is_refused_with_a_clear_message(client, meeting, fields, message):
    response = send(client, meeting, **fields)
    assert response.status_code == 200 and message in response.content.decode()
    assert not MeetingQuestion.objects.exists()


def test_a_form_sent_back_at_once_is_taken_for_a_script(client, meeting):
    response = send(client, meeting, started=MeetingQuestionForm.stamp())
    assert "could not be sent" in response.content.decode()


def test_an_address_may_send_only_a_few_an_hour(client, meeting):
    for _ in range(5):
        send(client, meeting)
    response = send(client, meeting)
    assert "several questions in the last hour" in response.content.decode()
    assert MeetingQuestion.objects.count() == 5


def test_only_published_upcoming_meetings_take_questions(client, hindpool, meeting):
    unscreened = upcoming_meeting(hindpool, title="Not yet screened")
    held = upcoming_meeting(hindpool, days=-7, status="held", title="Last week")
    for other in (unscreened, held):
        assert client.get(url(other)).status_code == 404
    assert client.get(reverse("digital-public:meeting-question", args=["cumbria", "NOPE", meeting.pk])).status_code == 404
