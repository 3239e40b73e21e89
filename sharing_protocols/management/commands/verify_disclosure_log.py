from django.core.management.base import BaseCommand, CommandError

from sharing_protocols.disclosures import verify_chain


class Command(BaseCommand):
    help = "Check the disclosure log's hash chain; name the first broken entry."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.intact:
            entry = report.first_broken
            raise CommandError(
                f"The chain is broken at entry #{entry.pk} ({entry.at:%d %B %Y %H:%M:%S}, {entry.user_label or 'no user'}, "
                f"{entry.get_action_display().lower()}): {report.reason}. {report.checked} entries before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"The disclosure log is intact: {report.checked} entries checked."))
