"""Questions residents send before a meeting count as engagement in the coverage report, as a channel of their own
beside online and face to face: in the PDF (read back with pdftotext), the CSV and the force's totals."""
from pathlib import Path

import pytest

from crm.models import EngagementKind, EngagementStatus
from digital.models import MeetingQuestion
from tests.factories import EngagementFactory
from tests.reports.conftest import days_ago, pdf_text
from tests.reports.test_report_pdf import build

pytestmark = pytest.mark.django_db


def ask(meeting, *, days: int, organisation=None) -> MeetingQuestion:
    question = MeetingQuestion.objects.create(organisation=organisation or meeting.organisation, engagement=meeting,
                                              question="Can we talk about the bikes on the field?")
    MeetingQuestion.objects.filter(pk=question.pk).update(created_at=days_ago(days))  # received then
    return question


@pytest.fixture
def questions(seeded, team, other_force):
    planned = EngagementFactory(organisation=team, neighbourhood=seeded.hindpool, kind=EngagementKind.BEAT_MEETING,
                                status=EngagementStatus.PLANNED, starts_at=days_ago(-7), title="Hindpool beat meeting next week")
    ask(planned, days=2)
    ask(planned, days=1)
    ask(planned, days=300)  # received long before the period: not counted
    theirs = EngagementFactory(organisation=other_force, neighbourhood=seeded.hindpool, kind=EngagementKind.BEAT_MEETING,
                               status=EngagementStatus.PLANNED, starts_at=days_ago(-3), title="Lancashire meeting")
    ask(theirs, days=1)  # another force's question: the manager cannot see it, so it is not counted
    return planned


def test_the_pdf_counts_questions_sent_before_a_meeting_by_channel(manager, seeded, questions):
    text = pdf_text(build(manager, seeded).pdf.path)
    # The summary (the force) and Hindpool's page: online 1, face to face 5, and the two questions of the period.
    assert text.count("Online: 1; face to face: 5; questions sent before a meeting: 2") == 2
    assert "Online: 0; face to face: 0; questions sent before a meeting: 0" in text  # Ormsgill had none


def test_the_csv_has_the_channel_and_its_force_total(manager, seeded, questions):
    lines = Path(build(manager, seeded).csv.path).read_text(encoding="utf-8-sig").splitlines()
    assert "Engagements,HIND,Hindpool,Questions sent before a meeting,,2" in lines
    assert "Engagements,ORMS,Ormsgill,Questions sent before a meeting,,0" in lines
    assert "Engagements,ALL,Force total (2 neighbourhoods),Questions sent before a meeting,,2" in lines


def test_without_questions_the_channel_says_none(manager, seeded):
    text = pdf_text(build(manager, seeded).pdf.path)
    assert "Online: 1; face to face: 5; questions sent before a meeting: 0" in text
