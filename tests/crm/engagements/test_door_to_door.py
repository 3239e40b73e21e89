"""A StreetSafe-style operation: each home's outcome and the force's questionnaire."""
import pytest
from django.urls import reverse

from crm.models import DoorstepVisit, EngagementKind, QuestionKind
from tests.factories import EngagementFactory, QuestionnaireFactory, QuestionnaireQuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operation(team, force, hindpool):
    questionnaire = QuestionnaireFactory(organisation=force)
    safe = QuestionnaireQuestionFactory(questionnaire=questionnaire, text="Do you feel safe after dark?", kind=QuestionKind.YES_NO, order=1)
    worry = QuestionnaireQuestionFactory(questionnaire=questionnaire, text="What worries you most?", kind=QuestionKind.CHOICE,
                                         choices=["Speeding", "Drugs", "Fly-tipping"], order=2)
    engagement = EngagementFactory(organisation=team, kind=EngagementKind.DOOR_TO_DOOR, title="StreetSafe Hindpool",
                                   questionnaire=questionnaire, neighbourhood=hindpool, streets=["Abbey Road", "Duke Street"])
    return engagement, safe, worry


def test_a_home_spoken_to_is_recorded_with_its_answers(officer_client, operation):
    engagement, safe, worry = operation
    url = reverse("crm:engagement-visit-add", args=[engagement.pk])
    response = officer_client.post(url, {"address": "12 Abbey Road", "outcome": "spoken_to", f"answer_{safe.pk}": "no",
                                         f"answer_{worry.pk}": "Drugs", "resolved_on_the_spot": "Smoke alarm fitted"}, follow=True)
    assert "Visit to 12 Abbey Road recorded: spoken to." in response.content.decode()
    visit = DoorstepVisit.objects.get()
    assert visit.answers == {str(safe.pk): "no", str(worry.pk): "Drugs"}
    page = officer_client.get(reverse("crm:engagement-detail", args=[engagement.pk])).content.decode()
    assert "Spoken to: 1; Not in: 0; Declined to talk: 0." in page
    assert "Streets covered: Abbey Road, Duke Street." in page
    assert "12 Abbey Road: Spoken to (resolved on the spot: Smoke alarm fitted)" in page


def test_a_home_not_in_keeps_no_answers(officer_client, operation):
    engagement, safe, _ = operation
    officer_client.post(reverse("crm:engagement-visit-add", args=[engagement.pk]),
                        {"address": "14 Abbey Road", "outcome": "not_in", f"answer_{safe.pk}": "yes"})
    assert DoorstepVisit.objects.get().answers == {}


def test_an_answer_outside_the_questions_choices_is_refused(officer_client, operation):
    engagement, _, worry = operation
    response = officer_client.post(reverse("crm:engagement-visit-add", args=[engagement.pk]),
                                   {"address": "16 Abbey Road", "outcome": "spoken_to", f"answer_{worry.pk}": "Aliens"})
    assert "Select a valid choice" in response.context["form"].errors[f"answer_{worry.pk}"][0]
    assert not DoorstepVisit.objects.exists()


def test_an_outsider_cannot_record_visits_on_our_operation(outsider_client, operation):
    engagement, _, _ = operation
    response = outsider_client.post(reverse("crm:engagement-visit-add", args=[engagement.pk]), {"address": "1 Abbey Road", "outcome": "not_in"})
    assert response.status_code == 404
    assert not DoorstepVisit.objects.exists()
