"""Small helpers shared by the contact, partner-contact and group page tests."""
import datetime
import re

from django.utils import timezone

from access.roles import Role
from tests.factories import MembershipFactory, UserFactory


def page_text(response) -> str:
    """What a reader sees: the page without its tags, whitespace squeezed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(text.replace("&#x27;", "'").replace("&amp;", "&").split())


def in_a_year() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=365)


def team_colleague(team, username="pcso-jones", first_name="Gwen", last_name="Jones"):
    """A PCSO who belongs to the officer's neighbourhood team only (not to the force)."""
    user = UserFactory(username=username, first_name=first_name, last_name=last_name)
    MembershipFactory(user=user, organisation=team, role=Role.OFFICER)
    return user
