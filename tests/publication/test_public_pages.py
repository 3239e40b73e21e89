"""The public neighbourhood pages and the iCalendar feed: no sign-in, only screened wording."""
import datetime as dt

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from publication.models import Screening, ScreeningStatus, Subject
from tests.factories import ContactFactory
from tests.publication.conftest import priority_with_action, upcoming_meeting

PAGE = ("cumbria", "HIND")


def test_anyone_sees_the_team_meetings_with_accessibility_priorities_and_how_to_get_involved(client, hindpool, opted_in_officer, officer, screen):
    upcoming_meeting(hindpool)
    priority_with_action(hindpool)
    screen()
    page = client.get(reverse("publication:area", args=PAGE)).content.decode()
    assert "PC Gareth Jones</strong>, Police Constable" in page
    assert "Shah" not in page  # an officer who has not opted in is not named
    assert "Hindpool beat meeting" in page and "Hindpool Community Centre" in page
    for adjustment in ("BSL interpreter", "Step-free venue", "Hearing loop", "Online option"):
        assert f"<li>{adjustment}</li>" in page
    assert 'href="https://meet.example.org/hindpool"' in page
    assert "Speeding on Duke Street at school times." in page and "Speed checks at 8 am and 3 pm." in page
    assert "How to get involved" in page
    assert "OFFICIAL-SENSITIVE" not in page  # the hub's internal banner is not on public pages


def test_the_list_links_every_neighbourhood(client, hindpool, central):
    page = client.get(reverse("publication:area-list")).content.decode()
    assert 'href="/your-area/cumbria/HIND/"' in page and 'href="/your-area/cumbria/CENT/"' in page


def test_an_unknown_neighbourhood_is_404(client, hindpool):
    assert client.get("/your-area/cumbria/NOPE/").status_code == 404


def test_flagged_text_never_reaches_a_public_page_the_api_or_the_calendar(client, hindpool, screen, council):
    ContactFactory(organisation=council, first_name="Maureen", last_name="Whitlock")
    priority_with_action(hindpool, issue="Maureen Whitlock's neighbours are dealing drugs.", action="Visited the flats.")
    priority_with_action(hindpool, issue="Litter in the park.", action="Call 07700 900123 to report litter.")
    upcoming_meeting(hindpool, title="Meeting about OFFICIAL-SENSITIVE matters")
    upcoming_meeting(hindpool, title="Open meeting", objectives="Email pact@example.org with questions.")
    screen()
    priority_with_action(hindpool, issue="Written after screening ran.")  # not screened yet
    page = client.get(reverse("publication:area", args=PAGE)).content.decode()
    api = str(client.get("/api/cumbria/HIND/priorities").json()) + str(client.get("/api/cumbria/HIND/events").json())
    ics = client.get(reverse("publication:area-calendar", args=PAGE)).content.decode()
    for public in (page, api):
        assert "Litter in the park." in public
        assert "Written after screening ran." not in public
    for public in (page, api, ics):
        assert "Whitlock" not in public and "07700" not in public and "OFFICIAL-SENSITIVE" not in public
        assert "pact@example.org" not in public
    assert Screening.objects.filter(status=ScreeningStatus.FLAGGED).count() == 4


def test_a_rejected_text_stays_off_and_an_approved_one_appears(client, hindpool, screen, manager):
    from publication.services import screening_approve, screening_reject

    held, _ = priority_with_action(hindpool, issue="Cars parked on the verge by LA14 2AB's corner shop.")
    rejected, _ = priority_with_action(hindpool, issue="Fly-tipping on Jean Street near LA14 1RH.")
    screen()
    screening_approve(screening=Screening.objects.get(subject=Subject.PRIORITY, object_id=held.pk), acting_user=manager)
    screening_reject(screening=Screening.objects.get(subject=Subject.PRIORITY, object_id=rejected.pk), acting_user=manager,
                     note="Remove the postcode.")
    page = client.get(reverse("publication:area", args=PAGE)).content.decode()
    assert "Cars parked on the verge" in page and "Fly-tipping on Jean Street" not in page


def test_the_page_takes_the_same_queries_however_much_it_shows(client, hindpool, opted_in_officer, screen, django_assert_num_queries):
    upcoming_meeting(hindpool)
    priority_with_action(hindpool)
    screen()
    url = reverse("publication:area", args=PAGE)
    client.get(url)  # warm Django's per-process SRID cache
    # 1 the neighbourhood with force area and team, 2 the opted-in officers, 3 the screened meetings,
    # 4 the screened priorities, 5 their screened actions, 6 the team's contact routes. No session: the page needs no sign-in.
    with django_assert_num_queries(6):
        client.get(url)
    for n in range(4):
        upcoming_meeting(hindpool, title=f"Surgery {n}", days=n + 1)
        priority_with_action(hindpool, issue=f"Issue {n}.", action=f"Action {n}.")
    screen()
    with django_assert_num_queries(6):
        page = client.get(url).content.decode()
    assert page.count('data-testid="meeting"') == 5 and page.count('data-testid="priority"') == 5


def test_the_calendar_feed_parses_and_holds_each_meeting(client, hindpool, screen):
    first = upcoming_meeting(hindpool)
    upcoming_meeting(hindpool, title="Online surgery", days=14, venue_name="", ends_at=None)
    screen()
    response = client.get(reverse("publication:area-calendar", args=PAGE))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0" and str(calendar["prodid"]).startswith("-//Engagement Hub//")
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Hindpool beat meeting", "Online surgery"]
    beat = events[0]
    assert beat.decoded("dtstart") == first.starts_at and beat.decoded("dtend") == first.ends_at
    assert str(beat["location"]) == "Hindpool Community Centre"
    assert "BSL interpreter" in str(beat["description"]) and str(beat["url"]) == "https://meet.example.org/hindpool"
    assert str(beat["uid"]) == f"meeting-{first.pk}@engagement-hub.invalid"
    assert str(beat["organizer"]).startswith("mailto:") and beat["organizer"].params["CN"]
    assert events[1].decoded("dtend") - events[1].decoded("dtstart") == dt.timedelta(hours=1)
    assert all("dtstamp" in e for e in events)


def test_the_calendar_of_a_quiet_neighbourhood_is_empty_but_valid(client, central):
    calendar = Calendar.from_ical(client.get(reverse("publication:area-calendar", args=["cumbria", "CENT"])).content)
    assert calendar.walk("VEVENT") == []


def test_meeting_times_are_shown_in_uk_time(client, hindpool, screen):
    meeting = upcoming_meeting(hindpool)
    screen()
    page = client.get(reverse("publication:area", args=PAGE)).content.decode()
    assert timezone.localtime(meeting.starts_at).strftime("%-d %B %Y, 6:30") in page


def test_the_neighbourhood_list_takes_three_queries(client, hindpool, central, django_assert_num_queries):
    client.get(reverse("publication:area-list"))
    # 1 the neighbourhoods with their force areas, 2 whether postcodes are loaded, 3 whether place names are.
    with django_assert_num_queries(3):
        client.get(reverse("publication:area-list"))


def test_a_partner_user_has_no_public_profile_to_set(partner_client):
    assert partner_client.get(reverse("publication:profile")).status_code == 403


def test_the_sign_in_page_leads_the_public_to_their_neighbourhood_team_without_signing_in(hindpool, client):
    page = client.get(reverse("login")).content.decode()
    link = f'<a class="govuk-link" href="{reverse("publication:area-list")}">find your neighbourhood team</a>'
    assert link in page
    assert "Hindpool" in client.get(reverse("publication:area-list")).content.decode()


def test_a_meeting_keeps_its_uid_whatever_host_the_feed_is_read_from_and_a_reschedule_raises_its_sequence(client, hindpool, screen, settings):
    settings.ALLOWED_HOSTS = ["testserver", "hub.example.org"]
    meeting = upcoming_meeting(hindpool)
    screen()

    def event(**headers):
        return Calendar.from_ical(client.get(reverse("publication:area-calendar", args=PAGE), **headers).content).walk("VEVENT")[0]

    before = event()
    assert str(event(HTTP_HOST="hub.example.org")["uid"]) == str(before["uid"])
    meeting.refresh_from_db()
    meeting.starts_at += dt.timedelta(days=1)
    meeting.ends_at += dt.timedelta(days=1)
    meeting.save()  # rescheduled: the wording is unchanged, so it stays published
    after = event()
    assert str(after["uid"]) == str(before["uid"]) and int(after["sequence"]) > int(before["sequence"])
    assert after.decoded("dtstart") == meeting.starts_at
