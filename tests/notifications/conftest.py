"""A real SMTP server (aiosmtpd, on a free port of this machine) that the hub's mail goes to, and the
people notifications are about: a council partner user and a concern of theirs in a priority."""
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from access.roles import Role
from tests.factories import ConcernFactory, ConcernResponseFactory, MembershipFactory, PriorityFactory, UserFactory


class Inbox:
    """Keeps every message the server receives, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = "127.0.0.1", controller.port, False, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.HUB_BASE_URL = "https://hub.example"
    yield inbox
    controller.stop()


@pytest.fixture
def council_reporter(council):
    user = UserFactory(username="kim-council", first_name="Kim", last_name="Birkett", email="kim.birkett@council.example")
    MembershipFactory(user=user, organisation=council, role=Role.PARTNER_USER)
    return user


@pytest.fixture
def concern_in_priority(council, team):
    from geo.models import Neighbourhood  # noqa: F401 (the factory builds one)

    priority = PriorityFactory(organisation=team, issue="Fly-tipping in the back lanes.")
    concern = ConcernFactory(organisation=council, place="Rear of Market Street", holds_personal_data=True,
                             description="Margaret Holt of 12 Abbey Road saw the van.", reporter_name="Margaret Holt")
    ConcernResponseFactory(concern=concern, priority=priority)
    return priority, concern


def text_and_html(message) -> tuple[str, str]:
    return (message.get_body(preferencelist=("plain",)).get_content(), message.get_body(preferencelist=("html",)).get_content())


@pytest.fixture
def council_shares_concerns(council, force, officer):
    """The council's concerns flow to the force without personal data."""
    from tests.partners.concerns.conftest import share_concerns

    return share_concerns(provider=council, recipient=force, acting_user=officer)
