from django.conf import settings
from django.core.management.base import BaseCommand

from crm.demo import DEMO_LOGINS
from organisations.models import User


class Command(BaseCommand):
    help = "Print the demo logins, one per role."

    def handle(self, *args, **options):
        present = set(User.objects.filter(username__in=[l.username for l in DEMO_LOGINS]).values_list("username", flat=True))
        self.stdout.write("Demo logins (password for each: %s)" % settings.DEMO_PASSWORD)
        for login in DEMO_LOGINS:
            if login.username in present:
                self.stdout.write(f"  {login.username:<12} {login.first_name} {login.last_name}, {login.role.label}")
