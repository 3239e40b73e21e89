import datetime

import pytest
from django.utils import timezone

from access.roles import Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def governance(force):
    """The force's data protection officer."""
    user = UserFactory(username="dpo-whitfield", first_name="Jo", last_name="Whitfield")
    MembershipFactory(user=user, organisation=force, role=Role.INFORMATION_GOVERNANCE, job_title="Data protection officer")
    return user


@pytest.fixture
def governance_client(client, governance):
    client.force_login(governance)
    return client


def long_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def age(record, days: int, field: str = "updated_at") -> None:
    """Put a record's clock back `days` (auto_now fields cannot be set through save)."""
    type(record).objects.filter(pk=record.pk).update(**{field: long_ago(days)})
