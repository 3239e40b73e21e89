"""A beat meeting held online is a beat meeting (section 34 leaves the format to the force): it counts in the
report's regularity like one held in a hall, and it needs no street location."""
import datetime as dt

import pytest
from django.utils import timezone

from crm.models import EngagementKind, EngagementStatus, VenueKind
from reports.figures import ReportScope, report_figures
from tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


def test_an_online_beat_meeting_counts_in_the_reports_regularity(officer, team, places):
    roose = places["Roose"]
    held = timezone.now() - dt.timedelta(days=10)
    meeting = EngagementFactory(organisation=team, kind=EngagementKind.BEAT_MEETING, status=EngagementStatus.HELD, neighbourhood=roose,
                                location=None, venue_kind=VenueKind.ONLINE, online_link="https://meet.example.org/roose", starts_at=held)
    meeting.officers.add(officer)
    meeting.full_clean()  # no street location needed online
    today = timezone.localdate()
    figures = report_figures(user=officer, scope=ReportScope(period_start=today - dt.timedelta(days=30), period_end=today,
                                                               neighbourhood_ids=(roose.pk,)))
    (row,) = [n for n in figures.neighbourhoods if n.pk == roose.pk]
    assert (row.beat_meetings, row.beat_meetings_with_officer) == (1, 1)
