"""What a partner organisation's API key may read."""
from partners.models import Concern


def concerns_visible_to_organisation(organisation):
    """The concerns `organisation` may read through the API: today, the ones it reported.

    Rows read here may one day come back with personal fields withheld (`withheld_fields`);
    the serialiser honours that, and returns no personal field to anyone in any case."""
    # TODO(lead): use visible_to (an organisation's view, widened by sharing protocols).
    return Concern.objects.filter(organisation=organisation)
