"""What a partner organisation's API key may read."""
from partners.models import Concern


def concerns_visible_to_organisation(organisation):
    """The concerns `organisation` may read through the API: the same door as the pages, with the
    organisation as the viewer (its own concerns, plus those its live protocols and one-off shares let it see).

    Rows shared without personal data come back with those fields withheld (`withheld_fields`);
    the serialiser honours that, and returns no personal field to anyone in any case."""
    return Concern.objects.visible_to(organisation)
