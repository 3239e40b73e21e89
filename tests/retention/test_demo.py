import pytest

from retention.demo import seed_retention
from retention.defaults import DEFAULTS
from retention.models import RetentionSchedule
from subject_access.models import DataSubjectRequest

pytestmark = pytest.mark.django_db


def test_the_demo_gives_every_controller_the_defaults_and_one_request_once(force, team, council, governance):
    seed_retention(force=force)
    seed_retention(force=force)
    assert RetentionSchedule.objects.filter(organisation=force).count() == len(DEFAULTS)
    assert RetentionSchedule.objects.filter(organisation=council).count() == len(DEFAULTS)
    assert not RetentionSchedule.objects.filter(organisation=team).exists()
    assert DataSubjectRequest.objects.get().organisation == force
