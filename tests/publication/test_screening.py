"""Screening finds protective markings, names of people held in the hub, phone numbers, email
addresses and postcodes; what it finds is held back, as positions only, for a person to review."""
import pytest

from organisations.models import AuditEvent
from publication.models import Screening, ScreeningStatus, Subject
from publication.screening import name_findings, pattern_findings
from tests.factories import ContactFactory, PartnerContactFactory, UserFactory
from tests.publication.conftest import priority_with_action, upcoming_meeting


def kinds(text):
    return sorted({finding.kind for finding in pattern_findings(text, field="issue")})


@pytest.mark.parametrize("text", [
    "OFFICIAL-SENSITIVE: drug supply at the flats", "Official Sensitive – do not share", "official_sensitive",
    "Marked SECRET", "TOP SECRET briefing", "RESTRICTED - police only", "NOT PROTECTIVELY MARKED",
])
def test_protective_markings_are_found(text):
    assert kinds(text) == ["marking"]


@pytest.mark.parametrize("text", [
    "Call 01229 812345 after six", "ring 07700 900123", "+44 7700 900123", "(01229) 812345", "0161-496-0000",
])
def test_uk_phone_numbers_are_found(text):
    assert kinds(text) == ["phone"]


@pytest.mark.parametrize("text", ["email jo.bloggs+pact@example.org", "write to Residents@Hindpool-TRA.org.uk"])
def test_email_addresses_are_found(text):
    assert kinds(text) == ["email"]


@pytest.mark.parametrize("text", ["Bins left at LA14 2AB every week", "near la14 1rh", "W1A 1AA", "SW1A2AA"])
def test_postcodes_are_found(text):
    assert kinds(text) == ["postcode"]


@pytest.mark.parametrize("text", [
    "Anti-social behaviour around the precinct in the evenings.", "A secret garden party kept the street awake.",
    "Restricted parking ignored on Duke Street.", "Call 101 or 999 in an emergency.", "The council official attended.",
    "Speed checks at 8 am and 3 pm on the A590.", "Held on 14 March 2026, 18:30 to 20:00.",
])
def test_ordinary_public_wording_is_not_flagged(text):
    assert kinds(text) == []


def test_names_held_in_the_hub_are_found_by_position_without_copying_them(db, council):
    ContactFactory(organisation=council, first_name="Maureen", last_name="Whitlock")
    PartnerContactFactory(organisation=council, partner_organisation=council, name="Derek Oyelaran")
    UserFactory(first_name="Tomasz", last_name="Kowal")
    text = "Maureen Whitlock complained; derek oyelaran from licensing and PC Kowal visited. Bill Smith did not."
    found = sorted({(f.start, f.end) for f in name_findings(text, field="issue")})
    # Full names, a title and surname, and each surname on its own (it names the person too).
    assert [text[start:end] for start, end in found] == ["Maureen Whitlock", "Whitlock", "derek oyelaran", "PC Kowal", "Kowal"]


def test_a_clear_priority_is_cleared_and_a_flagged_one_waits_with_an_audit_record(hindpool, screen):
    clear, _ = priority_with_action(hindpool)
    flagged, _ = priority_with_action(hindpool, issue="Drug dealing at 12 Duke Street, call 07700 900123 (OFFICIAL-SENSITIVE)")
    assert screen() == 4
    assert Screening.objects.get(subject=Subject.PRIORITY, object_id=clear.pk).status == ScreeningStatus.CLEARED
    held = Screening.objects.get(subject=Subject.PRIORITY, object_id=flagged.pk)
    assert held.status == ScreeningStatus.FLAGGED
    assert {f["kind"] for f in held.findings} == {"phone", "marking", "address"}
    assert all(set(f) == {"kind", "field", "start", "end"} for f in held.findings)  # positions, not text
    event = AuditEvent.objects.get(action="publication.screening_flagged")
    assert "07700" not in event.summary + str(event.details) and event.organisation == hindpool.team
    assert screen() == 0  # each wording is screened once


def test_an_edited_wording_is_screened_again(hindpool, screen):
    priority, _ = priority_with_action(hindpool)
    screen()
    priority.issue = "Speeding on Duke Street; Mrs Jean Parry at LA14 2AB saw it."
    priority.save()
    assert screen() == 1
    latest = Screening.objects.filter(subject=Subject.PRIORITY, object_id=priority.pk).latest("pk")
    assert latest.status == ScreeningStatus.FLAGGED and [f["kind"] for f in latest.findings] == ["postcode"]


def test_meeting_title_venue_and_description_are_all_screened(hindpool, screen, council):
    ContactFactory(organisation=council, first_name="Jean", last_name="Parry")
    meeting = upcoming_meeting(hindpool, venue_name="Jean Parry's front room")
    screen()
    held = Screening.objects.get(subject=Subject.MEETING, object_id=meeting.pk)
    assert held.status == ScreeningStatus.FLAGGED and held.findings[0]["field"] == "venue_name"


def test_a_meetings_online_link_is_screened_and_a_changed_link_is_screened_again(hindpool, screen):
    meeting = upcoming_meeting(hindpool, online_link="https://meet.example.org/hindpool-pact")
    screen()
    assert Screening.objects.filter(subject=Subject.MEETING, object_id=meeting.pk).latest("pk").status == ScreeningStatus.CLEARED
    meeting.online_link = "https://meet.example.org/jean.parry@example.org"
    meeting.save()
    assert screen() == 1
    latest = Screening.objects.filter(subject=Subject.MEETING, object_id=meeting.pk).latest("pk")
    assert latest.status == ScreeningStatus.FLAGGED and latest.findings[0]["field"] == "online_link"


def test_an_officers_biography_is_held_until_screened_and_a_flagged_one_stays_off_the_page_and_the_api(
    client, hindpool, opted_in_officer, screen, council,
):
    from django.urls import reverse

    from publication.models import PublicProfile
    from publication.services import public_profile_save

    ContactFactory(organisation=council, first_name="Maureen", last_name="Whitlock")
    profile = PublicProfile.objects.get(user=opted_in_officer)
    page_url = reverse("publication:area", args=["cumbria", "HIND"])
    api_url = reverse("publication:api-people", args=["cumbria", "HIND"])
    assert "Your beat officer." not in client.get(page_url).content.decode()  # not screened yet: held
    screen()
    assert "Your beat officer." in client.get(page_url).content.decode()
    leaky = "OFFICIAL-SENSITIVE: ring me on 07700 900123 about Maureen Whitlock at LA14 2AB."
    public_profile_save(acting_user=opted_in_officer, display_name=profile.display_name, rank=profile.rank, bio=leaky, published=True)
    held = Screening.objects.filter(subject=Subject.PROFILE, object_id=profile.pk).latest("pk")
    assert held.status == ScreeningStatus.FLAGGED and {f["kind"] for f in held.findings} == {"marking", "phone", "name", "postcode"}
    for url in (page_url, api_url):
        body = client.get(url).content.decode()
        assert "PC Gareth Jones" in body  # still named: only the biography waits
        for part in ("OFFICIAL-SENSITIVE", "07700", "Whitlock", "LA14"):
            assert part not in body
