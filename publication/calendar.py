"""A neighbourhood's public meetings as an iCalendar feed (RFC 5545), built with `icalendar`."""
import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from publication.api import event_address, event_description

DEFAULT_LENGTH = dt.timedelta(hours=1)  # a meeting logged without an end


def organizer(neighbourhood) -> vCalAddress:
    team = neighbourhood.team.name if neighbourhood.team_id else f"{neighbourhood.name} neighbourhood team"
    address = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    address.params["cn"] = vText(team)
    return address


def meetings_calendar(neighbourhood, meetings, *, page_url: str) -> bytes:
    """UIDs are `meeting-<id>@<HUB_CALENDAR_UID_DOMAIN>`: a fixed setting, never the request's Host header, so a meeting
    keeps its UID whichever address the feed is read from."""
    calendar = Calendar()
    calendar.add("prodid", "-//Engagement Hub//Neighbourhood meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{neighbourhood.name}: neighbourhood meetings")
    calendar.add("x-wr-timezone", "Europe/London")
    stamp = timezone.now().astimezone(dt.timezone.utc).replace(microsecond=0)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{settings.CALENDAR_UID_DOMAIN}")
        event.add("dtstamp", stamp)
        # SEQUENCE grows with every change, so a subscribed calendar replaces a rescheduled meeting.
        event.add("sequence", getattr(meeting, "revisions", 0))
        event.add("organizer", organizer(neighbourhood))
        event.add("dtstart", meeting.starts_at.astimezone(dt.timezone.utc))
        event.add("dtend", (meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH).astimezone(dt.timezone.utc))
        event.add("summary", meeting.title)
        if description := event_description(meeting):
            event.add("description", description)
        if address := event_address(meeting):
            event.add("location", address)
        if meeting.online_link:
            event.add("url", meeting.online_link)
        else:
            event.add("url", page_url)
        event.add("categories", [meeting.get_kind_display()])
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
